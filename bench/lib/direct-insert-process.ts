import 'reflect-metadata';
import pg from 'pg';
import { newDeliveryId } from '../../server/src/dispatch/delivery-id.js';
import { type NewDelivery, insertDeliveries } from '../../server/src/dispatch/transitions.sql.js';
import { throughputPayload } from './client.js';

/**
 * bench/accept.ts's baseline: a producer that writes to PostgreSQL directly, as graphile-worker's
 * `addJobs` does, but with Trusted Sites' own insert (`insertDeliveries`, the statement behind
 * sendWebhooks) — so the difference with the caller of sendWebhooks (client-process.ts) is exactly
 * the API in front: HTTP, GraphQL, validation. Same protocol as client-process.ts: prints READY,
 * waits for a line on stdin, inserts DIRECT_COUNT deliveries of the throughput payload for
 * DIRECT_SITE_ID in batches of 1,000, 4 at a time, prints ACCEPTED with its CPU and exits.
 */
const pool = new pg.Pool({ connectionString: process.env.DIRECT_DATABASE_URL, max: 4 });
const siteId = process.env.DIRECT_SITE_ID!;
const count = Number(process.env.DIRECT_COUNT);
await pool.query('SELECT 1');
const ready = process.cpuUsage();
process.stdout.write(`READY cpu ${((ready.user + ready.system) / 1000).toFixed(0)} ms\n`);
process.stdin.once('data', () => {
  let next = 0;
  const batch = async () => {
    while (next < count) {
      const from = next;
      next = Math.min(count, next + 1000);
      const rows: NewDelivery[] = [];
      for (let i = from; i < next; i++) {
        rows.push({ id: newDeliveryId(), siteId, method: 'POST', headers: [], body: Buffer.from(JSON.stringify(throughputPayload(i)), 'utf8'), idempotencyKey: null });
      }
      const { inserted } = await insertDeliveries(pool, rows);
      if (inserted.size !== rows.length) throw new Error(`inserted ${inserted.size} of ${rows.length}`);
    }
  };
  Promise.all([batch(), batch(), batch(), batch()])
    .then(async () => {
      const cpu = process.cpuUsage();
      process.stdout.write(`ACCEPTED cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms\n`);
      await pool.end();
      process.exit(0);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
});
