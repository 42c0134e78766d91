import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { CONNECT_METHODS, TOKEN_METHODS, hasTokens, tokensOf } from '../auth/registry.js';
import type { TokenConfig } from '../config.js';
import type { SecretBox } from '../crypto/secrets.js';
import { ADVISORY_LOCK_CLASSES, lockKeyOf } from '../db/locks.js';
import type { Database } from '../db/orm.js';
import { databaseOutage, isDatabaseUnreachable } from '../db/outage.js';
import { badInput, isUuid, notFound } from '../graphql/errors.js';
import { insertSiteEvent } from '../breaker/breaker.sql.js';
import { SiteEventKind } from '../breaker/breaker-states.js';
import { type PgPubSub, TOKEN_STATE_CHANGED } from '../db/pubsub.js';
import { log } from '../log.js';
import type { TokenObserver } from '../metrics/metrics.js';
import type { OutgoingHttp } from '../net/outgoing.js';
import type { Site } from '../sites/site.entity.js';
import type { SiteService } from '../sites/site.service.js';
import { type AccessTokenProvider, TokenUnavailableError } from './provider.js';
import { lifetimeSeconds, refreshAtFor } from './timing.js';
import { GRANT_AUTHORIZATION_CODE, GRANT_REFRESH_TOKEN, type TokenRequest } from '../auth/oauth2-requests.js';
import { TokenRequestError, type TokenResponse, requestToken } from './token-endpoint.js';
import {
  type HistoryRow,
  type TokenRow,
  consumeOAuthState,
  deleteToken,
  expireTokens,
  findTokensToRenew,
  insertHistory,
  insertOAuthState,
  listHistory,
  markExpiringTokens,
  markRefreshing,
  readToken,
  saveObtainedToken,
  saveTokenFailure,
} from './token.sql.js';
import { OAuthConnect, TokenState, type TokenStateEvent, TokenStatus } from './token.types.js';
import { createPool } from '../db/pool.js';

/** The watcher runs every second: while PostgreSQL is away its failures are one line of the outage log, not one a second. */
function watcherFailure(message: string, error: unknown, fields: Record<string, unknown> = {}): void {
  if (isDatabaseUnreachable(error)) databaseOutage.failed('token watcher', error);
  else log.error(message, { ...fields, error: (error as Error).message });
}

/** A REFRESHING mark older than this belongs to a process that died mid-request. */
export const STALE_REFRESHING_MS = 120_000;
/**
 * Connections that hold a site's lock through its token request come from their own small pool:
 * waiting on another process's lock must not take connections the dispatcher and the API need.
 * More sites than this renewing at once in one process simply queue.
 */
const LOCK_CONNECTIONS = 4;
/** docs/specification.md §7: the connect state expires within 10 minutes. */
const STATE_TTL_MS = 10 * 60_000;

export type TokenTrigger = 'CONNECT' | 'MANUAL' | 'ON_DEMAND' | 'AUTO' | 'FORCED';

export interface TokenServiceDeps {
  db: Database;
  box: SecretBox;
  pubsub: PgPubSub;
  sites: SiteService;
  http: OutgoingHttp;
  publicUrl: string;
  settings: TokenConfig;
  /** Told of every token request made and whether it produced a token (metrics/). */
  metrics?: TokenObserver;
}

export type ConnectResult = { ok: true } | { ok: false; reason: string };

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

// Exported for master-key rotation (crypto/sealed-values.ts), which re-seals each under its own context.
export function accessContext(siteId: string): string {
  return `token:${siteId}:access`;
}
export function refreshContext(siteId: string): string {
  return `token:${siteId}:refresh`;
}
export function verifierContext(siteId: string): string {
  return `oauth-state:${siteId}:code_verifier`;
}

/** The non-secret config a token was obtained under: when it changes, the token belongs to another setup. */
export function configFingerprint(site: Site): string {
  const { sealed: _sealed, ...plain } = site.auth as unknown as Record<string, unknown>;
  return sha256(JSON.stringify(Object.entries(plain).sort(([a], [b]) => a.localeCompare(b))));
}

function reasonCode(text: string | undefined): string {
  return text && /^[A-Za-z0-9_.-]{1,64}$/.test(text) ? text : 'provider_error';
}

