import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { log } from '../log.js';

/** Roles, from least to most: VIEWER reads, EDITOR also changes sites and sends, ADMIN also manages tokens. */
export type Role = 'VIEWER' | 'EDITOR' | 'ADMIN';

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

function hash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(): string {
  return `ts_${randomBytes(32).toString('base64url')}`;
}

/** Looks tokens up by hash: the plaintext is never stored. */
export class AccessTokens {
  private readonly envHash: Buffer | undefined;
  private readonly cache = new Map<string, { principal: Principal | null; at: number }>();

  constructor(
    private readonly pool: pg.Pool,
    envToken: string | undefined,
  ) {
    this.envHash = envToken ? Buffer.from(hash(envToken), 'hex') : undefined;
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
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, token + '\n', { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    await this.pool.query(`INSERT INTO api_token (id, name, token_hash, role) VALUES ($1, $2, $3, 'ADMIN') ON CONFLICT DO NOTHING`, [
      randomUUID(),
      'generated admin token',
      hash(token),
    ]);
    log.info(`generated an admin API token; it is in ${file} (readable by its owner only)`);
  }

  async authenticate(header: string | undefined): Promise<Principal | null> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) return null;
    const token = match[1]!;
    const digest = hash(token);
    if (this.envHash && timingSafeEqual(Buffer.from(digest, 'hex'), this.envHash)) {
      return { tokenId: 'env', name: 'TRUSTED_SITES_ADMIN_TOKEN', role: 'ADMIN' };
    }
    const cached = this.cache.get(digest);
    if (cached && Date.now() - cached.at < 10_000) return cached.principal;
    const { rows } = await this.pool.query<{ id: string; name: string; role: Role }>(
      'SELECT id, name, role FROM api_token WHERE token_hash = $1',
      [digest],
    );
    const principal = rows[0] ? { tokenId: rows[0].id, name: rows[0].name, role: rows[0].role } : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(digest, { principal, at: Date.now() });
    return principal;
  }
}
