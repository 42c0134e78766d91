import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { databaseOutage, isDatabaseUnreachable } from '../db/outage.js';
import { API_TOKEN_REVOKED } from '../db/pubsub.js';
import { log } from '../log.js';

/** Roles, from least to most: VIEWER reads, EDITOR also changes sites and sends, ADMIN also manages tokens. */
export const ROLES = ['VIEWER', 'EDITOR', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}

/** Who is calling; kept in the GraphQL context so resolvers can check roles. */
export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
}

const RANK: Record<Role, number> = { VIEWER: 1, EDITOR: 2, ADMIN: 3 };

export function hasRole(principal: Principal, needed: Role): boolean {
  return RANK[principal.role] >= RANK[needed];
}

/** The principal of TRUSTED_SITES_ADMIN_TOKEN: no row, never revoked. */
const ENV_TOKEN_ID = 'env';
/** How long a lookup is trusted without asking the database; revocation does not wait for it (see forget). */
const CACHE_MS = 10_000;
/** last_used_at is written at most this often per token, so authenticating stays a read. */
const TOUCH_EVERY_MS = 60_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(): string {
  return `ts_${randomBytes(32).toString('base64url')}`;
}

/** Looks tokens up by hash: the plaintext is never stored. */
export class AccessTokens {
  private readonly envHash: Buffer | undefined;
  private readonly cache = new Map<string, { principal: Principal | null; at: number }>();
  /** Bumped by every forget and resync: a lookup that started before it must not cache what it read. */
  private generation = 0;
  private resyncRound = 0;
  /** tokenId → when this process last wrote its last_used_at. */
  private readonly touched = new Map<string, number>();
  /** tokenId → callbacks of long-lived connections (WebSocket) opened with it, closed on revocation. */
  private readonly revokeListeners = new Map<string, Set<() => void>>();
  private readonly resyncedListeners = new Set<() => void>();

  constructor(
    private readonly pool: pg.Pool,
    envToken: string | undefined,
  ) {
    this.envHash = envToken ? Buffer.from(hashToken(envToken), 'hex') : undefined;
  }

