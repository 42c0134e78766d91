import { createHash } from 'node:crypto';
import type { OutgoingRequest, Secrets, SignContext } from '../types.js';
import type { JwtAuth, JwtSecret } from './config.js';
import { type SignedToken, mintJwt, withBearer } from './sign.js';

/**
 * Reuses a signed JWT instead of signing one per request.
 *
 * A token is reused while `now < exp - margin`, where the margin is 20% of the token's lifetime,
 * capped at 60 seconds: a receiver whose clock runs up to a minute ahead, or a request that is
 * retried a few seconds later, still sees an unexpired token, and a short-lived token (a
 * "1 minute" TTL) is still reused for most of its life (48 s). A token is never reused before its
 * own `iat` (a clock that went backwards). Receivers that also limit a token's age from `iat`
 * should get a TTL no longer than that limit.
 *
 * The key is a SHA-256 over everything that goes into the token — algorithm, claims, time-to-live
 * and the secret or private key — so an edited site, a new claim or a rotated secret misses the
 * cache at once. Only the digest is kept, never the secret. At most `maxEntries` tokens are held;
 * the least recently used goes first.
 *
 * Not pure in the sense of docs/design.md rule 3: the token returned for `now` may carry an earlier `iat`.
 * It stays deterministic given the cache's contents, and `signJwt` remains the pure signer.
 */
export const MAX_REUSE_MARGIN_SECONDS = 60;
export const REUSE_MARGIN_FRACTION = 0.2;

export function reuseMarginSeconds(token: Pick<SignedToken, 'iat' | 'exp'>): number {
  return Math.min(MAX_REUSE_MARGIN_SECONDS, (token.exp - token.iat) * REUSE_MARGIN_FRACTION);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function tokenCacheKey(config: JwtAuth, secrets: Secrets<JwtSecret>): string {
  return createHash('sha256')
    .update(stableJson([config.algorithm, config.timeToLive, config.payload ?? {}, secrets.secret ?? null, secrets.privateKey ?? null]))
    .digest('base64url');
}

export class JwtTokenCache {
  private readonly tokens = new Map<string, SignedToken>();
  hits = 0;
  misses = 0;

  constructor(readonly maxEntries = 1000) {}

  get size(): number {
    return this.tokens.size;
  }

  async token(config: JwtAuth, secrets: Secrets<JwtSecret>, now: Date): Promise<SignedToken> {
    const key = tokenCacheKey(config, secrets);
    const seconds = now.getTime() / 1000;
    const cached = this.tokens.get(key);
    if (cached && seconds >= cached.iat && seconds < cached.exp - reuseMarginSeconds(cached)) {
      // Re-insert so that Map order is least-recently-used first.
      this.tokens.delete(key);
      this.tokens.set(key, cached);
      this.hits++;
      return cached;
    }
    this.misses++;
    const fresh = await mintJwt(config, secrets, now);
    this.tokens.delete(key);
    this.tokens.set(key, fresh);
    while (this.tokens.size > this.maxEntries) this.tokens.delete(this.tokens.keys().next().value!);
    return fresh;
  }

  clear(): void {
    this.tokens.clear();
  }

  /** A signer with the registry's signature that draws from this cache. */
  signer() {
    return async (config: JwtAuth, secrets: Secrets<JwtSecret>, request: OutgoingRequest, context: SignContext): Promise<OutgoingRequest> =>
      withBearer(request, (await this.token(config, secrets, context.now)).token);
  }
}

/** The process-wide cache behind the registry's JWT row. */
export const jwtTokenCache = new JwtTokenCache();
export const signJwtCached = jwtTokenCache.signer();
