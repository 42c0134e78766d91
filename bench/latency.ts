/**
 * Latency on an idle system: one sendWebhook at a time, from the mutation's start to the request's
 * arrival at the receiver, 1,000 times; p50 and p99. Target: p99 < 50 ms.
 *
 *   npx tsx bench/latency.ts [count]
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createActiveSite, gql, machineNote, percentile, startDatabase, startInProcessApp, stopAll } from './lib/harness.js';

const COUNT = Number(process.argv[2] ?? 1000);
const WARMUP = 50;

async function main() {
  console.log(machineNote());
  const databaseUrl = await startDatabase();
  // The receiver lives in this process so arrival and start are read from one clock.
  const waiting = new Map<string, (at: number) => void>();
  const early = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const at = performance.now();
    const id = String(req.headers['x-delivery-id']);
    const resolve = waiting.get(id);
    if (resolve) resolve(at);
    else early.set(id, at);
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const app = await startInProcessApp(databaseUrl, {});
  const siteId = await createActiveSite(app.url, `${receiverUrl}/latency`, { maxRps: 10_000, threads: 16 });
  const SEND = `mutation($input: WebhookInput!) { sendWebhook(input: $input) { id } }`;
  const latencies: number[] = [];
  const acks: number[] = [];
  for (let i = 0; i < COUNT + WARMUP; i++) {
    const started = performance.now();
    const { sendWebhook } = await gql(app.url, SEND, { input: { siteId, payload: { i, at: Date.now() } } });
    const acked = performance.now();
    const arrived = early.get(sendWebhook.id) ?? (await new Promise<number>((resolve) => waiting.set(sendWebhook.id, resolve)));
    waiting.delete(sendWebhook.id);
    early.delete(sendWebhook.id);
    if (i >= WARMUP) {
      latencies.push(arrived - started);
      acks.push(acked - started);
    }
  }
  latencies.sort((a, b) => a - b);
  acks.sort((a, b) => a - b);
  console.log(`${COUNT} sequential sendWebhook → arrival (after ${WARMUP} warm-up): p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms (target p99 < 50 ms)`);
  console.log(`  of which the mutation answering (stored, committed): p50 ${percentile(acks, 50).toFixed(1)} ms, p99 ${percentile(acks, 99).toFixed(1)} ms`);
  console.log(`  ratio p99 / 50 ms target: ${(percentile(latencies, 99) / 50).toFixed(2)}`);
  server.close();
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
