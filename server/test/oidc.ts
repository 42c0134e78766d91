/// <reference path="./oidc-provider.d.ts" />
/**
 * A real OAuth 2.0 authorization server for tests: `oidc-provider@8.8.1` on 127.0.0.1, free port.
 *
 * Interface (the dashboard's browser tests reuse it; keep it stable):
 *
 *   const op = await startTestOidc({ accessTokenTtl: 60, clientCredentialsTtl: 60 });
 *   op.issuer / op.authorizationUrl / op.tokenUrl        URLs to put in a site's auth config
 *   op.addClient(metadata)                               registers a client at any time (redirect
 *                                                        URIs are known only once a site exists)
 *   op.authCodeClient(id, secret, redirectUri, auth?)    metadata for authorization code + PKCE +
 *                                                        refresh (rotated) — `auth` 'basic' | 'post'
 *   op.clientCredentialsClient(id, secret, auth?)        metadata for client_credentials
 *   op.privateKeyJwtClient(id, publicJwk, alg)           client_credentials with private_key_jwt
 *   op.jwtBearerClient(id, publicJwk, alg)               RFC 7523 §2.1 jwt-bearer grant (registered
 *                                                        here: oidc-provider has no such grant)
 *   op.tokenRequests(grantType?)                         POSTs to the token endpoint so far
 *   op.requests                                          each: grant type, content type, how the
 *                                                        client authenticated, parameter names, kid,
 *                                                        the resource parameters (RFC 8707)
 *   TEST_RESOURCE_SERVERS                                the resource indicators it knows (scopes
 *                                                        api read write; JWT access tokens whose
 *                                                        aud is the indicator); any other resource
 *                                                        is refused with invalid_target
 *   op.resetCounts()
 *   op.revokeGrants(clientId?)                           ends the grants: refresh → invalid_grant
 *   op.tokenDelayMs = n                                  holds every token response n ms
 *   op.override = (grantType) => ({ status, contentType, body }) | undefined
 *                                                        answer the token endpoint with this instead
 *   op.omitRefreshTokenOnRefresh = true                  refresh answers carry no refresh_token
 *   op.rotateRefreshToken = false                        refreshes keep the same refresh token
 *   op.authorize(url, { login?, deny?, followCallback? })
 *                                                        drives the provider's own login and consent
 *                                                        pages over plain HTTP (cookies kept) and
 *                                                        returns the redirect back to the client
 *                                                        ({ callbackUrl }) and, with followCallback,
 *                                                        where that callback sent the browser
 *                                                        ({ finalLocation })
 *   await op.close()
 *
 * The login page takes any login and password (oidc-provider's development interactions); the
 * consent page has one "Continue" button; "abort" answers `error=access_denied`.
 *
 * Two oidc-provider warnings print on purpose: development interactions are on (their login and
 * consent pages are what the tests drive), and the token endpoint's body is already parsed (the
 * recorder reads it first, to keep `requests`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, type JWK } from 'jose';
import Provider, { errors } from 'oidc-provider';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** RFC 8707 resource servers the provider knows; a token for one is a JWT whose `aud` is its indicator. */
export const TEST_RESOURCE_SERVERS = ['https://orders.api.test/', 'urn:test:ledger'] as const;

export interface TestOidcOptions {
  /** Seconds; authorization-code access tokens. Default 3600. */
  accessTokenTtl?: number;
  /** Seconds; client_credentials and jwt-bearer tokens. Default 3600. */
  clientCredentialsTtl?: number;
  /** Seconds. Default 86400. */
  refreshTokenTtl?: number;
  /** Default true: every refresh returns a new refresh token and uses up the old one. */
  rotateRefreshToken?: boolean;
}

export interface TokenRequestRecord {
  grantType: string;
  contentType: string;
  clientAuth: 'basic' | 'body' | 'assertion' | 'none';
  params: string[];
  /** The scope parameter as received. */
  scope: string | undefined;
  /** Every `resource` parameter, in order (RFC 8707: repeated in a form, an array in JSON). */
  resource: string[];
  /** The `kid` of the client or grant assertion, when one was sent. */
  assertionKid: string | undefined;
  assertionAlg: string | undefined;
}

export interface TokenOverride {
  status: number;
  contentType: string;
  body: string;
}

