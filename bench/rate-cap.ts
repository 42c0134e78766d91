/**
 * Rate cap: maxRps 10, 100 and 1,000 × threads 1 and 16 × one and three dispatcher processes. The
 * receiver (its own process) counts arrivals; in every one-second window the count must not
 * exceed maxRps, and over the measured seconds it should reach ≥ 95% of maxRps.
 *
 *   npx tsx bench/rate-cap.ts [--seconds=10] [--only=1000x1x3,...]
 *
 * Each cell gets its own site; deliveries are queued, the first arrival starts the window, and the
 * site is set INACTIVE afterwards (the rest is held). ~12 cells × (seconds + ~2 s).
 */
import { createActiveSite, machineNote, sendMany, setSiteStatus, startDatabase, startDispatcherProcess, startInProcessApp, startReceiverProcess, stopAll, kill9 } from './lib/harness.js';

const arg = (name: string) => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const SECONDS = Number(arg('seconds') ?? 10);
const ONLY = arg('only')?.split(',');
const RATES = [10, 100, 1000];
const THREADS = [1, 16];
const PROCESSES = [1, 3];

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
  return { fixedMax: Math.max(...fixed), slidingMax: sliding, reached: inWindow.length / (rps * SECONDS), count: inWindow.length };
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
      const siteId = await createActiveSite(api.url, `${receiver.url}/${segment}`, { maxRps: rps, threads });
      await sendMany(api.url, siteId, Math.ceil(rps * SECONDS * 1.15) + 20, (i) => ({ i }));
      for (;;) {
        const stats = await receiver.stats(segment);
        if (stats.count && stats.arrivals[stats.arrivals.length - 1]! - Math.min(...stats.arrivals) > SECONDS * 1000 + 200) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await setSiteStatus(api.url, siteId, 'INACTIVE');
      const w = windows((await receiver.stats(segment)).arrivals, rps);
      const capped = w.slidingMax <= rps;
      allCapped &&= capped;
      worst = Math.max(worst, w.slidingMax / rps);
      const row = `maxRps ${String(rps).padStart(4)} threads ${String(threads).padStart(2)} processes ${processes}: most in a fixed 1 s window ${w.fixedMax}, in any sliding 1 s window ${w.slidingMax} (${capped ? 'within cap' : 'OVER CAP'}), reached ${(w.reached * 100).toFixed(1)}% of maxRps over ${SECONDS} s`;
      console.log(row);
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
