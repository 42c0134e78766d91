import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EC_KEY, EC_PRIVATE_PEM } from '../../test/fixtures.js';
import { TEST_RESOURCE_SERVERS, type TestOidc, startTestOidc } from '../../test/oidc.js';
import { type TestApp, ok, startTestApp } from '../../test/support.js';
import { freePort } from './test-helpers.js';

/*
 * Token request parameters (issue 12 item 4): audience, RFC 8707 resource indicators and extra
 * parameters, for the three OAuth2 methods. Against oidc-provider (which serves resource
 * indicators: a token for a known resource is a JWT whose aud is that resource) and against a
 * plain token endpoint on 127.0.0.1 that records each body as it arrived.
 */

const TOKEN_FIELDS = 'siteId status expiresAt hasRefreshToken lastError needsReconnect';
const AUTH_PARAMS = `auth {
  ... on OAuth2Auth { audience resource extraParams { name value } }
  ... on OAuth2ClientCredentialsAuth { audience resource extraParams { name value } }
  ... on OAuth2JwtBearerAuth { audience resource extraParams { name value } }
}`;
const [ORDERS, LEDGER] = TEST_RESOURCE_SERVERS;

let op: TestOidc;
let app: TestApp;
let counter = 0;

/** A token endpoint that records what it was sent and answers a Bearer token. */
interface Recorded {
  contentType: string;
  authorization: string | undefined;
  body: string;
}
let recorder: http.Server;
let recorderUrl: string;
const recorded: Recorded[] = [];

