/**
 * Rate cap: maxRps 10, 100 and 1,000 × threads 1 and 16 × one and three dispatcher processes. The
 * receiver (its own process) counts arrivals; in every one-second window the count must not
 * exceed maxRps, and over the measured seconds it should reach ≥ 95% of maxRps.
 *
 *   npx tsx bench/rate-cap.ts [--seconds=10] [--only=1000x1x3,...]
 *
 * Each cell gets its own site. Its deliveries are queued while the site is still a DRAFT (the same
 * rows sendWebhooks stores, inserted directly, so accepting them does not load the machine during
 * the measurement), then the site is set ACTIVE; the first arrival starts the window, and the
 * site is set INACTIVE afterwards (the rest is held). ~12 cells × (seconds + ~2 s).
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { insertDeliveries } from '../server/src/dispatch/transitions.sql.js';
import { createSite, machineNote, setSiteStatus, startDatabase, startDispatcherProcess, startInProcessApp, startReceiverProcess, stopAll, kill9 } from './lib/harness.js';

const arg = (name: string) => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const SECONDS = Number(arg('seconds') ?? 10);
const ONLY = arg('only')?.split(',');
const RATES = [10, 100, 1000];
const THREADS = [1, 16];
const PROCESSES = [1, 3];

/** Start times (ms) of the site's attempts, once as many are written as arrived (attempt rows are written in batches). */
async function attemptStarts(pool: pg.Pool, siteId: string, atLeast: number): Promise<number[]> {
  const until = Date.now() + 5000;
  for (;;) {
    const result = await pool.query<{ t: number }>(`SELECT extract(epoch FROM started_at) * 1000 AS t FROM delivery_attempt WHERE site_id = $1`, [siteId]);
    if (result.rows.length >= atLeast || Date.now() > until) return result.rows.map((r) => Number(r.t));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function windows(arrivals: number[], rps: number) {
  const sorted = [...arrivals].sort((a, b) => a - b);
  const t0 = sorted[0]!;
  const inWindow = sorted.filter((t) => t < t0 + SECONDS * 1000);
  const fixed = new Array(SECONDS).fill(0);
  for (const t of inWindow) fixed[Math.floor((t - t0) / 1000)] += 1;
  let sliding = 0;
  for (let i = 0, j = 0; i < inWindow.length; i++) {
    while (j < inWindow.length && inWindow[j]! - inWindow[i]! < 1000) j++;
    sliding = Math.max(sliding, j - i);
  }
  return { fixed, fixedMax: Math.max(...fixed), slidingMax: sliding, reached: inWindow.length / (rps * SECONDS), count: inWindow.length };
}

async function main() {
  console.log(machineNote());
  const databaseUrl = await startDatabase();
  const receiver = await startReceiverProcess();
  const api = await startInProcessApp(databaseUrl, { TRUSTED_SITES_ROLE: 'api' });
  const rows: string[] = [];
  let worst = 0;
  let allCapped = true;
  for (const processes of PROCESSES) {
    const cells = RATES.flatMap((rps) => THREADS.map((threads) => ({ rps, threads }))).filter(({ rps, threads }) => !ONLY || ONLY.includes(`${rps}x${threads}x${processes}`));
    if (!cells.length) continue;
    const dispatchers = await Promise.all(Array.from({ length: processes }, () => startDispatcherProcess(databaseUrl)));
    for (const { rps, threads } of cells) {
      const segment = `rate-${rps}-${threads}-${processes}`;
      const siteId = await createSite(api.url, `${receiver.url}/${segment}`, { maxRps: rps, threads });
      const count = Math.ceil(rps * SECONDS * 1.15) + 20;
      for (let from = 0; from < count; from += 5000) {
        const rows = Array.from({ length: Math.min(5000, count - from) }, (_, k) => ({
          id: randomUUID(),
          siteId,
          method: 'POST',
          headers: [] as Array<[string, string]>,
          body: Buffer.from(JSON.stringify({ i: from + k })),
          idempotencyKey: null,
        }));
        await insertDeliveries(api.services.db.pool, rows);
      }
      // Fresh statistics, as a long-running deployment has: planning on a table that just grew
      // by thousands of rows otherwise picks slow plans until autovacuum analyses it.
      await api.services.db.pool.query('ANALYZE delivery');
      await setSiteStatus(api.url, siteId, 'ACTIVE');
      const giveUp = Date.now() + SECONDS * 3000 + 20_000;
      for (;;) {
        const stats = await receiver.stats(segment);
        if (stats.count && stats.arrivals[stats.arrivals.length - 1]! - Math.min(...stats.arrivals) > SECONDS * 1000 + 200) break;
        if (Date.now() > giveUp) {
          console.log(`  ${segment}: stopped waiting; ${stats.count} arrivals so far`);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await setSiteStatus(api.url, siteId, 'INACTIVE');
      const final = await receiver.stats(segment);
      if (!final.count) {
        console.log(`  ${segment}: nothing arrived`);
        allCapped = false;
        continue;
      }
      const w = windows(final.arrivals, rps);
      // The same windows on the sending side: each attempt's started_at, stamped by its dispatcher
      // just before the request is handed to undici (one host, one clock). A window over maxRps at
      // the receiver but not here is time between leaving the dispatcher and being counted.
      const sent = await attemptStarts(api.services.db.pool, siteId, final.count);
      const ws = windows(sent, rps);
      const capped = w.slidingMax <= rps;
      allCapped &&= capped;
      worst = Math.max(worst, w.slidingMax / rps);
      const row = `maxRps ${String(rps).padStart(4)} threads ${String(threads).padStart(2)} processes ${processes}: most in a fixed 1 s window ${w.fixedMax}, in any sliding 1 s window ${w.slidingMax} (${capped ? 'within cap' : 'OVER CAP'}), reached ${(w.reached * 100).toFixed(1)}% of maxRps over ${SECONDS} s; sending side: fixed ${ws.fixedMax}, sliding ${ws.slidingMax}`;
      console.log(row);
      if (process.argv.includes('--per-second')) console.log(`  per second: ${w.fixed.join(' ')}`);
      rows.push(row);
    }
    for (const child of dispatchers) await kill9(child);
  }
  console.log(`summary: ${allCapped ? 'no window exceeded maxRps' : 'SOME WINDOW EXCEEDED maxRps'}; worst sliding window / maxRps = ${worst.toFixed(3)}`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