export interface AuthorizeResult {
  /** Where the provider sent the browser back to (the client's redirect URI with code/state or error). */
  callbackUrl: URL;
  /** With `followCallback`: the Location the callback answered with. */
  finalLocation?: string;
  finalStatus?: number;
}

export interface TestOidc {
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  provider: any;
  requests: TokenRequestRecord[];
  tokenDelayMs: number;
  omitRefreshTokenOnRefresh: boolean;
  /** Starts as `options.rotateRefreshToken` (default true); may be changed between requests. */
  rotateRefreshToken: boolean;
  override: ((grantType: string) => TokenOverride | undefined) | undefined;
  addClient(metadata: Record<string, unknown>): void;
  authCodeClient(id: string, secret: string, redirectUri: string, auth?: 'basic' | 'post'): Record<string, unknown>;
  clientCredentialsClient(id: string, secret: string, auth?: 'basic' | 'post'): Record<string, unknown>;
  privateKeyJwtClient(id: string, publicJwk: JWK, alg: 'RS256' | 'ES256'): Record<string, unknown>;
  jwtBearerClient(id: string, publicJwk: JWK, alg: 'RS256' | 'ES256'): Record<string, unknown>;
  tokenRequests(grantType?: string): number;
  resetCounts(): void;
  revokeGrants(clientId?: string): Promise<number>;
  authorize(url: string, options?: { login?: string; deny?: boolean; followCallback?: boolean }): Promise<AuthorizeResult>;
  close(): Promise<void>;
}

interface Stored {
  payload: Record<string, any>;
  expiresAt: number | undefined;
}

