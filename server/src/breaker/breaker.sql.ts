import { DELIVERY_UPDATED, DISPATCH_WAKE, EVENTS_CHANNEL, SITE_CHANGED, SITE_EVENT } from '../db/pubsub.js';
import type { Queryable } from '../db/sql.js';
import { type BreakerRow, CLOSED_ROW, type NewEvent } from './breaker-policy.js';
import { type BreakerState, SiteEventKind } from './breaker-states.js';
import type { SiteEvent } from './breaker.types.js';

/**
 * The circuit breaker's state (columns breaker_* of dispatch_gate, Migration0013), the site
 * events, and the operational webhook's setting, in plain SQL (docs/design.md rule 5).
 */

/** What `site.event` carries: ids and the kind; subscribers load the event. */
export interface SiteEventPublished {
  id: string;
  siteId: string;
  kind: SiteEventKind;
}

/** The key of the operational webhook's row in deployment_setting. */
export const OPERATIONAL_WEBHOOK_KEY = 'operational_webhook';

/**
 * Whether a claim may take one probe delivery of a gate that is not CLOSED (SQL over `g`, the
 * gate, at `now`): OPEN with its pause over, or HALF_OPEN whose probe's claim ran out (its
 * process died) — never a second probe while one is out.
 */
export function PROBE_DUE_SQL(g: string, now: string): string {
  return `((${g}.breaker_state = 'OPEN' AND ${g}.breaker_next_probe_at <= ${now}) OR (${g}.breaker_state = 'HALF_OPEN' AND ${g}.breaker_probe_until < ${now}))`;
}

/** The site's own settings as stored (NULL: the deployment default). */
export interface StoredBreakerSettings {
  failureThreshold: number | null;
  failureWindowSeconds: number | null;
  autoDisableAfterSeconds: number | null;
}

interface BreakerSqlRow {
  site_id: string;
  site_name: string;
  site_status: string;
  breaker_failure_threshold: number | null;
  breaker_failure_window_seconds: number | null;
  auto_disable_after_seconds: number | null;
  breaker_state: string | null;
  breaker_failures: number | null;
  breaker_failing_since: Date | null;
  breaker_opened_at: Date | null;
  breaker_next_probe_at: Date | null;
  breaker_opens: number | null;
  breaker_reason: string | null;
  breaker_probe_id: string | null;
  now: Date;
}

export interface SiteBreakerRecord {
  siteId: string;
  siteName: string;
  siteStatus: string;
  row: BreakerRow;
  settings: StoredBreakerSettings;
  /** The database's time when it was read. */
  now: Date;
}

const COLUMNS = `s.id AS site_id, s.name AS site_name, s.status AS site_status,
  s.breaker_failure_threshold, s.breaker_failure_window_seconds, s.auto_disable_after_seconds,
  g.breaker_state, g.breaker_failures, g.breaker_failing_since, g.breaker_opened_at, g.breaker_next_probe_at,
  g.breaker_opens, g.breaker_reason, g.breaker_probe_id, clock_timestamp() AS now`;

function toRecord(r: BreakerSqlRow): SiteBreakerRecord {
  const row: BreakerRow =
    r.breaker_state === null
      ? { ...CLOSED_ROW }
      : {
          state: r.breaker_state as BreakerState,
          failures: r.breaker_failures ?? 0,
          failingSince: r.breaker_failing_since,
          openedAt: r.breaker_opened_at,
          nextProbeAt: r.breaker_next_probe_at,
          opens: r.breaker_opens ?? 0,
          reason: r.breaker_reason,
          probeId: r.breaker_probe_id,
        };
  return {
    siteId: r.site_id,
    siteName: r.site_name,
    siteStatus: r.site_status,
    row,
    settings: { failureThreshold: r.breaker_failure_threshold, failureWindowSeconds: r.breaker_failure_window_seconds, autoDisableAfterSeconds: r.auto_disable_after_seconds },
    now: r.now,
  };
}

