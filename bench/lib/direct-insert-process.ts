import 'reflect-metadata';
import pg from 'pg';
import { newDeliveryId } from '../../server/src/dispatch/delivery-id.js';
import { insertDeliveries } from '../../server/src/dispatch/transitions.sql.js';
import { throughputPayload } from './client.js';
import { enqueueWith } from './peers/send.js';
import { serveProducer } from './producer.js';

/**
 * bench/accept.ts's baseline: a producer that writes to PostgreSQL directly, as graphile-worker's
 * `addJobs` does, but with Trusted Sites' own insert (`insertDeliveries`, the statement behind
 * sendWebhooks) — so the difference with the caller of sendWebhooks (client-process.ts) is exactly
 * the API in front: HTTP, GraphQL, validation. Same protocol as client-process.ts (producer.ts):
 * inserts DIRECT_COUNT deliveries of the throughput payload for DIRECT_SITE_ID in batches of 1,000,
 * 4 at a time.
 */
const pool = new pg.Pool({ connectionString: process.env.DIRECT_DATABASE_URL, max: 4 });
const siteId = process.env.DIRECT_SITE_ID!;
const count = Number(process.env.DIRECT_COUNT);
await pool.query('SELECT 1');
const enqueue = enqueueWith(
  (i) => ({ id: newDeliveryId(), siteId, method: 'POST', headers: [], body: Buffer.from(JSON.stringify(throughputPayload(i)), 'utf8'), idempotencyKey: null }),
  async (rows) => {
    const { inserted } = await insertDeliveries(pool, rows);
    if (inserted.size !== rows.length) throw new Error(`inserted ${inserted.size} of ${rows.length}`);
  },
);
serveProducer(() => enqueue(count, 1000, 4, 0), () => pool.end());
