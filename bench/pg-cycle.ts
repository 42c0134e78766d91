/**
 * PostgreSQL's share of a delivery, without HTTP: one client drives the dispatcher's own statements
 * (transitions.sql.ts) over N deliveries of ~1 KB — insert (1,000 a batch, as sendWebhooks), claim
 * (128 a claim), completion (32 a batch, SUCCEEDED) — and prints PostgreSQL's CPU per delivery for
 * each, the app's CPU in the claims, and the WAL written. One client and no other traffic, so the
 * figures move far less with the machine's load than the throughput benchmark's.
 *
 *   npx tsx bench/pg-cycle.ts [count=20000] [--kept-bodies] [--what-if="SQL;;SQL"] [--complete-batch=32] [--random-ids] [--claim=read]
 *
 * `--kept-bodies`: claims as a role-all process's are when it still holds the bodies it queued
 * (recent-bodies.ts): no bodies in the claim's answer.
 * `--what-if`: statements run on the fresh schema before the cycle, e.g.
 * `--what-if="DROP INDEX delivery_site_created_idx"`, to price a change of design first.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { newDeliveryId } from '../server/src/dispatch/delivery-id.js';
import { COMPLETE_ATTEMPTS_SQL, type ClaimedDelivery, claimDeliveries, completeAttempts, insertDeliveries } from '../server/src/dispatch/transitions.sql.js';
import { cpuSnapshot, createActiveSite, machineNote, startDatabase, startInProcessApp, startReceiverProcess, stopAll } from './lib/harness.js';

const COUNT = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 20_000);
const KEPT_BODIES = process.argv.includes('--kept-bodies');
const WHAT_IF = process.argv.find((a) => a.startsWith('--what-if='))?.slice('--what-if='.length);
// Random (v4) ids instead of the product's time-ordered ones (delivery-id.ts), to price the difference.
const RANDOM_IDS = process.argv.includes('--random-ids');
// Outcomes per completion statement (the dispatcher's attempt recorder writes what gathered meanwhile).
// --claim=read prices a claim that writes no row version per delivery (a range recorded on the gate
// row, say): the claim only reads the next ids after a cursor and updates the gate row once, and the
// completion takes the rows from PENDING instead of IN_FLIGHT. An upper bound of what such a design
// saves in PostgreSQL (it leaves out whatever the real one would need for lanes and recovery).
const READ_CLAIM = process.argv.includes('--claim=read');
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
    const claim = READ_CLAIM
      ? await readClaim(pool, siteId)
      : await claimDeliveries(pool, siteId, { worker, ownLanes: [], maxNewLanes: 64, perNewLane: 4, extraSlots: 0, maxCount: 256, leaseMs: 60_000, rateMarginMs: 30, lookaheadMs: 1e6, ...kept });
    const app1 = process.cpuUsage(app0);
    claimAppMs += (app1.user + app1.system) / 1000;
    claimMs += postgresMs() - t;
    if (claim.kind !== 'claimed' || !claim.deliveries.length) throw new Error(`the claim answered ${claim.kind}`);
    claims += 1;
    const deliveries: ClaimedDelivery[] = claim.deliveries;
    t = postgresMs();
    for (let k = 0; k < deliveries.length; k += COMPLETE_BATCH) {
      const outcomes = deliveries.slice(k, k + COMPLETE_BATCH).map((d) => ({ id: d.id, attemptNumber: d.attemptCount, outcome: 'SUCCEEDED' as const, statusCode: 200, error: null, startedAt: new Date(), durationMs: 1.5, excerpt: 'ok', truncated: false, nextAttemptAt: null, forceTokenRefresh: false }));
      if (READ_CLAIM) await completeFromPending(pool, worker, outcomes);
      else await completeAttempts(pool, worker, outcomes);
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

let cursor: { at: string; id: string } | undefined;

/** --claim=read: the next ids after the cursor, read only, and one update of the site's gate row, in one transaction. */
async function readClaim(pool: import('pg').Pool, siteId: string): Promise<{ kind: 'claimed'; deliveries: ClaimedDelivery[] }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT 1 FROM dispatch_gate WHERE site_id = $1 FOR UPDATE', [siteId]);
    const { rows } = await client.query<{ id: string; at: string; attempt_count: number }>(
      `SELECT id, next_attempt_at::text AS at, attempt_count FROM delivery
        WHERE site_id = $1 AND status IN ('PENDING', 'RETRYING') AND next_attempt_at <= now()
          AND ($2::timestamptz IS NULL OR (next_attempt_at, id) > ($2::timestamptz, $3::uuid))
        ORDER BY next_attempt_at, id LIMIT 256`,
      [siteId, cursor?.at ?? null, cursor?.id ?? null],
    );
    const last = rows[rows.length - 1];
    if (last) cursor = { at: last.at, id: last.id };
    await client.query(`UPDATE dispatch_gate SET next_start_at = now() WHERE site_id = $1`, [siteId]);
    await client.query('COMMIT');
    return {
      kind: 'claimed',
      deliveries: rows.map((r) => ({ id: r.id, method: 'POST', headers: [], body: Buffer.alloc(0), attemptCount: r.attempt_count + 1, attemptBase: 0, forceTokenRefresh: false, tokenRefreshed: false, lane: 0, traceParent: null })),
    };
  } finally {
    client.release();
  }
}

/** --claim=read: completeAttempts' statement, taking its rows from PENDING (counting the attempt now) instead of from this worker's IN_FLIGHT. */
const FROM_PENDING_SQL = (() => {
  const guard = `d.status = (SELECT 'IN_FLIGHT'::text) AND d.leased_by = $1 AND d.attempt_count = c.number`;
  const set = `SET status = c.outcome,`;
  if (!COMPLETE_ATTEMPTS_SQL.includes(guard) || !COMPLETE_ATTEMPTS_SQL.includes(set)) throw new Error('completeAttempts changed: update --claim=read');
  return COMPLETE_ATTEMPTS_SQL.replace(guard, `d.status = 'PENDING' AND $1::text IS NOT NULL AND d.attempt_count + 1 = c.number`).replace(set, `SET status = c.outcome, attempt_count = d.attempt_count + 1,`);
})();

async function completeFromPending(pool: import('pg').Pool, worker: string, outcomes: Array<{ id: string; attemptNumber: number; outcome: string; statusCode: number; error: null; startedAt: Date; durationMs: number; excerpt: string; truncated: boolean; nextAttemptAt: null; forceTokenRefresh: boolean }>): Promise<void> {
  const doc = JSON.stringify(outcomes.map((o) => ({ id: o.id, number: o.attemptNumber, outcome: o.outcome, status_code: o.statusCode, error: o.error, started_at: o.startedAt.toISOString(), duration_ms: o.durationMs, excerpt: o.excerpt, truncated: o.truncated, next_attempt_at: null, force_refresh: false })));
  const { rows } = await pool.query({ name: 'cycle-complete-from-pending', text: FROM_PENDING_SQL, values: [worker, doc, outcomes.map((o) => o.id)] });
  if (rows[0].n !== outcomes.length) throw new Error(`completed ${rows[0].n} of ${outcomes.length}`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
