import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EC_KEY, EC_PRIVATE_PEM, RSA_KEY, RSA_PRIVATE_PEM } from '../../test/fixtures.js';
import { JWT_BEARER_GRANT, type TestOidc, startTestOidc } from '../../test/oidc.js';
import { TEST_ADMIN_TOKEN, type TestApp, ok, startTestApp } from '../../test/support.js';
import { TokenUnavailableError } from './provider.js';
import { eventually, freePort, subscribeTokenEvents } from './test-helpers.js';

const SITE_FIELDS = 'id name redirectUrl token { siteId status expiresAt hasRefreshToken lastError needsReconnect updatedAt }';
const TOKEN_FIELDS = 'siteId status expiresAt hasRefreshToken lastError needsReconnect updatedAt';

let op: TestOidc;
let app: TestApp;
let publicUrl: string;
let counter = 0;

beforeAll(async () => {
  op = await startTestOidc();
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  app = await startTestApp({ PORT: String(port), PUBLIC_URL: publicUrl, TOKEN_WATCH_INTERVAL_MS: '100' });
});

afterAll(async () => {
  await app?.stop();
  await op?.close();
});

async function createSite(auth: Record<string, unknown>) {
  const data = ok(
    await app.gql(`mutation ($input: SiteInput!) { createSite(input: $input) { ${SITE_FIELDS} } }`, {
      input: { name: `site ${++counter} ${Date.now()}`, url: 'https://receiver.example.com/hook', auth },
    }),
  );
  return data.createSite as { id: string; redirectUrl: string | null; token: Record<string, unknown> | null };
}

async function tokenOf(siteId: string) {
  return ok(await app.gql(`query ($id: ID!) { site(id: $id) { token { ${TOKEN_FIELDS} } } }`, { id: siteId })).site.token;
}

async function refresh(siteId: string) {
  return ok(await app.gql(`mutation ($id: ID!) { refreshAccessToken(siteId: $id) { ${TOKEN_FIELDS} } }`, { id: siteId })).refreshAccessToken;
}

async function history(siteId: string) {
  return ok(
    await app.gql(`query ($id: ID!) { tokenHistory(siteId: $id, first: 50) { grantType trigger outcome httpStatus error expiresAt refreshTokenRotated } }`, { id: siteId }),
  ).tokenHistory as Array<{ grantType: string; trigger: string; outcome: string; error: string | null; refreshTokenRotated: boolean }>;
}

async function siteEntity(siteId: string) {
  return (await app.services.sites.get(siteId))!;
}

/** An OAUTH2 site registered at the provider and connected through its login and consent pages. */
async function connectedSite(clientAuthentication: 'BASIC' | 'BODY' = 'BASIC') {
  const clientId = `web-${++counter}`;
  const site = await createSite({
    oauth2: {
      consumerKey: clientId,
      consumerSecret: 'web-secret',
      authorizationUrl: op.authorizationUrl,
      tokenUrl: op.tokenUrl,
      scope: 'openid, api',
      clientAuthentication,
    },
  });
  op.addClient(op.authCodeClient(clientId, 'web-secret', site.redirectUrl!, clientAuthentication === 'BASIC' ? 'basic' : 'post'));
  const { startOAuthConnect } = ok(await app.gql('mutation ($id: ID!) { startOAuthConnect(siteId: $id) { authorizationUrl expiresAt } }', { id: site.id }));
  const result = await op.authorize(startOAuthConnect.authorizationUrl, { followCallback: true });
  return { site, clientId, authorizationUrl: new URL(startOAuthConnect.authorizationUrl), result };
}

