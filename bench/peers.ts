/**
 * "Why not just use a job queue?" — the throughput benchmark's job done by the queues a user would
 * pick instead, one after another, on the same machine: plain undici (no queue, the baseline),
 * graphile-worker + undici, pg-boss + undici, and Trusted Sites. Each sends the same N ~1 KB JSON
 * events with the same number in flight to the same receiver process; each system with a database
 * gets a freshly started PostgreSQL cluster with the same (default, durable) settings, stopped
 * before the next one starts. The peers are installed, pinned, into bench/.peers on first use.
 *
 * The clock runs from the first enqueue (addJobs / insert / sendWebhooks, from a client process of
 * its own) to the last job done (completion committed, or SUCCEEDED). Each job completes only
 * after the receiver's 200, and the receiver must have seen N distinct `x-delivery-id`s per system.
 *
 * `--rounds=N` runs every system N times, plain undici first in each round and the others in an
 * order that rotates from round to round, and prints the median of each: this machine's speed
 * drifts ±15% within minutes, so one run cannot say which of two close systems is faster.
 *
 * `--warm=N` first sends N events through each system (the same cluster, worker or app, its ids
 * apart), vacuums its database and starts the clock only then: a service runs for days, so a burst meets
 * its code optimised and its connections open. Without it every system starts cold.
 *
 *   npx tsx bench/peers.ts [count] [--concurrency=32|64] [--only=plain,graphile-worker,pg-boss,trusted-sites] [--pg-boss=16x2] [--rounds=3] [--warm=5000] [--cpu-prof=PREFIX]
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  cpuSnapshot,
  createActiveSite,
  machineNote,
  startInProcessApp,
  startClientProcess,
  startReceiverProcess,
  startScriptClientProcess,
  startStoppableDatabase,
  stopAll,
  waitUntilSettled,
} from './lib/harness.js';
import { startCpuProfile } from './lib/cpu-profile.js';
import { startGraphileWorker } from './lib/peers/graphile-worker.js';
import { ensurePeers, PEER_VERSIONS } from './lib/peers/install.js';
import { defaultShape, type PgBossShape, startPgBossWorker } from './lib/peers/pg-boss.js';
import { plainUndici, type PeerWorker } from './lib/peers/send.js';

const args = process.argv.slice(2);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const COUNT = Number(args.find((a) => /^\d+$/.test(a)) ?? 20_000);
const CONCURRENCY = Number(option('concurrency') ?? 32);
const SYSTEMS = ['plain', 'graphile-worker', 'pg-boss', 'trusted-sites'] as const;
type System = (typeof SYSTEMS)[number];
const ONLY = (option('only')?.split(',') ?? SYSTEMS) as System[];
const PG_BOSS: PgBossShape = option('pg-boss')
  ? (([batchSize, localConcurrency]) => ({ batchSize: batchSize!, localConcurrency: localConcurrency! }))(option('pg-boss')!.split('x').map(Number))
  : defaultShape(CONCURRENCY);
const PROCESSES = ['self', 'postgres', 'receiver', 'client'] as const;
const ROUNDS = Number(option('rounds') ?? 1);
const WARM = Number(option('warm') ?? 0);
// --cpu-prof=PREFIX: a CPU profile of this process over each Trusted Sites round's measured span
// (the app runs here; the peers' workers are idle then), written to PREFIX-rN.cpuprofile for
// bench/lib/profile-summary.ts — to compare a cold round with a warm one.
const CPU_PROF = option('cpu-prof');

/** `run`, profiled into `file` when one is given. */
async function profiled<T>(file: string | undefined, run: () => Promise<T>): Promise<T> {
  if (!file) return run();
  const profiler = await startCpuProfile();
  try {
    return await run();
  } finally {
    await profiler.stop(file);
    console.log(`CPU profile of this process over the round: ${file}`);
  }
}

interface Result {
  system: System;
  round: number;
  label: string;
  wallMs: number;
  /** CPU ms per process over the measured span. */
  cpu: Record<(typeof PROCESSES)[number], number>;
  seen: { count: number; distinct: number; duplicates: number };
}