/**
 * The OAuth2 token store for the three OAuth2 methods: obtains, stores (sealed), renews and
 * reports tokens. docs/design.md rule 4: one token request per site at a time — in this process through
 * `inflight`, across processes through a PostgreSQL advisory lock — and whoever takes the lock
 * re-reads the stored token first, so waiters use the winner's result instead of asking again.
 */
export class TokenService implements AccessTokenProvider {
  private readonly inflight = new Map<string, Promise<TokenRow | undefined>>();
  private watchTimer: NodeJS.Timeout | undefined;
  private watchTick: Promise<void> | undefined;
  private watching = false;
  private readonly lockPool: pg.Pool;

  constructor(private readonly deps: TokenServiceDeps) {
    this.lockPool = createPool({ connectionString: deps.db.url, max: LOCK_CONNECTIONS, application_name: 'trusted-sites-tokens' });
  }

  // ---- AccessTokenProvider -------------------------------------------------------------------

  async accessTokenFor(site: Site, options: { forceRefresh?: boolean; retryFailure?: boolean } = {}): Promise<string> {
    if (!hasTokens(site.authMethod)) throw new TokenUnavailableError(`Site ${site.id} does not use an OAuth2 method`, true);
    const calledAt = new Date();
    let row = await this.currentRow(site);
    // A person testing the site may just have fixed the cause (started the provider, fixed the
    // client there): a stored failure is asked again, as their Refresh button would, not repeated.
    const trigger: TokenTrigger = options.forceRefresh ? 'FORCED' : options.retryFailure && row?.status === 'FAILED' ? 'MANUAL' : 'ON_DEMAND';
    if (trigger !== 'ON_DEMAND' || this.needsRequest(site, row, trigger, calledAt)) {
      row = await this.obtainShared(site.id, trigger, calledAt);
    }
    return this.usableToken(site, row);
  }

  // ---- GraphQL-facing ------------------------------------------------------------------------

  async stateOf(site: Site): Promise<TokenState | null> {
    if (!hasTokens(site.authMethod)) return null;
    return toTokenState(site.id, await this.currentRow(site));
  }

  async history(siteId: string, first: number): Promise<HistoryRow[]> {
    if (!Number.isInteger(first) || first < 1 || first > 200) throw badInput([{ path: 'first', message: 'Must be from 1 to 200' }]);
    if (!isUuid(siteId)) throw notFound('Site', siteId);
    return listHistory(this.deps.db.pool, siteId, first);
  }

  /** The dashboard's *Refresh access token* button: a token request now, whatever the stored state. */
  async refreshNow(siteId: string): Promise<TokenState> {
    const site = await this.deps.sites.require(siteId);
    const tokens = tokensOf(site.authMethod);
    if (!tokens) {
      throw badInput([{ path: 'siteId', message: `Only OAuth2 sites hold tokens; this site uses ${site.authMethod}` }]);
    }
    if (tokens.connect) {
      const row = await this.currentRow(site);
      if (!row?.refreshToken) throw badInput([{ path: 'siteId', message: 'No refresh token is held for this site: Connect it again' }]);
    }
    const row = await this.obtainShared(site.id, 'MANUAL', new Date());
    return toTokenState(site.id, row);
  }

  /** Starts the authorization-code flow: a single-use state bound to the site, PKCE S256. */
  async startConnect(siteId: string): Promise<OAuthConnect> {
    const site = await this.deps.sites.require(siteId);
    const connect = tokensOf(site.authMethod)?.connect;
    if (!connect) {
      throw badInput([{ path: 'siteId', message: `Connect is for OAuth2 (authorization code) sites; this site uses ${site.authMethod}` }]);
    }
    const state = randomBytes(32).toString('base64url');
    const verifier = randomBytes(32).toString('base64url');
    const redirectUri = this.redirectUriOf(site.id);
    const expiresAt = new Date(Date.now() + STATE_TTL_MS);
    await insertOAuthState(this.deps.db.pool, sha256(state), {
      siteId: site.id,
      codeVerifier: this.deps.box.seal(verifier, verifierContext(site.id)),
      redirectUri,
      expiresAt,
    });
    const codeChallenge = createHash('sha256').update(verifier).digest('base64url');
    const authorizationUrl = connect.authorizationUrl(site.auth, { redirectUri, state, codeChallenge });
    return Object.assign(new OAuthConnect(), { authorizationUrl, expiresAt });
  }

