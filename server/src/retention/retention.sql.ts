import type pg from 'pg';
import { ADVISORY_LOCKS } from '../db/locks.js';
import type { Queryable } from '../db/sql.js';

/**
 * The SQL of delivery retention (docs/design.md rule 5: one operation per function, `$n` parameters).
 *
 * Which index: none of its own. A partial index on finished rows by time would cost an index
 * write on every completion (Migration0004: throughput is counted in index writes per delivery).
 * Instead each site's old rows are read from `delivery_site_created_idx (site_id, created_at DESC,
 * id DESC)`, bounded by `created_at < cutoff`: a row's `updated_at` is never before its
 * `created_at` (both come from PostgreSQL's clock, `created_at` at insert, `updated_at` at every
 * later change), so every row last changed before the cutoff was also created before it. Old rows
 * that are kept (held PENDING/RETRYING, a FAILED one retried since) are looked at once per run and
 * passed: the scan goes on from the last row it saw rather than from the start of the site.
 */

/** Where a site's scan stands: the last row looked at, `created_at` as PostgreSQL's text (microseconds kept). */
export interface ScanPosition {
  createdAt: string;
  id: string;
}

/** Before every row of a site. */
export const SCAN_START: ScanPosition = { createdAt: '-infinity', id: '00000000-0000-0000-0000-000000000000' };

/** The database's now minus `days`, as text: one cutoff for a whole run, on the clock that wrote the rows. */
export async function retentionCutoff(db: Queryable, days: number): Promise<string> {
  const result = await db.query<{ cutoff: string }>(`SELECT (now() - make_interval(days => $1))::text AS cutoff`, [days]);
  return result.rows[0]!.cutoff;
}

/** The sites with a delivery created before `cutoff` (one probe of the per-site index each), in a stable order. */
export async function listSitesWithDeliveriesBefore(db: Queryable, cutoff: string): Promise<string[]> {
  const result = await db.query<{ id: string }>(
    `SELECT s.id FROM site s
      WHERE EXISTS (SELECT 1 FROM delivery d WHERE d.site_id = s.id AND d.created_at < $1::timestamptz)
      ORDER BY s.id`,
    [cutoff],
  );
  return result.rows.map((r) => r.id);
}

/** Inside a transaction: whether this process may remove now; false while another one is at it. */
export async function tryRetentionLock(client: pg.ClientBase): Promise<boolean> {
  const result = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [ADVISORY_LOCKS.RETENTION]);
  return result.rows[0]!.locked;
}

export interface DeletedWindow {
  deleted: number;
  /** Rows of the site looked at (created before the cutoff, after `after`); fewer than the limit: the site is done. */
  examined: number;
  /** The last row looked at, where the next window starts. */
  last: ScanPosition | undefined;
}

/**
 * Looks at the next `limit` rows of one site created before `cutoff` (oldest first, after `after`)
 * and deletes those that are SUCCEEDED or FAILED and last changed before `cutoff`; their attempts
 * go with them (the statement trigger of Migration0004/0005). So one statement looks at, locks and
 * deletes at most `limit` rows whatever the site holds.
 *
 * Rows are locked `FOR UPDATE SKIP LOCKED` and their state is checked again under the lock: a
 * FAILED delivery being retried (`requeueFailedDelivery`), or a site being deleted, is skipped
 * rather than waited for, and one retried since the window was read no longer matches and stays.
 * Claims never meet these rows: they lock the site's gate and due (PENDING/RETRYING) rows only.
 * The id lists go in as `= ANY (ARRAY(...))`, which PostgreSQL always answers with primary-key
 * probes; a join with the window may be planned as a scan of the whole table.
 */
export async function deleteFinishedDeliveries(client: pg.ClientBase, siteId: string, cutoff: string, after: ScanPosition, limit: number): Promise<DeletedWindow> {
  const result = await client.query<{ deleted: number; examined: number; last_created_at: string | null; last_id: string | null }>(
    `WITH win AS MATERIALIZED (
       SELECT id, created_at, status IN ('SUCCEEDED', 'FAILED') AND updated_at < $2::timestamptz AS finished
         FROM delivery
        WHERE site_id = $1 AND created_at < $2::timestamptz AND (created_at, id) > ($3::timestamptz, $4::uuid)
        ORDER BY created_at, id
        LIMIT $5
     ), doomed AS MATERIALIZED (
       SELECT id FROM delivery
        WHERE id = ANY (ARRAY(SELECT id FROM win WHERE finished))
          AND status IN ('SUCCEEDED', 'FAILED') AND updated_at < $2::timestamptz
        FOR UPDATE SKIP LOCKED
     ), gone AS (
       DELETE FROM delivery WHERE id = ANY (ARRAY(SELECT id FROM doomed)) RETURNING 1
     )
     SELECT (SELECT count(*) FROM gone)::int AS deleted, (SELECT count(*) FROM win)::int AS examined,
            last.created_at::text AS last_created_at, last.id AS last_id
       FROM (SELECT 1) one
       LEFT JOIN LATERAL (SELECT created_at, id FROM win ORDER BY created_at DESC, id DESC LIMIT 1) last ON true`,
    [siteId, cutoff, after.createdAt, after.id, limit],
  );
  const row = result.rows[0]!;
  return {
    deleted: row.deleted,
    examined: row.examined,
    last: row.last_created_at !== null && row.last_id !== null ? { createdAt: row.last_created_at, id: row.last_id } : undefined,
  };
}

/**
 * Drops payload-signing secrets whose overlap has ended from `site.signing` (sites/payload-signing.ts:
 * jsonb `{ enabled, secrets: [{ id, createdAt, expiresAt, fingerprint, sealed }] }`), keeping the
 * others in their order. An expired secret signs nothing (activeSecrets filters it), but its sealed
 * value should not stay at rest for ever; a change of the site's signing drops them too. Returns how
 * many sites were changed. Only rows with an expired secret are written.
 */
export async function purgeExpiredSigningSecrets(db: Queryable): Promise<number> {
  const result = await db.query(
    `UPDATE site SET signing = jsonb_set(signing, '{secrets}', COALESCE(
        (SELECT jsonb_agg(e ORDER BY n) FROM jsonb_array_elements(signing->'secrets') WITH ORDINALITY AS t(e, n)
          WHERE e->>'expiresAt' IS NULL OR (e->>'expiresAt')::timestamptz > now()),
        '[]'::jsonb))
      WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(signing->'secrets') e
                     WHERE e->>'expiresAt' IS NOT NULL AND (e->>'expiresAt')::timestamptz <= now())`,
  );
  return result.rowCount ?? 0;
}
