import { secretContext } from '../sites/site.service.js';
import { type StoredHeader, headerSecretKey } from '../sites/static-headers.js';
import { type StoredSigning, signingSecretKey } from '../sites/payload-signing.js';
import { CLIENT_KEY_FIELD } from '../sites/client-certificate.js';
import { accessContext, refreshContext, verifierContext } from '../oauth/token.service.js';
import { type SecretBox, type Sealed, sealedKeyId } from './secrets.js';
import type { Queryable } from '../db/sql.js';

/**
 * Every place a sealed value is stored, and how to re-seal it there (master-key rotation). A new
 * column holding a sealed value needs a row here, or rotation leaves it under the old key (the
 * `--check` count would not see it either).
 */

/** One value that could not be re-sealed: where it is and why (never the value). */
export interface RotationFailure {
  table: string;
  record: string;
  field: string;
  reason: string;
}

export interface BatchResult {
  /** Rows locked and looked at. */
  claimed: number;
  /** Rows written back with every value under the sealing key. */
  rows: number;
  values: number;
  failures: RotationFailure[];
}

export interface SealedTable {
  /** How reports name it. */
  name: string;
  /**
   * In the caller's transaction: locks up to `limit` rows holding a value not sealed under the
   * sealing key (skipping rows others hold, and `skip`), re-seals their values and writes them back.
   */
  rotateBatch(client: Queryable, box: SecretBox, limit: number, skip: readonly string[]): Promise<BatchResult & { failedRecords: string[] }>;
  /** Rows still holding a value not under the sealing key, locked or not (besides `skip`). */
  countPending(db: Queryable, sealingKeyId: string, skip: readonly string[]): Promise<number>;
  /** How many values are sealed under each key id. */
  countByKey(db: Queryable): Promise<Map<string, number>>;
}

interface Value {
  field: string;
  sealed: string | null;
  context: string;
}

/** Re-seals the values of one locked row; undefined (and failures) if any cannot be opened. */
function resealRow(box: SecretBox, table: string, record: string, values: Value[], failures: RotationFailure[]): Map<string, Sealed | null> | undefined {
  const out = new Map<string, Sealed | null>();
  let ok = true;
  for (const value of values) {
    if (value.sealed === null) {
      out.set(value.field, null);
    } else if (sealedKeyId(value.sealed) === box.sealingKeyId) {
      out.set(value.field, value.sealed as Sealed);
    } else {
      try {
        out.set(value.field, box.reseal(value.sealed as Sealed, value.context));
      } catch (error) {
        ok = false;
        failures.push({ table, record, field: value.field, reason: (error as Error).message || 'does not open with its key (altered or copied from elsewhere)' });
      }
    }
  }
  return ok ? out : undefined;
}

function countRows(rows: Array<{ keyId: string; count: number }>): Map<string, number> {
  return new Map(rows.map((r) => [r.keyId, Number(r.count)]));
}

const SITE_PENDING = `EXISTS (SELECT 1 FROM jsonb_each_text(COALESCE(auth->'sealed', '{}'::jsonb)) s
                              WHERE s.value IS NOT NULL AND split_part(s.value, '.', 2) <> $1)
                      AND NOT (id = ANY($2::uuid[]))`;

/** Sites' auth secrets: `site.auth->'sealed'`, one value per secret field. */
export const siteSecrets: SealedTable = {
  name: 'site secrets',
  async rotateBatch(client, box, limit, skip) {
    const { rows } = await client.query<{ id: string; sealed: Record<string, string | null> | null }>(
      `SELECT id::text AS id, auth->'sealed' AS sealed FROM site WHERE ${SITE_PENDING}
       ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [box.sealingKeyId, skip, limit],
    );
    const failures: RotationFailure[] = [];
    const failedRecords: string[] = [];
    const updates: Array<{ id: string; sealed: Record<string, string | null> }> = [];
    let values = 0;
    for (const row of rows) {
      const fields = Object.entries(row.sealed ?? {}).map(([field, sealed]) => ({ field, sealed, context: secretContext(row.id, field) }));
      const resealed = resealRow(box, this.name, row.id, fields, failures);
      if (!resealed) {
        failedRecords.push(row.id);
        continue;
      }
      values += fields.filter((f) => f.sealed !== null && sealedKeyId(f.sealed) !== box.sealingKeyId).length;
      updates.push({ id: row.id, sealed: Object.fromEntries(resealed) });
    }
    // Only the sealed values change: updated_at stays (it says when a person last edited the site).
    if (updates.length) {
      await client.query(
        `UPDATE site SET auth = jsonb_set(site.auth, '{sealed}', x.sealed)
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, sealed jsonb) WHERE site.id = x.id`,
        [JSON.stringify(updates)],
      );
    }
    return { claimed: rows.length, rows: updates.length, values, failures, failedRecords };
  },
  async countPending(db, sealingKeyId, skip) {
    const { rows } = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM site WHERE ${SITE_PENDING}`, [sealingKeyId, skip]);
    return rows[0]!.count;
  },
  async countByKey(db) {
    const { rows } = await db.query<{ keyId: string; count: number }>(
      `SELECT split_part(s.value, '.', 2) AS "keyId", count(*)::int AS count
       FROM site, jsonb_each_text(COALESCE(auth->'sealed', '{}'::jsonb)) s WHERE s.value IS NOT NULL GROUP BY 1`,
    );
    return countRows(rows);
  },
};