  /**
   * `GET /oauth/callback/:siteId`. The state is checked (and used up) before anything else; a
   * provider error or a bad state stores no token.
   */
  async completeConnect(siteId: string, query: { code?: string; state?: string; error?: string; errorDescription?: string }): Promise<ConnectResult> {
    if (!isUuid(siteId)) return { ok: false, reason: 'unknown_site' };
    const site = await this.deps.sites.get(siteId);
    if (!site) return { ok: false, reason: 'unknown_site' };
    const connect = tokensOf(site.authMethod)?.connect;
    if (!connect) return { ok: false, reason: 'not_oauth2' };
    if (!query.state) return { ok: false, reason: 'invalid_state' };
    const pending = await consumeOAuthState(this.deps.db.pool, sha256(query.state), siteId);
    if (!pending) return { ok: false, reason: 'invalid_state' };
    if (query.error) {
      const code = reasonCode(query.error);
      const description = query.errorDescription ? ` (${query.errorDescription.slice(0, 200)})` : '';
      await insertHistory(this.deps.db.pool, {
        siteId, grantType: GRANT_AUTHORIZATION_CODE, trigger: 'CONNECT', outcome: 'FAILED', httpStatus: null,
        error: `The provider refused the authorization: ${code}${description}`, expiresAt: null, refreshTokenRotated: false, durationMs: null,
      });
      return { ok: false, reason: code };
    }
    if (!query.code) return { ok: false, reason: 'missing_code' };
    const verifier = this.deps.box.open(pending.codeVerifier, verifierContext(siteId));
    const request = connect.codeExchange(site.auth, this.deps.sites.openSecrets(site), { code: query.code, redirectUri: pending.redirectUri, codeVerifier: verifier });
    const outcome = await this.withSiteLock(siteId, (client) => this.performRequest(client, site, request, 'CONNECT', true));
    if (outcome.row?.status === 'FAILED') return { ok: false, reason: outcome.providerError ? reasonCode(outcome.providerError) : 'token_request_failed' };
    return { ok: true };
  }

  redirectUriOf(siteId: string): string {
    return `${this.deps.publicUrl}/oauth/callback/${siteId}`;
  }

  // ---- the expiry watcher ----------------------------------------------------------------------

  /**
   * Each process runs one: it moves tokens to EXPIRING / EXPIRED when their time comes and
   * publishes that (the UPDATE's status condition makes each transition happen, and be published,
   * once across processes), and renews ACTIVE sites' tokens ahead of expiry.
   */
  startWatcher(): void {
    if (this.watching) return;
    this.watching = true;
    const loop = () => {
      if (!this.watching) return;
      this.watchTick = this.watchOnce()
        .then(() => databaseOutage.recovered('token watcher'))
        .catch((error) => watcherFailure('token watcher pass failed', error))
        .finally(() => {
          this.watchTick = undefined;
          if (this.watching) this.watchTimer = setTimeout(loop, this.deps.settings.watchIntervalMs);
        });
    };
    this.watchTimer = setTimeout(loop, 0);
  }

  /** Stops the watcher, lets token requests in flight finish, and closes the lock connections. */
  async stopWatcher(): Promise<void> {
    this.watching = false;
    clearTimeout(this.watchTimer);
    await this.watchTick;
    await Promise.allSettled([...this.inflight.values()]);
    if (!this.lockPool.ended) await this.lockPool.end();
  }

  async watchOnce(): Promise<void> {
    const pool = this.deps.db.pool;
    for (const row of await expireTokens(pool)) await this.publish(row.siteId, row);
    for (const row of await markExpiringTokens(pool)) await this.publish(row.siteId, row);
    for (const siteId of await findTokensToRenew(pool, { tokenMethods: TOKEN_METHODS, connectMethods: CONNECT_METHODS, staleRefreshingMs: STALE_REFRESHING_MS })) {
      if (this.inflight.has(siteId)) continue;
      void this.obtainShared(siteId, 'AUTO', new Date()).catch((error) => watcherFailure('automatic token renewal failed', error, { siteId }));
    }
  }

