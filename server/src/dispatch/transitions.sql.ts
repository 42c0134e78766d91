import type pg from 'pg';
import { DELIVERY_UPDATED, DISPATCH_WAKE, EVENTS_CHANNEL } from '../db/pubsub.js';
import { PROBE_DUE_SQL, PROBE_MINE_SQL, startProbe } from '../breaker/breaker.sql.js';
import { type ClaimWants, planClaim } from './claim-plan.js';
import { type AttemptOutcome, GAVE_UP_SQL } from './delivery-states.js';
import { DELIVERY_COLUMNS, type DeliveryRow } from './reads.sql.js';
import type { Queryable } from '../db/sql.js';

/**
 * Every change of a delivery's state, in plain SQL (docs/design.md rule 5): one statement per transition,
 * guarded by the state it leaves, publishing its own `delivery.updated` / `dispatch.wake`.
 * The state machine (delivery-states.ts):
 *
 * | from                       | to                               | function                |
 * |----------------------------|----------------------------------|-------------------------|
 * | —                          | PENDING                          | insertDeliveries        |
 * | PENDING, RETRYING (due)    | IN_FLIGHT                        | claimDeliveries         |
 * | IN_FLIGHT                  | SUCCEEDED, RETRYING, FAILED      | completeAttempts        |
 * | IN_FLIGHT (unsent)         | PENDING or RETRYING              | releaseDeliveries       |
 * | IN_FLIGHT (lease gone)     | RETRYING, or FAILED when used up | reclaimExpiredLeases    |
 * | FAILED                     | RETRYING                         | requeueFailedDelivery   |
 * | FAILED (a site's, by time) | RETRYING                         | requeueFailedDeliveries |
 *
 * Also here, for the worker loop: lease renewal, who holds live claims, which sites are due.
 * API reads are in reads.sql.ts.
 */

/**
 * The pubsub channel and event shape of `db/pubsub.ts` (`{ topic, payload }` on
 * `EVENTS_CHANNEL`): statements that change deliveries publish `delivery.updated` for them
 * themselves, so the notification costs no round trip of its own and goes out when they commit.
 * Ids grouped by site, 180 an event (as `publishUpdates`), well under NOTIFY's 8000 bytes.
 */
/** A select list notifying for the rows (id, site_id) of `source`; yields one row with the count of events. */
function NOTIFY_UPDATED_FROM(source: string): string {
  return `(SELECT count(pg_notify('${EVENTS_CHANNEL}', json_build_object('topic', '${DELIVERY_UPDATED}', 'payload', json_build_object('siteId', e.site_id, 'ids', e.ids))::text))::int
            FROM (SELECT x.site_id, json_agg(x.id) AS ids
                    FROM (SELECT id, site_id, (row_number() OVER (PARTITION BY site_id) - 1) / 180 AS chunk FROM ${source}) x
                   GROUP BY x.site_id, x.chunk) e) AS events, (SELECT count(*)::int FROM ${source}) AS n`;
}


/**
 * 'IN_FLIGHT' for statements that name their rows by id (`id = ANY(...)`), hidden from the planner
 * in a one-row subquery. Written as a constant, it lets the planner prove the predicate of
 * delivery_in_flight_idx and, once ANALYZE has seen few rows in flight (they come and go within
 * seconds), read that whole partial index — every live and not yet vacuumed entry — instead of
 * probing the primary key for the ids: a completion then read 36 buffers per delivery instead of 17
 * (`VACUUM ANALYZE` after a warm-up, bench/README.md round 6). The value is the same.
 */
const IN_FLIGHT_BY_ID = `(SELECT 'IN_FLIGHT'::text)`;

export interface NewDelivery {
  id: string;
  siteId: string;
  method: string;
  /** [name, value] pairs, names lower-case. */
  headers: Array<[string, string]>;
  body: Buffer;
  idempotencyKey: string | null;
  /** The accepting operation's W3C traceparent (tracing/); null or left out when tracing is off. */
  traceParent?: string | null;
}

/**
 * Inserts a batch in one statement. A (site, idempotency key) pair already stored is skipped
 * here; `findDeliveriesByKeys` then returns the stored one. Also makes sure each site has its
 * gate row, so claims only ever lock existing rows, and publishes `dispatch.wake` and
 * `delivery.updated` for what it inserted (sent at commit, so before the caller hears back).
 * Returns the ids inserted and the insert's database time (their created_at).
 */
export async function insertDeliveries(db: Queryable, rows: NewDelivery[]): Promise<{ inserted: Set<string>; now: Date }> {
  return insertRows(db, rows, undefined);
}

/** Rows an insert claims at once: the lane of each (undefined: it waits in the queue as PENDING) and the gate's share. */
interface InsertClaim {
  lanes: Array<number | undefined>;
  worker: string;
  leaseMs: number;
  /** The gate's database time (text) the lease and the slots count from. */
  now: string;
  siteId: string;
  slots: number;
  slotIntervalMs: number;
  /** The first slot, in ms after `now` (planClaim's startOffsetMs). */
  startOffsetMs: number;
}

