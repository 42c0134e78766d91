import { graphileClient } from './graphile-worker.js';
import { pgBossClient } from './pg-boss.js';

/**
 * A peer's producer in its own process, as the caller of sendWebhooks is for Trusted Sites (see
 * `startScriptClientProcess` in harness.ts): connects, prints READY, waits for a line on stdin, enqueues
 * PEER_COUNT events (ids from PEER_FIRST, default 0) in calls of 1,000, 4 at a time (as sendMany calls sendWebhooks), prints
 * ACCEPTED with the CPU it used all its life (as client-process.ts does) and exits. READY carries
 * the CPU used to start, which the benchmark subtracts.
 */
const system = process.env.PEER_SYSTEM;
const databaseUrl = process.env.PEER_DATABASE_URL!;
const count = Number(process.env.PEER_COUNT);
const first = Number(process.env.PEER_FIRST ?? 0);

const client = await (system === 'graphile-worker' ? graphileClient(databaseUrl) : system === 'pg-boss' ? pgBossClient(databaseUrl) : Promise.reject(new Error(`PEER_SYSTEM ${system}?`)));
const ready = process.cpuUsage();
process.stdout.write(`READY cpu ${((ready.user + ready.system) / 1000).toFixed(0)} ms\n`);
process.stdin.once('data', () => {
  client
    .enqueue(count, 1000, 4, first)
    .then(() => {
      const cpu = process.cpuUsage();
      process.stdout.write(`ACCEPTED cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms\n`);
      return client.close();
    })
    .then(() => process.exit(0))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
});