const HEADERS_PENDING = `EXISTS (SELECT 1 FROM jsonb_array_elements(headers) h
                                 WHERE h->>'sealed' IS NOT NULL AND split_part(h->>'sealed', '.', 2) <> $1)
                         AND NOT (id = ANY($2::uuid[]))`;

/** Sites' secret static headers: `site.headers`, an array whose secret entries hold `sealed` (sites/static-headers.ts). */
export const siteHeaderSecrets: SealedTable = {
  name: 'site static headers',
  async rotateBatch(client, box, limit, skip) {
    const { rows } = await client.query<{ id: string; headers: StoredHeader[] }>(
      `SELECT id::text AS id, headers FROM site WHERE ${HEADERS_PENDING} ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [box.sealingKeyId, skip, limit],
    );
    const failures: RotationFailure[] = [];
    const failedRecords: string[] = [];
    const updates: Array<{ id: string; headers: StoredHeader[] }> = [];
    let values = 0;
    for (const row of rows) {
      const fields = row.headers
        .filter((h) => h.sealed !== null)
        .map((h) => ({ field: headerSecretKey(h.name), sealed: h.sealed, context: secretContext(row.id, headerSecretKey(h.name)) }));
      const resealed = resealRow(box, this.name, row.id, fields, failures);
      if (!resealed) {
        failedRecords.push(row.id);
        continue;
      }
      values += fields.filter((f) => sealedKeyId(f.sealed!) !== box.sealingKeyId).length;
      // The row is locked: the list written back is the one read, with only the sealed values changed.
      updates.push({ id: row.id, headers: row.headers.map((h) => (h.sealed !== null ? { ...h, sealed: resealed.get(headerSecretKey(h.name))! } : h)) });
    }
    if (updates.length) {
      await client.query(
        `UPDATE site SET headers = x.headers FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, headers jsonb) WHERE site.id = x.id`,
        [JSON.stringify(updates)],
      );
    }
    return { claimed: rows.length, rows: updates.length, values, failures, failedRecords };
  },
  async countPending(db, sealingKeyId, skip) {
    const { rows } = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM site WHERE ${HEADERS_PENDING}`, [sealingKeyId, skip]);
    return rows[0]!.count;
  },
  async countByKey(db) {
    const { rows } = await db.query<{ keyId: string; count: number }>(
      `SELECT split_part(h->>'sealed', '.', 2) AS "keyId", count(*)::int AS count
       FROM site, jsonb_array_elements(headers) h WHERE h->>'sealed' IS NOT NULL GROUP BY 1`,
    );
    return countRows(rows);
  },
};

const SIGNING_PENDING = `EXISTS (SELECT 1 FROM jsonb_array_elements(signing->'secrets') k
                                 WHERE split_part(k->>'sealed', '.', 2) <> $1)
                         AND NOT (id = ANY($2::uuid[]))`;

/**
 * Sites' payload-signing secrets: `site.signing->'secrets'` (sites/payload-signing.ts). Ended ones
 * still stored are re-sealed too: nothing sealed is left under a key about to be retired.
 */