describe('authorization code (method 5) against oidc-provider', () => {
  it('connects through the login and consent pages, with PKCE S256 and a site-bound state, and stores the tokens', async () => {
    op.resetCounts();
    const { site, clientId, authorizationUrl, result } = await connectedSite();
    expect(site.redirectUrl).toBe(`${publicUrl}/oauth/callback/${site.id}`);
    expect(authorizationUrl.searchParams.get('response_type')).toBe('code');
    expect(authorizationUrl.searchParams.get('client_id')).toBe(clientId);
    expect(authorizationUrl.searchParams.get('redirect_uri')).toBe(site.redirectUrl);
    expect(authorizationUrl.searchParams.get('scope')).toBe('openid api');
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorizationUrl.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect(result.callbackUrl.searchParams.get('code')).toBeTruthy();
    expect(result.finalStatus).toBe(303);
    expect(result.finalLocation).toBe(`${publicUrl}/sites/${site.id}?oauth=connected`);
    // The provider requires PKCE: the exchange carried the verifier and was accepted.
    expect(op.requests).toHaveLength(1);
    expect(op.requests[0]).toMatchObject({ grantType: 'authorization_code', clientAuth: 'basic' });
    expect(op.requests[0]!.params).toEqual(expect.arrayContaining(['code', 'code_verifier', 'redirect_uri']));

    const token = await tokenOf(site.id);
    expect(token).toMatchObject({ siteId: site.id, status: 'VALID', hasRefreshToken: true, lastError: null });
    expect(new Date(token.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const accessToken = await app.services.tokens.accessTokenFor(await siteEntity(site.id));
    expect(accessToken.length).toBeGreaterThan(10);
    // Stored sealed, never in the API or the history.
    const { rows } = await app.services.db.pool.query('SELECT access_token, refresh_token FROM site_token WHERE site_id = $1', [site.id]);
    expect(rows[0].access_token).not.toContain(accessToken);
    expect(rows[0].access_token).toMatch(/^v1\./);
    expect(rows[0].refresh_token).toMatch(/^v1\./);
    const everything = JSON.stringify([await tokenOf(site.id), await history(site.id)]);
    expect(everything).not.toContain(accessToken);
    expect((await history(site.id))[0]).toMatchObject({ grantType: 'authorization_code', trigger: 'CONNECT', outcome: 'SUCCEEDED' });

    // The state was single-use: the same callback again is refused and asks the provider nothing.
    const replay = await fetch(result.callbackUrl, { redirect: 'manual' });
    expect(replay.headers.get('location')).toBe(`${publicUrl}/sites/${site.id}?oauth=error&reason=invalid_state`);
    expect(op.requests).toHaveLength(1);
  });

  it('refuses a made-up state, a state of another site and a provider error, storing nothing', async () => {
    op.resetCounts();
    const clientId = `web-${++counter}`;
    const site = await createSite({
      oauth2: { consumerKey: clientId, consumerSecret: 's', authorizationUrl: op.authorizationUrl, tokenUrl: op.tokenUrl, scope: 'openid api' },
    });
    op.addClient(op.authCodeClient(clientId, 's', site.redirectUrl!));
    const other = await createSite({
      oauth2: { consumerKey: 'other', consumerSecret: 's', authorizationUrl: op.authorizationUrl, tokenUrl: op.tokenUrl },
    });

    const madeUp = await fetch(`${site.redirectUrl}?code=abc&state=not-a-state`, { redirect: 'manual' });
    expect(madeUp.headers.get('location')).toBe(`${publicUrl}/sites/${site.id}?oauth=error&reason=invalid_state`);
    const noState = await fetch(`${site.redirectUrl}?code=abc`, { redirect: 'manual' });
    expect(noState.headers.get('location')).toContain('reason=invalid_state');

    // A real state, replayed on another site's callback.
    const connect = ok(await app.gql('mutation ($id: ID!) { startOAuthConnect(siteId: $id) { authorizationUrl } }', { id: site.id })).startOAuthConnect;
    const state = new URL(connect.authorizationUrl).searchParams.get('state');
    const crossSite = await fetch(`${other.redirectUrl}?code=abc&state=${state}`, { redirect: 'manual' });
    expect(crossSite.headers.get('location')).toBe(`${publicUrl}/sites/${other.id}?oauth=error&reason=invalid_state`);

    // The person presses "abort" at the provider: error=access_denied comes back.
    const denied = await op.authorize(connect.authorizationUrl, { deny: true, followCallback: true });
    expect(denied.callbackUrl.searchParams.get('error')).toBe('access_denied');
    expect(denied.finalLocation).toBe(`${publicUrl}/sites/${site.id}?oauth=error&reason=access_denied`);

    expect(op.tokenRequests()).toBe(0);
    expect((await tokenOf(site.id)).status).toBe('NONE');
    expect((await tokenOf(other.id)).status).toBe('NONE');
    const { rows } = await app.services.db.pool.query('SELECT count(*)::int AS n FROM site_token WHERE site_id = ANY($1::uuid[])', [[site.id, other.id]]);
    expect(rows[0].n).toBe(0);
    expect((await history(site.id))[0]).toMatchObject({ outcome: 'FAILED', trigger: 'CONNECT' });
  });

  it('refreshes with rotation, authenticating the client as the exchange did, and keeps the refresh token when none comes back', async () => {
    const { site } = await connectedSite('BODY');
    op.resetCounts();
    const first = await refresh(site.id);
    expect(first).toMatchObject({ status: 'VALID', hasRefreshToken: true, lastError: null });
    // The rotated refresh token was stored: a second refresh (with it) succeeds.
    const second = await refresh(site.id);
    expect(second.status).toBe('VALID');
    expect(op.requests.map((r) => [r.grantType, r.clientAuth])).toEqual([
      ['refresh_token', 'body'],
      ['refresh_token', 'body'],
    ]);
    const rotated = (await history(site.id)).filter((h) => h.grantType === 'refresh_token');
    expect(rotated.every((h) => h.refreshTokenRotated && h.outcome === 'SUCCEEDED' && h.trigger === 'MANUAL')).toBe(true);

    // A provider that sends no new refresh token: the old one is kept and still works.
    op.rotateRefreshToken = false;
    op.omitRefreshTokenOnRefresh = true;
    try {
      const kept = await refresh(site.id);
      expect(kept).toMatchObject({ status: 'VALID', hasRefreshToken: true });
      expect((await refresh(site.id)).status).toBe('VALID');
    } finally {
      op.rotateRefreshToken = true;
      op.omitRefreshTokenOnRefresh = false;
    }
  });

  it('treats invalid_grant after a revoked grant as "Connect again": FAILED, no retry loop', async () => {
    const { site, clientId } = await connectedSite();
    await app.gql('mutation ($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }', { id: site.id });
    expect(await op.revokeGrants(clientId)).toBeGreaterThan(0);
    op.resetCounts();
    const failed = await refresh(site.id);
    expect(failed).toMatchObject({ status: 'FAILED', hasRefreshToken: false, needsReconnect: true });
    expect(failed.lastError).toContain('invalid_grant');
    expect(failed.lastError).toContain('Connect the site again');
    // The access token obtained before still works until it expires, even for a forced refresh
    // (there is no refresh token left to use).
    const entity = await siteEntity(site.id);
    expect(await app.services.tokens.accessTokenFor(entity)).toBeTruthy();
    await expect(app.services.tokens.accessTokenFor(entity, { forceRefresh: true })).resolves.toBeTruthy();
    // Nobody asks the provider again by themselves: the watcher and senders leave it to a person.
    for (let i = 0; i < 3; i++) await app.services.tokens.watchOnce();
    expect(op.tokenRequests()).toBe(1);
    const button = await app.gql('mutation ($id: ID!) { refreshAccessToken(siteId: $id) { status } }', { id: site.id });
    expect(button.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(button.errors?.[0]?.message).toContain('Connect it again');
    expect((await history(site.id))[0]).toMatchObject({ grantType: 'refresh_token', outcome: 'FAILED' });
  });
});

describe('client credentials (method 6) against oidc-provider', () => {
  it('fetches with HTTP Basic and a form body, scope space-separated, lifetime the lower of expires_in and the setting', async () => {
    op.addClient(op.clientCredentialsClient('machine-basic', 'machine-secret', 'basic'));
    const site = await createSite({
      oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'machine-basic', clientSecret: 'machine-secret', scope: 'api, read', tokenExpirationMinutes: 1 },
    });
    op.resetCounts();
    const started = Date.now();
    const token = await app.services.tokens.accessTokenFor(await siteEntity(site.id));
    expect(token).toBeTruthy();
    expect(op.requests).toEqual([
      expect.objectContaining({ grantType: 'client_credentials', clientAuth: 'basic', contentType: 'application/x-www-form-urlencoded', scope: 'api read' }),
    ]);
    const state = await tokenOf(site.id);
    expect(state.status).toBe('VALID');
    // Provider says 3600 s, the site says 1 minute: the minute wins.
    expect(new Date(state.expiresAt).getTime()).toBeLessThanOrEqual(started + 60_000 + 1000);
    // Used again while valid: no new request.
    await app.services.tokens.accessTokenFor(await siteEntity(site.id));
    expect(op.tokenRequests()).toBe(1);
  });

  it('fetches with the client secret in a JSON body', async () => {
    op.addClient(op.clientCredentialsClient('machine-post', 'machine-secret-2', 'post'));
    const site = await createSite({
      oauth2ClientCredentials: {
        tokenUrl: op.tokenUrl, clientId: 'machine-post', clientSecret: 'machine-secret-2', contentType: 'application/json', clientAuthentication: 'BODY', scope: 'api',
      },
    });
    op.resetCounts();
    expect((await refresh(site.id)).status).toBe('VALID');
    expect(op.requests).toEqual([expect.objectContaining({ grantType: 'client_credentials', clientAuth: 'body', contentType: 'application/json', scope: 'api' })]);
    expect((await history(site.id))[0]).toMatchObject({ grantType: 'client_credentials', outcome: 'SUCCEEDED' });
  });
});

describe('JWT private key (method 7) against oidc-provider', () => {
  const cases = [
    { grant: 'JWT_BEARER', alg: 'RS256', kid: 'rsa-1' },
    { grant: 'JWT_BEARER', alg: 'ES256', kid: undefined },
    { grant: 'JWT_BEARER', alg: 'ES256', kid: 'ec-1' },
    { grant: 'CLIENT_ASSERTION', alg: 'RS256', kid: undefined },
    { grant: 'CLIENT_ASSERTION', alg: 'RS256', kid: 'rsa-2' },
    { grant: 'CLIENT_ASSERTION', alg: 'ES256', kid: 'ec-2' },
    { grant: 'CLIENT_ASSERTION', alg: 'ES256', kid: undefined },
  ] as const;

  for (const { grant, alg, kid } of cases) {
    it(`${grant} with ${alg}, ${kid ? 'with' : 'without'} kid`, async () => {
      const clientId = `signer-${++counter}`;
      const jwk = { ...(alg === 'RS256' ? RSA_KEY : EC_KEY).publicKey.export({ format: 'jwk' }), ...(kid ? { kid } : {}) };
      op.addClient(grant === 'JWT_BEARER' ? op.jwtBearerClient(clientId, jwk, alg) : op.privateKeyJwtClient(clientId, jwk, alg));
      const site = await createSite({
        oauth2JwtBearer: {
          tokenUrl: op.tokenUrl, clientId, privateKey: alg === 'RS256' ? RSA_PRIVATE_PEM : EC_PRIVATE_PEM, keyId: kid, signAlgorithm: alg, grant, scope: 'api read', tokenExpirationMinutes: 5,
        },
      });
      op.resetCounts();
      const state = await refresh(site.id);
      expect(state).toMatchObject({ status: 'VALID', lastError: null });
      expect(op.requests).toHaveLength(1);
      const request = op.requests[0]!;
      expect(request.assertionAlg).toBe(alg);
      expect(request.assertionKid).toBe(kid);
      expect(request.scope).toBe('api read');
      if (grant === 'JWT_BEARER') {
        expect(request).toMatchObject({ grantType: JWT_BEARER_GRANT, clientAuth: 'none' });
        expect(request.params).toContain('assertion');
      } else {
        expect(request).toMatchObject({ grantType: 'client_credentials', clientAuth: 'assertion' });
        expect(request.params).toEqual(expect.arrayContaining(['client_assertion', 'client_assertion_type']));
      }
      // A second request signs a new assertion (fresh jti): the provider refuses replays, and accepts it.
      expect((await refresh(site.id)).status).toBe('VALID');
    });
  }
});

describe('token state over time', () => {
  let short: TestOidc;
  beforeAll(async () => {
    short = await startTestOidc({ clientCredentialsTtl: 2, accessTokenTtl: 2 });
  });
  afterAll(async () => short?.close());

  it('publishes EXPIRED when the token expires, to a WebSocket subscriber', async () => {
    short.addClient(short.clientCredentialsClient('expiring', 'x-secret'));
    const site = await createSite({ oauth2ClientCredentials: { tokenUrl: short.tokenUrl, clientId: 'expiring', clientSecret: 'x-secret' } });
    const subscription = await subscribeTokenEvents(app.url, TEST_ADMIN_TOKEN, site.id);
    try {
      const state = await refresh(site.id);
      expect(state.status).toBe('VALID');
      await subscription.waitFor((e) => e.status === 'VALID');
      // The site is a DRAFT, so nothing renews it: it runs out and the watcher says so without being asked.
      const expired = await subscription.waitFor((e) => e.status === 'EXPIRED');
      expect(expired).toMatchObject({ siteId: site.id, expiresAt: state.expiresAt });
      expect(subscription.events.map((e) => e.status)).toEqual(expect.arrayContaining(['REFRESHING', 'VALID', 'EXPIRING', 'EXPIRED']));
      expect(subscription.events.every((e) => e.siteId === site.id)).toBe(true);
      expect((await tokenOf(site.id)).status).toBe('EXPIRED');
    } finally {
      await subscription.close();
    }
  });

  it('renews an ACTIVE site\'s token ahead of expiry by itself', async () => {
    short.addClient(short.clientCredentialsClient('renewing', 'r-secret'));
    const site = await createSite({ oauth2ClientCredentials: { tokenUrl: short.tokenUrl, clientId: 'renewing', clientSecret: 'r-secret' } });
    ok(await app.gql('mutation ($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }', { id: site.id }));
    // Fetched before first use, then renewed again before each expiry, with no caller at all.
    const renewals = await eventually(async () => {
      const auto = (await history(site.id)).filter((h) => h.trigger === 'AUTO' && h.outcome === 'SUCCEEDED');
      return auto.length >= 3 ? auto : undefined;
    });
    expect(renewals.length).toBeGreaterThanOrEqual(3);
    ok(await app.gql('mutation ($id: ID!) { setSiteStatus(id: $id, status: INACTIVE) { id } }', { id: site.id }));
  });
});

describe('failures give a clear FAILED state, not a crash', () => {
  it('wrong client secret', async () => {
    op.addClient(op.clientCredentialsClient('wrong-secret', 'the-right-one'));
    const site = await createSite({ oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'wrong-secret', clientSecret: 'not-the-right-one' } });
    const state = await refresh(site.id);
    expect(state).toMatchObject({ status: 'FAILED', needsReconnect: true });
    expect(state.lastError).toMatch(/invalid_client/);
    expect(state.lastError).not.toContain('not-the-right-one');
    const error = await app.services.tokens.accessTokenFor(await siteEntity(site.id)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenUnavailableError);
    expect((error as TokenUnavailableError).needsReconnect).toBe(true);
  });

  it('unreachable token URL', async () => {
    const port = await freePort();
    const site = await createSite({ oauth2ClientCredentials: { tokenUrl: `http://127.0.0.1:${port}/token`, clientId: 'nobody', clientSecret: 's' } });
    const state = await refresh(site.id);
    expect(state).toMatchObject({ status: 'FAILED', needsReconnect: false });
    expect(state.lastError).toContain('could not be reached');
    const error = await app.services.tokens.accessTokenFor(await siteEntity(site.id)).catch((e: unknown) => e);
    expect((error as TokenUnavailableError).needsReconnect).toBe(false);
  });

  it('a token response without access_token, and a response that is not JSON', async () => {
    op.addClient(op.clientCredentialsClient('odd-provider', 'odd-secret'));
    const site = await createSite({ oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'odd-provider', clientSecret: 'odd-secret' } });
    try {
      op.override = () => ({ status: 200, contentType: 'application/json', body: JSON.stringify({ token_type: 'Bearer', expires_in: 60 }) });
      const missing = await refresh(site.id);
      expect(missing).toMatchObject({ status: 'FAILED', lastError: 'The token response has no access_token' });
      op.override = () => ({ status: 200, contentType: 'text/html', body: '<html>maintenance</html>' });
      const html = await refresh(site.id);
      expect(html.status).toBe('FAILED');
      expect(html.lastError).toContain('not a JSON token response');
      op.override = () => ({ status: 503, contentType: 'text/plain', body: 'try later' });
      expect((await refresh(site.id)).lastError).toContain('HTTP 503');
    } finally {
      op.override = undefined;
    }
    // The same site recovers once the provider behaves.
    expect((await refresh(site.id)).status).toBe('VALID');
    const outcomes = (await history(site.id)).map((h) => h.outcome);
    expect(outcomes).toEqual(['SUCCEEDED', 'FAILED', 'FAILED', 'FAILED']);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it('non-OAuth2 sites have no token, and Connect is only for the authorization-code method', async () => {
    const basic = await createSite({ basic: { username: 'u', password: 'p' } });
    expect(basic.token).toBeNull();
    const cc = await createSite({ oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'c', clientSecret: 's' } });
    expect(cc.token).toMatchObject({ status: 'NONE', hasRefreshToken: false });
    const refused = await app.gql('mutation ($id: ID!) { startOAuthConnect(siteId: $id) { authorizationUrl } }', { id: cc.id });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const missing = await app.gql('mutation { refreshAccessToken(siteId: "00000000-0000-4000-8000-000000000000") { status } }');
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('refresh rules', () => {
  it('a forced refresh (receiver said 401) from 50 callers at once makes one request and gives them the new token', async () => {
    op.addClient(op.clientCredentialsClient('forced', 'f-secret'));
    const site = await createSite({ oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'forced', clientSecret: 'f-secret' } });
    const entity = await siteEntity(site.id);
    const before = await app.services.tokens.accessTokenFor(entity);
    op.resetCounts();
    op.tokenDelayMs = 200;
    try {
      const after = await Promise.all(Array.from({ length: 50 }, () => app.services.tokens.accessTokenFor(entity, { forceRefresh: true })));
      expect(new Set(after).size).toBe(1);
      expect(after[0]).not.toBe(before);
      expect(op.tokenRequests()).toBe(1);
      expect((await history(site.id))[0]).toMatchObject({ trigger: 'FORCED', outcome: 'SUCCEEDED' });
    } finally {
      op.tokenDelayMs = 0;
    }
  });

  it('a failure only a person can fix waits for them; editing the site lets it try again', async () => {
    op.addClient(op.clientCredentialsClient('fixable', 'good-secret'));
    const site = await createSite({ oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'fixable', clientSecret: 'bad-secret' } });
    op.resetCounts();
    await expect(app.services.tokens.accessTokenFor(await siteEntity(site.id))).rejects.toBeInstanceOf(TokenUnavailableError);
    await expect(app.services.tokens.accessTokenFor(await siteEntity(site.id))).rejects.toBeInstanceOf(TokenUnavailableError);
    expect(op.tokenRequests()).toBe(1);
    ok(
      await app.gql('mutation ($id: ID!, $input: SiteUpdateInput!) { updateSite(id: $id, input: $input) { id } }', {
        id: site.id,
        input: { auth: { oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'fixable', clientSecret: 'good-secret' } } },
      }),
    );
    expect(await app.services.tokens.accessTokenFor(await siteEntity(site.id))).toBeTruthy();
    expect((await tokenOf(site.id)).status).toBe('VALID');
    expect(op.tokenRequests()).toBe(2);
  });

  it('a token obtained under another configuration (scope changed) is dropped and fetched again', async () => {
    op.addClient(op.clientCredentialsClient('rescoped', 'r-secret'));
    const site = await createSite({ oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'rescoped', clientSecret: 'r-secret', scope: 'api' } });
    const first = await app.services.tokens.accessTokenFor(await siteEntity(site.id));
    ok(
      await app.gql('mutation ($id: ID!, $input: SiteUpdateInput!) { updateSite(id: $id, input: $input) { id } }', {
        id: site.id,
        input: { auth: { oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'rescoped', scope: 'api read' } } },
      }),
    );
    expect((await tokenOf(site.id)).status).toBe('NONE');
    op.resetCounts();
    const second = await app.services.tokens.accessTokenFor(await siteEntity(site.id));
    expect(second).not.toBe(first);
    expect(op.requests).toEqual([expect.objectContaining({ scope: 'api read' })]);
  });

  it('connecting again replaces the whole grant; an OAUTH2 site that was never connected says so', async () => {
    const clientId = `web-${++counter}`;
    const site = await createSite({
      oauth2: { consumerKey: clientId, consumerSecret: 's', authorizationUrl: op.authorizationUrl, tokenUrl: op.tokenUrl, scope: 'openid api' },
    });
    const error = await app.services.tokens.accessTokenFor(await siteEntity(site.id)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenUnavailableError);
    expect((error as TokenUnavailableError).message).toContain('Connect');
    expect((error as TokenUnavailableError).needsReconnect).toBe(true);
    const viewerless = await app.gql('mutation ($id: ID!) { refreshAccessToken(siteId: $id) { status } }', { id: site.id });
    expect(viewerless.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