  // ---- internals ------------------------------------------------------------------------------

  /** The stored row, or nothing when it was obtained under a config the site no longer has. */
  private async currentRow(site: Site, db: Pick<pg.Pool, 'query'> = this.deps.db.pool): Promise<TokenRow | undefined> {
    const row = await readToken(db, site.id);
    if (row?.configFingerprint && row.configFingerprint !== configFingerprint(site)) {
      await deleteToken(db, site.id);
      await this.publish(site.id, undefined);
      return undefined;
    }
    return row;
  }

  /**
   * Whether a token request should be made now. A result written after the caller asked (by this
   * or another process) is the answer to its question: it is used, not asked again.
   */
  private needsRequest(site: Site, row: TokenRow | undefined, trigger: TokenTrigger, calledAt: Date): boolean {
    const now = Date.now();
    if (row && ((row.obtainedAt && row.obtainedAt > calledAt) || (row.failedAt && row.failedAt > calledAt))) return false;
    // A connected site's token is renewed with its refresh token, or not at all: a person connects it again.
    if (tokensOf(site.authMethod)?.connect && !row?.refreshToken) return false;
    if (trigger === 'MANUAL' || trigger === 'FORCED') return true;
    if (row?.status === 'FAILED') {
      // An edit of the site since (new URL, new credentials) may have fixed any failure: ask again.
      if (row.failedAt && row.failedAt < site.updatedAt) return true;
      // A failure only a person can fix waits for them (Connect, an edit, a test or Refresh).
      if (row.needsReconnect) return false;
      return !(row.retryAt && row.retryAt.getTime() > now);
    }
    if (!row?.accessToken) return true;
    if (row.expiresAt && row.expiresAt.getTime() <= now) return true;
    return Boolean(row.refreshAt && row.refreshAt.getTime() <= now);
  }

  /** Joins this process's request for the site, or starts one. */
  private async obtainShared(siteId: string, trigger: TokenTrigger, calledAt: Date): Promise<TokenRow | undefined> {
    const running = this.inflight.get(siteId);
    if (running) {
      const row = await running;
      // A forced refresh (the receiver said 401) must not settle for a token obtained before it asked.
      const fresh = row && ((row.obtainedAt && row.obtainedAt > calledAt) || (row.failedAt && row.failedAt > calledAt));
      if ((trigger !== 'FORCED' && trigger !== 'MANUAL') || fresh) return row;
      return this.obtainShared(siteId, trigger, calledAt);
    }
    const flight = this.withSiteLock(siteId, async (client) => {
      const site = await this.deps.sites.get(siteId);
      if (!site || !hasTokens(site.authMethod)) return undefined;
      const row = await this.currentRow(site, client);
      if (!this.needsRequest(site, row, trigger, calledAt)) return row;
      let request: TokenRequest;
      try {
        request = await this.buildRequest(site, row);
      } catch (error) {
        return this.recordFailure(client, site, GRANT_REFRESH_TOKEN, trigger, `Could not build the token request: ${(error as Error).message}`, {
          permanent: true, providerError: undefined, httpStatus: null, durationMs: null, dropRefreshToken: false,
        });
      }
      return (await this.performRequest(client, site, request, trigger, false)).row;
    }).finally(() => this.inflight.delete(siteId));
    this.inflight.set(siteId, flight);
    return flight;
  }

