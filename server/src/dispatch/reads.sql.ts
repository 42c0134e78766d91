import type { AttemptOutcome, DeliveryState } from './delivery-states.js';
import type { Queryable } from '../db/sql.js';

/**
 * What the API reads of deliveries (lists, one by id or key, attempts, the chart). The worker
 * transitions are in transitions.sql.ts; these never change a row.
 */

export interface DeliveryRow {
  id: string;
  site_id: string;
  status: DeliveryState;
  method: string;
  idempotency_key: string | null;
  attempt_count: number;
  attempt_base: number;
  last_error: string | null;
  last_status_code: number | null;
  next_attempt_at: Date;
  created_at: Date;
  updated_at: Date;
  delivered_at: Date | null;
}

export interface AttemptRow {
  delivery_id: string;
  number: number;
  started_at: Date;
  duration_ms: number | null;
  status_code: number | null;
  error: string | null;
  response_excerpt: string | null;
  response_truncated: boolean;
  outcome: AttemptOutcome;
  next_attempt_at: Date | null;
}

export const DELIVERY_COLUMNS = `d.id, d.site_id, d.status, d.method, d.idempotency_key, d.attempt_count, d.attempt_base, d.last_error,
  d.last_status_code, d.next_attempt_at, d.created_at, d.updated_at, d.delivered_at`;

export async function findDeliveriesByKeys(db: Queryable, keys: Array<{ siteId: string; key: string }>): Promise<DeliveryRow[]> {
  if (!keys.length) return [];
  const result = await db.query<DeliveryRow>(
    `SELECT ${DELIVERY_COLUMNS} FROM delivery d
       JOIN unnest($1::uuid[], $2::text[]) AS k(site_id, key) ON d.site_id = k.site_id AND d.idempotency_key = k.key`,
    [keys.map((k) => k.siteId), keys.map((k) => k.key)],
  );
  return result.rows;
}

export async function getDeliveries(db: Queryable, ids: string[]): Promise<DeliveryRow[]> {
  if (!ids.length) return [];
  const result = await db.query<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM delivery d WHERE d.id = ANY($1::uuid[])`, [ids]);
  return result.rows;
}

/** The attempts of these deliveries, each delivery's oldest first. */
export async function listAttempts(db: Queryable, deliveryIds: string[]): Promise<AttemptRow[]> {
  if (!deliveryIds.length) return [];
  const result = await db.query<AttemptRow>(
    `SELECT delivery_id, number, started_at, duration_ms, status_code, error, response_excerpt, response_truncated, outcome, next_attempt_at
       FROM delivery_attempt WHERE delivery_id = ANY($1::uuid[]) ORDER BY delivery_id, number, started_at`,
    [deliveryIds],
  );
  return result.rows;
}

export interface DeliveryFilter {
  siteId?: string | null;
  status?: DeliveryState | null;
  /** Created at or after. */
  since?: Date | null;
  /** Created before. */
  until?: Date | null;
}

/**
 * Newest first; `after` is the id of the last delivery of the previous page. For one site this
 * reads `delivery_site_created_idx`; for all sites it takes each site's newest from that index
 * and merges them (there is no index over every delivery by time: it would cost three index
 * writes per delivery, see Migration0004). `since`/`until` bound created_at (the window of
 * `retryDeliveries`, so its count can be shown before it runs).
 */
export async function listDeliveries(db: Queryable, filter: DeliveryFilter, first: number, after: string | null): Promise<{ rows: DeliveryRow[]; totalCount: number }> {
  const params: unknown[] = [filter.siteId ?? null, filter.status ?? null, filter.since ?? null, filter.until ?? null];
  const window = `($3::timestamptz IS NULL OR d.created_at >= $3) AND ($4::timestamptz IS NULL OR d.created_at < $4)`;
  const where = `($1::uuid IS NULL OR d.site_id = $1) AND ($2::text IS NULL OR d.status = $2) AND ${window}`;
  const pageOf = (siteId: string) => `
    SELECT ${DELIVERY_COLUMNS} FROM delivery d
     WHERE d.site_id = ${siteId} AND ($2::text IS NULL OR d.status = $2) AND ${window}
       AND ($5::uuid IS NULL OR (d.created_at, d.id) < (SELECT c.created_at, c.id FROM delivery c WHERE c.id = $5))
     ORDER BY d.created_at DESC, d.id DESC
     LIMIT $6`;
  const [page, count] = await Promise.all([
    db.query<DeliveryRow>(
      filter.siteId
        ? `SELECT * FROM (${pageOf('$1::uuid')}) p`
        : `SELECT p.* FROM site s CROSS JOIN LATERAL (${pageOf('s.id')}) p
            WHERE $1::uuid IS NULL
            ORDER BY p.created_at DESC, p.id DESC
            LIMIT $6`,
      [...params, after, first + 1],
    ),
    db.query<{ n: string }>(`SELECT count(*) AS n FROM delivery d WHERE ${where}`, params),
  ]);
  return { rows: page.rows, totalCount: Number(count.rows[0]!.n) };
}

export async function deliveryExists(db: Queryable, id: string): Promise<boolean> {
  const result = await db.query(`SELECT 1 FROM delivery WHERE id = $1`, [id]);
  return (result.rowCount ?? 0) > 0;
}

/** A site's name, or undefined when there is no such site (for a bulk replay's checks and audit). */
export async function siteNameOf(db: Queryable, siteId: string): Promise<{ name: string } | undefined> {
  const result = await db.query<{ name: string }>(`SELECT name FROM site WHERE id = $1`, [siteId]);
  return result.rows[0];
}

export interface StatsBucketRow {
  at: Date;
  sent: number;
  succeeded: number;
  failed: number;
  retried: number;
  p50_ms: number | null;
  avg_ms: number | null;
}

/** Attempts per second over the last `minutes`, for the dashboard chart. */
export async function deliveryStats(db: Queryable, siteId: string | null, minutes: number): Promise<StatsBucketRow[]> {
  const result = await db.query<StatsBucketRow>(
    `SELECT date_trunc('second', started_at) AS at,
            count(*)::int AS sent,
            (count(*) FILTER (WHERE outcome = 'SUCCEEDED'))::int AS succeeded,
            (count(*) FILTER (WHERE outcome = 'FAILED'))::int AS failed,
            (count(*) FILTER (WHERE outcome = 'RETRYING'))::int AS retried,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50_ms,
            avg(duration_ms) AS avg_ms
       FROM delivery_attempt
      WHERE started_at >= now() - $2 * interval '1 minute' AND ($1::uuid IS NULL OR site_id = $1)
      GROUP BY 1 ORDER BY 1`,
    [siteId, minutes],
  );
  return result.rows;
}
