import type express from 'express';
import type { AuditService } from '../audit/audit.service.js';
import { log } from '../log.js';
import type { TokenService } from './token.service.js';

function single(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * `GET /oauth/callback/:siteId`: the provider sends the browser here after Connect. Whatever
 * happens, the browser goes back to the site's dashboard page with `?oauth=connected` or
 * `?oauth=error&reason=<code>` (invalid_state, access_denied, invalid_grant, …).
 */
export function oauthCallbackRoute(tokens: TokenService, publicUrl: string, audit?: AuditService): (app: express.Express) => void {
  return (app) => {
    app.get('/oauth/callback/:siteId', async (req, res) => {
      const siteId = String(req.params.siteId);
      let outcome;
      try {
        // Read before completeConnect uses the state up: the connect is recorded against whoever started it.
        const starter = await audit?.connectStarter(siteId, single(req.query.state));
        outcome = await tokens.completeConnect(siteId, {
          code: single(req.query.code),
          state: single(req.query.state),
          error: single(req.query.error),
          errorDescription: single(req.query.error_description),
        });
        if (outcome.ok && starter) await audit!.connectCompleted(starter, siteId);
      } catch (error) {
        log.error('oauth callback failed', { siteId, error: (error as Error).message?.slice(0, 200) });
        outcome = { ok: false as const, reason: 'internal_error' };
      }
      const query = outcome.ok ? 'oauth=connected' : `oauth=error&reason=${encodeURIComponent(outcome.reason)}`;
      // The URL held a code: keep it out of caches and of the next page's Referer.
      res.setHeader('cache-control', 'no-store');
      res.setHeader('referrer-policy', 'no-referrer');
      res.redirect(303, `${publicUrl}/sites/${encodeURIComponent(siteId)}?${query}`);
    });
  };
}