export const siteSigningSecrets: SealedTable = {
  name: 'site signing secrets',
  async rotateBatch(client, box, limit, skip) {
    const { rows } = await client.query<{ id: string; signing: StoredSigning }>(
      `SELECT id::text AS id, signing FROM site WHERE ${SIGNING_PENDING} ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [box.sealingKeyId, skip, limit],
    );
    const failures: RotationFailure[] = [];
    const failedRecords: string[] = [];
    const updates: Array<{ id: string; signing: StoredSigning }> = [];
    let values = 0;
    for (const row of rows) {
      const fields = row.signing.secrets.map((k) => ({ field: signingSecretKey(k.id), sealed: k.sealed, context: secretContext(row.id, signingSecretKey(k.id)) }));
      const resealed = resealRow(box, this.name, row.id, fields, failures);
      if (!resealed) {
        failedRecords.push(row.id);
        continue;
      }
      values += fields.filter((f) => sealedKeyId(f.sealed) !== box.sealingKeyId).length;
      // The row is locked: what is written back is what was read, with only the sealed values changed.
      updates.push({ id: row.id, signing: { ...row.signing, secrets: row.signing.secrets.map((k) => ({ ...k, sealed: resealed.get(signingSecretKey(k.id))! })) } });
    }
    if (updates.length) {
      await client.query(
        `UPDATE site SET signing = x.signing FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, signing jsonb) WHERE site.id = x.id`,
        [JSON.stringify(updates)],
      );
    }
    return { claimed: rows.length, rows: updates.length, values, failures, failedRecords };
  },
  async countPending(db, sealingKeyId, skip) {
    const { rows } = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM site WHERE ${SIGNING_PENDING}`, [sealingKeyId, skip]);
    return rows[0]!.count;
  },
  async countByKey(db) {
    const { rows } = await db.query<{ keyId: string; count: number }>(
      `SELECT split_part(k->>'sealed', '.', 2) AS "keyId", count(*)::int AS count
       FROM site, jsonb_array_elements(signing->'secrets') k GROUP BY 1`,
    );
    return countRows(rows);
  },
};

const CLIENT_KEY_PENDING = `client_certificate IS NOT NULL AND split_part(client_certificate->>'sealedKey', '.', 2) <> $1
                            AND NOT (id = ANY($2::uuid[]))`;

/** Sites' client-certificate private keys: `site.client_certificate->>'sealedKey'` (sites/client-certificate.ts). */
export const siteClientKeys: SealedTable = {
  name: 'site client certificate keys',
  async rotateBatch(client, box, limit, skip) {
    const { rows } = await client.query<{ id: string; sealed: string }>(
      `SELECT id::text AS id, client_certificate->>'sealedKey' AS sealed FROM site WHERE ${CLIENT_KEY_PENDING} ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [box.sealingKeyId, skip, limit],
    );
    const failures: RotationFailure[] = [];
    const failedRecords: string[] = [];
    const updates: Array<{ id: string; sealed: string }> = [];
    for (const row of rows) {
      const resealed = resealRow(box, this.name, row.id, [{ field: CLIENT_KEY_FIELD, sealed: row.sealed, context: secretContext(row.id, CLIENT_KEY_FIELD) }], failures);
      if (!resealed) {
        failedRecords.push(row.id);
        continue;
      }
      updates.push({ id: row.id, sealed: resealed.get(CLIENT_KEY_FIELD)! });
    }
    // Only the sealed key changes; the certificate, its version id (the outgoing clients' agents) and updated_at stay.
    if (updates.length) {
      await client.query(
        `UPDATE site SET client_certificate = jsonb_set(site.client_certificate, '{sealedKey}', to_jsonb(x.sealed))
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, sealed text) WHERE site.id = x.id`,
        [JSON.stringify(updates)],
      );
    }
    return { claimed: rows.length, rows: updates.length, values: updates.length, failures, failedRecords };
  },
  async countPending(db, sealingKeyId, skip) {
    const { rows } = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM site WHERE ${CLIENT_KEY_PENDING}`, [sealingKeyId, skip]);
    return rows[0]!.count;
  },
  async countByKey(db) {
    const { rows } = await db.query<{ keyId: string; count: number }>(
      `SELECT split_part(client_certificate->>'sealedKey', '.', 2) AS "keyId", count(*)::int AS count
       FROM site WHERE client_certificate IS NOT NULL GROUP BY 1`,
    );
    return countRows(rows);
  },
};

const TOKEN_PENDING = `(split_part(access_token, '.', 2) <> $1 OR split_part(refresh_token, '.', 2) <> $1) AND NOT (site_id = ANY($2::uuid[]))`;

