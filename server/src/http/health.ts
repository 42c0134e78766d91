import type express from 'express';
import type pg from 'pg';
import { migrationsList } from '../db/migrations/index.js';

/** How long /readyz waits for PostgreSQL: an orchestrator's probe times out in a few seconds. */
export const READY_DB_TIMEOUT_MS = 2000;

/** MikroORM's migrations table (its default name; db/orm.ts does not change it). */
const MIGRATIONS_TABLE = 'mikro_orm_migrations';

export interface ReadinessDeps {
  pool: pg.Pool;
  pubsub: { readonly connected: boolean };
  timeoutMs?: number;
}

export interface Readiness {
  ready: boolean;
  /** 'ok', or what is wrong in a few words: never a host, a password, an error's text or a stack. */
  checks: { database: string; migrations: string; listen: string };
}

/**
 * What /readyz answers. Database: a `SELECT 1` through the pool the API uses, within the timeout.
 * Migrations: every one this code lists is in the migrations table (a process started by an older
 * image against a newer schema is ready; one whose migrations have not run is not). Listen: the
 * LISTEN connection is up, without which this process misses revocations and site changes made by
 * the others (it reconnects by itself; until then it is not ready).
 */
export async function checkReadiness(deps: ReadinessDeps): Promise<Readiness> {
  const timeoutMs = deps.timeoutMs ?? READY_DB_TIMEOUT_MS;
  const checks = { database: 'ok', migrations: 'ok', listen: deps.pubsub.connected ? 'ok' : 'not connected (reconnecting)' };
  try {
    await withTimeout(deps.pool.query({ text: 'SELECT 1', query_timeout: timeoutMs } as pg.QueryConfig), timeoutMs);
  } catch (error) {
    checks.database = error instanceof ReadyTimeout ? `no answer within ${timeoutMs} ms` : `unreachable${codeOf(error)}`;
    checks.migrations = 'not checked (the database did not answer)';
    return { ready: false, checks };
  }
  try {
    const { rows } = await withTimeout(
      deps.pool.query<{ name: string }>({ text: `SELECT name FROM ${MIGRATIONS_TABLE}`, query_timeout: timeoutMs } as pg.QueryConfig),
      timeoutMs,
    );
    const applied = new Set(rows.map((row) => row.name));
    const pending = migrationsList.map((m) => m.name).filter((name) => !applied.has(name));
    if (pending.length) checks.migrations = `${pending.length} not applied: ${pending.join(', ')}`;
  } catch (error) {
    checks.migrations = error instanceof ReadyTimeout ? `no answer within ${timeoutMs} ms` : `could not be read${codeOf(error)}`;
  }
  return { ready: Object.values(checks).every((check) => check === 'ok'), checks };
}

/**
 * `/healthz`: the process is alive and serving HTTP (restart it if not). `/readyz`: it can do its
 * work (send it traffic if so); 503 with the failing checks named otherwise. Both unauthenticated:
 * orchestrators call them, and they say nothing a caller could use.
 */
export function healthRoutes(deps: ReadinessDeps): (app: express.Express) => void {
  return (app) => {
    app.get('/healthz', (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/readyz', async (_req, res) => {
      const readiness = await checkReadiness(deps);
      res.setHeader('cache-control', 'no-store');
      res.status(readiness.ready ? 200 : 503).json(readiness);
    });
  };
}

class ReadyTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ReadyTimeout()), ms);
  });
  // A query that loses the race still settles later: its rejection is not left unhandled.
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The error's code (ECONNREFUSED, 57P03, …) when it has one: enough to act on, nothing private. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,32}$/.test(code) ? ` (${code})` : '';
}