async function insertRows(db: Queryable, rows: NewDelivery[], claim: InsertClaim | undefined): Promise<{ inserted: Set<string>; now: Date }> {
  const records = new Array(rows.length);
  const sites = new Set<string>();
  let at = 1;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    records[i] = { id: r.id, site_id: r.siteId, method: r.method, headers: r.headers, off: at, len: r.body.length, key: r.idempotencyKey, tp: r.traceParent ?? undefined, lane: claim?.lanes[i] };
    sites.add(r.siteId);
    at += r.body.length;
  }
  const result = await db.query<{ ids: string | null; now_ms: number }>({
    name: 'ts-insert-deliveries',
    text: `WITH gates AS (
       INSERT INTO dispatch_gate (site_id) SELECT s FROM unnest($2::uuid[]) AS s ON CONFLICT DO NOTHING
     ), u AS MATERIALIZED (
       SELECT * FROM json_to_recordset($1::json) AS u(id uuid, site_id uuid, method text, headers jsonb, off int, len int, key text, tp text, lane int)
     ), ins AS (
       INSERT INTO delivery (id, site_id, status, method, headers, idempotency_key, trace_parent, attempt_count, leased_by, lease_until, lane)
       SELECT u.id, u.site_id, CASE WHEN u.lane IS NULL THEN 'PENDING' ELSE 'IN_FLIGHT' END, u.method, u.headers, u.key, u.tp,
              CASE WHEN u.lane IS NULL THEN 0 ELSE 1 END, CASE WHEN u.lane IS NOT NULL THEN $4::text END,
              CASE WHEN u.lane IS NOT NULL THEN $5::timestamptz + $6::float8 * interval '1 millisecond' END, u.lane
         FROM u
       ON CONFLICT (site_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING id, site_id, status
     ), bodies AS (
       -- In a table of their own (Migration0014): the claim and the completion rewrite the delivery row, not the body.
       INSERT INTO delivery_body (id, body) SELECT u.id, substring($3::bytea FROM u.off FOR u.len) FROM u JOIN ins ON ins.id = u.id
     ), gate AS (
       UPDATE dispatch_gate SET next_start_at = greatest(next_start_at, $5::timestamptz + $10::float8 * interval '1 millisecond') + ($8::float8 * $7::int) * interval '1 millisecond'
        WHERE site_id = $9::uuid AND $7::int > 0
     ), wake AS (
       SELECT pg_notify('${EVENTS_CHANNEL}', json_build_object('topic', '${DISPATCH_WAKE}', 'payload',
                json_build_object('sites', CASE WHEN count(DISTINCT site_id) <= 100 THEN json_agg(DISTINCT site_id) END))::text)
         FROM ins WHERE status = 'PENDING' HAVING count(*) > 0
     )
     SELECT (SELECT string_agg(id::text, ',') FROM ins) AS ids, (extract(epoch FROM now()) * 1000)::float8 AS now_ms,
            (SELECT count(*) FROM wake) AS woke, ${NOTIFY_UPDATED_FROM('ins')}`,
    // One JSON document for the rows (cheaper to build and to read than a text array per column)
    // and the bodies as one binary bytea cut by offset and length (no hex text).
    values: [
      JSON.stringify(records),
      [...sites],
      Buffer.concat(rows.map((r) => r.body), at - 1),
      claim?.worker ?? null,
      claim?.now ?? null,
      claim?.leaseMs ?? null,
      claim?.slots ?? 0,
      claim?.slotIntervalMs ?? 0,
      claim?.siteId ?? null,
      claim?.startOffsetMs ?? 0,
    ],
  });
  const row = result.rows[0]!;
  return { inserted: new Set(row.ids ? row.ids.split(',') : []), now: new Date(Number(row.now_ms)) };
}

/**
 * Inserts a batch for one site and claims it at once, for the accepting process's own dispatcher,
 * when `claimDeliveries` would give it the whole batch now and nothing of the site is due in the
 * queue (so nothing older waits behind them); otherwise the whole batch is queued. Claimed rows
 * are written IN_FLIGHT under this worker's lease from the start: one row version fewer, the same
 * lanes, slots, lease and recovery as a claim, decided under the same gate lock (waiting for a
 * claim that holds it). A row with an idempotency key is never claimed here (the key may name a
 * stored delivery), so its batch is queued. Everything else is `insertDeliveries`.
 */