/** The breakers of these sites (a site never queued to has no gate row: CLOSED). */
export async function readBreakers(db: Queryable, siteIds: readonly string[]): Promise<Map<string, SiteBreakerRecord>> {
  const { rows } = await db.query<BreakerSqlRow>(`SELECT ${COLUMNS} FROM site s LEFT JOIN dispatch_gate g ON g.site_id = s.id WHERE s.id = ANY($1::uuid[])`, [siteIds]);
  return new Map(rows.map((r) => [r.site_id, toRecord(r)]));
}

/**
 * The site's breaker, its gate row locked (made first if missing) until the transaction ends:
 * the same lock a claim takes, so what a claim decides and what this changes never cross.
 */
export async function lockBreaker(db: Queryable, siteId: string): Promise<SiteBreakerRecord | undefined> {
  await db.query(`INSERT INTO dispatch_gate (site_id) SELECT id FROM site WHERE id = $1 ON CONFLICT DO NOTHING`, [siteId]);
  const { rows } = await db.query<BreakerSqlRow>(`SELECT ${COLUMNS} FROM dispatch_gate g JOIN site s ON s.id = g.site_id WHERE g.site_id = $1 FOR UPDATE OF g`, [siteId]);
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/**
 * Writes the breaker's row. `wake`: its held deliveries may go now (dispatch.wake). `stopLanes`:
 * it opened, so dispatchers give back what they claimed and have not sent yet (site.changed).
 */
export async function writeBreaker(db: Queryable, siteId: string, row: BreakerRow, signal: { wake: boolean; stopLanes: boolean }): Promise<void> {
  await db.query(
    `WITH upd AS (
       UPDATE dispatch_gate SET breaker_state = $2, breaker_failures = $3, breaker_failing_since = $4, breaker_opened_at = $5, breaker_next_probe_at = $6,
              breaker_opens = $7, breaker_reason = $8, breaker_probe_id = $9, breaker_probe_until = CASE WHEN $9::uuid IS NULL THEN NULL ELSE breaker_probe_until END
        WHERE site_id = $1 RETURNING site_id
     )
     SELECT CASE WHEN $10::bool THEN pg_notify('${EVENTS_CHANNEL}', json_build_object('topic', '${DISPATCH_WAKE}', 'payload', json_build_object('sites', json_build_array($1::uuid)))::text) END,
            CASE WHEN $11::bool THEN pg_notify('${EVENTS_CHANNEL}', json_build_object('topic', '${SITE_CHANGED}', 'payload', json_build_object('siteId', $1::uuid, 'change', 'breaker'))::text) END
       FROM upd`,
    [siteId, row.state, row.failures, row.failingSince, row.openedAt, row.nextProbeAt, row.opens, row.reason, row.probeId, signal.wake, signal.stopLanes],
  );
}

/** The claim that took a probe delivery: HALF_OPEN until its outcome (or its claim runs out, then another probe may go). */
export async function markProbe(db: Queryable, siteId: string, deliveryId: string, leaseMs: number): Promise<void> {
  await db.query(
    `UPDATE dispatch_gate SET breaker_state = 'HALF_OPEN', breaker_probe_id = $2, breaker_probe_until = clock_timestamp() + $3 * interval '1 millisecond' WHERE site_id = $1`,
    [siteId, deliveryId, leaseMs],
  );
}

/** Sets an ACTIVE site INACTIVE with a reason; publishes site.changed as a status change by hand does. */
export async function disableSite(db: Queryable, siteId: string, reason: string): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>(
    `WITH upd AS (
       UPDATE site SET status = 'INACTIVE', status_reason = $2, updated_at = clock_timestamp() WHERE id = $1 AND status = 'ACTIVE' RETURNING id
     )
     SELECT id, pg_notify('${EVENTS_CHANNEL}', json_build_object('topic', '${SITE_CHANGED}', 'payload', json_build_object('siteId', id, 'change', 'status'))::text) FROM upd`,
    [siteId, reason],
  );
  return rows.length > 0;
}

interface SiteEventRow {
  id: string;
  site_id: string;
  site_name: string;
  kind: string;
  from_state: string | null;
  to_state: string | null;
  reason: string | null;
  details: Record<string, unknown>;
  created_at: Date;
}

const EVENT_COLUMNS = 'id::text AS id, site_id, site_name, kind, from_state, to_state, reason, details, created_at';

