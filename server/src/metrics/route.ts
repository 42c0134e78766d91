import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type express from 'express';
import { type AccessTokens, type Principal, hasRole } from '../access/tokens.js';
import type { MetricsConfig } from '../config.js';
import { databaseOutage, isDatabaseUnreachable } from '../db/outage.js';
import { log } from '../log.js';
import type { Metrics } from './metrics.js';

export const METRICS_PATH = '/metrics';

/** Error answers in the shape of every other refusal (http/errors.ts): `{ errors: [{ message, extensions: { code } }] }`. */
function refusalBody(code: string, message: string): string {
  return JSON.stringify({ errors: [{ message, extensions: { code } }] });
}

function refuse(res: express.Response, status: number, code: string, message: string): void {
  res.status(status).type('application/json').send(refusalBody(code, message));
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

async function answer(metrics: Metrics, send: (status: number, type: string, body: string) => void): Promise<void> {
  try {
    send(200, metrics.contentType, await metrics.scrape());
  } catch (error) {
    log.error('metrics: the exposition failed', { error: (error as Error).message });
    send(500, 'application/json', refusalBody('INTERNAL_SERVER_ERROR', 'The metrics could not be collected'));
  }
}

/**
 * `GET /metrics` on the main port. Who may read it (README "Operating it"):
 * - `METRICS_TOKEN` set: `Authorization: Bearer <METRICS_TOKEN>` only — a scraper's own secret,
 *   which opens nothing else (an API token in a Prometheus config would open the API too);
 * - else, `METRICS_PORT` set: not here (404), the other port serves it;
 * - neither: an ADMIN API token, so a fresh install exposes nothing by default.
 */
export function metricsRoute(metrics: Metrics, accessTokens: AccessTokens, settings: MetricsConfig): (app: express.Express) => void {
  const expected = settings.token === undefined ? undefined : digest(settings.token);
  return (app) => {
    app.get(METRICS_PATH, async (req, res) => {
      if (expected) {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
        // Compared as digests: equal lengths, and the time taken says nothing about the token.
        if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
          refuse(res, 401, 'UNAUTHENTICATED', 'Metrics need Authorization: Bearer <METRICS_TOKEN>');
          return;
        }
      } else if (settings.port !== undefined) {
        refuse(res, 404, 'NOT_FOUND', 'Metrics are served on METRICS_PORT');
        return;
      } else {
        let principal: Principal | null;
        try {
          principal = await accessTokens.authenticate(req.headers.authorization);
        } catch (error) {
          if (!isDatabaseUnreachable(error)) throw error;
          databaseOutage.failed('api-token lookup', error);
          res.setHeader('retry-after', '5');
          refuse(res, 503, 'SERVICE_UNAVAILABLE', 'The database cannot be reached; try again shortly');
          return;
        }
        if (!principal) {
          refuse(res, 401, 'UNAUTHENTICATED', 'Metrics need an ADMIN API token: Authorization: Bearer <token> (or set METRICS_TOKEN or METRICS_PORT)');
          return;
        }
        if (!hasRole(principal, 'ADMIN')) {
          refuse(res, 403, 'FORBIDDEN', 'Metrics need an ADMIN API token');
          return;
        }
      }
      res.setHeader('cache-control', 'no-store');
      await answer(metrics, (status, type, body) => void res.status(status).type(type).send(body));
    });
  };
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * `METRICS_PORT`: `/metrics` alone on a port of its own, on HOST, without authentication — for a
 * port only the monitoring network reaches (and for dispatcher-only processes, which serve no API).
 */
export async function startMetricsServer(metrics: Metrics, host: string, port: number): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const pathname = (req.url ?? '/').split('?')[0];
    if (pathname !== METRICS_PATH) {
      send(404, 'application/json', refusalBody('NOT_FOUND', `Only ${METRICS_PATH} is served here`));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(405, 'application/json', refusalBody('BAD_REQUEST', `${METRICS_PATH} answers GET`));
      return;
    }
    void answer(metrics, send);
  });
  // A scraper keeps its connection: nothing here should hold the process open or wait on it at stop.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
