/**
 * Header names the service owns on a request to a site. Here, in the bottom layer, because three
 * inputs refuse them: sendWebhook(s) headers (dispatch/), a site's static headers (sites/) and the
 * apiKey method's header name (auth/).
 */

/** Sent with every webhook and probe; stays the same across a delivery's retries so receivers can drop duplicates. */
export const DELIVERY_ID_HEADER = 'x-delivery-id';

/** Marks a test-connection probe so a receiver can tell it from a real webhook. */
export const PROBE_HEADER = 'x-trusted-sites-test';

/**
 * What no caller sets, whatever the site: the site (content type), its authentication, the HTTP
 * layer (framing, connection) or the dispatcher (delivery id) own them. sendWebhook(s) refuses these.
 */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  DELIVERY_ID_HEADER,
  'authorization',
  'content-type',
  'content-length',
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'upgrade',
  'expect',
  'proxy-authorization',
]);

/**
 * A site's static headers are sent on every request, so they also may not take what the service
 * adds to some requests: the probe marker, the W3C trace context (sendTraceparent), and the
 * Standard Webhooks signature headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
 * A delivery may still carry its own traceparent: it belongs to that one request.
 */
export const SITE_RESERVED_HEADERS: ReadonlySet<string> = new Set([...RESERVED_HEADERS, PROBE_HEADER, 'traceparent', 'tracestate']);
export const SITE_RESERVED_PREFIXES: readonly string[] = ['webhook-'];

/** Headers one auth method sets or signs for a given config (its `reservedHeaders`), on top of the lists above. */
export interface HeaderReservations {
  names?: readonly string[];
  prefixes?: readonly string[];
}

/**
 * Why a lower-case header name cannot be set, or undefined when it can. `reserved` is the base list
 * (RESERVED_HEADERS or SITE_RESERVED_HEADERS); `extra` what a method adds.
 */
export function reservedHeaderProblem(
  name: string,
  reserved: ReadonlySet<string>,
  prefixes: readonly string[] = [],
  extra: HeaderReservations = {},
): string | undefined {
  if (name === 'content-type') return 'The site sets content-type';
  if (name === 'authorization' && reserved.has(name)) return "The site's authentication sets authorization";
  if (reserved.has(name) || extra.names?.includes(name)) {
    return extra.names?.includes(name) && !reserved.has(name) ? `${name} is set by the site's authentication` : `${name} cannot be set`;
  }
  const prefix = [...prefixes, ...(extra.prefixes ?? [])].find((p) => name.startsWith(p));
  if (prefix) return extra.prefixes?.includes(prefix) ? `${prefix}* headers are set by the site's authentication` : `${prefix}* headers are set by the service`;
  return undefined;
}
