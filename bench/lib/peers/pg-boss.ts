import { throughputPayload } from '../client.js';
import { importPeer } from './install.js';
import { Completion, type Event, type PeerClient, type PeerWorker, enqueueWith, webhookSender } from './send.js';

/**
 * pg-boss 12 doing our job: one queue, `deliver`, whose job data is the event; the worker in the
 * benchmark's process, the jobs inserted by a client process with `insert`.
 *
 * Tuned as its Workers and Queues pages advise for throughput: `batchSize` jobs a fetch and
 * `localConcurrency` workers polling on their own, their product the number in flight (a batch
 * handler settles its whole batch when it returns, so the batch's 200s are awaited together);
 * `burstWhenBatchFull` keeps a worker fetching with no delay while its fetches come back full;
 * LISTEN/NOTIFY (`useListenNotify` on the instance, `notify` on the queue) wakes the workers the
 * moment jobs are inserted instead of at the next poll; `pollingIntervalSeconds` at its minimum,
 * 0.5, for when the queue runs dry. The producer skips supervision and cron (`supervise`,
 * `schedule`: the worker's instance does both).
 */
export const QUEUE = 'deliver';

export interface PgBossShape {
  /** Jobs fetched per worker per fetch. */
  batchSize: number;
  /** Workers polling in this process. */
  localConcurrency: number;
}

/** batchSize × localConcurrency = in flight: the split measured best here at 32 and 64 (see README). */
export function defaultShape(concurrency: number): PgBossShape {
  const batchSize = Math.min(16, concurrency);
  return { batchSize, localConcurrency: Math.max(1, Math.round(concurrency / batchSize)) };
}

async function load(): Promise<any> {
  return (await importPeer('pg-boss')).PgBoss;
}

export async function startPgBossWorker(databaseUrl: string, receiverUrl: string, count: number, concurrency: number, shape: PgBossShape): Promise<PeerWorker> {
  const PgBoss = await load();
  const sender = webhookSender(receiverUrl, concurrency);
  const boss = new PgBoss({ connectionString: databaseUrl, useListenNotify: true });
  boss.on('error', (error: Error) => console.error(`pg-boss error: ${error.message}`));
  await boss.start();
  await boss.createQueue(QUEUE, { notify: true });
  // pg-boss completes a batch after its handler returns (state 'completed', the row kept).
  const { default: pg } = await importPeer('pg');
  const check = new pg.Client({ connectionString: databaseUrl });
  await check.connect();
  const completion = new Completion(
    count,
    4 * concurrency,
    async (ids) =>
      (await check.query(`SELECT EXISTS (SELECT 1 FROM pgboss.job WHERE name = $1 AND id = ANY($2::uuid[]) AND state < 'completed') AS open`, [QUEUE, ids])).rows[0].open,
    async () => (await check.query(`SELECT EXISTS (SELECT 1 FROM pgboss.job WHERE name = $1 AND state < 'completed') AS open`, [QUEUE])).rows[0].open,
  );
  await boss.work(
    QUEUE,
    { batchSize: shape.batchSize, localConcurrency: shape.localConcurrency, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 },
    async (jobs: Array<{ id: string; data: Event }>) => {
      await Promise.all(jobs.map((job) => sender.send(job.data)));
      completion.handled(jobs.map((job) => job.id));
    },
  );
  return {
    done: completion.finished(),
    reached: (n) => completion.reached(n),
    verify: () => completion.verify(),
    stop: async () => {
      await boss.stop({ graceful: true, close: true, timeout: 5_000 });
      await check.end();
      await sender.close();
    },
  };
}

export async function pgBossClient(databaseUrl: string): Promise<PeerClient> {
  const PgBoss = await load();
  const boss = new PgBoss({ connectionString: databaseUrl, supervise: false, schedule: false });
  boss.on('error', (error: Error) => console.error(`pg-boss error: ${error.message}`));
  await boss.start();
  return {
    enqueue: enqueueWith((i) => ({ data: throughputPayload(i) }), (jobs) => boss.insert(QUEUE, jobs)),
    close: () => boss.stop({ graceful: false, close: true }),
  };
}
