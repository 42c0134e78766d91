import pg from 'pg';

/**
 * A node-postgres pool whose lost connections never take the process down. Idle connections that
 * die are reported on the pool (pg-pool replaces them); a connection that dies while checked out —
 * an outage during a transaction, a session lock held across an HTTP request — has no pool listener
 * while it is out, and node-postgres then emits `error` on the client itself, which with no listener
 * is an uncaught exception. The statement in progress fails on its own promise, and every caller
 * already treats that (see outage.ts), so these events need no handling beyond being heard.
 */
export function createPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}
