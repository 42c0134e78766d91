import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase } from '../../test/support.js';
import { createPool } from './pool.js';

let url: string;
let admin: pg.Client;

beforeAll(async () => {
  url = await createTestDatabase();
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
});

afterAll(async () => {
  await admin?.end();
});

async function terminate(applicationName: string): Promise<number> {
  const { rowCount } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
  return rowCount ?? 0;
}

describe('createPool', () => {
  it('survives a checked-out connection lost between statements (a plain pg.Pool would throw an uncaught error)', async () => {
    const pool = createPool({ connectionString: url, max: 2, application_name: 'pool-test-out' });
    const uncaught = vi.fn();
    process.on('uncaughtException', uncaught);
    try {
      const client = await pool.connect();
      await client.query('BEGIN');
      // What a plain pool leaves: no listener on a client while it is checked out.
      expect(client.listenerCount('error')).toBeGreaterThan(0);
      const ended = new Promise((resolve) => client.once('end', resolve));
      expect(await terminate('pool-test-out')).toBe(1);
      await ended;
      await expect(client.query('SELECT 1')).rejects.toThrow();
      client.release(true);
      // The pool opens a fresh connection for the next caller.
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
      expect(uncaught).not.toHaveBeenCalled();
    } finally {
      process.off('uncaughtException', uncaught);
      await pool.end();
    }
  });

  it('survives an idle connection lost in the pool', async () => {
    const pool = createPool({ connectionString: url, max: 1, application_name: 'pool-test-idle' });
    try {
      await pool.query('SELECT 1');
      expect(pool.idleCount).toBe(1);
      expect(await terminate('pool-test-idle')).toBe(1);
      await vi.waitFor(() => expect(pool.totalCount).toBe(0));
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    } finally {
      await pool.end();
    }
  });
});
