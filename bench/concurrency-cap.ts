/**
 * Concurrency cap: a receiver that holds every request 200 ms, three dispatcher processes; the
 * receiver must never see more than `threads` requests in flight for the site.
 *
 *   npx tsx bench/concurrency-cap.ts [--threads=4,16,64]
 */
import { performance } from 'node:perf_hooks';
import { createActiveSite, machineNote, sendMany, startDatabase, startDispatcherProcess, startInProcessApp, startReceiverProcess, stopAll, waitUntilSettled } from './lib/harness.js';

const THREADS = (process.argv.slice(2).find((a) => a.startsWith('--threads='))?.split('=')[1] ?? '4,16,64').split(',').map(Number);
const PROCESSES = 3;

async function main() {
  console.log(machineNote());
  const databaseUrl = await startDatabase();
  const receiver = await startReceiverProcess();
  const api = await startInProcessApp(databaseUrl, { TRUSTED_SITES_ROLE: 'api' });
  await Promise.all(Array.from({ length: PROCESSES }, () => startDispatcherProcess(databaseUrl)));
  let ok = true;
  for (const threads of THREADS) {
    const segment = `hold200-threads-${threads}`;
    const count = threads * 25;
    const siteId = await createActiveSite(api.url, `${receiver.url}/${segment}`, { maxRps: 10_000, threads });
    const started = performance.now();
    const { settledAt, counts } = await waitUntilSettled(api.services.db.pool, siteId, sendMany(api.url, siteId, count, (i) => ({ i })), 100);
    if ((counts.SUCCEEDED ?? 0) !== count) throw new Error(`not all SUCCEEDED: ${JSON.stringify(counts)}`);
    const seconds = (settledAt - started) / 1000;
    const stats = await receiver.stats(segment);
    ok &&= stats.maxInFlight <= threads;
    // At `threads` in flight and 200 ms each, the ideal is threads × 5 per second.
    const ideal = (count / (threads * 5)).toFixed(1);
    console.log(
      `threads ${String(threads).padStart(2)}, ${PROCESSES} processes, ${count} deliveries held 200 ms each: most in flight at the receiver ${stats.maxInFlight} ` +
        `(${stats.maxInFlight <= threads ? 'within' : 'OVER'} the cap; ratio ${(stats.maxInFlight / threads).toFixed(2)}), all SUCCEEDED in ${seconds.toFixed(1)} s (ideal ${ideal} s), duplicates ${stats.duplicates}`,
    );
  }
  console.log(`summary: ${ok ? 'in-flight never exceeded threads' : 'IN-FLIGHT EXCEEDED threads'}`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
