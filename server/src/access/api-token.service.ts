import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { FieldErrors } from '../validation/field-errors.js';
import { checkDisplayName, required } from '../validation/checks.js';
import { ADVISORY_LOCKS } from '../db/locks.js';
import { withTransaction } from '../db/sql.js';
import { API_TOKEN_REVOKED, EVENTS_CHANNEL } from '../db/pubsub.js';
import { badInput, conflict, isUuid, notFound } from '../graphql/errors.js';
import type { ApiToken, ApiTokenInput, CreatedApiToken } from './api-token.types.js';
import { type AccessTokens, type Principal, ROLES, type Role, generateToken, hashToken, isRole } from './tokens.js';

export const TOKEN_NAME_MAX = 100;

interface ApiTokenRow {
  id: string;
  name: string;
  role: Role;
  created_at: Date;
  last_used_at: Date | null;
}

function toApiToken(row: ApiTokenRow): ApiToken {
  return { id: row.id, name: row.name, role: row.role, createdAt: row.created_at, lastUsedAt: row.last_used_at };
}

/** Listing, creating and revoking API tokens (ADMIN). The plaintext of a token exists only in the answer to its creation. */
export class ApiTokenService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly accessTokens: AccessTokens,
  ) {}

  async list(): Promise<ApiToken[]> {
    const { rows } = await this.pool.query<ApiTokenRow>(
      'SELECT id, name, role, created_at, last_used_at FROM api_token ORDER BY created_at DESC, id DESC',
    );
    return rows.map(toApiToken);
  }

  /** Checks the input (every problem at once, by field path) and stores the new token's hash; nothing is written when it throws. */
  async create(input: ApiTokenInput): Promise<CreatedApiToken> {
    const errors = new FieldErrors();
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (required(errors, 'name', name, 'Name') && name.length > TOKEN_NAME_MAX) errors.add('name', `Must be at most ${TOKEN_NAME_MAX} characters`);
    checkDisplayName(errors, 'name', typeof input.name === 'string' ? input.name : name);
    if (!isRole(input.role)) errors.add('role', `Must be one of ${ROLES.join(', ')}`);
    if (!errors.empty) throw badInput(errors.list);

    const secret = generateToken();
    return withTransaction(this.pool, async (client) => {
      // Serialised, so two requests cannot both take a free name.
      await client.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.API_TOKEN_CREATE]);
      const clash = await client.query<{ name: string }>('SELECT name FROM api_token WHERE lower(name) = lower($1) LIMIT 1', [name]);
      if (clash.rows[0]) {
        throw badInput([{ path: 'name', message: `A token named "${clash.rows[0].name}" already exists (names are compared without case)` }]);
      }
      const { rows } = await client.query<ApiTokenRow>(
        `INSERT INTO api_token (id, name, token_hash, role) VALUES ($1, $2, $3, $4)
         RETURNING id, name, role, created_at, last_used_at`,
        [randomUUID(), name, hashToken(secret), input.role],
      );
      return { token: toApiToken(rows[0]!), secret };
    });
  }

  /**
   * Deletes the token. The same statement publishes the revocation (sent at commit), so every
   * process drops its cached lookup; this one does so before answering.
   */
  async revoke(id: string, caller: Principal): Promise<boolean> {
    if (!isUuid(id)) throw notFound('API token', id);
    if (id === caller.tokenId) {
      throw conflict('This request is authenticated with this token: revoke it with another ADMIN token, so you cannot lock yourself out by accident');
    }
    const { rowCount } = await this.pool.query(
      `WITH gone AS (DELETE FROM api_token WHERE id = $1 RETURNING id)
       SELECT pg_notify($2, json_build_object('topic', $3::text, 'payload', json_build_object('tokenId', id))::text) FROM gone`,
      [id, EVENTS_CHANNEL, API_TOKEN_REVOKED],
    );
    if (!rowCount) throw notFound('API token', id);
    this.accessTokens.forget(id);
    return true;
  }
}
