import { graphileClient } from './graphile-worker.js';
import { serveProducer } from '../producer.js';
import { pgBossClient } from './pg-boss.js';

/**
 * A peer's producer in its own process, as the caller of sendWebhooks is for Trusted Sites (see
 * `startScriptClientProcess` in harness.ts): connects, prints READY, waits for a line on stdin, enqueues
 * PEER_COUNT events (ids from PEER_FIRST, default 0) in calls of 1,000, 4 at a time (as sendMany calls sendWebhooks), prints
 * ACCEPTED with the CPU it used all its life and exits (bench/lib/producer.ts). READY carries
 * the CPU used to start, which the benchmark subtracts.
 */
const system = process.env.PEER_SYSTEM;
const databaseUrl = process.env.PEER_DATABASE_URL!;
const count = Number(process.env.PEER_COUNT);
const first = Number(process.env.PEER_FIRST ?? 0);

const client = await (system === 'graphile-worker' ? graphileClient(databaseUrl) : system === 'pg-boss' ? pgBossClient(databaseUrl) : Promise.reject(new Error(`PEER_SYSTEM ${system}?`)));
serveProducer(() => client.enqueue(count, 1000, 4, first), () => client.close());