export async function insertClaimedDeliveries(
  pool: pg.Pool,
  siteId: string,
  rows: NewDelivery[],
  options: ClaimOptions,
): Promise<{ inserted: Set<string>; now: Date; claim: ClaimResult | undefined }> {
  const client = await pool.connect();
  try {
    const gate = await beginWithGate(client, siteId, options.worker, true);
    const plan =
      gate && gate.status === 'ACTIVE' && gate.breaker_state === 'CLOSED'
        ? planClaim({ threads: gate.threads, maxRps: gate.max_rps, heldLanes: gate.held ?? [], startOffsetMs: Number(gate.start_offset_ms) }, options)
        : undefined;
    const lanes: Array<number | undefined> = new Array(rows.length);
    const claimed: ClaimedDelivery[] = [];
    let slots = 0;
    if (gate && plan?.kind === 'take') {
      for (let i = 0; i < rows.length && claimed.length < plan.laneOf.length; i++) {
        const r = rows[i]!;
        if (r.siteId !== siteId || r.idempotencyKey !== null) continue;
        const lane = plan.laneOf[claimed.length]!;
        lanes[i] = lane;
        claimed.push({ id: r.id, method: r.method, headers: r.headers, body: r.body, attemptCount: 1, attemptBase: 0, forceTokenRefresh: false, tokenRefreshed: false, lane, traceParent: r.traceParent ?? null });
      }
      slots = Math.min(plan.slotsInHorizon, claimed.length + options.extraSlots);
    }
    if (!gate || !plan || plan.kind !== 'take' || slots === 0 || claimed.length < rows.length) {
      // Nothing to claim, or not the whole batch: let go of the gate before writing the batch, so
      // the site's claims do not wait for a large insert. Claiming the first few of a large batch
      // held the gate through the whole insert: while a burst of 1,000-webhook calls came in, each
      // claimed 8-16 (lanes of unknown speed take one each) and the dispatcher's claims found the
      // gate taken ~60 times in the first half second and sent 28 deliveries (bench/README.md, round 5).
      // The insert goes out behind the ROLLBACK at once (pg sends a client's queries in order).
      const rolledBack = client.query('ROLLBACK');
      rolledBack.catch(() => undefined);
      const queued = await insertRows(client, rows, undefined);
      await rolledBack;
      return { ...queued, claim: undefined };
    }
    // The COMMIT goes out behind the insert at once; if the insert fails, it only rolls back.
    const inserting = insertRows(client, rows, { lanes, worker: options.worker, leaseMs: options.leaseMs, now: gate.now, siteId, slots, slotIntervalMs: plan.slotIntervalMs, startOffsetMs: plan.startOffsetMs });
    const committed = client.query('COMMIT');
    committed.catch(() => undefined);
    const { inserted, now } = await inserting;
    await committed;
    const startOffset = plan.startOffsetMs;
    return {
      inserted,
      now,
      claim: {
        kind: 'claimed',
        deliveries: claimed,
        slotOffsetsMs: Array.from({ length: slots }, (_, i) => startOffset + i * plan.slotIntervalMs),
        databaseNowMs: Number(gate.now_ms),
        lostLanes: plan.lostLanes,
        slotIntervalMs: plan.slotIntervalMs,
      },
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

interface GateRow {
  now: string;
  now_ms: string;
  start_offset_ms: number;
  status: string;
  max_rps: number;
  threads: number;
  held: Array<{ lane: number; mine: boolean }> | null;
  /** The site's circuit breaker (breaker/): CLOSED sends; OPEN and HALF_OPEN hold all but one probe, when it is due. */
  breaker_state: string;
  probe_due: boolean;
  /** This worker is sending the probe: it may still be given rate slots for it. */
  probe_mine: boolean;
}

/**
 * BEGIN and `lockGate` sent together: pg sends a client's queued queries one after another as
 * each answer arrives, so the gate read leaves as soon as BEGIN is answered instead of after the
 * event loop next gets round to it.
 */
async function beginWithGate(client: pg.PoolClient, siteId: string, worker: string, forInsert: boolean): Promise<GateRow | undefined> {
  const begun = client.query('BEGIN');
  const gate = lockGate(client, siteId, worker, forInsert);
  gate.catch(() => undefined);
  await begun;
  return gate;
}

/**
 * The gate row, locked, and the lanes in use, in one round trip. A claim skips a gate another
 * claim holds (undefined: it tries again shortly); an insert waits for it (a claim holds it for a
 * few milliseconds), so what it may take does not depend on who happened to be claiming — but
 * only when nothing of the site is due in the queue: with a backlog the insert claims nothing
 * anyway, so the row is filtered out before it is locked (undefined) and the insert neither waits
 * nor holds the gate. It used to lock it for every batch and let go only after its ROLLBACK, which
 * in a busy process came up to ~100 ms later (the event loop parsing other batches): while a
 * burst was being accepted, every claim of the site found the gate taken and nothing was sent
 * until the burst was in (bench/README.md, round 4). Lanes are probed one by one
 * (LIMIT 1 each) rather than by one scan of every IN_FLIGHT entry of the site: a plain index
 * probe marks the entries of rows that have left IN_FLIGHT as dead and skips them from then on,
 * where one bitmap scan visited thousands of them on every claim. Lanes at or above `threads`
 * (still draining after it was lowered) are found by a range scan that is empty unless that happened.
 */
async function lockGate(client: pg.PoolClient, siteId: string, worker: string, forInsert: boolean): Promise<GateRow | undefined> {
  const gate = await client.query<GateRow>({
    name: forInsert ? 'ts-lock-gate-for-insert' : 'ts-lock-gate',
    text: `SELECT c.now::text AS now, extract(epoch FROM c.now) * 1000 AS now_ms,
            extract(epoch FROM greatest(g.next_start_at, c.now) - c.now) * 1000 AS start_offset_ms,
            s.status, s.max_rps, s.threads, g.breaker_state, ${PROBE_DUE_SQL('g', 'c.now')} AS probe_due, ${PROBE_MINE_SQL('g', '$2')} AS probe_mine,
            (SELECT json_agg(json_build_object('lane', h.lane, 'mine', h.mine))
               FROM (SELECT l.lane, x.mine FROM generate_series(0, s.threads - 1) AS l(lane)
                       CROSS JOIN LATERAL (SELECT d.leased_by = $2 AS mine FROM delivery d
                                            WHERE d.site_id = g.site_id AND d.lane = l.lane AND d.status = 'IN_FLIGHT' AND d.lease_until > c.now
                                            LIMIT 1) x
                     UNION ALL
                     SELECT DISTINCT d.lane, d.leased_by = $2 FROM delivery d
                      WHERE d.site_id = g.site_id AND d.status = 'IN_FLIGHT' AND d.lane >= s.threads AND d.lease_until > c.now) h) AS held
       FROM dispatch_gate g JOIN site s ON s.id = g.site_id, (SELECT clock_timestamp() AS now) c
      WHERE g.site_id = $1
            ${forInsert ? `AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.site_id = g.site_id AND d.status IN ('PENDING', 'RETRYING') AND d.next_attempt_at <= c.now)` : ''}
      FOR UPDATE OF g ${forInsert ? '' : 'SKIP LOCKED'}`,
    values: [siteId, worker],
  });
  return gate.rows[0];
}

/** A FAILED delivery goes back to the queue with a fresh attempt budget; anything else is left alone. */
export async function requeueFailedDelivery(db: Queryable, id: string): Promise<DeliveryRow | undefined> {
  const result = await db.query<DeliveryRow>(
    `UPDATE delivery d SET status = 'RETRYING', attempt_base = d.attempt_count, next_attempt_at = now(), last_error = NULL,
            force_token_refresh = false, token_refreshed = false, updated_at = now()
      WHERE d.id = $1 AND d.status = 'FAILED'
      RETURNING ${DELIVERY_COLUMNS}`,
    [id],
  );
  return result.rows[0];
}

/** The filter of a bulk replay: one site's FAILED deliveries created in [since, until). */
export interface FailedDeliveryFilter {
  siteId: string;
  since: Date | null;
  until: Date | null;
}

/** Where a bulk replay stands: the last row it looked at, `created_at` as PostgreSQL's text (microseconds kept). */
export interface RequeueCursor {
  createdAt: string;
  id: string;
}

/**
 * One batch of a bulk replay (`retryDeliveries`): the next `limit` FAILED deliveries of the site
 * created in [since, until), oldest first after `after`, go back to the queue with a fresh
 * attempt budget — the same update as `requeueFailedDelivery` — in one statement that publishes
 * `dispatch.wake` and `delivery.updated` for them (sent at commit). The caller repeats it from
 * the returned cursor while a batch comes back full. The cursor walks `delivery_site_created_idx`
 * forward, so a delivery is looked at once per replay: one that is retried, fails again at once
 * and is FAILED before the last batch is not picked a second time. Rows locked by someone else
 * (retention deleting them, another replay) are skipped: the other holder has them.
 */
export async function requeueFailedDeliveries(
  db: Queryable,
  filter: FailedDeliveryFilter,
  after: RequeueCursor | null,
  limit: number,
): Promise<{ requeued: number; next: RequeueCursor | undefined }> {
  const result = await db.query<{ picked: number; last_created_at: string | null; last_id: string | null; n: number }>(
    `WITH pick AS (
       SELECT id, created_at FROM delivery
        WHERE site_id = $1 AND status = 'FAILED'
          AND ($2::timestamptz IS NULL OR created_at >= $2) AND ($3::timestamptz IS NULL OR created_at < $3)
          AND ($4::timestamptz IS NULL OR (created_at, id) > ($4::timestamptz, $5::uuid))
        ORDER BY created_at, id
        LIMIT $6
        FOR UPDATE SKIP LOCKED
     ), upd AS (
       UPDATE delivery d SET status = 'RETRYING', attempt_base = d.attempt_count, next_attempt_at = now(), last_error = NULL,
              force_token_refresh = false, token_refreshed = false, updated_at = now()
         FROM pick p
        WHERE d.id = p.id AND d.status = 'FAILED'
        RETURNING d.id, d.site_id
     ), wake AS (
       SELECT pg_notify('${EVENTS_CHANNEL}', json_build_object('topic', '${DISPATCH_WAKE}', 'payload', json_build_object('sites', json_build_array($1::uuid)))::text)
         FROM upd HAVING count(*) > 0
     )
     SELECT (SELECT count(*)::int FROM pick) AS picked, last.created_at::text AS last_created_at, last.id AS last_id,
            (SELECT count(*) FROM wake) AS woke, ${NOTIFY_UPDATED_FROM('upd')}
       FROM (SELECT 1) one
       LEFT JOIN LATERAL (SELECT created_at, id FROM pick ORDER BY created_at DESC, id DESC LIMIT 1) last ON true`,
    [filter.siteId, filter.since, filter.until, after?.createdAt ?? null, after?.id ?? null, limit],
  );
  const row = result.rows[0]!;
  const full = row.picked >= limit && row.last_created_at !== null && row.last_id !== null;
  return { requeued: row.n, next: full ? { createdAt: row.last_created_at!, id: row.last_id! } : undefined };
}

/** ACTIVE sites that have deliveries due now: what a dispatcher tries to claim for. */
export async function findDueSites(db: Queryable): Promise<string[]> {
  const result = await db.query<{ id: string }>(
    `SELECT s.id FROM site s
      WHERE s.status = 'ACTIVE'
        AND NOT EXISTS (SELECT 1 FROM dispatch_gate g WHERE g.site_id = s.id AND g.breaker_state <> 'CLOSED' AND NOT ${PROBE_DUE_SQL('g', 'now()')})
        AND EXISTS (SELECT 1 FROM delivery d WHERE d.site_id = s.id AND d.status IN ('PENDING', 'RETRYING') AND d.next_attempt_at <= now())`,
  );
  return result.rows.map((r) => r.id);
}

/** Milliseconds until the next delivery of an ACTIVE site falls due, if any is waiting. */
export async function msUntilNextDue(db: Queryable): Promise<number | undefined> {
  const result = await db.query<{ ms: number }>(
    `SELECT extract(epoch FROM min(n.at) - now()) * 1000 AS ms
       FROM site s
       CROSS JOIN LATERAL (
         SELECT d.next_attempt_at AS at FROM delivery d
          WHERE d.site_id = s.id AND d.status IN ('PENDING', 'RETRYING') AND d.next_attempt_at > now()
          ORDER BY d.next_attempt_at LIMIT 1) n
      WHERE s.status = 'ACTIVE'`,
  );
  const ms = result.rows[0]?.ms;
  return ms === null || ms === undefined ? undefined : Math.max(0, Number(ms));
}

/** A delivery's body: in delivery_body (Migration0014), or in the row itself for rows accepted before. */
const BODY_OF_D = 'coalesce((SELECT b.body FROM delivery_body b WHERE b.id = d.id), d.body)';
/** Stands for "not read yet" while a claim's bodies are gathered (compared by identity). */
const EMPTY = Buffer.alloc(0);

export interface ClaimedDelivery {
  id: string;
  method: string;
  headers: Array<[string, string]>;
  body: Buffer;
  attemptCount: number;
  attemptBase: number;
  forceTokenRefresh: boolean;
  tokenRefreshed: boolean;
  lane: number;
  /** The W3C traceparent stored when it was accepted (tracing/), or null. */
  traceParent: string | null;
}

export type ClaimResult =
  | {
      kind: 'claimed';
      deliveries: ClaimedDelivery[];
      /** Rate slots granted, in ms after the claim's database time, ascending; at least one per delivery. */
      slotOffsetsMs: number[];
      /** The claim's database time (Unix ms) that the slot offsets count from. */
      databaseNowMs: number;
      /** Lanes this process asked to top up that another process now holds (its lease ran out): stop them. */
      lostLanes: number[];
      slotIntervalMs: number;
    }
  /** Another process holds the site's gate right now. */
  | { kind: 'busy' }
  /** The rate slots are handed out further ahead than the look-ahead: try again in `ms`. */
  | { kind: 'rate-wait'; ms: number }
  /** No lane free, or nothing due and no slots wanted. */
  | { kind: 'nothing' };

export interface ClaimOptions extends ClaimWants {
  worker: string;
  leaseMs: number;
  /**
   * Bodies this process still holds (recent-bodies.ts): when given, the claim returns no bodies
   * and those it does not hold are read by id after the commit.
   */
  bodyOf?: (id: string) => Buffer | undefined;
}

/**
 * Takes due deliveries of one site within its global limits (planned by `planClaim`), in one
 * short transaction on the site's gate row (so claims for a site are serialised across every process):
 * - concurrency: the site's `threads` are lanes 0..threads-1. A lane is held while any
 *   IN_FLIGHT delivery with a live lease carries its number; the holder sends that lane's
 *   deliveries one after another and may top it up, nobody else may use it. So requests in
 *   flight never exceed `threads`, summed over every process.
 * - rate: start times ("slots") are handed out from `dispatch_gate.next_start_at`, spaced
 *   (1000 + margin) / maxRps ms, and only up to `lookaheadMs` ahead; each start uses its own
 *   slot, so no one-second window holds more than maxRps starts.
 */
export async function claimDeliveries(pool: pg.Pool, siteId: string, options: ClaimOptions): Promise<ClaimResult> {
  const client = await pool.connect();
  try {
    const row = await beginWithGate(client, siteId, options.worker, false);
    if (!row) {
      await client.query('ROLLBACK');
      return { kind: 'busy' };
    }
    // A breaker that is not CLOSED holds the site's deliveries as an inactive site's, but lets one probe go when it is due
    // (and gives the worker sending it rate slots, nothing more).
    const probe = row.breaker_state !== 'CLOSED';
    if (row.status !== 'ACTIVE' || (probe && !row.probe_due && !row.probe_mine)) {
      await client.query('ROLLBACK');
      return { kind: 'nothing' };
    }
    const plan = planClaim(
      { threads: row.threads, maxRps: row.max_rps, heldLanes: row.held ?? [], startOffsetMs: Number(row.start_offset_ms) },
      options,
    );
    const { lostLanes } = plan;
    if (plan.kind !== 'take') {
      await client.query('ROLLBACK');
      if (plan.kind === 'rate-wait') return { kind: 'rate-wait', ms: plan.ms };
      return lostLanes.length ? { kind: 'claimed', deliveries: [], slotOffsetsMs: [], databaseNowMs: Number(row.now_ms), lostLanes, slotIntervalMs: 0 } : { kind: 'nothing' };
    }
    const { laneOf, slotsInHorizon, slotIntervalMs: interval } = plan;
    const take = !probe ? laneOf.length : row.probe_due ? 1 : 0;
    const startOffset = plan.startOffsetMs;
    // Pick, claim and reserve their slots (plus any extra) in one statement; it publishes
    // delivery.updated for what it claims (sent at COMMIT).
    const bodyOf = options.bodyOf;
    const claiming = client.query<{
      id: string | null;
      method: string;
      headers: Array<[string, string]>;
      body: Buffer | null;
      attempt_count: number;
      attempt_base: number;
      force_token_refresh: boolean;
      token_refreshed: boolean;
      lane: number;
      ord: string;
      slots: number;
      trace_parent: string | null;
    }>({
      name: bodyOf ? 'ts-claim-deliveries-without-bodies' : 'ts-claim-deliveries',
      text: `WITH due AS (
         SELECT id FROM delivery
          WHERE site_id = $1 AND status IN ('PENDING', 'RETRYING') AND next_attempt_at <= $3::timestamptz
          ORDER BY next_attempt_at
          LIMIT $4
          FOR UPDATE SKIP LOCKED
       ), numbered AS (
         SELECT id, row_number() OVER () AS ord FROM due
       ), upd AS (
         UPDATE delivery d
            SET status = 'IN_FLIGHT', leased_by = $2, lease_until = $3::timestamptz + $5 * interval '1 millisecond', lane = ($6::int[])[n.ord],
                attempt_count = d.attempt_count + 1, updated_at = $3::timestamptz
           FROM numbered n
          WHERE d.id = n.id
          RETURNING d.id, d.site_id, d.method, d.headers, ${bodyOf ? 'NULL::bytea' : BODY_OF_D} AS body, d.attempt_count, d.attempt_base, d.force_token_refresh, d.token_refreshed, d.lane, n.ord, d.trace_parent
       ), slots AS (
         SELECT least($7::int, (SELECT count(*) FROM due)::int + $8::int) AS n
       ), gate AS (
         UPDATE dispatch_gate SET next_start_at = greatest(next_start_at, $3::timestamptz + $10::float8 * interval '1 millisecond') + ($9::float8 * (SELECT n FROM slots)) * interval '1 millisecond'
          WHERE site_id = $1
       )
       SELECT upd.*, slots.n AS slots, ${NOTIFY_UPDATED_FROM('upd')} FROM slots LEFT JOIN upd ON true`,
      values: [siteId, options.worker, row.now, take, options.leaseMs, laneOf, slotsInHorizon, options.extraSlots, interval, startOffset],
    });
    // Without a probe nothing is decided between the claim and its COMMIT, so the COMMIT goes out
    // behind it at once (one wait for the answer instead of two: a busy event loop made each wait
    // 50-100 ms while a burst was accepted). A claim that fails leaves the transaction aborted, and
    // that COMMIT then only rolls it back; one that took nothing commits nothing.
    const committed = probe ? undefined : client.query('COMMIT');
    committed?.catch(() => undefined);
    const claimed = await claiming;
    const slotCount = claimed.rows[0]?.slots ?? 0;
    const probeId = probe && row.probe_due ? claimed.rows.find((r) => r.id !== null)?.id : undefined;
    if (slotCount === 0 || (probe && row.probe_due && !probeId)) {
      await (committed ?? client.query('ROLLBACK'));
      return lostLanes.length ? { kind: 'claimed', deliveries: [], slotOffsetsMs: [], databaseNowMs: Number(row.now_ms), lostLanes, slotIntervalMs: interval } : { kind: 'nothing' };
    }
    if (probeId) await startProbe(client, siteId, probeId, options.leaseMs, row.breaker_state);
    await (committed ?? client.query('COMMIT'));
    const deliveries = claimed.rows
      .filter((r) => r.id !== null)
      .sort((a, b) => Number(a.ord) - Number(b.ord))
      .map((r) => ({
        id: r.id!,
        method: r.method,
        headers: r.headers,
        body: r.body ?? bodyOf?.(r.id!) ?? EMPTY,
        attemptCount: r.attempt_count,
        attemptBase: r.attempt_base,
        forceTokenRefresh: r.force_token_refresh,
        tokenRefreshed: r.token_refreshed,
        lane: r.lane,
        traceParent: r.trace_parent,
      }));
    if (bodyOf) {
      // The ones this process did not hold, by id (bodies never change; the claim is committed).
      const missing = deliveries.filter((d) => d.body === EMPTY);
      if (missing.length) {
        const read = await client.query<{ id: string; body: Buffer }>({
          name: 'ts-claimed-bodies',
          text: `SELECT d.id, ${BODY_OF_D} AS body FROM delivery d WHERE d.id = ANY ($1::uuid[])`,
          values: [missing.map((d) => d.id)],
        });
        const byId = new Map(read.rows.map((r) => [r.id, r.body]));
        for (const d of missing) d.body = byId.get(d.id) ?? EMPTY;
      }
    }
    const slotOffsetsMs = Array.from({ length: slotCount }, (_, i) => startOffset + i * interval);
    return { kind: 'claimed', deliveries, slotOffsetsMs, databaseNowMs: Number(row.now_ms), lostLanes, slotIntervalMs: interval };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export interface FinishedAttempt {
  id: string;
  /** The delivery's attempt count as the claim left it: an outcome only counts for the claim it belongs to. */
  attemptNumber: number;
  outcome: AttemptOutcome;
  statusCode: number | null;
  error: string | null;
  startedAt: Date;
  durationMs: number | null;
  excerpt: string | null;
  truncated: boolean;
  nextAttemptAt: Date | null;
  /** The next attempt refreshes the OAuth2 token first (after a 401). */
  forceTokenRefresh: boolean;
}

/** completeAttempts' statement: $1 the worker, $2 the outcomes (a JSON array), $3 their ids. Exported for its plan test. */
export const COMPLETE_ATTEMPTS_SQL = `WITH c AS (
       SELECT * FROM json_to_recordset($2::json)
         AS c(id uuid, number int, outcome text, status_code int, error text, started_at timestamptz, duration_ms float8, excerpt text, truncated bool, next_attempt_at timestamptz, force_refresh bool)
     ), upd AS (
       UPDATE delivery d
          SET status = c.outcome, last_error = c.error, last_status_code = c.status_code,
              next_attempt_at = coalesce(c.next_attempt_at, d.next_attempt_at),
              delivered_at = CASE WHEN c.outcome = 'SUCCEEDED' THEN clock_timestamp() ELSE d.delivered_at END,
              token_refreshed = d.token_refreshed OR d.force_token_refresh,
              force_token_refresh = c.force_refresh,
              leased_by = NULL, lease_until = NULL, lane = NULL, updated_at = clock_timestamp()
         FROM c
        WHERE d.id = ANY ($3::uuid[]) AND d.id = c.id AND d.status = ${IN_FLIGHT_BY_ID} AND d.leased_by = $1 AND d.attempt_count = c.number
        RETURNING d.id, d.site_id, d.attempt_count
     ), ins AS (
       INSERT INTO delivery_attempt (delivery_id, site_id, number, started_at, duration_ms, status_code, error, response_excerpt, response_truncated, outcome, next_attempt_at)
       SELECT upd.id, upd.site_id, upd.attempt_count, c.started_at, c.duration_ms, c.status_code, c.error, c.excerpt, c.truncated, c.outcome, c.next_attempt_at
         FROM upd JOIN c ON c.id = upd.id
     )
     SELECT ${NOTIFY_UPDATED_FROM('upd')}`;

/**
 * Records a batch of finished attempts: the attempt rows and the deliveries' new states, in one
 * statement, which also publishes `delivery.updated` for them (sent at commit). Only deliveries
 * this worker still holds under the same claim are touched: one whose lease was taken back is
 * someone else's now — even when this worker has claimed it again since (a hung process).
 * Returns how many it recorded.
 */
export async function completeAttempts(db: Queryable, worker: string, outcomes: FinishedAttempt[]): Promise<number> {
  if (!outcomes.length) return 0;
  const result = await db.query<{ n: number }>({
    name: 'ts-complete-attempts',
    text: COMPLETE_ATTEMPTS_SQL,
    values: [
      worker,
      // One JSON document, not a text array per column: cheaper to build here and to read there.
      JSON.stringify(
        outcomes.map((o) => ({
          id: o.id,
          number: o.attemptNumber,
          outcome: o.outcome,
          status_code: o.statusCode,
          error: noNul(o.error),
          started_at: o.startedAt.toISOString(),
          duration_ms: o.durationMs,
          excerpt: noNul(o.excerpt),
          truncated: o.truncated,
          next_attempt_at: o.nextAttemptAt?.toISOString() ?? null,
          force_refresh: o.forceTokenRefresh,
        })),
      ),
      // The ids again, as an array: \`d.id = ANY\` is always planned as probes of the primary key,
      // where the join alone was sometimes planned as a scan of the whole table (100 ms a batch).
      outcomes.map((o) => o.id),
    ],
  });
  return result.rows[0]?.n ?? 0;
}

/** PostgreSQL text cannot hold NUL, and JSON's \u0000 does not convert to it: drop them. */
function noNul(text: string | null): string | null {
  return text !== null && text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}

/**
 * Gives back claimed deliveries that were never sent (shutdown, a rate slot missed, a limit
 * change): no attempt is recorded and the attempt count is restored.
 */
export async function releaseDeliveries(db: Queryable, worker: string, ids: string[]): Promise<Array<{ id: string; site_id: string }>> {
  if (!ids.length) return [];
  const result = await db.query<{ id: string; site_id: string }>(
    `UPDATE delivery d
        SET status = CASE WHEN d.attempt_count - 1 = 0 THEN 'PENDING' ELSE 'RETRYING' END,
            attempt_count = d.attempt_count - 1, leased_by = NULL, lease_until = NULL, lane = NULL, updated_at = now()
      WHERE d.id = ANY($2::uuid[]) AND d.status = ${IN_FLIGHT_BY_ID} AND d.leased_by = $1
      RETURNING d.id, d.site_id`,
    [worker, ids],
  );
  return result.rows;
}

/**
 * Keeps alive the claims of this worker that it still holds (`ids`). Only those: a claim it let go
 * of without the database hearing it (a give-back or an attempt row that could not be written
 * during an outage, a claim whose answer was lost) must run out, so that `reclaimExpiredLeases`
 * takes it back — renewing every IN_FLIGHT row of the worker kept such rows in flight, unsent,
 * for as long as the process lived.
 */
export async function renewLeases(db: Queryable, worker: string, ids: readonly string[], leaseMs: number): Promise<void> {
  if (!ids.length) return;
  await db.query(
    `UPDATE delivery SET lease_until = now() + $2 * interval '1 millisecond' WHERE id = ANY ($3::uuid[]) AND status = ${IN_FLIGHT_BY_ID} AND leased_by = $1`,
    [worker, leaseMs, ids],
  );
}

/**
 * Workers holding live claims whose id starts with `prefix` (this host's name and a colon): the
 * candidates for `isGoneLocalWorker`. IN_FLIGHT rows are few and have their own partial index.
 */
export async function findClaimersLike(db: Queryable, prefix: string): Promise<string[]> {
  const result = await db.query<{ leased_by: string }>(
    `SELECT DISTINCT leased_by FROM delivery WHERE status = 'IN_FLIGHT' AND lease_until >= now() AND starts_with(leased_by, $1)`,
    [prefix],
  );
  return result.rows.map((r) => r.leased_by);
}

/**
 * Takes back deliveries whose lease ran out (their process died or hung), and those held by
 * `goneWorkers` — processes seen to be dead, whose leases end now rather than when they run out:
 * the claimed attempt is recorded with an unknown outcome and the delivery is due again at once
 * — or FAILED when its attempts are used up.
 */
export async function reclaimExpiredLeases(db: Queryable, maxAttempts: number, goneWorkers: string[] = []): Promise<Array<{ id: string; site_id: string }>> {
  const result = await db.query<{ id: string; site_id: string }>(
    `WITH expired AS (
       SELECT id, CASE WHEN lease_until < now() THEN 'lease expired' ELSE 'its process is gone' END AS why
         FROM delivery WHERE status = 'IN_FLIGHT' AND (lease_until < now() OR leased_by = ANY($2::text[])) LIMIT 5000 FOR UPDATE SKIP LOCKED
     ), upd AS (
       UPDATE delivery d
          SET status = CASE WHEN ${GAVE_UP_SQL.test('d.attempt_count - d.attempt_base', '$1')} THEN 'FAILED' ELSE 'RETRYING' END,
              last_error = CASE WHEN ${GAVE_UP_SQL.test('d.attempt_count - d.attempt_base', '$1')}
                                THEN ${GAVE_UP_SQL.message('d.attempt_count - d.attempt_base', `'the process sending the last one stopped (' || e.why || ')'`)}
                                ELSE 'the process sending this attempt stopped before recording its outcome (' || e.why || ')' END,
              last_status_code = NULL, next_attempt_at = now(), leased_by = NULL, lease_until = NULL, lane = NULL, updated_at = now()
         FROM expired e WHERE d.id = e.id
        RETURNING d.id, d.site_id, d.attempt_count, d.status, d.next_attempt_at, e.why
     ), ins AS (
       INSERT INTO delivery_attempt (delivery_id, site_id, number, started_at, error, outcome, next_attempt_at)
       SELECT id, site_id, attempt_count, now(), 'outcome unknown: the process sending this attempt stopped (' || why || ')',
              status, CASE WHEN status = 'RETRYING' THEN next_attempt_at END
         FROM upd
     )
     SELECT id, site_id FROM upd`,
    [maxAttempts, goneWorkers],
  );
  return result.rows;
}
