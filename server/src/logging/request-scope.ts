import { randomUUID } from 'node:crypto';
import type express from 'express';
import { log, withLogContext } from '../log.js';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A caller's id is kept only when it cannot forge or break a log line: short, one token, no spaces or quotes. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The caller's x-request-id when it is sane (a proxy's or a workflow's, so both logs share it), else a new one. */
export function requestIdFrom(header: unknown): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * Gives every HTTP request an id, answers it in x-request-id, and runs the rest of the request in
 * a log scope carrying it, so every line logged on its behalf (resolvers, services, the error
 * handler) has its requestId without passing it along. At debug, one line per request when it ends;
 * the path only, never the query string (the OAuth callback's carries a code).
 */
export function requestScope(): express.RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.locals.requestId = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const startedAt = performance.now();
    // Read now: under a mount point (app.use('/graphql', …)) express shortens req.path.
    const { method, path } = req;
    withLogContext({ requestId }, () => {
      res.once('close', () =>
        log.debug('http request', {
          method,
          path,
          status: res.statusCode,
          durationMs: Math.round(performance.now() - startedAt),
          ...(res.writableFinished ? {} : { aborted: true }),
        }),
      );
      next();
    });
  };
}
