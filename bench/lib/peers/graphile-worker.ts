import { throughputPayload } from '../client.js';
import { importPeer } from './install.js';
import { Completion, type Event, type PeerClient, type PeerWorker, enqueueWith, webhookSender } from './send.js';

/**
 * graphile-worker 0.18 doing our job: one task, `deliver`, whose payload is the event; the worker
 * in the benchmark's process, the jobs added by a client process with `addJobs`.
 *
 * Tuned as its Performance page advises for a high-throughput queue of fast jobs (the settings of
 * its own perfTest): `concurrentJobs` = the number in flight, `maxPoolSize` = that + 1, a local
 * queue of 500 (batched fetches instead of a query per job) with a 10 ms refetch delay, and
 * completions and failures batched (`completeJobBatchDelay`/`failJobBatchDelay` 0). New jobs wake
 * it through LISTEN/NOTIFY; `pollInterval` only paces the empty-queue case, kept at its default.
 * Success lines are not logged (NO_LOG_SUCCESS, and a logger that keeps warnings and errors),
 * as Trusted Sites runs at LOG_LEVEL=error.
 */
const TASK = 'deliver';

function quietLogger(Logger: any): unknown {
  return new Logger(() => (level: string, message: string) => {
    if (level === 'error' || level === 'warning') console.error(`graphile-worker ${level}: ${message}`);
  });
}

async function load(): Promise<any> {
  // Read when graphile-worker's modules load: it must be set before the first import.
  process.env.NO_LOG_SUCCESS = '1';
  return importPeer('graphile-worker');
}

export async function startGraphileWorker(databaseUrl: string, receiverUrl: string, count: number, concurrency: number): Promise<PeerWorker> {
  const { run, Logger } = await load();
  const sender = webhookSender(receiverUrl, concurrency);
  // Completions are written in batches after the task resolves, and a completed job is deleted.
  const { default: pg } = await importPeer('pg');
  const check = new pg.Client({ connectionString: databaseUrl });
  await check.connect();
  const completion = new Completion(
    count,
    4 * concurrency,
    async (ids) => (await check.query('SELECT EXISTS (SELECT 1 FROM graphile_worker._private_jobs WHERE id = ANY($1::bigint[])) AS open', [ids])).rows[0].open,
    async () => (await check.query('SELECT EXISTS (SELECT 1 FROM graphile_worker._private_jobs) AS open')).rows[0].open,
  );
  const runner = await run({
    preset: {
      worker: {
        connectionString: databaseUrl,
        concurrentJobs: concurrency,
        maxPoolSize: concurrency + 1,
        localQueue: { size: 500, refetchDelay: { durationMs: 10 } },
        completeJobBatchDelay: 0,
        failJobBatchDelay: 0,
      },
    },
    logger: quietLogger(Logger),
    noHandleSignals: true,
    crontab: '',
    taskList: {
      [TASK]: async (payload: unknown, helpers: { job: { id: string } }) => {
        await sender.send(payload as Event);
        completion.handled([helpers.job.id]);
      },
    },
  });
  return {
    done: completion.finished(),
    reached: (n) => completion.reached(n),
    verify: () => completion.verify(),
    stop: async () => {
      await runner.stop();
      await check.end();
      await sender.close();
    },
  };
}

/** The client side: `addJobs` with `batch` jobs a call, `parallel` calls at a time. */
export async function graphileClient(databaseUrl: string): Promise<PeerClient> {
  const { makeWorkerUtils, Logger } = await load();
  const utils = await makeWorkerUtils({ connectionString: databaseUrl, logger: quietLogger(Logger) });
  return {
    enqueue: enqueueWith((i) => ({ identifier: TASK, payload: throughputPayload(i) }), (specs) => utils.addJobs(specs)),
    close: () => utils.release(),
  };
}
