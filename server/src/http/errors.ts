import { randomUUID } from 'node:crypto';
import type express from 'express';
import { log } from '../log.js';

/** The error answers of the HTTP edge; each is JSON in the GraphQL error shape, never a page or a stack. */
export type EdgeErrorCode = 'BAD_REQUEST' | 'PAYLOAD_TOO_LARGE' | 'UNAUTHENTICATED' | 'NOT_FOUND' | 'SERVICE_UNAVAILABLE' | 'INTERNAL_SERVER_ERROR';

export function sendError(res: express.Response, status: number, code: EdgeErrorCode, message: string, extensions: Record<string, unknown> = {}): void {
  if (res.headersSent) {
    // Too late for an answer of its own: end what was started.
    res.destroy();
    return;
  }
  res.status(status).type('application/json').send(JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] }));
}

/**
 * One log line per kind of failure, then at most one a minute with the count in between: a caller
 * without a token must not be able to fill the log by sending bad requests. Only the kind and
 * status are logged, never the request or the parser's message (which quotes the body).
 */
export class FailureLog {
  private readonly kinds = new Map<string, { loggedAt: number; suppressed: number }>();

  constructor(
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  note(kind: string, fields: Record<string, unknown> = {}): void {
    const seen = this.kinds.get(kind);
    const now = this.now();
    if (seen && now - seen.loggedAt < this.intervalMs) {
      seen.suppressed++;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    this.kinds.set(kind, { loggedAt: now, suppressed: 0 });
    log.info(`refused request: ${kind}`, { ...fields, ...(suppressed ? { sinceLastLine: suppressed } : {}) });
  }
}

/**
 * Refuses a body declared larger than the limit before reading any of it (and before the token
 * lookup, so callers without a token cannot make us read or query anything). Bodies without a
 * length are cut off by the JSON parser's own limit as they stream in.
 */
export function declaredBodyLimit(limitBytes: number, failures: FailureLog): express.RequestHandler {
  return (req, res, next) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limitBytes) {
      failures.note('body over the limit', { status: 413 });
      // The rest of the body is not read: the connection cannot carry another request.
      res.setHeader('connection', 'close');
      sendError(res, 413, 'PAYLOAD_TOO_LARGE', `The request body is over the limit of ${limitBytes} bytes`, { limitBytes });
      return;
    }
    next();
  };
}

/** A POST must be JSON; anything else would reach Apollo without a body and get a text answer. */
export function requireJsonBody(failures: FailureLog): express.RequestHandler {
  return (req, res, next) => {
    if (req.method === 'POST' && !req.is('application/json')) {
      failures.note('body not JSON', { status: 400 });
      res.setHeader('connection', 'close');
      sendError(res, 400, 'BAD_REQUEST', 'Send the request as Content-Type: application/json');
      return;
    }
    next();
  };
}

interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

/**
 * The last handler of the app (express 5: four arguments). Errors from the body parser become
 * their GraphQL-shaped answers; anything else is a 500 with a reference to one log line that
 * holds the error's first line, never its stack (which names files on this machine).
 */
export function errorHandler(failures: FailureLog): express.ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    const error = (err ?? {}) as HttpError;
    const status = error.status ?? error.statusCode;
    switch (error.type) {
      case 'entity.parse.failed':
        failures.note('malformed JSON', { status: 400 });
        return sendError(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON');
      case 'entity.too.large':
        failures.note('body over the limit', { status: 413 });
        res.setHeader('connection', 'close');
        return sendError(res, 413, 'PAYLOAD_TOO_LARGE', 'The request body is over the limit');
      case 'request.aborted':
        // The client went away mid-body: nobody to answer.
        return void res.destroy();
      case 'charset.unsupported':
      case 'encoding.unsupported':
        failures.note(error.type, { status: 400 });
        return sendError(res, 400, 'BAD_REQUEST', 'Send the body as UTF-8 JSON (gzip or deflate allowed)');
    }
    if (status && status >= 400 && status < 500) {
      failures.note(`client error ${status}`, { status });
      return sendError(res, status, status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', status === 404 ? 'Not found' : 'Bad request');
    }
    const ref = randomUUID().slice(0, 8);
    const first = err instanceof Error ? `${err.name}: ${err.message.split('\n')[0]!.slice(0, 200)}` : 'non-error thrown';
    log.error('internal error in an HTTP route', { ref, error: first });
    return sendError(res, 500, 'INTERNAL_SERVER_ERROR', `Internal error (reference ${ref})`, { ref });
  };
}

/** Routes nothing serves: JSON, not express's HTML page. */
export function notFound(): express.RequestHandler {
  return (_req, res) => sendError(res, 404, 'NOT_FOUND', 'Not found');
}
