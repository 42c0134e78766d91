import type { Sealed } from '../crypto/secrets.js';
import type { Queryable } from '../db/sql.js';

/** Plain, parameterised SQL for the token store (docs/design.md rule 5): one operation per function. */

export type StoredTokenStatus = 'NONE' | 'VALID' | 'EXPIRING' | 'EXPIRED' | 'FAILED';

export interface TokenRow {
  siteId: string;
  status: StoredTokenStatus;
  accessToken: Sealed | null;
  refreshToken: Sealed | null;
  tokenType: string | null;
  obtainedAt: Date | null;
  expiresAt: Date | null;
  refreshAt: Date | null;
  configFingerprint: string | null;
  refreshingSince: Date | null;
  lastError: string | null;
  failedAt: Date | null;
  needsReconnect: boolean;
  retryAt: Date | null;
  updatedAt: Date;
}

const TOKEN_COLUMNS = `site_id AS "siteId", status, access_token AS "accessToken", refresh_token AS "refreshToken",
  token_type AS "tokenType", obtained_at AS "obtainedAt", expires_at AS "expiresAt", refresh_at AS "refreshAt",
  config_fingerprint AS "configFingerprint", refreshing_since AS "refreshingSince", last_error AS "lastError",
  failed_at AS "failedAt", needs_reconnect AS "needsReconnect", retry_at AS "retryAt", updated_at AS "updatedAt"`;

export async function readToken(db: Queryable, siteId: string): Promise<TokenRow | undefined> {
  const { rows } = await db.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM site_token WHERE site_id = $1`, [siteId]);
  return rows[0];
}

export async function readTokens(db: Queryable, siteIds: readonly string[]): Promise<TokenRow[]> {
  const { rows } = await db.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM site_token WHERE site_id = ANY($1::uuid[])`, [siteIds]);
  return rows;
}

export interface ObtainedToken {
  accessToken: Sealed;
  /** undefined keeps the stored refresh token (RFC 6749 §6: the server may not send a new one)… */
  refreshToken: Sealed | undefined;
  /** …unless this is a new grant (Connect), whose tokens replace the old grant's entirely. */
  replaceRefreshToken: boolean;
  tokenType: string | null;
  obtainedAt: Date;
  expiresAt: Date | null;
  refreshAt: Date | null;
  configFingerprint: string;
}

/** A successful token request: new tokens, VALID, every failure mark cleared. */
export async function saveObtainedToken(db: Queryable, siteId: string, token: ObtainedToken): Promise<TokenRow> {
  const { rows } = await db.query<TokenRow>(
    `INSERT INTO site_token (site_id, status, access_token, refresh_token, token_type, obtained_at, expires_at, refresh_at,
                             config_fingerprint, refreshing_since, last_error, failed_at, needs_reconnect, retry_at, updated_at)
     VALUES ($1, 'VALID', $2, $3, $4, $5, $6, $7, $8, NULL, NULL, NULL, false, NULL, now())
     ON CONFLICT (site_id) DO UPDATE SET
       status = 'VALID', access_token = EXCLUDED.access_token,
       refresh_token = CASE WHEN $9 THEN EXCLUDED.refresh_token ELSE COALESCE(EXCLUDED.refresh_token, site_token.refresh_token) END,
       token_type = EXCLUDED.token_type, obtained_at = EXCLUDED.obtained_at, expires_at = EXCLUDED.expires_at,
       refresh_at = EXCLUDED.refresh_at, config_fingerprint = EXCLUDED.config_fingerprint, refreshing_since = NULL,
       last_error = NULL, failed_at = NULL, needs_reconnect = false, retry_at = NULL, updated_at = now()
     RETURNING ${TOKEN_COLUMNS}`,
    [siteId, token.accessToken, token.refreshToken ?? null, token.tokenType, token.obtainedAt, token.expiresAt, token.refreshAt, token.configFingerprint, token.replaceRefreshToken],
  );
  return rows[0]!;
}

