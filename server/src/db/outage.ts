import { log } from '../log.js';

/**
 * Errors that mean "PostgreSQL cannot be reached right now" rather than "this statement is wrong":
 * refused or reset connections, a server shutting down or starting up, connection-class SQLSTATEs,
 * and node-postgres's own messages for a connection that went away or never came.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now; class 08 is connection exceptions.
const SQLSTATES = new Set(['57P01', '57P02', '57P03']);
const MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|the database system is (starting up|shutting down|in recovery)|terminating connection due to administrator command/i;

export function isDatabaseUnreachable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const e = current as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && (NETWORK_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08'))) return true;
    if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
    // AggregateError from a connect that tried several addresses.
    if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnreachable(inner))) return true;
    current = e.cause;
  }
  return false;
}

/**
 * One log line when the database becomes unreachable and one when it is back, whatever the number
 * of failures in between: an outage of a minute must not write thousands of lines (each loop, request
 * and listener would otherwise log its own). Every part of the process reports here.
 */
export class OutageLog {
  private since: number | undefined;
  private suppressed = 0;
  private readonly sources = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  get down(): boolean {
    return this.since !== undefined;
  }

  /** Records a failure to reach the database by `source` (e.g. "dispatcher", "api-token lookup"). */
  failed(source: string, error: unknown): void {
    this.sources.add(source);
    if (this.since !== undefined) {
      this.suppressed++;
      return;
    }
    this.since = this.now();
    this.suppressed = 0;
    log.error('database unreachable; retrying quietly until it is back', { source, error: describe(error) });
  }

  /** Records that the database answered again; logs the end of an outage once. */
  recovered(source: string): void {
    if (this.since === undefined) return;
    const seconds = Math.round((this.now() - this.since) / 100) / 10;
    log.info('database reachable again', { source, outageSeconds: seconds, failuresNotLogged: this.suppressed, affected: [...this.sources] });
    this.since = undefined;
    this.suppressed = 0;
    this.sources.clear();
  }
}

/** A short description with no statement text or parameters (which could hold secrets). */
function describe(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0]!.slice(0, 200) : String(error).slice(0, 200);
  return code ? `${code}: ${message}` : message;
}

/** The process's one outage log. */
export const databaseOutage = new OutageLog();
