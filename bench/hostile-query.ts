/**
 * Issue 10 item 1: one VIEWER token sends 5,000 aliases of
 * deliveries(first: 100) { edges { node { id attempts { number } } } } (~524 KB), `parallel` at a
 * time, `rounds` times. Prints the time to each answer, its HTTP status and code, the app
 * process's RSS before and after, and the slowest /healthz answer while the requests ran
 * (polled back to back from this process). Before the limits: 122 s, 166 MB → 3.7 GB, /healthz
 * stalled 20 s.
 *
 * 2026-12-01, 2 cores at load average 7.6 (three other engineers' tests running): every answer
 * HTTP 400 GRAPHQL_PARSE_FAILED ("more than 1000 tokens"); 2 at a time × 10: median 86 ms, max
 * 297 ms, RSS 165 → 192 MB, slowest /healthz 181 ms; 1 at a time × 20: median 38 ms, max 139 ms,
 * RSS 163 → 172 MB, slowest /healthz 139 ms.
 *
 *   npx tsx bench/hostile-query.ts [parallel=2] [rounds=10]
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { hostileQuery } from '../server/src/http/hostile-query.js';
import { gql, machineNote, startAppProcess, startDatabase, stopAll } from './lib/harness.js';

const PARALLEL = Number(process.argv[2] ?? 2);
const ROUNDS = Number(process.argv[3] ?? 10);

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function main() {
  console.log(machineNote());
  const databaseUrl = await startDatabase();
  const app = await startAppProcess(databaseUrl);
  const viewer = (await gql(app.url, 'mutation { createApiToken(input: { name: "hostile viewer", role: VIEWER }) { secret } }')).createApiToken.secret as string;
  const body = JSON.stringify({ query: hostileQuery(5_000) });
  console.log(`request body: ${(body.length / 1024).toFixed(0)} KiB, ${PARALLEL} at a time, ${ROUNDS} rounds`);
  // Warm up: the first request of a process compiles what it touches.
  await fetch(`${app.url}/healthz`);
  await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${viewer}` }, body: JSON.stringify({ query: '{ viewer { name } }' }) });
  const rssBefore = rssMb(app.pid);

  let running = true;
  let slowestHealth = 0;
  let healthChecks = 0;
  const poller = (async () => {
    while (running) {
      const started = performance.now();
      const response = await fetch(`${app.url}/healthz`);
      await response.arrayBuffer();
      slowestHealth = Math.max(slowestHealth, performance.now() - started);
      healthChecks++;
    }
  })();

  const times: number[] = [];
  const outcomes = new Map<string, number>();
  let peakRss = rssBefore;
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        const started = performance.now();
        const response = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${viewer}` }, body });
        const answer = (await response.json()) as { errors?: Array<{ extensions?: { code?: string }; message: string }> };
        times.push(performance.now() - started);
        const key = `HTTP ${response.status} ${answer.errors?.[0]?.extensions?.code ?? 'no error'}: ${answer.errors?.[0]?.message ?? ''}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }),
    );
    peakRss = Math.max(peakRss, rssMb(app.pid));
  }
  running = false;
  await poller;
  const rssAfter = rssMb(app.pid);
  times.sort((a, b) => a - b);
  for (const [outcome, count] of outcomes) console.log(`answers: ${count} × ${outcome}`);
  console.log(`time to answer: min ${times[0]!.toFixed(1)} ms, median ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms`);
  console.log(`app RSS: before ${rssBefore.toFixed(0)} MB, peak ${peakRss.toFixed(0)} MB, after ${rssAfter.toFixed(0)} MB`);
  console.log(`/healthz while it ran: ${healthChecks} answers, slowest ${slowestHealth.toFixed(1)} ms`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
