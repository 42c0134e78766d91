import type { Queryable } from '../db/sql.js';

export interface SiteSnapshotRow {
  id: string;
  status: string;
  authMethod: string;
  threads: number;
  /** The circuit breaker's state (dispatch_gate); CLOSED for a site that has no gate row yet. */
  breakerState: string;
  /** PENDING + RETRYING deliveries. */
  queued: number;
  /** Seconds since the most overdue of them fell due; 0 when none is due yet (or none waits). */
  oldestDueSeconds: number;
}

/**
 * Per site, what a scrape reports from the database: its status, threads and breaker state, and its queue.
 * One statement: each site's waiting deliveries are counted on `delivery_due_idx` (partial:
 * PENDING and RETRYING only, keyed by site then due time — so the count reads only the queue, never
 * finished deliveries, and the earliest due time is the index's first entry for the site). The
 * breaker's state is a column of the site's `dispatch_gate` row, found by its primary key.
 */
export async function readSiteSnapshot(db: Queryable): Promise<SiteSnapshotRow[]> {
  const result = await db.query<SiteSnapshotRow>(
    `SELECT s.id, s.status, s.auth_method AS "authMethod", s.threads, coalesce(g.breaker_state, 'CLOSED') AS "breakerState",
            q.queued, GREATEST(0, COALESCE(extract(epoch FROM now() - q.oldest), 0))::float8 AS "oldestDueSeconds"
       FROM site s
       LEFT JOIN dispatch_gate g ON g.site_id = s.id
       CROSS JOIN LATERAL (
         SELECT count(*)::int AS queued, min(d.next_attempt_at) AS oldest
           FROM delivery d
          WHERE d.site_id = s.id AND d.status IN ('PENDING', 'RETRYING')) q
      ORDER BY s.created_at, s.id`,
  );
  return result.rows;
}