export interface TokenFailure {
  error: string;
  needsReconnect: boolean;
  retryAt: Date | null;
  /** invalid_grant on a refresh: the refresh token is dead, drop it. */
  dropRefreshToken: boolean;
}

/** A failed token request: FAILED with the reason; a still-valid access token is kept for use until it expires. */
export async function saveTokenFailure(db: Queryable, siteId: string, failure: TokenFailure): Promise<TokenRow> {
  const { rows } = await db.query<TokenRow>(
    `INSERT INTO site_token (site_id, status, last_error, failed_at, needs_reconnect, retry_at, updated_at)
     VALUES ($1, 'FAILED', $2, now(), $3, $4, now())
     ON CONFLICT (site_id) DO UPDATE SET
       status = 'FAILED', last_error = EXCLUDED.last_error, failed_at = now(), needs_reconnect = EXCLUDED.needs_reconnect,
       retry_at = EXCLUDED.retry_at, refreshing_since = NULL,
       refresh_token = CASE WHEN $5 THEN NULL ELSE site_token.refresh_token END, updated_at = now()
     RETURNING ${TOKEN_COLUMNS}`,
    [siteId, failure.error, failure.needsReconnect, failure.retryAt, failure.dropRefreshToken],
  );
  return rows[0]!;
}

/** Marks a token request in flight (the REFRESHING state), creating the row for a site's first request. */
export async function markRefreshing(db: Queryable, siteId: string): Promise<TokenRow> {
  const { rows } = await db.query<TokenRow>(
    `INSERT INTO site_token (site_id, status, refreshing_since, updated_at) VALUES ($1, 'NONE', now(), now())
     ON CONFLICT (site_id) DO UPDATE SET refreshing_since = now(), updated_at = now()
     RETURNING ${TOKEN_COLUMNS}`,
    [siteId],
  );
  return rows[0]!;
}

/** Forgets a token obtained under a config that has since changed. */
export async function deleteToken(db: Queryable, siteId: string): Promise<void> {
  await db.query('DELETE FROM site_token WHERE site_id = $1', [siteId]);
}

/**
 * Moves every token whose time has come to EXPIRED (then EXPIRING) and returns the rows that
 * moved. The status condition makes each transition happen once across all processes, so each
 * is published once.
 */
export async function expireTokens(db: Queryable): Promise<TokenRow[]> {
  const { rows } = await db.query<TokenRow>(
    `UPDATE site_token SET status = 'EXPIRED', updated_at = now()
     WHERE status IN ('VALID', 'EXPIRING') AND expires_at <= now()
     RETURNING ${TOKEN_COLUMNS}`,
  );
  return rows;
}

export async function markExpiringTokens(db: Queryable): Promise<TokenRow[]> {
  const { rows } = await db.query<TokenRow>(
    `UPDATE site_token SET status = 'EXPIRING', updated_at = now()
     WHERE status = 'VALID' AND refresh_at <= now() AND (expires_at IS NULL OR expires_at > now())
     RETURNING ${TOKEN_COLUMNS}`,
  );
  return rows;
}

/** Which sites have tokens and how they renew, from the auth methods' definitions (auth/registry.ts). */
export interface RenewalRule {
  /** Methods that send an OAuth2 access token. */
  tokenMethods: readonly string[];
  /** Of those, the ones a person connects: renewed only with a refresh token, never fetched from nothing. */
  connectMethods: readonly string[];
  /** A REFRESHING mark older than this belongs to a process that died mid-request. */
  staleRefreshingMs: number;
}

/**
 * ACTIVE sites whose token the service renews by itself now: sites of a token method that is not
 * connected by a person with no token yet or one due for renewal, and connected sites holding a
 * refresh token. Failures that need a person, and failures still inside their retry pause, are
 * skipped — unless the site was edited after the failure. The per-method part of the rule comes
 * from the definitions (`rule`), so this query names no method.
 */