beforeAll(async () => {
  op = await startTestOidc();
  recorder = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    recorded.push({ contentType: String(req.headers['content-type']), authorization: req.headers.authorization, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: `recorded-${recorded.length}`, token_type: 'Bearer', expires_in: 3600 }));
  });
  await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', () => resolve()));
  recorderUrl = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}/token`;
  const port = await freePort();
  app = await startTestApp({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
});

afterAll(async () => {
  await app?.stop();
  await op?.close();
  recorder?.closeAllConnections();
  await new Promise<void>((resolve) => (recorder ? recorder.close(() => resolve()) : resolve()));
});

async function createSite(auth: Record<string, unknown>) {
  const data = ok(
    await app.gql(`mutation ($input: SiteInput!) { createSite(input: $input) { id redirectUrl ${AUTH_PARAMS} } }`, {
      input: { name: `params ${++counter} ${Date.now()}`, url: 'https://receiver.example.com/hook', auth },
    }),
  );
  return data.createSite as { id: string; redirectUrl: string | null; auth: Record<string, unknown> };
}

async function refresh(siteId: string) {
  return ok(await app.gql(`mutation ($id: ID!) { refreshAccessToken(siteId: $id) { ${TOKEN_FIELDS} } }`, { id: siteId })).refreshAccessToken;
}

async function accessToken(siteId: string): Promise<string> {
  return app.services.tokens.accessTokenFor((await app.services.sites.get(siteId))!);
}

async function siteRow(siteId: string): Promise<string> {
  const { rows } = await app.services.db.pool.query('SELECT auth::text AS auth, updated_at FROM site WHERE id = $1', [siteId]);
  return JSON.stringify(rows[0]);
}

async function fieldErrors(query: string, variables: Record<string, unknown>) {
  const result = await app.gql(query, variables);
  expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  return result.errors![0]!.extensions!.fieldErrors as Array<{ path: string; message: string }>;
}

/** A form body as an object: a field sent once as a string, a repeated one as the list of its values. */
function formObject(body: string): Record<string, string | string[]> {
  const form = new URLSearchParams(body);
  return Object.fromEntries([...new Set(form.keys())].map((key) => {
    const values = form.getAll(key);
    return [key, values.length > 1 ? values : values[0]!];
  }));
}

const CREATE = `mutation ($input: SiteInput!) { createSite(input: $input) { id } }`;
const UPDATE = `mutation ($id: ID!, $input: SiteUpdateInput!) { updateSite(id: $id, input: $input) { id ${AUTH_PARAMS} } }`;

describe('resource indicators against oidc-provider (RFC 8707)', () => {
  it('client credentials with a resource: the access token is a JWT for that resource', async () => {
    op.addClient(op.clientCredentialsClient('rs-machine', 'rs-secret'));
    const site = await createSite({
      oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'rs-machine', clientSecret: 'rs-secret', scope: 'api', resource: [ORDERS] },
    });
    expect(site.auth).toEqual({ audience: null, resource: [ORDERS], extraParams: [] });
    op.resetCounts();
    expect(await refresh(site.id)).toMatchObject({ status: 'VALID', lastError: null });
    expect(op.requests).toEqual([expect.objectContaining({ grantType: 'client_credentials', resource: [ORDERS], scope: 'api' })]);
    const claims = decodeJwt(await accessToken(site.id));
    expect(claims.aud).toBe(ORDERS);
    expect(claims.scope).toBe('api');
    expect(claims.client_id).toBe('rs-machine');
  });

  it('the same grant without a resource gets the provider’s usual opaque token (the parameter is what made the difference)', async () => {
    op.addClient(op.clientCredentialsClient('rs-plain', 'rs-secret'));
    const site = await createSite({ oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'rs-plain', clientSecret: 'rs-secret', scope: 'api' } });
    op.resetCounts();
    expect((await refresh(site.id)).status).toBe('VALID');
    expect(op.requests[0]!.resource).toEqual([]);
    // oidc-provider's opaque format: no JWT, no audience to read.
    expect((await accessToken(site.id)).split('.')).toHaveLength(1);
  });

  it('JWT private key (client assertion) with a resource and JSON body: the token is for that resource', async () => {
    const jwk = { ...EC_KEY.publicKey.export({ format: 'jwk' }), kid: 'rs-ec' };
    op.addClient(op.privateKeyJwtClient('rs-signer', jwk, 'ES256'));
    const site = await createSite({
      oauth2JwtBearer: {
        tokenUrl: op.tokenUrl, clientId: 'rs-signer', privateKey: EC_PRIVATE_PEM, keyId: 'rs-ec', signAlgorithm: 'ES256', grant: 'CLIENT_ASSERTION',
        contentType: 'application/json', scope: 'read', resource: [LEDGER],
      },
    });
    op.resetCounts();
    expect(await refresh(site.id)).toMatchObject({ status: 'VALID', lastError: null });
    expect(op.requests[0]).toMatchObject({ grantType: 'client_credentials', clientAuth: 'assertion', contentType: 'application/json', resource: [LEDGER] });
    expect(decodeJwt(await accessToken(site.id)).aud).toBe(LEDGER);
  });

  it('a resource the provider does not serve is refused by it, and shown as the token failure', async () => {
    op.addClient(op.clientCredentialsClient('rs-unknown', 'rs-secret'));
    const site = await createSite({
      oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'rs-unknown', clientSecret: 'rs-secret', scope: 'api', resource: ['https://unknown.api.test/'] },
    });
    op.resetCounts();
    const state = await refresh(site.id);
    expect(state).toMatchObject({ status: 'FAILED', needsReconnect: true });
    expect(state.lastError).toMatch(/^The token endpoint refused the request: invalid_target/);
    expect(op.requests).toEqual([expect.objectContaining({ resource: ['https://unknown.api.test/'] })]);
    const history = ok(await app.gql('query ($id: ID!) { tokenHistory(siteId: $id, first: 5) { outcome error } }', { id: site.id })).tokenHistory;
    expect(history[0]).toMatchObject({ outcome: 'FAILED', error: expect.stringContaining('invalid_target') });
  });

  it('authorization code: resource (and audience, extra parameters) in the authorization URL, the code exchange and the refresh', async () => {
    const clientId = `rs-web-${++counter}`;
    const site = await createSite({
      oauth2: {
        consumerKey: clientId, consumerSecret: 'web-secret', authorizationUrl: op.authorizationUrl, tokenUrl: op.tokenUrl, scope: 'openid api',
        audience: 'orders-api', resource: [ORDERS], extraParams: [{ name: 'ui_locales', value: 'fr' }],
      },
    });
    op.addClient(op.authCodeClient(clientId, 'web-secret', site.redirectUrl!));
    const { startOAuthConnect } = ok(await app.gql('mutation ($id: ID!) { startOAuthConnect(siteId: $id) { authorizationUrl } }', { id: site.id }));
    const url = new URL(startOAuthConnect.authorizationUrl);
    expect(url.searchParams.getAll('resource')).toEqual([ORDERS]);
    expect(url.searchParams.get('audience')).toBe('orders-api');
    expect(url.searchParams.get('ui_locales')).toBe('fr');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');

    op.resetCounts();
    // The provider's consent grants the resource's scopes; the callback exchanges the code.
    const result = await op.authorize(startOAuthConnect.authorizationUrl, { followCallback: true });
    expect(result.finalLocation).toContain('oauth=connected');
    expect(op.requests).toHaveLength(1);
    expect(op.requests[0]).toMatchObject({ grantType: 'authorization_code', resource: [ORDERS] });
    expect(op.requests[0]!.params).toEqual(expect.arrayContaining(['audience', 'code', 'code_verifier', 'resource', 'ui_locales']));
    expect(decodeJwt(await accessToken(site.id)).aud).toBe(ORDERS);

    const refreshed = await refresh(site.id);
    expect(refreshed).toMatchObject({ status: 'VALID', hasRefreshToken: true });
    expect(op.requests[1]).toMatchObject({ grantType: 'refresh_token', resource: [ORDERS] });
    expect(op.requests[1]!.params).toEqual(expect.arrayContaining(['audience', 'refresh_token', 'resource', 'ui_locales']));
    const claims = decodeJwt(await accessToken(site.id));
    expect(claims.aud).toBe(ORDERS);
    expect(claims.scope).toBe('api');
  });
});

describe('audience and extra parameters reach the token endpoint as the content type says', () => {
  const two = ['https://orders.partner.test/', 'urn:partner:ledger'];
  const extra = [
    { name: 'tenant', value: 'acme & co' },
    { name: 'organization', value: 'org_42' },
  ];

  it('client credentials, form: resource repeated, audience and each extra parameter once', async () => {
    const site = await createSite({
      oauth2ClientCredentials: {
        tokenUrl: recorderUrl, clientId: 'rec', clientSecret: 'rec-secret', clientAuthentication: 'BODY', scope: 'api', audience: 'https://api.partner.test', resource: two, extraParams: extra,
      },
    });
    expect(site.auth).toEqual({ audience: 'https://api.partner.test', resource: two, extraParams: extra });
    recorded.length = 0;
    expect((await refresh(site.id)).status).toBe('VALID');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.contentType).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(recorded[0]!.body);
    expect([...form.keys()]).toEqual(['grant_type', 'scope', 'audience', 'resource', 'resource', 'tenant', 'organization', 'client_id', 'client_secret']);
    expect(form.getAll('resource')).toEqual(two);
    expect(form.get('audience')).toBe('https://api.partner.test');
    expect(form.get('tenant')).toBe('acme & co');
    expect(form.get('organization')).toBe('org_42');
  });

  it('client credentials, JSON: resource an array, audience and extra parameters as strings', async () => {
    const site = await createSite({
      oauth2ClientCredentials: {
        tokenUrl: recorderUrl, clientId: 'rec', clientSecret: 'rec-secret', contentType: 'application/json', audience: 'aud-1', resource: [two[0]], extraParams: extra,
      },
    });
    recorded.length = 0;
    expect((await refresh(site.id)).status).toBe('VALID');
    expect(recorded[0]!.contentType).toBe('application/json');
    expect(recorded[0]!.authorization).toMatch(/^Basic /);
    expect(JSON.parse(recorded[0]!.body)).toEqual({ grant_type: 'client_credentials', audience: 'aud-1', resource: [two[0]], tenant: 'acme & co', organization: 'org_42' });
  });

  for (const contentType of ['application/x-www-form-urlencoded', 'application/json'] as const) {
    it(`JWT private key (jwt-bearer grant), ${contentType}`, async () => {
      const site = await createSite({
        oauth2JwtBearer: { tokenUrl: recorderUrl, clientId: 'rec-signer', privateKey: EC_PRIVATE_PEM, signAlgorithm: 'ES256', contentType, audience: 'aud-2', resource: two, extraParams: extra.slice(0, 1) },
      });
      recorded.length = 0;
      expect((await refresh(site.id)).status).toBe('VALID');
      const body = contentType === 'application/json' ? JSON.parse(recorded[0]!.body) : formObject(recorded[0]!.body);
      expect(body).toMatchObject({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', audience: 'aud-2', resource: two, tenant: 'acme & co' });
      expect(typeof body.assertion).toBe('string');
    });
  }
});

describe('validation, with field paths; a refused change changes nothing', () => {
  const base = { tokenUrl: 'https://auth.example.com/token', clientId: 'c', clientSecret: 's' };

  it('refuses extra parameters named like the grant’s own, in any case, with the row’s path', async () => {
    const errors = await fieldErrors(CREATE, {
      input: {
        name: `bad ${++counter}`, url: 'https://receiver.example.com/hook',
        auth: { oauth2ClientCredentials: { ...base, extraParams: [{ name: 'tenant', value: 'a' }, { name: 'client_secret', value: 'x' }, { name: 'Resource', value: 'y' }, { name: 'tenant', value: 'b' }] } },
      },
    });
    expect(errors).toEqual([
      { path: 'auth.oauth2ClientCredentials.extraParams[1].name', message: '"client_secret" is set by the grant and cannot be given here' },
      { path: 'auth.oauth2ClientCredentials.extraParams[2].name', message: '"Resource" is set by the grant (use the resource field) and cannot be given here' },
      { path: 'auth.oauth2ClientCredentials.extraParams[3].name', message: 'This parameter is already listed' },
    ]);
    for (const [member, auth] of [
      ['oauth2', { consumerKey: 'k', consumerSecret: 's', authorizationUrl: 'https://auth.example.com/a', tokenUrl: 'https://auth.example.com/t' }],
      ['oauth2JwtBearer', { tokenUrl: 'https://auth.example.com/t', clientId: 'c', privateKey: EC_PRIVATE_PEM, signAlgorithm: 'ES256' }],
    ] as const) {
      for (const name of ['grant_type', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'assertion', 'client_assertion_type', 'scope', 'audience', 'state']) {
        const paths = (await fieldErrors(CREATE, { input: { name: `bad ${++counter}`, url: 'https://receiver.example.com/hook', auth: { [member]: { ...auth, extraParams: [{ name, value: 'v' }] } } } })).map((e) => e.path);
        expect(paths, `${member} ${name}`).toEqual([`auth.${member}.extraParams[0].name`]);
      }
    }
  });

  it('refuses bad resources, values, names and counts', async () => {
    const refused = async (member: Record<string, unknown>) =>
      fieldErrors(CREATE, { input: { name: `bad ${++counter}`, url: 'https://receiver.example.com/hook', auth: { oauth2ClientCredentials: { ...base, ...member } } } });
    expect(await refused({ resource: ['https://api.example.com/#part', '/relative', 'https://ok.example.com/', 'https://ok.example.com/', 'has space:x'] })).toEqual([
      { path: 'auth.oauth2ClientCredentials.resource[0]', message: 'Must not contain a #fragment (RFC 8707 §2)' },
      { path: 'auth.oauth2ClientCredentials.resource[1]', message: 'Must be an absolute URI, e.g. https://api.example.com/ (RFC 8707 §2)' },
      { path: 'auth.oauth2ClientCredentials.resource[3]', message: 'This resource indicator is already listed' },
      { path: 'auth.oauth2ClientCredentials.resource[4]', message: 'Must not contain spaces or control characters' },
    ]);
    expect((await refused({ resource: Array.from({ length: 11 }, (_, i) => `urn:r:${i}`) })).map((e) => e.path)).toEqual(['auth.oauth2ClientCredentials.resource']);
    expect((await refused({ extraParams: Array.from({ length: 21 }, (_, i) => ({ name: `p${i}`, value: 'v' })) })).map((e) => e.path)).toEqual(['auth.oauth2ClientCredentials.extraParams']);
    expect(await refused({ extraParams: [{ name: 'ok', value: 'x'.repeat(1001) }, { name: 'line', value: 'a\nb' }, { name: '', value: 'v' }, { name: 'blank', value: ' ' }, { name: 'we ird', value: 'v' }] })).toEqual([
      { path: 'auth.oauth2ClientCredentials.extraParams[0].value', message: 'Must be at most 1,000 characters' },
      { path: 'auth.oauth2ClientCredentials.extraParams[1].value', message: 'Must not contain control characters (line breaks, tabs and the like)' },
      { path: 'auth.oauth2ClientCredentials.extraParams[2].name', message: 'A parameter name is required' },
      { path: 'auth.oauth2ClientCredentials.extraParams[3].value', message: 'A value is required' },
      { path: 'auth.oauth2ClientCredentials.extraParams[4].name', message: 'Must not contain spaces or control characters' },
    ]);
    expect(await refused({ audience: 'a\u0007b' })).toEqual([{ path: 'auth.oauth2ClientCredentials.audience', message: 'Must not contain control characters' }]);
    // At the limits: accepted.
    ok(await app.gql(CREATE, {
      input: {
        name: `limits ${++counter}`, url: 'https://receiver.example.com/hook',
        auth: { oauth2ClientCredentials: { ...base, resource: Array.from({ length: 10 }, (_, i) => `urn:r:${i}`), extraParams: Array.from({ length: 20 }, (_, i) => ({ name: `p${i}`, value: 'x'.repeat(1000) })) } },
      },
    }));
  });

  it('an update keeps omitted parameters, [] clears them, a refused one changes nothing, and the audit names the paths', async () => {
    const site = await createSite({ oauth2ClientCredentials: { ...base, audience: 'a1', resource: ['urn:r:1'], extraParams: [{ name: 'tenant', value: 'acme' }] } });
    const kept = ok(await app.gql(UPDATE, { id: site.id, input: { auth: { oauth2ClientCredentials: { scope: 'api' } } } })).updateSite;
    expect(kept.auth).toEqual({ audience: 'a1', resource: ['urn:r:1'], extraParams: [{ name: 'tenant', value: 'acme' }] });

    const before = await siteRow(site.id);
    const errors = await fieldErrors(UPDATE, { id: site.id, input: { name: 'renamed too', auth: { oauth2ClientCredentials: { resource: ['urn:r:2'], extraParams: [{ name: 'ok', value: 'v' }, { name: 'grant_type', value: 'password' }] } } } });
    expect(errors.map((e) => e.path)).toEqual(['auth.oauth2ClientCredentials.extraParams[1].name']);
    expect(await siteRow(site.id)).toBe(before);

    const changed = ok(await app.gql(UPDATE, { id: site.id, input: { auth: { oauth2ClientCredentials: { resource: ['urn:r:2'], extraParams: [] } } } })).updateSite;
    expect(changed.auth).toEqual({ audience: 'a1', resource: ['urn:r:2'], extraParams: [] });
    const events = ok(await app.gql('query ($siteId: ID) { auditEvents(first: 1, siteId: $siteId) { edges { node { operation changed } } } }', { siteId: site.id })).auditEvents.edges;
    expect(events[0].node).toEqual({ operation: 'SITE_UPDATED', changed: ['auth.oauth2ClientCredentials.extraParams', 'auth.oauth2ClientCredentials.resource'] });

    const cleared = ok(await app.gql(UPDATE, { id: site.id, input: { auth: { oauth2ClientCredentials: { audience: '', resource: [] } } } })).updateSite;
    expect(cleared.auth).toEqual({ audience: null, resource: [], extraParams: [] });
  });

  it('a site saved before these fields existed reads as none and saves unchanged', async () => {
    const site = await createSite({ oauth2ClientCredentials: base });
    await app.services.db.pool.query(`UPDATE site SET auth = auth - 'resource' - 'extraParams' - 'audience' WHERE id = $1`, [site.id]);
    const read = ok(await app.gql(`query ($id: ID!) { site(id: $id) { ${AUTH_PARAMS} } }`, { id: site.id })).site;
    expect(read.auth).toEqual({ audience: null, resource: [], extraParams: [] });
    ok(await app.gql(UPDATE, { id: site.id, input: { auth: { oauth2ClientCredentials: { scope: 'api' } } } }));
    const events = ok(await app.gql('query ($siteId: ID) { auditEvents(first: 1, siteId: $siteId) { edges { node { changed } } } }', { siteId: site.id })).auditEvents.edges;
    expect(events[0].node.changed).toEqual(['auth.oauth2ClientCredentials.scope']);
  });
});
