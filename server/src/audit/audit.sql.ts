import type { Queryable } from '../db/sql.js';

/** The SQL of the audit trail (docs/design.md rule 5: one operation per function, `$n` parameters). */

export interface AuditRow {
  id: string;
  at: Date;
  token_id: string | null;
  token_name: string;
  operation: string;
  target_type: string;
  target_id: string;
  target_name: string | null;
  site_id: string | null;
  site_name: string | null;
  changed: string[];
  details: Record<string, unknown> | null;
}

export interface NewAuditEvent {
  tokenId: string | null;
  tokenName: string;
  operation: string;
  targetType: string;
  targetId: string;
  targetName: string | null;
  siteId: string | null;
  siteName: string | null;
  changed: string[];
  /** Facts about the operation that are not paths (a bulk replay's filter and count); never a payload or a secret. */
  details?: Record<string, unknown> | null;
}

export interface AuditFilter {
  siteId?: string | null;
  tokenId?: string | null;
  operation?: string | null;
  since?: Date | null;
  until?: Date | null;
}

const COLUMNS = 'id::text AS id, at, token_id, token_name, operation, target_type, target_id, target_name, site_id, site_name, changed, details';

export async function insertAuditEvent(db: Queryable, event: NewAuditEvent): Promise<AuditRow> {
  const { rows } = await db.query<AuditRow>(
    `INSERT INTO audit_event (token_id, token_name, operation, target_type, target_id, target_name, site_id, site_name, changed, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text[], $10::jsonb)
     RETURNING ${COLUMNS}`,
    [event.tokenId, event.tokenName, event.operation, event.targetType, event.targetId, event.targetName, event.siteId, event.siteName, event.changed, event.details ? JSON.stringify(event.details) : null],
  );
  return rows[0]!;
}

/** One page, newest first, after the event `after` (exclusive); `limit` rows plus one to tell whether more follow. */
export async function listAuditEvents(db: Queryable, filter: AuditFilter, limit: number, after: string | null): Promise<{ rows: AuditRow[]; totalCount: number }> {
  const where = `($1::uuid IS NULL OR site_id = $1) AND ($2::uuid IS NULL OR token_id = $2) AND ($3::text IS NULL OR operation = $3)
     AND ($4::timestamptz IS NULL OR at >= $4) AND ($5::timestamptz IS NULL OR at < $5)`;
  const params = [filter.siteId ?? null, filter.tokenId ?? null, filter.operation ?? null, filter.since ?? null, filter.until ?? null];
  const [page, count] = await Promise.all([
    db.query<AuditRow>(
      `SELECT ${COLUMNS} FROM audit_event WHERE ${where} AND ($6::bigint IS NULL OR id < $6) ORDER BY id DESC LIMIT $7`,
      [...params, after, limit + 1],
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_event WHERE ${where}`, params),
  ]);
  return { rows: page.rows, totalCount: count.rows[0]!.n };
}

/**
 * Deletes up to `limit` events older than `days` days (by the database's clock), oldest first;
 * the number deleted. Fewer than `limit`: nothing older is left.
 */
export async function deleteAuditEventsOlderThan(db: Queryable, days: number, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM audit_event WHERE id = ANY (ARRAY(
       SELECT id FROM audit_event WHERE at < now() - make_interval(days => $1) ORDER BY at LIMIT $2))`,
    [days, limit],
  );
  return rowCount ?? 0;
}

/** Remembers who started the connect with this state (the state's hash, as oauth_state keeps it). */
export async function markConnectStarter(db: Queryable, stateHash: string, tokenId: string | null, tokenName: string): Promise<void> {
  await db.query(`UPDATE oauth_state SET started_by_token_id = $2, started_by_token_name = $3 WHERE state_hash = $1`, [stateHash, tokenId, tokenName]);
}

/** Who started the connect with this state; read before the callback uses the state up. */
export async function readConnectStarter(db: Queryable, stateHash: string, siteId: string): Promise<{ tokenId: string | null; tokenName: string | null } | undefined> {
  const { rows } = await db.query<{ token_id: string | null; token_name: string | null }>(
    `SELECT started_by_token_id AS token_id, started_by_token_name AS token_name FROM oauth_state WHERE state_hash = $1 AND site_id = $2`,
    [stateHash, siteId],
  );
  return rows[0] ? { tokenId: rows[0].token_id, tokenName: rows[0].token_name } : undefined;
}
