/**
 * Throughput: 20,000 deliveries of 1 KB JSON to a fast local receiver (Basic auth, no rate cap,
 * 64 threads), from the first sendWebhooks call to all SUCCEEDED, against plain undici sending the
 * same 20,000 requests with the same concurrency to the same receiver, before and after ours (the
 * faster of the two is the baseline). Target: ≥ 0.5.
 *
 * The caller of sendWebhooks (1,000 webhooks a call, 4 calls at a time) is a process of its own,
 * as a workflow engine would be; the receiver too. Both share the machine's cores with us.
 *
 *   npx tsx bench/throughput.ts [count] [--dispatchers=N] [--threads=64] [--cpu-prof=file.cpuprofile] [--timeline] [--warm=N] [--heap-prof=file.heapprofile]
 *
 * By default one process does it all (TRUSTED_SITES_ROLE=all). With --dispatchers=N the
 * benchmark process serves the API only and N dispatcher-only processes send.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { throughputPayload } from './lib/client.js';
import { cpuSnapshot, cpuSpent, createActiveSite, machineNote, startClientProcess, startDatabase, startDispatcherProcess, startInProcessApp, startReceiverProcess, stopAll, waitUntilSettled } from './lib/harness.js';
import { startCpuProfile } from './lib/cpu-profile.js';

const COUNT = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 20_000);
const DISPATCHERS = Number(/^--dispatchers=(\d+)$/.exec(process.argv.slice(2).find((a) => a.startsWith('--dispatchers=')) ?? '')?.[1] ?? 0);
const THREADS = Number(/^--threads=(\d+)$/.exec(process.argv.slice(2).find((a) => a.startsWith('--threads=')) ?? '')?.[1] ?? 64);
// A V8 CPU profile of this process (the app with role all) over the measured phase only, for
// Chrome DevTools or `npx tsx bench/lib/profile-summary.ts <file>`.
const CPU_PROF = process.argv.slice(2).find((a) => a.startsWith('--cpu-prof='))?.slice('--cpu-prof='.length);
// A sampling heap profile (allocations still live at a scavenge are what garbage collection costs)
// of the measured phase: bytes allocated per source line, for `npx tsx bench/lib/heap-summary.ts <file>`.
const HEAP_PROF = process.argv.slice(2).find((a) => a.startsWith('--heap-prof='))?.slice('--heap-prof='.length);
// Deliveries accepted and attempts started per quarter second, from the database after the run.
const TIMELINE = process.argv.includes('--timeline');
// --warm=N: N deliveries to another site of the same receiver before the clock starts, so the
// measured run finds this process as a long-running service is (code optimised, pools open).
const WARM = Number(/^--warm=(\d+)$/.exec(process.argv.slice(2).find((a) => a.startsWith('--warm=')) ?? '')?.[1] ?? 0);
const BASIC = `Basic ${Buffer.from('bench:bench-password-1').toString('base64')}`;

async function plainUndici(url: string): Promise<number> {
  const agent = new Agent({ connections: THREADS, keepAliveTimeout: 30_000 });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: THREADS }, async () => {
      while (next < COUNT) {
        const i = next++;
        const response = await request(`${url}/${i}`, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json', authorization: BASIC, 'x-delivery-id': String(i) },
          body: JSON.stringify(throughputPayload(i)),
        });
        await response.body.text();
        if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
      }
    }),
  );
  const elapsed = performance.now() - started;
  await agent.close();
  return elapsed;
}

/** `after - before` per name, in ms. */
function cpuSpentOf(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(after).map((name) => [name, after[name]! - before[name]!]));
}