  /**
   * With TRUSTED_SITES_ADMIN_TOKEN unset and no token stored yet, makes one, stores its hash and
   * writes it to DATA_DIR/admin-token (0600) for the operator.
   */
  async ensureAdminToken(dataDir: string): Promise<void> {
    if (this.envHash) return;
    const existing = await this.pool.query(`SELECT 1 FROM api_token WHERE role = 'ADMIN' LIMIT 1`);
    const file = path.join(dataDir, 'admin-token');
    if (existing.rowCount) {
      if (fs.existsSync(file)) log.info(`admin API token: in ${file}`);
      return;
    }
    const token = generateToken();
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, token + '\n', { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    await this.pool.query(`INSERT INTO api_token (id, name, token_hash, role) VALUES ($1, $2, $3, 'ADMIN') ON CONFLICT DO NOTHING`, [
      randomUUID(),
      'generated admin token',
      hashToken(token),
    ]);
    log.info(`generated an admin API token; it is in ${file} (readable by its owner only)`);
  }

  async authenticate(header: string | undefined): Promise<Principal | null> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) return null;
    const token = match[1]!;
    const digest = hashToken(token);
    if (this.envHash && timingSafeEqual(Buffer.from(digest, 'hex'), this.envHash)) {
      return { tokenId: ENV_TOKEN_ID, name: 'TRUSTED_SITES_ADMIN_TOKEN', role: 'ADMIN' };
    }
    const cached = this.cache.get(digest);
    let principal: Principal | null;
    if (cached && Date.now() - cached.at < CACHE_MS) {
      principal = cached.principal;
    } else {
      const generation = this.generation;
      const { rows } = await this.pool.query<{ id: string; name: string; role: Role }>(
        'SELECT id, name, role FROM api_token WHERE token_hash = $1',
        [digest],
      );
      principal = rows[0] ? { tokenId: rows[0].id, name: rows[0].name, role: rows[0].role } : null;
      // A revocation heard while the row was being read may have removed what was just read.
      if (generation === this.generation) {
        if (this.cache.size > 10_000) this.cache.clear();
        this.cache.set(digest, { principal, at: Date.now() });
      } else if (principal) {
        return this.authenticate(header);
      }
    }
    if (principal) await this.touch(principal.tokenId);
    return principal;
  }

  /**
   * Drops every cached lookup of a revoked token and closes the connections opened with it. Called
   * by the process that revoked it, and by every process when the revocation event arrives.
   */
  forget(tokenId: string): void {
    this.generation += 1;
    for (const [digest, entry] of this.cache) if (entry.principal?.tokenId === tokenId) this.cache.delete(digest);
    this.touched.delete(tokenId);
    const listeners = this.revokeListeners.get(tokenId);
    this.revokeListeners.delete(tokenId);
    for (const listener of listeners ?? []) listener();
  }

  /**
   * Hears revocations from every process of the deployment (the DELETE publishes them), and
   * catches up on those it could not hear when the pubsub was cut off (see resync).
   */
  listen(pubsub: {
    on(topic: string, listener: (payload: unknown) => void): () => void;
    onResync?(listener: () => Promise<void>): () => void;
  }): () => void {
    const offRevoked = pubsub.on(API_TOKEN_REVOKED, (payload) => {
      const tokenId = (payload as { tokenId?: unknown } | null)?.tokenId;
      if (typeof tokenId === 'string') this.forget(tokenId);
    });
    const offResync = pubsub.onResync?.(async () => {
      try {
        await this.resync();
      } finally {
        for (const listener of [...this.resyncedListeners]) listener();
      }
    });
    return () => {
      offRevoked();
      offResync?.();
    };
  }

  /**
   * After events may have been missed (the pubsub lost its connection): no cached lookup is
   * trusted any more, and every token with open connections (WebSocket) is looked up again, so
   * one revoked meanwhile in another process closes its sockets now rather than never. Tries
   * again while the database is still coming back; a newer resync takes over from an older one.
   */
  async resync(): Promise<void> {
    this.generation += 1;
    this.cache.clear();
    const round = ++this.resyncRound;
    for (let attempt = 0; round === this.resyncRound; attempt++) {
      const ids = [...this.revokeListeners.keys()].filter((id) => id !== ENV_TOKEN_ID);
      if (!ids.length) return;
      try {
        const { rows } = await this.pool.query<{ id: string }>('SELECT id FROM api_token WHERE id = ANY($1::uuid[])', [ids]);
        const present = new Set(rows.map((row) => row.id));
        for (const id of ids) if (!present.has(id)) this.forget(id);
        return;
      } catch (error) {
        if (!isDatabaseUnreachable(error) || attempt >= 30) throw error;
        databaseOutage.failed('API token check', error);
        await sleep(Math.min(5000, 100 * 2 ** attempt), undefined, { ref: false });
      }
    }
  }

  /**
   * Calls `listener` after each resync that followed a reconnect (also one that gave up), once the
   * tokens revoked meanwhile have been forgotten and their sockets closed as revoked.
   */
  onResynced(listener: () => void): () => void {
    this.resyncedListeners.add(listener);
    return () => this.resyncedListeners.delete(listener);
  }

  /** Calls `listener` once if the token is revoked; the returned function unregisters it. */
  onRevoked(tokenId: string, listener: () => void): () => void {
    let set = this.revokeListeners.get(tokenId);
    if (!set) this.revokeListeners.set(tokenId, (set = new Set()));
    set.add(listener);
    return () => {
      set!.delete(listener);
      if (set!.size === 0 && this.revokeListeners.get(tokenId) === set) this.revokeListeners.delete(tokenId);
    };
  }

  /** Keeps last_used_at within a minute of the truth with one small write per token per minute. */
  private async touch(tokenId: string): Promise<void> {
    const now = Date.now();
    const last = this.touched.get(tokenId);
    if (last !== undefined && now - last < TOUCH_EVERY_MS) return;
    if (this.touched.size > 10_000) this.touched.clear();
    this.touched.set(tokenId, now);
    try {
      // The condition keeps several processes from writing the same minute twice.
      await this.pool.query(
        `UPDATE api_token SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
        [tokenId],
      );
    } catch (error) {
      if (isDatabaseUnreachable(error)) databaseOutage.failed('API token last use', error);
      else log.debug('could not record an API token\'s last use', { tokenId, error: (error as Error).message });
    }
  }
}
