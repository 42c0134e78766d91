import type pg from 'pg';

/*
 * What the plain-SQL modules (docs/design.md rule 5: *.sql.ts and the services that hold a
 * connection) share: the one type of "something to run a statement on", and the one way to run
 * work in a transaction.
 */

/**
 * A pool (each statement on whichever connection is free) or one connection (inside a
 * transaction); only `query` is asked of it, so callers may pass anything that has the pool's.
 */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.ClientBase, 'query'>;

/**
 * Runs `work` on one connection between BEGIN and COMMIT; when it throws, the transaction is
 * rolled back and the error rethrown. A connection whose ROLLBACK fails too (lost mid-transaction)
 * is closed rather than given back to the pool, where the next caller would inherit it.
 */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}