  private async withSiteLock<T>(siteId: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.lockPool.connect();
    let broken: Error | undefined;
    try {
      // Session-level, held across the HTTP request; if this connection dies PostgreSQL releases it.
      await client.query('SELECT pg_advisory_lock($1, $2)', [ADVISORY_LOCK_CLASSES.SITE_TOKEN_REQUEST, lockKeyOf(siteId)]);
      try {
        return await fn(client);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [ADVISORY_LOCK_CLASSES.SITE_TOKEN_REQUEST, lockKeyOf(siteId)]).catch((error: Error) => {
          broken = error;
        });
      }
    } finally {
      // A connection whose unlock failed must not go back to the pool still holding the lock.
      client.release(broken);
    }
  }

  /** The method's renewal request (its definition builds it), with the stored refresh token opened. */
  private async buildRequest(site: Site, row: TokenRow | undefined): Promise<TokenRequest> {
    const tokens = tokensOf(site.authMethod);
    if (!tokens) throw new Error(`${site.authMethod} does not use OAuth2 tokens`);
    const refreshToken = row?.refreshToken ? this.deps.box.open(row.refreshToken, refreshContext(site.id)) : undefined;
    return tokens.renewalRequest(site.auth, this.deps.sites.openSecrets(site), { refreshToken, now: new Date() });
  }

  /** Sends one token request (the caller holds the site's lock) and stores, records and publishes its outcome. */
  private async performRequest(
    client: pg.PoolClient,
    site: Site,
    request: TokenRequest,
    trigger: TokenTrigger,
    replaceRefreshToken: boolean,
  ): Promise<{ row: TokenRow | undefined; providerError?: string }> {
    await this.publish(site.id, await markRefreshing(client, site.id));
    const startedAt = new Date();
    let response: TokenResponse;
    try {
      // The site's client certificate goes to its token endpoint too (RFC 8705 token endpoints ask for it).
      const tls = { siteId: site.id, certificate: this.deps.sites.openClientCertificate(site) };
      response = await requestToken(this.deps.http, request, { siteId: site.id, tls });
      this.deps.metrics?.tokenRequested(site.id, request.grantType, true);
    } catch (error) {
      this.deps.metrics?.tokenRequested(site.id, request.grantType, false);
      const durationMs = Date.now() - startedAt.getTime();
      if (!(error instanceof TokenRequestError)) {
        log.error('token request failed unexpectedly', { siteId: site.id, error: (error as Error).message?.slice(0, 200) });
        const row = await this.recordFailure(client, site, request.grantType, trigger, 'The token request failed unexpectedly', {
          permanent: false, providerError: undefined, httpStatus: null, durationMs, dropRefreshToken: false,
        });
        return { row };
      }
      const invalidGrant = error.providerError === 'invalid_grant';
      const isRefresh = request.grantType === GRANT_REFRESH_TOKEN;
      const message = invalidGrant && tokensOf(site.authMethod)?.connect ? `${error.message}. Connect the site again.` : error.message;
      const row = await this.recordFailure(client, site, request.grantType, trigger, message, {
        permanent: error.permanent,
        providerError: error.providerError,
        httpStatus: error.httpStatus ?? null,
        durationMs,
        dropRefreshToken: invalidGrant && isRefresh,
      });
      return { row, providerError: error.providerError };
    }
    const configuredMinutes = tokensOf(site.authMethod)?.lifetimeMinutes?.(site.auth);
    const lifetime = lifetimeSeconds(response.expiresIn, configuredMinutes);
    // Counted from when the request left, so the stored expiry is never later than the provider's.
    const expiresAt = lifetime === undefined ? null : new Date(startedAt.getTime() + lifetime * 1000);
    const row = await saveObtainedToken(client, site.id, {
      accessToken: this.deps.box.seal(response.accessToken, accessContext(site.id)),
      refreshToken: response.refreshToken ? this.deps.box.seal(response.refreshToken, refreshContext(site.id)) : undefined,
      replaceRefreshToken,
      tokenType: response.tokenType,
      // When the answer arrived: a caller who asked before this (e.g. after a 401) takes this token.
      obtainedAt: new Date(),
      expiresAt,
      refreshAt: refreshAtFor(startedAt, expiresAt, this.deps.settings.refreshMarginSeconds),
      configFingerprint: configFingerprint(site),
    });
    await insertHistory(client, {
      siteId: site.id, grantType: request.grantType, trigger, outcome: 'SUCCEEDED', httpStatus: response.httpStatus, error: null,
      expiresAt, refreshTokenRotated: Boolean(response.refreshToken) && request.grantType === GRANT_REFRESH_TOKEN,
      durationMs: Date.now() - startedAt.getTime(),
    });
    await this.publish(site.id, row);
    return { row };
  }

  private async recordFailure(
    client: pg.PoolClient,
    site: Site,
    grantType: string,
    trigger: TokenTrigger,
    message: string,
    detail: { permanent: boolean; providerError: string | undefined; httpStatus: number | null; durationMs: number | null; dropRefreshToken: boolean },
  ): Promise<TokenRow> {
    const retryAt = detail.permanent ? null : new Date(Date.now() + this.deps.settings.retryAfterFailureSeconds * 1000);
    const before = detail.permanent ? await readToken(client, site.id) : undefined;
    const row = await saveTokenFailure(client, site.id, { error: message, needsReconnect: detail.permanent, retryAt, dropRefreshToken: detail.dropRefreshToken });
    await insertHistory(client, {
      siteId: site.id, grantType, trigger, outcome: 'FAILED', httpStatus: detail.httpStatus, error: message,
      expiresAt: null, refreshTokenRotated: false, durationMs: detail.durationMs,
    });
    log.info('token request failed', { siteId: site.id, grantType, trigger, providerError: detail.providerError, httpStatus: detail.httpStatus });
    // Falling into "only a person can fix this" is a site event (breaker/): once, not on every later failure.
    if (detail.permanent && !before?.needsReconnect) {
      await insertSiteEvent(client, site.id, { kind: SiteEventKind.TOKEN_NEEDS_RECONNECT, fromState: null, toState: null, reason: message, details: { grantType, trigger } });
    }
    await this.publish(site.id, row);
    return row;
  }

  private usableToken(site: Site, row: TokenRow | undefined): string {
    if (row?.accessToken && (!row.expiresAt || row.expiresAt.getTime() > Date.now())) {
      return this.deps.box.open(row.accessToken, accessContext(site.id));
    }
    if (tokensOf(site.authMethod)?.connect) {
      if (!row?.accessToken && !row?.lastError) throw new TokenUnavailableError('The site is not connected: press Connect on its page', true);
      if (!row?.refreshToken) throw new TokenUnavailableError(row?.lastError ?? 'The access token expired and no refresh token is held: Connect again', true);
    }
    throw new TokenUnavailableError(row?.lastError ?? 'No access token could be obtained', row?.needsReconnect ?? false);
  }

  private async publish(siteId: string, row: TokenRow | undefined): Promise<void> {
    const state = toTokenState(siteId, row);
    const event: TokenStateEvent = {
      siteId,
      status: state.status,
      expiresAt: state.expiresAt?.toISOString() ?? null,
      hasRefreshToken: state.hasRefreshToken,
      lastError: state.lastError ? state.lastError.slice(0, 1000) : null,
      needsReconnect: state.needsReconnect,
      updatedAt: state.updatedAt.toISOString(),
    };
    await this.deps.pubsub.publishAsync(TOKEN_STATE_CHANGED, event);
  }
}