function toEvent(r: SiteEventRow): SiteEvent {
  return { id: r.id, siteId: r.site_id, siteName: r.site_name, kind: r.kind as SiteEventKind, fromState: r.from_state, toState: r.to_state, reason: r.reason, details: r.details, createdAt: r.created_at };
}

/**
 * Stores a site event and, in the same statement, publishes it (`site.event`, sent at commit)
 * and queues it as a webhook to the operational site, if one is chosen and it is not the event's
 * own site (events about the operational site are not sent to it: see README.md here). The
 * webhook is an ordinary delivery — durable, retried, signed as that site signs — with the body
 * { type, siteId, siteName, occurredAt, data } and the idempotency key `site-event:<id>`.
 */
export async function insertSiteEvent(db: Queryable, siteId: string, event: NewEvent): Promise<SiteEvent> {
  const { rows } = await db.query<SiteEventRow>(
    `WITH ev AS (
       INSERT INTO site_event (site_id, site_name, kind, from_state, to_state, reason, details)
       SELECT $1, coalesce((SELECT name FROM site WHERE id = $1), ''), $2, $3, $4, $5, $6::jsonb
       RETURNING *
     ), op AS (
       SELECT d.site_id FROM deployment_setting d WHERE d.key = '${OPERATIONAL_WEBHOOK_KEY}' AND d.site_id IS NOT NULL AND d.site_id <> $1
     ), gate AS (
       INSERT INTO dispatch_gate (site_id) SELECT site_id FROM op ON CONFLICT DO NOTHING
     ), webhook AS MATERIALIZED (
       SELECT gen_random_uuid() AS id, op.site_id, 'site-event:' || ev.id AS key,
              convert_to(json_build_object('type', ev.kind, 'siteId', ev.site_id, 'siteName', ev.site_name, 'occurredAt', ev.created_at,
                'data', jsonb_build_object('eventId', ev.id::text, 'fromState', ev.from_state, 'toState', ev.to_state, 'reason', ev.reason) || ev.details)::text, 'UTF8') AS body
         FROM ev, op
     ), del AS (
       INSERT INTO delivery (id, site_id, status, method, headers, idempotency_key)
       SELECT w.id, w.site_id, 'PENDING', 'POST', '[]'::jsonb, w.key FROM webhook w
       ON CONFLICT (site_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING id, site_id
     ), bodies AS (
       -- Bodies have a table of their own (Migration0014), as sendWebhook writes them.
       INSERT INTO delivery_body (id, body) SELECT w.id, w.body FROM webhook w JOIN del ON del.id = w.id
     ), sent AS (
       SELECT pg_notify('${EVENTS_CHANNEL}', json_build_object('topic', '${DISPATCH_WAKE}', 'payload', json_build_object('sites', json_build_array(site_id)))::text),
              pg_notify('${EVENTS_CHANNEL}', json_build_object('topic', '${DELIVERY_UPDATED}', 'payload', json_build_object('siteId', site_id, 'ids', json_build_array(id)))::text)
         FROM del
     )
     SELECT ${EVENT_COLUMNS}, (SELECT count(*) FROM sent) AS queued,
            pg_notify('${EVENTS_CHANNEL}', json_build_object('topic', '${SITE_EVENT}', 'payload', json_build_object('id', id::text, 'siteId', site_id, 'kind', kind))::text)
       FROM ev`,
    [siteId, event.kind, event.fromState, event.toState, event.reason, JSON.stringify(event.details)],
  );
  return toEvent(rows[0]!);
}

export async function getSiteEvent(db: Queryable, id: string): Promise<SiteEvent | undefined> {
  if (!/^\d{1,18}$/.test(id)) return undefined;
  const { rows } = await db.query<SiteEventRow>(`SELECT ${EVENT_COLUMNS} FROM site_event WHERE id = $1`, [id]);
  return rows[0] ? toEvent(rows[0]) : undefined;
}

