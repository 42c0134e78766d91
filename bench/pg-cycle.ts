/**
 * PostgreSQL's share of a delivery, without HTTP: one client drives the dispatcher's own statements
 * (transitions.sql.ts) over N deliveries of ~1 KB — insert (1,000 a batch, as sendWebhooks), claim
 * (128 a claim), completion (32 a batch, SUCCEEDED) — and prints PostgreSQL's CPU per delivery for
 * each, the app's CPU in the claims, and the WAL written. One client and no other traffic, so the
 * figures move far less with the machine's load than the throughput benchmark's.
 *
 *   npx tsx bench/pg-cycle.ts [count=20000] [--kept-bodies] [--what-if="SQL;;SQL"] [--complete-batch=32] [--random-ids]
 *
 * `--kept-bodies`: claims as a role-all process's are when it still holds the bodies it queued
 * (recent-bodies.ts): no bodies in the claim's answer.
 * `--what-if`: statements run on the fresh schema before the cycle, e.g.
 * `--what-if="DROP INDEX delivery_site_created_idx"`, to price a change of design first.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { newDeliveryId } from '../server/src/dispatch/delivery-id.js';
import { type ClaimedDelivery, claimDeliveries, completeAttempts, insertDeliveries } from '../server/src/dispatch/transitions.sql.js';
import { cpuSnapshot, createActiveSite, machineNote, startDatabase, startInProcessApp, startReceiverProcess, stopAll } from './lib/harness.js';

const COUNT = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 20_000);
const KEPT_BODIES = process.argv.includes('--kept-bodies');
const WHAT_IF = process.argv.find((a) => a.startsWith('--what-if='))?.slice('--what-if='.length);
// Random (v4) ids instead of the product's time-ordered ones (delivery-id.ts), to price the difference.
const RANDOM_IDS = process.argv.includes('--random-ids');
// Outcomes per completion statement (the dispatcher's attempt recorder writes what gathered meanwhile).
const COMPLETE_BATCH = Number(process.argv.find((a) => a.startsWith('--complete-batch='))?.slice('--complete-batch='.length) ?? 32);

async function main() {
  console.log(machineNote());
  const databaseUrl = await startDatabase();
  const receiver = await startReceiverProcess();
  // Role api: no dispatcher of its own claiming behind this client's back.
  const app = await startInProcessApp(databaseUrl, { TRUSTED_SITES_ROLE: 'api' });
  const siteId = await createActiveSite(app.url, `${receiver.url}/cycle`, { maxRps: 10_000, threads: 64 });
  const pool = app.services.db.pool;
  const body = Buffer.from(JSON.stringify({ id: 1, kind: 'bench.event', data: 'x'.repeat(960) }));
  // What-if statements run once before the cycle (an index dropped, a setting changed), to price
  // a design change before making it; statements are separated by ';;'.
  for (const statement of WHAT_IF ? WHAT_IF.split(';;') : []) await pool.query(statement);
  const postgresMs = () => cpuSnapshot().postgres!;
  const walBytes = async () => Number((await pool.query(`SELECT pg_current_wal_lsn() - '0/0'::pg_lsn AS b`)).rows[0].b);
  const walStart = await walBytes();

  let t = postgresMs();
  for (let i = 0; i < COUNT; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, COUNT - i) }, () => ({ id: RANDOM_IDS ? randomUUID() : newDeliveryId(), siteId, method: 'POST', headers: [] as Array<[string, string]>, body, idempotencyKey: null }));
    await insertDeliveries(pool, rows);
  }
  const insertMs = postgresMs() - t;

  const worker = `bench:${process.pid}:cycle`;
  const kept = KEPT_BODIES ? { bodyOf: (_id: string) => body } : {};
  let claimMs = 0;
  let claimAppMs = 0;
  let completeMs = 0;
  let claims = 0;
  for (let done = 0; done < COUNT; ) {
    t = postgresMs();
    const app0 = process.cpuUsage();
    const claim = await claimDeliveries(pool, siteId, { worker, ownLanes: [], maxNewLanes: 64, perNewLane: 4, extraSlots: 0, maxCount: 256, leaseMs: 60_000, rateMarginMs: 30, lookaheadMs: 1e6, ...kept });
    const app1 = process.cpuUsage(app0);
    claimAppMs += (app1.user + app1.system) / 1000;
    claimMs += postgresMs() - t;
    if (claim.kind !== 'claimed' || !claim.deliveries.length) throw new Error(`the claim answered ${claim.kind}`);
    claims += 1;
    const deliveries: ClaimedDelivery[] = claim.deliveries;
    t = postgresMs();
    for (let k = 0; k < deliveries.length; k += COMPLETE_BATCH) {
      await completeAttempts(
        pool,
        worker,
        deliveries.slice(k, k + COMPLETE_BATCH).map((d) => ({ id: d.id, attemptNumber: d.attemptCount, outcome: 'SUCCEEDED' as const, statusCode: 200, error: null, startedAt: new Date(), durationMs: 1.5, excerpt: 'ok', truncated: false, nextAttemptAt: null, forceTokenRefresh: false })),
      );
    }
    completeMs += postgresMs() - t;
    done += deliveries.length;
  }
  const wal = (await walBytes()) - walStart;
  const per = (ms: number) => ((ms * 1000) / COUNT).toFixed(0);
  console.log(
    `PostgreSQL CPU per delivery: insert ${per(insertMs)} µs, claim ${per(claimMs)} µs (${claims} claims), completion ${per(completeMs)} µs, ` +
      `total ${per(insertMs + claimMs + completeMs)} µs; app CPU in the claims ${per(claimAppMs)} µs; WAL ${(wal / COUNT / 1024).toFixed(2)} KB per delivery`,
  );
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