export async function findTokensToRenew(db: Queryable, rule: RenewalRule): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT s.id FROM site s LEFT JOIN site_token t ON t.site_id = s.id
     WHERE s.status = 'ACTIVE'
       AND s.auth_method = ANY($1::text[])
       AND (t.site_id IS NULL AND s.auth_method <> ALL($2::text[])
            OR t.site_id IS NOT NULL
               AND (s.auth_method <> ALL($2::text[]) OR t.refresh_token IS NOT NULL)
               AND (t.refreshing_since IS NULL OR t.refreshing_since < now() - $3::int * interval '1 millisecond')
               AND (t.status IN ('EXPIRING', 'EXPIRED') OR t.refresh_at <= now() OR t.access_token IS NULL
                    OR t.status = 'FAILED'
                       AND (t.failed_at < s.updated_at OR NOT t.needs_reconnect AND (t.retry_at IS NULL OR t.retry_at <= now()))))
     LIMIT 100`,
    [rule.tokenMethods, rule.connectMethods, rule.staleRefreshingMs],
  );
  return rows.map((r) => r.id);
}

export interface HistoryEntry {
  siteId: string;
  grantType: string;
  trigger: string;
  outcome: 'SUCCEEDED' | 'FAILED';
  httpStatus: number | null;
  error: string | null;
  expiresAt: Date | null;
  refreshTokenRotated: boolean;
  durationMs: number | null;
}

export interface HistoryRow extends HistoryEntry {
  id: string;
  at: Date;
}

export async function insertHistory(db: Queryable, entry: HistoryEntry): Promise<void> {
  await db.query(
    `INSERT INTO token_history (site_id, grant_type, trigger, outcome, http_status, error, expires_at, refresh_token_rotated, duration_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [entry.siteId, entry.grantType, entry.trigger, entry.outcome, entry.httpStatus, entry.error, entry.expiresAt, entry.refreshTokenRotated, entry.durationMs],
  );
}

export async function listHistory(db: Queryable, siteId: string, first: number): Promise<HistoryRow[]> {
  const { rows } = await db.query<HistoryRow>(
    `SELECT id::text AS id, site_id AS "siteId", at, grant_type AS "grantType", trigger, outcome, http_status AS "httpStatus",
            error, expires_at AS "expiresAt", refresh_token_rotated AS "refreshTokenRotated", duration_ms AS "durationMs"
     FROM token_history WHERE site_id = $1 ORDER BY id DESC LIMIT $2`,
    [siteId, first],
  );
  return rows;
}

export interface PendingConnect {
  siteId: string;
  codeVerifier: Sealed;
  redirectUri: string;
  expiresAt: Date;
}

export async function insertOAuthState(db: Queryable, stateHash: string, connect: PendingConnect): Promise<void> {
  // Old, unused states of any site go on the way in: no separate sweeper needed.
  await db.query(`DELETE FROM oauth_state WHERE expires_at < now() - interval '1 hour'`);
  await db.query(
    `INSERT INTO oauth_state (state_hash, site_id, code_verifier, redirect_uri, expires_at) VALUES ($1, $2, $3, $4, $5)`,
    [stateHash, connect.siteId, connect.codeVerifier, connect.redirectUri, connect.expiresAt],
  );
}

/** Takes a state out (single use): the DELETE is the check, so two callbacks with one state cannot both win. */
export async function consumeOAuthState(db: Queryable, stateHash: string, siteId: string): Promise<PendingConnect | undefined> {
  const { rows } = await db.query<PendingConnect>(
    `DELETE FROM oauth_state WHERE state_hash = $1 AND site_id = $2
     RETURNING site_id AS "siteId", code_verifier AS "codeVerifier", redirect_uri AS "redirectUri", expires_at AS "expiresAt"`,
    [stateHash, siteId],
  );
  const row = rows[0];
  return row && row.expiresAt.getTime() > Date.now() ? row : undefined;
}