async function main() {
  console.log(machineNote());
  const databaseUrl = await startDatabase();
  const receiver = await startReceiverProcess();
  const app = await startInProcessApp(databaseUrl, { TRUSTED_SITES_ROLE: DISPATCHERS ? 'api' : 'all' });
  const dispatchers: Record<string, number> = {};
  for (let i = 0; i < DISPATCHERS; i++) dispatchers[`dispatcher${i + 1}`] = (await startDispatcherProcess(databaseUrl)).pid!;
  console.log(DISPATCHERS ? `API in this process, ${DISPATCHERS} dispatcher process(es)` : 'API and dispatcher in this process (role all)');

  /** Plain undici to `/<path>` on the receiver: wall ms, CPU snapshots around it, what the receiver saw. */
  const plainRun = async (path: string) => {
    const before = cpuSnapshot({ receiver: receiver.pid });
    const ms = await plainUndici(`${receiver.url}/${path}`);
    const after = cpuSnapshot({ receiver: receiver.pid });
    const rate = `${ms.toFixed(0)} ms = ${((COUNT / ms) * 1000).toFixed(0)} req/s (receiver saw ${(await receiver.stats(path)).count})`;
    return { ms, before, after, rate };
  };
  const first = await plainRun('baseline');
  console.log(`plain undici: ${COUNT} requests, ${THREADS} at a time: ${first.rate}`);

  const siteId = await createActiveSite(app.url, `${receiver.url}/dispatch`, { maxRps: 10_000, threads: THREADS });
  if (process.env.BENCH_PG_STATS) {
    await app.services.db.pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await app.services.db.pool.query('SELECT pg_stat_statements_reset()');
  }
  if (WARM) {
    const warmSite = await createActiveSite(app.url, `${receiver.url}/warm`, { maxRps: 10_000, threads: THREADS });
    const warmClient = await startClientProcess(app.url, warmSite, WARM);
    const { counts } = await waitUntilSettled(app.services.db.pool, warmSite, warmClient.go());
    if (process.env.BENCH_VACUUM) await app.services.db.pool.query(process.env.BENCH_VACUUM);
    console.log(`warm-up: ${WARM} deliveries to another site first (${JSON.stringify(counts)})${process.env.BENCH_VACUUM ? `, then ${process.env.BENCH_VACUUM}` : ''}`);
    // The statements' figures cover the measured phase only.
    if (process.env.BENCH_PG_STATS) await app.services.db.pool.query('SELECT pg_stat_statements_reset()');
  }
  // The workflow engine calling sendWebhooks is a process of its own, started before the clock.
  const client = await startClientProcess(app.url, siteId, COUNT);
  const measured = { receiver: receiver.pid, ...dispatchers };
  const heapProfiler = HEAP_PROF ? new Session() : undefined;
  if (heapProfiler) {
    heapProfiler.connect();
    await heapProfiler.post('HeapProfiler.enable');
    // Every 4 KB allocated, on average; objects collected since are kept in the profile too.
    await heapProfiler.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  const profiler = CPU_PROF ? await startCpuProfile() : undefined;
  const cpuOurs = cpuSnapshot(measured);
  // How long this process's event loop was held while accepting (a claim's round trips wait behind it).
  const eld = monitorEventLoopDelay({ resolution: 5 });
  eld.enable();
  const started = performance.now();
  const sampler = TIMELINE ? startSampler(measured, app.services.dispatcher) : undefined;
  let acceptedMs = 0;
  let clientCpuMs = NaN;
  const sending = client.go().then(({ cpuMs }) => {
    acceptedMs = performance.now() - started;
    eld.disable();
    console.log(`event loop delay while accepting: p50 ${(eld.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(eld.percentile(99) / 1e6).toFixed(1)} ms, max ${(eld.max / 1e6).toFixed(1)} ms`);
    clientCpuMs = cpuMs;
  });
  const { settledAt, counts } = await waitUntilSettled(app.services.db.pool, siteId, sending);
  if ((counts.SUCCEEDED ?? 0) !== COUNT) throw new Error(`not all SUCCEEDED: ${JSON.stringify(counts)}`);
  const oursMs = settledAt - started;
  const cpuOursAfter = cpuSnapshot(measured);
  sampler?.stop();
  if (heapProfiler) {
    const { profile } = await heapProfiler.post('HeapProfiler.stopSampling');
    fs.writeFileSync(HEAP_PROF!, JSON.stringify(profile));
    heapProfiler.disconnect();
    console.log(`sampling heap profile of this process over the measured phase: ${HEAP_PROF}`);
  }
  if (profiler) {
    await profiler.stop(CPU_PROF!);
    console.log(`CPU profile of this process over the measured phase: ${CPU_PROF}`);
  }
  const cpuOursSpent = cpuSpent(cpuOurs, cpuOursAfter);
  if (TIMELINE) {
    // Per quarter second from the first insert: deliveries accepted (created_at) and attempts started.
    const quarters = async (sql: string) =>
      (await app.services.db.pool.query(sql, [siteId])).rows.map((r: { q: number; n: number }) => `${r.q}:${r.n}`).join(' ');
    const from = `(SELECT min(created_at) AS t0 FROM delivery WHERE site_id = $1) z`;
    console.log('accepted per 250 ms:', await quarters(`SELECT floor(extract(epoch FROM d.created_at - z.t0) * 4)::int AS q, count(*)::int AS n FROM delivery d, ${from} WHERE d.site_id = $1 GROUP BY 1 ORDER BY 1`));
    console.log('sent per 250 ms:', await quarters(`SELECT floor(extract(epoch FROM a.started_at - z.t0) * 4)::int AS q, count(*)::int AS n FROM delivery_attempt a, ${from} WHERE a.site_id = $1 GROUP BY 1 ORDER BY 1`));
  }
  const stats = await receiver.stats('dispatch');
  // Plain undici again, now warm: the first run also pays for JIT warm-up and a cold receiver, and
  // took 1.7-2.9 s on a quiet machine where ours held at 5.9-6.5 s. The targets are taken
  // against the faster of the two runs, which can only lower our ratio.
  const again = await plainRun('baseline-again');
  console.log(`plain undici again, after: ${again.rate}; CPU ${cpuSpent(again.before, again.after)}`);
  const best = again.ms < first.ms ? again : first;
  console.log(
    `trusted sites: ${COUNT} deliveries, sendWebhooks → all SUCCEEDED: ${oursMs.toFixed(0)} ms = ${((COUNT / oursMs) * 1000).toFixed(0)} deliveries/s ` +
      `(all accepted after ${acceptedMs.toFixed(0)} ms; receiver saw ${stats.count}, distinct ids ${stats.distinct}, duplicates ${stats.duplicates})`,
  );
  console.log(`CPU, plain undici (first run): ${cpuSpent(first.before, first.after)}`);
  console.log(`CPU, trusted sites: ${cpuOursSpent}, client (the caller of sendWebhooks, from go to all accepted) ${clientCpuMs} ms`);
  if (app.services.dispatcher) console.log(`dispatcher counters: ${JSON.stringify(app.services.dispatcher.stats)}`);
  if (process.env.BENCH_PG_STATS) {
    const { rows } = await app.services.db.pool.query(`SELECT calls, round(total_exec_time)::int AS ms, rows, shared_blks_hit AS hits, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS q FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15`);
    for (const r of rows) console.log(String(r.ms).padStart(6), 'ms', String(r.calls).padStart(6), 'calls', String(r.rows).padStart(7), 'rows', String(r.hits).padStart(8), 'hits', r.q);
  }
  // Target 3: CPU per delivery over every process (PostgreSQL, receiver, client included) at most 2× plain undici's.
  const total = (spent: Record<string, number>) => Object.values(spent).reduce((sum, ms) => sum + (Number.isFinite(ms) ? ms : 0), 0);
  const plainPer = (total(cpuSpentOf(best.before, best.after)) * 1000) / COUNT;
  const oursPer = ((total(cpuSpentOf(cpuOurs, cpuOursAfter)) + (Number.isFinite(clientCpuMs) ? clientCpuMs : 0)) * 1000) / COUNT;
  console.log(`CPU per delivery, all processes: plain undici ${plainPer.toFixed(0)} µs, trusted sites ${oursPer.toFixed(0)} µs (incl. the client): ${(oursPer / plainPer).toFixed(2)}×  (target ≤ 2×)`);
  console.log(`ratio (trusted sites throughput / plain undici throughput, the faster plain run): ${(best.ms / oursMs).toFixed(2)}  (target ≥ 0.5; against the first plain run ${(first.ms / oursMs).toFixed(2)})`);
}

/**
 * --timeline: every 250 ms, what each process spent (CPU ms), this process's longest event-loop
 * stall, and the dispatcher's counters that moved (claims, deliveries claimed, slots skipped,
 * outcomes recorded).
 */
function startSampler(measured: Record<string, number>, dispatcher: { stats: Record<string, number> } | undefined) {
  const rows: string[] = [];
  let last = cpuSnapshot(measured);
  let lastStats = dispatcher?.stats ?? {};
  const eld = monitorEventLoopDelay({ resolution: 2 });
  eld.enable();
  let q = 0;
  const timer = setInterval(() => {
    const now = cpuSnapshot(measured);
    const stats = dispatcher?.stats ?? {};
    const cpu = Object.keys(now).map((k) => `${k} ${Math.round(now[k]! - last[k]!)}`).join(', ');
    const moved = ['claims', 'claimed', 'skippedSlots', 'recorded', 'flushes'].map((k) => `${k} ${(stats[k] ?? 0) - (lastStats[k] ?? 0)}`).join(', ');
    rows.push(`${String(q).padStart(3)} | cpu ${cpu} | loop max ${(eld.max / 1e6).toFixed(0)} ms | ${moved}`);
    eld.reset();
    last = now;
    lastStats = stats;
    q += 1;
  }, 250);
  return {
    stop() {
      clearInterval(timer);
      eld.disable();
      console.log('per 250 ms since go:');
      for (const row of rows) console.log(row);
    },
  };
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