export function toTokenState(siteId: string, row: TokenRow | undefined): TokenState {
  const state = new TokenState();
  const now = Date.now();
  state.siteId = siteId;
  state.expiresAt = row?.expiresAt ?? null;
  state.hasRefreshToken = Boolean(row?.refreshToken);
  state.lastError = row?.lastError ?? null;
  state.needsReconnect = row?.needsReconnect ?? false;
  state.updatedAt = row?.updatedAt ?? new Date(now);
  if (!row) state.status = TokenStatus.NONE;
  else if (row.refreshingSince && now - row.refreshingSince.getTime() < STALE_REFRESHING_MS) state.status = TokenStatus.REFRESHING;
  else if (row.status === 'FAILED') state.status = TokenStatus.FAILED;
  else if (!row.accessToken) state.status = TokenStatus.NONE;
  else if (row.expiresAt && row.expiresAt.getTime() <= now) state.status = TokenStatus.EXPIRED;
  else if (row.refreshAt && row.refreshAt.getTime() <= now) state.status = TokenStatus.EXPIRING;
  else state.status = TokenStatus.VALID;
  return state;
}

export function tokenStateFromEvent(event: TokenStateEvent): TokenState {
  return Object.assign(new TokenState(), {
    ...event,
    expiresAt: event.expiresAt ? new Date(event.expiresAt) : null,
    updatedAt: new Date(event.updatedAt),
  });
}