/** oidc-provider's storage, in a Map we can reach into (clients added at run time, grants revoked). */
function makeAdapter(store: Map<string, Stored>) {
  return class TestAdapter {
    constructor(private readonly name: string) {}
    private key(id: string) {
      return `${this.name}:${id}`;
    }
    async upsert(id: string, payload: Record<string, any>, expiresIn?: number) {
      store.set(this.key(id), { payload: { ...payload }, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
    }
    async find(id: string) {
      const entry = store.get(this.key(id));
      if (!entry || (entry.expiresAt && entry.expiresAt < Date.now())) return undefined;
      return { ...entry.payload };
    }
    async findByUid(uid: string) {
      for (const [key, entry] of store) if (key.startsWith(`${this.name}:`) && entry.payload.uid === uid) return { ...entry.payload };
      return undefined;
    }
    async findByUserCode(userCode: string) {
      for (const [key, entry] of store) if (key.startsWith(`${this.name}:`) && entry.payload.userCode === userCode) return { ...entry.payload };
      return undefined;
    }
    async consume(id: string) {
      const entry = store.get(this.key(id));
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, entry] of store) if (entry.payload.grantId === grantId) store.delete(key);
    }
  };
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTestOidc(options: TestOidcOptions = {}): Promise<TestOidc> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const tokenUrl = `${issuer}/token`;
  const store = new Map<string, Stored>();
  const usedJtis = new Set<string>();

  // The provider's own signing key (id tokens), made per server: without one it falls back to
  // development keys and warns on every start.
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-op-rs256', use: 'sig', alg: 'RS256' };

  const provider = new Provider(issuer, {
    jwks: { keys: [signingKey] },
    adapter: makeAdapter(store),
    clients: [],
    cookies: { keys: ['trusted-sites-test-cookie-key'] },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      // RFC 8707: the known resource servers get JWT access tokens with their indicator as `aud`;
      // any other indicator is refused (invalid_target). Requests without `resource` are as before.
      resourceIndicators: {
        enabled: true,
        getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
          if (!(TEST_RESOURCE_SERVERS as readonly string[]).includes(indicator)) throw new errors.InvalidTarget();
          return { scope: 'api read write', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    scopes: ['openid', 'offline_access', 'api', 'read', 'write'],
    pkce: { required: () => true, methods: ['S256'] },
    // Refresh tokens for every client allowed the grant, without the OIDC offline_access dance.
    issueRefreshToken: async (_ctx: unknown, client: any) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => handle.rotateRefreshToken,
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    enabledJWA: { clientAuthSigningAlgValues: ['RS256', 'ES256'] },
    findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    ttl: {
      AccessToken: options.accessTokenTtl ?? 3600,
      ClientCredentials: options.clientCredentialsTtl ?? 3600,
      RefreshToken: options.refreshTokenTtl ?? 86_400,
      AuthorizationCode: 60,
      Grant: 86_400,
      Interaction: 600,
      Session: 3600,
      IdToken: 3600,
    },
  });

  const handle: TestOidc = {
    issuer,
    authorizationUrl: `${issuer}/auth`,
    tokenUrl,
    provider,
    requests: [],
    tokenDelayMs: 0,
    omitRefreshTokenOnRefresh: false,
    rotateRefreshToken: options.rotateRefreshToken ?? true,
    override: undefined,
    addClient(metadata) {
      store.set(`Client:${metadata.client_id as string}`, { payload: { ...metadata }, expiresAt: undefined });
    },
    authCodeClient(id, secret, redirectUri, auth = 'basic') {
      return {
        client_id: id,
        client_secret: secret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: auth === 'basic' ? 'client_secret_basic' : 'client_secret_post',
      };
    },
    clientCredentialsClient(id, secret, auth = 'basic') {
      return {
        client_id: id,
        client_secret: secret,
        redirect_uris: [],
        grant_types: ['client_credentials'],
        response_types: [],
        scope: 'api read write',
        token_endpoint_auth_method: auth === 'basic' ? 'client_secret_basic' : 'client_secret_post',
      };
    },
    privateKeyJwtClient(id, publicJwk, alg) {
      return {
        client_id: id,
        redirect_uris: [],
        grant_types: ['client_credentials'],
        response_types: [],
        scope: 'api read write',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: alg,
        jwks: { keys: [publicJwk] },
      };
    },
    jwtBearerClient(id, publicJwk, alg) {
      return {
        client_id: id,
        redirect_uris: [],
        grant_types: [JWT_BEARER_GRANT],
        response_types: [],
        scope: 'api read write',
        token_endpoint_auth_method: 'none',
        // Not used by oidc-provider for 'none'; the jwt-bearer grant below verifies with it.
        jwks: { keys: [{ ...publicJwk, alg }] },
      };
    },
    tokenRequests(grantType) {
      return grantType ? handle.requests.filter((r) => r.grantType === grantType).length : handle.requests.length;
    },
    resetCounts() {
      handle.requests.length = 0;
    },
    async revokeGrants(clientId) {
      let count = 0;
      for (const [key, entry] of [...store]) {
        if (key.startsWith('Grant:') && (!clientId || entry.payload.clientId === clientId)) {
          store.delete(key);
          count++;
        }
      }
      return count;
    },
    authorize: (url, authorizeOptions = {}) => drive(issuer, url, authorizeOptions),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  // RFC 7523 §2.1: the assertion is the grant. Verified against the client's registered keys.
  provider.registerGrantType(
    JWT_BEARER_GRANT,
    async (ctx: any, next: () => Promise<void>) => {
      const { client } = ctx.oidc;
      const assertion = ctx.oidc.params.assertion as string | undefined;
      if (!assertion) throw new errors.InvalidRequest('missing assertion');
      const keys = (client.jwks?.keys ?? []) as JWK[];
      let payload;
      try {
        ({ payload } = await jwtVerify(assertion, createLocalJWKSet({ keys }), {
          issuer: client.clientId,
          subject: client.clientId,
          audience: [tokenUrl, issuer],
          algorithms: ['RS256', 'ES256'],
          requiredClaims: ['exp', 'iat', 'jti'],
        }));
      } catch (error) {
        throw new errors.InvalidGrant(`assertion rejected: ${(error as Error).message}`);
      }
      if (usedJtis.has(payload.jti!)) throw new errors.InvalidGrant('assertion replayed (jti already used)');
      usedJtis.add(payload.jti!);
      const scope = (ctx.oidc.params.scope as string | undefined) ?? (typeof payload.scope === 'string' ? payload.scope : undefined);
      const token = new provider.ClientCredentials({ client, scope });
      const value = await token.save();
      ctx.body = { access_token: value, expires_in: token.expiration, token_type: 'Bearer', scope };
      await next();
    },
    ['assertion', 'scope'],
  );

  // In front of the token endpoint: count and describe each request, accept JSON bodies (some
  // providers do; oidc-provider only reads forms), fill in client_id for a bare jwt-bearer grant,
  // and let tests slow down or replace the answer.
  provider.use(async (ctx: any, next: () => Promise<void>) => {
    if (ctx.path !== '/token' || ctx.method !== 'POST') return next();
    const contentType = String(ctx.get('content-type') || '');
    const raw = await readBody(ctx.req);
    // As a form, whatever came in: a JSON array (resource) becomes the field repeated.
    const form = new URLSearchParams();
    if (contentType.startsWith('application/json')) {
      for (const [key, value] of Object.entries(JSON.parse(raw || '{}') as Record<string, unknown>)) {
        for (const one of Array.isArray(value) ? value : [value]) form.append(key, String(one));
      }
    } else {
      for (const [key, value] of new URLSearchParams(raw)) form.append(key, value);
    }
    const params: Record<string, string> = Object.fromEntries(form);
    const grantType = params.grant_type ?? '';
    const assertion = params.client_assertion ?? params.assertion;
    let assertionKid: string | undefined;
    let assertionAlg: string | undefined;
    if (assertion) {
      try {
        const header = decodeProtectedHeader(assertion);
        assertionKid = header.kid;
        assertionAlg = header.alg;
        if (grantType === JWT_BEARER_GRANT && !params.client_id) form.set('client_id', (params.client_id = String(decodeJwt(assertion).iss ?? '')));
      } catch {
        // a malformed assertion is the grant handler's to refuse
      }
    }
    const basic = /^basic /i.test(String(ctx.get('authorization') || ''));
    handle.requests.push({
      grantType,
      contentType: contentType.split(';')[0]!.trim(),
      clientAuth: basic ? 'basic' : params.client_assertion ? 'assertion' : params.client_secret ? 'body' : 'none',
      params: Object.keys(params).sort(),
      scope: params.scope,
      resource: form.getAll('resource'),
      assertionKid,
      assertionAlg,
    });
    if (handle.tokenDelayMs) await new Promise((resolve) => setTimeout(resolve, handle.tokenDelayMs));
    const replacement = handle.override?.(grantType);
    if (replacement) {
      ctx.status = replacement.status;
      ctx.type = replacement.contentType;
      ctx.body = replacement.body;
      return;
    }
    const body = form.toString();
    ctx.req.body = body;
    ctx.req.headers['content-type'] = 'application/x-www-form-urlencoded';
    ctx.req.headers['content-length'] = String(Buffer.byteLength(body));
    await next();
    if (handle.omitRefreshTokenOnRefresh && grantType === 'refresh_token' && ctx.body && typeof ctx.body === 'object') {
      delete ctx.body.refresh_token;
    }
  });

  server.on('request', provider.callback());
  return handle;
}

/** Follows the provider's redirects and fills its login and consent forms, like a person would. */
async function drive(issuer: string, start: string, options: { login?: string; deny?: boolean; followCallback?: boolean }): Promise<AuthorizeResult> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      if (!value || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
  };
  const origin = new URL(issuer).origin;
  let url = new URL(start);
  let init: RequestInit = { method: 'GET' };
  for (let step = 0; step < 20; step++) {
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: cookieHeader() } });
    keep(response);
    init = { method: 'GET' };
    if (response.status >= 300 && response.status < 400) {
      const next = new URL(response.headers.get('location')!, url);
      if (next.origin !== origin) {
        const result: AuthorizeResult = { callbackUrl: next };
        if (options.followCallback) {
          const callback = await fetch(next, { redirect: 'manual' });
          result.finalStatus = callback.status;
          result.finalLocation = callback.headers.get('location') ?? undefined;
        }
        return result;
      }
      url = next;
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`the provider answered ${response.status} at ${url.pathname}: ${html.slice(0, 300)}`);
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!prompt || !action) throw new Error(`no login or consent form at ${url.pathname}: ${html.slice(0, 300)}`);
    if (options.deny) {
      url = new URL(`${url.pathname.replace(/\/$/, '')}/abort`, url);
      continue;
    }
    const body = new URLSearchParams(prompt === 'login' ? { prompt, login: options.login ?? 'alice', password: 'any' } : { prompt });
    url = new URL(action, url);
    init = { method: 'POST', body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  throw new Error('too many steps at the provider');
}