async function main() {
  for (const name of ONLY) if (!SYSTEMS.includes(name)) throw new Error(`--only: unknown system ${name} (${SYSTEMS.join(', ')})`);
  if (!ONLY.includes('plain')) throw new Error('--only must include plain: every ratio is against it');
  console.log(machineNote());
  console.log(`${COUNT} × ~1 KB JSON, ${CONCURRENCY} in flight, Node ${process.version}${WARM ? `; each system warmed with ${WARM} first` : '; each system cold'}`);
  if (ONLY.some((s) => s === 'graphile-worker' || s === 'pg-boss')) ensurePeers();
  const receiver = await startReceiverProcess();
  const results: Result[] = [];

  /** Measures `run` between two /proc snapshots; `run` resolves with the wall ms and the client's CPU. */
  let round = 0;
  const measure = async (system: System, label: string, run: () => Promise<{ wallMs: number; clientCpuMs: number }>) => {
    // What the receiver saw of this run alone (a warm-up sent other ids to the same place before).
    const seenBefore = await receiver.stats(segment(system));
    const before = cpuSnapshot({ receiver: receiver.pid });
    const { wallMs, clientCpuMs } = await run();
    const after = cpuSnapshot({ receiver: receiver.pid });
    const spent = (name: string) => (Number.isFinite(after[name]! - before[name]!) ? after[name]! - before[name]! : 0);
    const seenAfter = await receiver.stats(segment(system));
    const seen = { count: seenAfter.count - seenBefore.count, distinct: seenAfter.distinct - seenBefore.distinct, duplicates: seenAfter.duplicates - seenBefore.duplicates };
    const result: Result = { system, round, label, wallMs, cpu: { self: spent('self'), postgres: spent('postgres'), receiver: spent('receiver'), client: clientCpuMs }, seen };
    results.push(result);
    console.log(
      `${ROUNDS > 1 ? `round ${round + 1}: ` : ''}${label}: ${wallMs.toFixed(0)} ms = ${((COUNT / wallMs) * 1000).toFixed(0)}/s; receiver saw ${seen.count}, distinct ids ${seen.distinct}, duplicates ${seen.duplicates}; ` +
        `CPU ms: this process ${result.cpu.self.toFixed(0)}, PostgreSQL ${result.cpu.postgres.toFixed(0)}, receiver ${result.cpu.receiver.toFixed(0)}, client ${result.cpu.client.toFixed(0)}`,
    );
  };
  const segment = (system: System) => `${system}-${CONCURRENCY}-r${round}`;
  const target = (system: System) => `${receiver.url}/${segment(system)}`;

  // BENCH_PG_STATS=1 (as for throughput.ts): each cluster's costliest statements after its run.
  const statsReset = async (databaseUrl: string) => {
    if (!process.env.BENCH_PG_STATS) return;
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await client.query('SELECT pg_stat_statements_reset()');
    await client.end();
  };
  const statsPrint = async (databaseUrl: string) => {
    if (!process.env.BENCH_PG_STATS) return;
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query(
      `SELECT calls, round(total_exec_time)::int AS ms, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS q FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12`,
    );
    for (const r of rows) console.log(String(r.ms).padStart(6), 'ms', String(r.calls).padStart(6), 'calls', String(r.rows).padStart(7), 'rows', r.q);
    await client.end();
  };

  // After a warm-up, as autovacuum would have by then in a service running for days: graphile-worker
  // deletes its done jobs, and its next fetches otherwise walk past 5,000 dead rows (its worker used
  // more CPU warm than cold until this), pg-boss and Trusted Sites keep theirs.
  const vacuum = async (databaseUrl: string) => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query('VACUUM ANALYZE');
    await client.end();
  };

  /** A peer: its own cluster, its worker here (warmed with ids from COUNT on), its producer in a client process; stopped after. */
  const peer = async (system: 'graphile-worker' | 'pg-boss', start: (databaseUrl: string) => Promise<PeerWorker>) => {
    const db = await startStoppableDatabase();
    const worker = await start(db.url);
    const producer = (count: number, first: number) =>
      startScriptClientProcess('bench/lib/peers/enqueue-process.ts', { PEER_SYSTEM: system, PEER_DATABASE_URL: db.url, PEER_COUNT: String(count), PEER_FIRST: String(first) });
    if (WARM) {
      await (await producer(WARM, COUNT)).go();
      await worker.reached(WARM);
      await vacuum(db.url);
    }
    await statsReset(db.url);
    const client = await producer(COUNT, 0);
    return { db, worker, client };
  };

  const others = SYSTEMS.filter((s) => s !== 'plain' && ONLY.includes(s));
  for (; round < ROUNDS; round++) {
    const order = ['plain' as const, ...others.slice(round % others.length || 0), ...others.slice(0, round % others.length || 0)];
    for (const system of order) {
      if (system === 'plain') {
        if (WARM) await plainUndici(target(system), WARM, CONCURRENCY, COUNT);
      await measure(system, `plain undici (${CONCURRENCY} at a time)`, async () => ({ wallMs: await plainUndici(target(system), COUNT, CONCURRENCY), clientCpuMs: 0 }));
      } else if (system === 'graphile-worker' || system === 'pg-boss') {
        const { db, worker, client } =
          system === 'graphile-worker'
            ? await peer(system, (url) => startGraphileWorker(url, target(system), WARM + COUNT, CONCURRENCY))
            : await peer(system, (url) => startPgBossWorker(url, target(system), WARM + COUNT, CONCURRENCY, PG_BOSS));
        const label =
          system === 'graphile-worker'
            ? `graphile-worker ${PEER_VERSIONS['graphile-worker']} (addJobs, concurrentJobs ${CONCURRENCY}, local queue 500, batched completions)`
            : `pg-boss ${PEER_VERSIONS['pg-boss']} (insert, batchSize ${PG_BOSS.batchSize} × localConcurrency ${PG_BOSS.localConcurrency}, notify, burst)`;
        await measure(system, label, async () => {
          const started = performance.now();
          const accepted = client.go();
          const [finished, { cpuMs }] = await Promise.all([worker.done, accepted]);
          return { wallMs: finished - started, clientCpuMs: cpuMs };
        });
        await worker.verify();
        await statsPrint(db.url);
        await worker.stop();
        await db.stop();
      } else {
        const db = await startStoppableDatabase();
        const app = await startInProcessApp(db.url, { TRUSTED_SITES_ROLE: 'all' });
        const siteId = await createActiveSite(app.url, target(system), { maxRps: 10_000, threads: CONCURRENCY });
        if (WARM) {
          await waitUntilSettled(app.services.db.pool, siteId, (await startClientProcess(app.url, siteId, WARM)).go());
          await vacuum(db.url);
        }
        // bench/lib/client-process.ts, its start-up CPU left out as the peers' is.
        const client = await startClientProcess(app.url, siteId, COUNT);
        await statsReset(db.url);
        await measure(system, `Trusted Sites (sendWebhooks, threads ${CONCURRENCY}, maxRps 10,000)`, () => profiled(CPU_PROF && `${CPU_PROF}-r${round + 1}.cpuprofile`, async () => {
          const started = performance.now();
          let clientCpuMs = NaN;
          const sending = client.go().then(({ cpuMs }) => void (clientCpuMs = cpuMs));
          const { settledAt, counts } = await waitUntilSettled(app.services.db.pool, siteId, sending);
          if ((counts.SUCCEEDED ?? 0) !== WARM + COUNT) throw new Error(`Trusted Sites: not all SUCCEEDED: ${JSON.stringify(counts)}`);
          return { wallMs: settledAt - started, clientCpuMs };
        }));
        await statsPrint(db.url);
        await app.stop();
        await db.stop();
      }
    }
  }

  const plainOf = (r: Result) => results.find((p) => p.system === 'plain' && p.round === r.round)!;
  const total = (r: Result) => PROCESSES.reduce((sum, name) => sum + r.cpu[name], 0);
  const perDelivery = (r: Result) => (total(r) * 1000) / COUNT;
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  console.log('');
  console.log(`| system${ROUNDS > 1 ? ' (round)' : ''} | wall | vs plain undici | CPU s: this process / PostgreSQL / receiver / client | CPU per delivery (all processes) | vs plain undici | distinct ids |`);
  console.log(`|---|---|---|---|---|---|---|`);
  for (const r of [...results].sort((a, b) => SYSTEMS.indexOf(a.system) - SYSTEMS.indexOf(b.system) || a.round - b.round)) {
    const plain = plainOf(r);
    const cpu = [r.cpu.self, r.cpu.postgres, r.cpu.receiver, r.cpu.client].map((ms, i) => (ms === 0 && (i === 1 || i === 3) ? '—' : s(ms))).join(' / ');
    console.log(
      `| ${r.label}${ROUNDS > 1 ? ` (${r.round + 1})` : ''} | ${s(r.wallMs)} s | ${(plain.wallMs / r.wallMs).toFixed(2)} | ${cpu} | ${perDelivery(r).toFixed(0)} µs | ${(perDelivery(r) / perDelivery(plain)).toFixed(2)}× | ${r.seen.distinct}/${COUNT} |`,
    );
  }
  if (ROUNDS > 1) {
    // Medians over the rounds; each ratio is taken within its round (against that round's plain run).
    console.log(`\n| system, median of ${ROUNDS} rounds | wall | vs plain undici | CPU per delivery (all processes) | vs plain undici |`);
    console.log(`|---|---|---|---|---|`);
    for (const system of SYSTEMS.filter((x) => ONLY.includes(x))) {
      const runs = results.filter((r) => r.system === system);
      console.log(
        `| ${runs[0]!.label} | ${s(median(runs.map((r) => r.wallMs)))} s | ${median(runs.map((r) => plainOf(r).wallMs / r.wallMs)).toFixed(2)} | ` +
          `${median(runs.map(perDelivery)).toFixed(0)} µs | ${median(runs.map((r) => perDelivery(r) / perDelivery(plainOf(r)))).toFixed(2)}× |`,
      );
    }
  }
  const short = results.filter((r) => r.seen.distinct !== COUNT);
  if (short.length) throw new Error(`not every id delivered: ${short.map((r) => `${r.system} ${r.seen.distinct}/${COUNT}`).join(', ')}`);
  console.log(`\nevery system delivered ${COUNT} distinct ids. "vs plain undici": plain wall / system wall (higher is faster); CPU: system / plain (lower is cheaper).`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  // A peer's worker left running by a failure would keep retrying its stopped database: exit.
  .finally(() => stopAll().finally(() => process.exit()));
