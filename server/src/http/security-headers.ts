import type express from 'express';

// A Host header is only echoed into the policy when it looks like one (name or address, optional port).
const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The dashboard's policy: its own scripts and styles only (Vite emits no inline ones, and Vue sets
 * styles through the DOM, which style-src does not govern), the API and its WebSocket on the same
 * origin, no framing, no plugins, no <base>, forms only to itself. 'self' covers ws:/wss: of the
 * page's host in CSP 3 browsers; the explicit ws:/wss: sources keep older ones working.
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const sockets = host && HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self'${sockets}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers every answer carries: JSON and redirects get them too, where they cost nothing and close gaps. */
export function securityHeaders(): express.RequestHandler {
  return (req, res, next) => {
    res.setHeader('content-security-policy', contentSecurityPolicy(req.headers.host));
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('x-content-type-options', 'nosniff');
    next();
  };
}
