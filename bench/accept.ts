/**
 * What the API in front costs: the same N webhooks (the throughput payload, ~1 KB of JSON) queued
 * by the caller of sendWebhooks (HTTP, GraphQL, validation, then `insertDeliveries`) and by a
 * producer that runs `insertDeliveries` itself against the same PostgreSQL — as graphile-worker's
 * producer writes its jobs directly (bench/peers.ts). Both in processes of their own, 1,000 a call,
 * 4 calls at a time; the app runs role api, so nothing is sent and the deliveries stay queued.
 * Each round runs both (in alternating order); prints per round the wall time, the CPU per
 * delivery of each process (from /proc) and the ratios, then the medians.
 *
 *   npx tsx bench/accept.ts [count=20000] [--rounds=5]
 */
import 'reflect-metadata';
import { cpuSnapshot, createActiveSite, machineNote, startDatabase, startInProcessApp, startClientProcess, startReceiverProcess, startScriptClientProcess, stopAll } from './lib/harness.js';

const COUNT = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 20_000);
const ROUNDS = Number(/^--rounds=(\d+)$/.exec(process.argv.slice(2).find((a) => a.startsWith('--rounds=')) ?? '')?.[1] ?? 5);

interface Run {
  ms: number;
  /** CPU µs per delivery: the producer (client), this process (the API; 0 for the direct producer's run, which it does not serve), PostgreSQL. */
  client: number;
  app: number;
  postgres: number;
}

async function measure(start: () => Promise<{ go(): Promise<{ cpuMs: number }> }>): Promise<Run> {
  const producer = await start();
  const before = cpuSnapshot();
  const t0 = performance.now();
  const { cpuMs } = await producer.go();
  const ms = performance.now() - t0;
  const after = cpuSnapshot();
  const per = (spentMs: number) => (spentMs * 1000) / COUNT;
  return { ms, client: per(cpuMs), app: per(after.self! - before.self!), postgres: per(after.postgres! - before.postgres!) };
}

async function main() {
  console.log(machineNote());
  const databaseUrl = await startDatabase();
  // Only so the site has a URL that answers; nothing is sent in role api.
  const receiver = await startReceiverProcess();
  const app = await startInProcessApp(databaseUrl, { TRUSTED_SITES_ROLE: 'api' });
  const siteId = await createActiveSite(app.url, `${receiver.url}/accept`, { maxRps: 10_000, threads: 32 });
  const viaApi = () => startClientProcess(app.url, siteId, COUNT);
  const direct = () => startScriptClientProcess('bench/lib/direct-insert-process.ts', { DIRECT_DATABASE_URL: databaseUrl, DIRECT_SITE_ID: siteId, DIRECT_COUNT: String(COUNT) });
  const fmt = (r: Run) => `${r.ms.toFixed(0).padStart(5)} ms, CPU per delivery: producer ${r.client.toFixed(0)}, app ${r.app.toFixed(0)}, PostgreSQL ${r.postgres.toFixed(0)} µs`;
  const rounds: Array<{ api: Run; direct: Run }> = [];
  console.log(`${COUNT} webhooks of ~1 KB, 1,000 a call, 4 calls at a time, ${ROUNDS} rounds`);
  for (let round = 1; round <= ROUNDS; round++) {
    let api: Run;
    let plain: Run;
    if (round % 2) {
      plain = await measure(direct);
      api = await measure(viaApi);
    } else {
      api = await measure(viaApi);
      plain = await measure(direct);
    }
    rounds.push({ api, direct: plain });
    const total = (r: Run) => r.client + r.app + r.postgres;
    console.log(`round ${round}: direct insert ${fmt(plain)}`);
    console.log(`         sendWebhooks  ${fmt(api)}`);
    console.log(`         the API's price: ${(api.ms / plain.ms).toFixed(2)}× the wall time, +${(total(api) - total(plain)).toFixed(0)} µs of CPU per delivery (${(total(api) / total(plain)).toFixed(2)}×)`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const med = (pick: (r: { api: Run; direct: Run }) => number) => median(rounds.map(pick));
  console.log(`medians: direct insert ${med((r) => r.direct.ms).toFixed(0)} ms (producer ${med((r) => r.direct.client).toFixed(0)}, PostgreSQL ${med((r) => r.direct.postgres).toFixed(0)} µs per delivery)`);
  console.log(`         sendWebhooks  ${med((r) => r.api.ms).toFixed(0)} ms (producer ${med((r) => r.api.client).toFixed(0)}, app ${med((r) => r.api.app).toFixed(0)}, PostgreSQL ${med((r) => r.api.postgres).toFixed(0)} µs per delivery)`);
  console.log(`         ratio of wall times ${med((r) => r.api.ms / r.direct.ms).toFixed(2)}; CPU per delivery, all processes: +${med((r) => r.api.client + r.api.app + r.api.postgres - r.direct.client - r.direct.app - r.direct.postgres).toFixed(0)} µs for the API`);
  await app.stop();
  await stopAll();
}

main().then(
  () => process.exit(0),
  async (error) => {
    console.error(error);
    await stopAll();
    process.exit(1);
  },
);