/** OAuth2 access and refresh tokens: `site_token`, one row per site. */
export const oauthTokens: SealedTable = {
  name: 'OAuth tokens',
  async rotateBatch(client, box, limit, skip) {
    const { rows } = await client.query<{ siteId: string; accessToken: string | null; refreshToken: string | null }>(
      `SELECT site_id::text AS "siteId", access_token AS "accessToken", refresh_token AS "refreshToken" FROM site_token
       WHERE ${TOKEN_PENDING} ORDER BY site_id LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [box.sealingKeyId, skip, limit],
    );
    const failures: RotationFailure[] = [];
    const failedRecords: string[] = [];
    const updates: Array<{ site_id: string; access: string | null; refresh: string | null }> = [];
    let values = 0;
    for (const row of rows) {
      const fields = [
        { field: 'access_token', sealed: row.accessToken, context: accessContext(row.siteId) },
        { field: 'refresh_token', sealed: row.refreshToken, context: refreshContext(row.siteId) },
      ];
      const resealed = resealRow(box, this.name, row.siteId, fields, failures);
      if (!resealed) {
        failedRecords.push(row.siteId);
        continue;
      }
      values += fields.filter((f) => f.sealed !== null && sealedKeyId(f.sealed) !== box.sealingKeyId).length;
      updates.push({ site_id: row.siteId, access: resealed.get('access_token') ?? null, refresh: resealed.get('refresh_token') ?? null });
    }
    if (updates.length) {
      await client.query(
        `UPDATE site_token t SET access_token = x.access, refresh_token = x.refresh
         FROM jsonb_to_recordset($1::jsonb) AS x(site_id uuid, access text, refresh text) WHERE t.site_id = x.site_id`,
        [JSON.stringify(updates)],
      );
    }
    return { claimed: rows.length, rows: updates.length, values, failures, failedRecords };
  },
  async countPending(db, sealingKeyId, skip) {
    const { rows } = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM site_token WHERE ${TOKEN_PENDING}`, [sealingKeyId, skip]);
    return rows[0]!.count;
  },
  async countByKey(db) {
    const { rows } = await db.query<{ keyId: string; count: number }>(
      `SELECT split_part(v, '.', 2) AS "keyId", count(*)::int AS count
       FROM site_token, unnest(ARRAY[access_token, refresh_token]) AS v WHERE v IS NOT NULL GROUP BY 1`,
    );
    return countRows(rows);
  },
};

const STATE_PENDING = `split_part(code_verifier, '.', 2) <> $1 AND NOT (state_hash = ANY($2::text[]))`;

/** PKCE verifiers of authorization-code connects still pending: `oauth_state` (minutes-long, but a connect in progress must survive). */
export const pendingConnects: SealedTable = {
  name: 'pending OAuth connects',
  async rotateBatch(client, box, limit, skip) {
    const { rows } = await client.query<{ stateHash: string; siteId: string; codeVerifier: string }>(
      `SELECT state_hash AS "stateHash", site_id::text AS "siteId", code_verifier AS "codeVerifier" FROM oauth_state
       WHERE ${STATE_PENDING} ORDER BY state_hash LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [box.sealingKeyId, skip, limit],
    );
    const failures: RotationFailure[] = [];
    const failedRecords: string[] = [];
    const updates: Array<{ state_hash: string; verifier: string }> = [];
    for (const row of rows) {
      const resealed = resealRow(box, this.name, `site ${row.siteId}`, [{ field: 'code_verifier', sealed: row.codeVerifier, context: verifierContext(row.siteId) }], failures);
      if (!resealed) {
        failedRecords.push(row.stateHash);
        continue;
      }
      updates.push({ state_hash: row.stateHash, verifier: resealed.get('code_verifier')! });
    }
    if (updates.length) {
      await client.query(
        `UPDATE oauth_state o SET code_verifier = x.verifier
         FROM jsonb_to_recordset($1::jsonb) AS x(state_hash text, verifier text) WHERE o.state_hash = x.state_hash`,
        [JSON.stringify(updates)],
      );
    }
    return { claimed: rows.length, rows: updates.length, values: updates.length, failures, failedRecords };
  },
  async countPending(db, sealingKeyId, skip) {
    const { rows } = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM oauth_state WHERE ${STATE_PENDING}`, [sealingKeyId, skip]);
    return rows[0]!.count;
  },
  async countByKey(db) {
    const { rows } = await db.query<{ keyId: string; count: number }>(
      `SELECT split_part(code_verifier, '.', 2) AS "keyId", count(*)::int AS count FROM oauth_state GROUP BY 1`,
    );
    return countRows(rows);
  },
};

export const SEALED_TABLES: readonly SealedTable[] = [siteSecrets, siteHeaderSecrets, siteSigningSecrets, siteClientKeys, oauthTokens, pendingConnects];