/** One page, newest first, after the event `after` (exclusive); `limit` rows plus one to tell whether more follow. */
export async function listSiteEvents(
  db: Queryable,
  filter: { siteId: string | null; kind: string | null },
  limit: number,
  after: string | null,
): Promise<{ events: SiteEvent[]; totalCount: number }> {
  const where = `($1::uuid IS NULL OR site_id = $1) AND ($2::text IS NULL OR kind = $2)`;
  const params = [filter.siteId, filter.kind];
  const [page, count] = await Promise.all([
    db.query<SiteEventRow>(`SELECT ${EVENT_COLUMNS} FROM site_event WHERE ${where} AND ($3::bigint IS NULL OR site_event.id < $3) ORDER BY site_event.id DESC LIMIT $4`, [...params, after, limit + 1]),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM site_event WHERE ${where}`, params),
  ]);
  return { events: page.rows.map(toEvent), totalCount: count.rows[0]!.n };
}

/** The site's own settings; `undefined` fields are left as they are. */
export async function updateBreakerSettings(db: Queryable, siteId: string, settings: Partial<StoredBreakerSettings>): Promise<void> {
  await db.query(
    `UPDATE site SET breaker_failure_threshold = CASE WHEN $2 THEN $3::int ELSE breaker_failure_threshold END,
            breaker_failure_window_seconds = CASE WHEN $4 THEN $5::int ELSE breaker_failure_window_seconds END,
            auto_disable_after_seconds = CASE WHEN $6 THEN $7::int ELSE auto_disable_after_seconds END,
            updated_at = clock_timestamp()
      WHERE id = $1`,
    [
      siteId,
      settings.failureThreshold !== undefined, settings.failureThreshold ?? null,
      settings.failureWindowSeconds !== undefined, settings.failureWindowSeconds ?? null,
      settings.autoDisableAfterSeconds !== undefined, settings.autoDisableAfterSeconds ?? null,
    ],
  );
}

export interface OperationalWebhookRow {
  siteId: string;
  setAt: Date;
  setBy: string;
}

export async function readOperationalWebhook(db: Queryable): Promise<OperationalWebhookRow | undefined> {
  const { rows } = await db.query<{ site_id: string; set_at: Date; set_by: string }>(
    `SELECT site_id, set_at, set_by FROM deployment_setting WHERE key = '${OPERATIONAL_WEBHOOK_KEY}' AND site_id IS NOT NULL`,
  );
  return rows[0] ? { siteId: rows[0].site_id, setAt: rows[0].set_at, setBy: rows[0].set_by } : undefined;
}

export async function saveOperationalWebhook(db: Queryable, siteId: string, setBy: string): Promise<OperationalWebhookRow> {
  const { rows } = await db.query<{ site_id: string; set_at: Date; set_by: string }>(
    `INSERT INTO deployment_setting (key, site_id, set_at, set_by) VALUES ('${OPERATIONAL_WEBHOOK_KEY}', $1, clock_timestamp(), $2)
     ON CONFLICT (key) DO UPDATE SET site_id = excluded.site_id, set_at = excluded.set_at, set_by = excluded.set_by
     RETURNING site_id, set_at, set_by`,
    [siteId, setBy],
  );
  return { siteId: rows[0]!.site_id, setAt: rows[0]!.set_at, setBy: rows[0]!.set_by };
}

/** Removes the setting; the site it named, if any. */
export async function deleteOperationalWebhook(db: Queryable): Promise<string | undefined> {
  const { rows } = await db.query<{ site_id: string }>(`DELETE FROM deployment_setting WHERE key = '${OPERATIONAL_WEBHOOK_KEY}' RETURNING site_id`);
  return rows[0]?.site_id ?? undefined;
}

/** Sites whose breaker has something a success would reset (failures counted, or not CLOSED). */
export async function findDirtyBreakers(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ site_id: string }>(`SELECT site_id FROM dispatch_gate WHERE breaker_failures > 0 OR breaker_state <> 'CLOSED'`);
  return rows.map((r) => r.site_id);
}


/**
 * A claim took `deliveryId` as the breaker's probe (under the gate lock): HALF_OPEN until its
 * outcome, or until its claim runs out (then the next claim may send another). Leaving OPEN is an
 * event; a second probe after a lost one is not (the state does not change).
 */
export async function startProbe(db: Queryable, siteId: string, deliveryId: string, leaseMs: number, fromState: string): Promise<void> {
  await markProbe(db, siteId, deliveryId, leaseMs);
  if (fromState === 'OPEN') {
    await insertSiteEvent(db, siteId, {
      kind: SiteEventKind.BREAKER_HALF_OPEN,
      fromState: 'OPEN',
      toState: 'HALF_OPEN',
      reason: 'the pause is over: one probe delivery is sent',
      details: { deliveryId },
    });
  }
}

/** Whether `worker` (SQL text) holds the probe of a HALF_OPEN gate `g`, still IN_FLIGHT. */
export function PROBE_MINE_SQL(g: string, worker: string): string {
  return `(${g}.breaker_state = 'HALF_OPEN' AND EXISTS (SELECT 1 FROM delivery pd WHERE pd.id = ${g}.breaker_probe_id AND pd.status = 'IN_FLIGHT' AND pd.leased_by = ${worker}))`;
}

/** How far ahead an expiring client certificate is a site event (as Site.clientCertificate.expiresSoon). */
export const CERTIFICATE_WARNING_DAYS = 30;

/**
 * Sites whose client certificate (sites/client-certificate.ts, column client_certificate_expires_at)
 * expires within CERTIFICATE_WARNING_DAYS and that have no CERTIFICATE_EXPIRING event for that
 * certificate's expiry yet: one event per certificate, however often this runs and in how many
 * processes (the caller holds ADVISORY_LOCKS.CERTIFICATE_EXPIRY). A renewed certificate has a new
 * expiry, so it gets its own event when its time comes.
 */
export async function findExpiringCertificates(db: Queryable): Promise<Array<{ siteId: string; expiresAt: Date }>> {
  const { rows } = await db.query<{ id: string; expires_at: Date }>(
    `SELECT s.id, s.client_certificate_expires_at AS expires_at FROM site s
      WHERE s.client_certificate_expires_at IS NOT NULL AND s.client_certificate_expires_at < now() + make_interval(days => $1)
        AND NOT EXISTS (SELECT 1 FROM site_event e WHERE e.site_id = s.id AND e.kind = 'CERTIFICATE_EXPIRING'
                          AND (e.details->>'expiresAt')::timestamptz = s.client_certificate_expires_at)`,
    [CERTIFICATE_WARNING_DAYS],
  );
  return rows.map((r) => ({ siteId: r.id, expiresAt: r.expires_at }));
}

/**
 * Deletes at most `limit` site events older than `days` (SITE_EVENT_RETENTION_DAYS), oldest first
 * on `site_event_created_idx`; the retention job calls it in windows. A CERTIFICATE_EXPIRING event
 * about the certificate a site still has is kept, however old: it is what tells
 * findExpiringCertificates that this certificate was warned about, and without it an expired
 * certificate left in place would be announced again after every retention period.
 */
export async function deleteSiteEventsOlderThan(db: Queryable, days: number, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM site_event WHERE id = ANY (ARRAY(
       SELECT e.id FROM site_event e
        WHERE e.created_at < now() - make_interval(days => $1)
          AND NOT (e.kind = '${SiteEventKind.CERTIFICATE_EXPIRING}' AND EXISTS (
                SELECT 1 FROM site s WHERE s.id = e.site_id AND s.client_certificate_expires_at = (e.details->>'expiresAt')::timestamptz))
        ORDER BY e.created_at LIMIT $2))`,
    [days, limit],
  );
  return rowCount ?? 0;
}

/**
 * Deliveries given back unsent (dispatch's releaseDeliveries): if one was a HALF_OPEN breaker's
 * probe, its claim is over now rather than when its lease would have run out, so the next claim
 * sends a probe at once. The state stays HALF_OPEN (no event: nothing was learnt).
 */
export async function probesGivenBack(db: Queryable, rows: ReadonlyArray<{ id: string; site_id: string }>): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE dispatch_gate SET breaker_probe_until = clock_timestamp() - interval '1 millisecond'
      WHERE site_id = ANY($1::uuid[]) AND breaker_state = 'HALF_OPEN' AND breaker_probe_id = ANY($2::uuid[])`,
    [[...new Set(rows.map((r) => r.site_id))], rows.map((r) => r.id)],
  );
  return rowCount ?? 0;
}
