import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validAuthInputs } from '../../test/fixtures.js';
import { type GqlResult, type TestApp, ok, startTestApp } from '../../test/support.js';

/**
 * Input that is accepted but can never work, or misleads (issue 10 item 5): refused at the input
 * with BAD_USER_INPUT and the exact field path, and nothing written.
 */

const CREATE = 'mutation($input: SiteInput!) { createSite(input: $input) { id url auth { ... on OAuth2ClientCredentialsAuth { tokenUrl } ... on OAuth2Auth { authorizationUrl tokenUrl } } } }';
const UPDATE = 'mutation($id: ID!, $input: SiteUpdateInput!) { updateSite(id: $id, input: $input) { id url } }';
const SEND = 'mutation($input: WebhookInput!) { sendWebhook(input: $input) { id } }';
const CREATE_TOKEN = 'mutation($input: ApiTokenInput!) { createApiToken(input: $input) { token { id } } }';

let app: TestApp;
let db: pg.Client;
let activeSiteId: string;
let counter = 0;

const basicSite = (overrides: Record<string, unknown> = {}) => ({
  name: `Site ${++counter}`,
  url: 'https://hooks.example.com/in',
  auth: { basic: { username: 'u', password: 'p' } },
  ...overrides,
});

async function rowCounts(): Promise<Record<string, number>> {
  const { rows } = await db.query<{ sites: number; deliveries: number; tokens: number }>(
    'SELECT (SELECT count(*)::int FROM site) AS sites, (SELECT count(*)::int FROM delivery) AS deliveries, (SELECT count(*)::int FROM api_token) AS tokens',
  );
  return rows[0]!;
}

/** Runs the call, expects one BAD_USER_INPUT naming exactly `path` (and `message` if given), and that no row was added. */
async function refused(query: string, variables: Record<string, unknown>, path: string, message?: RegExp): Promise<GqlResult<unknown>> {
  const before = await rowCounts();
  const result = await app.gql(query, variables);
  expect(result.errors, JSON.stringify(result)).toHaveLength(1);
  const error = result.errors![0]!;
  expect(error.extensions?.code, JSON.stringify(error)).toBe('BAD_USER_INPUT');
  const paths = error.extensions?.fieldErrors?.map((f) => f.path);
  expect(paths, JSON.stringify(error)).toContain(path);
  if (message) expect(error.extensions!.fieldErrors!.find((f) => f.path === path)!.message).toMatch(message);
  expect(await rowCounts()).toEqual(before);
  return result;
}

beforeAll(async () => {
  app = await startTestApp({ TRUSTED_SITES_ROLE: 'api' });
  db = new pg.Client({ connectionString: app.databaseUrl });
  await db.connect();
  activeSiteId = ok(await app.gql(CREATE, { input: basicSite() })).createSite.id;
  ok(await app.gql('mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }', { id: activeSiteId }));
});

afterAll(async () => {
  await db?.end();
  await app?.stop();
});

describe('header names and values are RFC 9110 field tokens and field values', () => {
  it.each([
    ['non-ASCII', '日本語', /ASCII/],
    ['a C0 control', 'a\u0001b', /control/],
    ['DEL', 'a\u007fb', /control/],
    ['a line break', 'a\r\nx-injected: 1', /control/],
    ['obs-text (Latin-1)', 'caf\u00e9', /ASCII/],
    ['a leading space', ' value', /start or end/],
    ['a trailing tab', 'value\t', /start or end/],
  ])('a webhook header value with %s is refused', async (_label, value, message) => {
    await refused(SEND, { input: { siteId: activeSiteId, payload: {}, headers: [{ name: 'x-ok', value: 'fine' }, { name: 'x-tenant', value }] } }, 'input.headers.1.value', message);
  });

  it.each([['日本語'], ['x tenant'], ['x:tenant'], ['x\u0001'], ['']])('a webhook header name %j is refused', async (name) => {
    await refused(SEND, { input: { siteId: activeSiteId, payload: {}, headers: [{ name, value: 'v' }] } }, 'input.headers.0.name');
  });

  it('every header in a batch is checked, and the field path names the input and the header', async () => {
    await refused(
      'mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }',
      { inputs: [{ siteId: activeSiteId, payload: 1 }, { siteId: activeSiteId, payload: 2, headers: [{ name: 'x-a', value: '\u007f' }] }] },
      'inputs.1.headers.0.value',
    );
  });

  it('a valid value (visible ASCII, inner spaces and tabs, empty) is accepted', async () => {
    ok(await app.gql(SEND, { input: { siteId: activeSiteId, payload: {}, headers: [{ name: 'x-a', value: 'a b\tc ~!' }, { name: 'x-empty', value: '' }] } }));
  });

  it('the AWS session token, sent as x-amz-security-token, must be a header value', async () => {
    await refused(CREATE, { input: basicSite({ auth: { aws: { ...validAuthInputs().aws, sessionToken: 'tok\u0001en' } } }) }, 'auth.aws.sessionToken', /control/);
    await refused(CREATE, { input: basicSite({ auth: { aws: { ...validAuthInputs().aws, sessionToken: 'jeton-été' } } }) }, 'auth.aws.sessionToken', /ASCII/);
  });

  it('the content type, sent as content-type, has only visible ASCII in quoted parameters and no line breaks', async () => {
    await refused(CREATE, { input: basicSite({ contentType: 'text/plain; name="日本"' }) }, 'contentType');
    await refused(CREATE, { input: basicSite({ contentType: 'text/plain; a="\u0001"' }) }, 'contentType');
    await refused(CREATE, { input: basicSite({ contentType: 'text/plain;\r\n charset=utf-8' }) }, 'contentType');
    ok(await app.gql(CREATE, { input: basicSite({ contentType: 'text/plain; name="a \\"b\\""' }) }));
  });
});

describe('URLs: no control characters, at most 2,048 characters, stored normalised', () => {
  it.each([
    ['CR LF', 'https://hooks.example.com/in\r\nx'],
    ['a tab', 'https://hooks.exa\tmple.com/in'],
    ['a trailing line break', 'https://hooks.example.com/in\n'],
    ['NUL', 'https://hooks.example.com/\u0000'],
    ['DEL', 'https://hooks.example.com/\u007f'],
    ['a C1 control', 'https://hooks.example.com/\u0085'],
  ])('a site URL with %s is refused', async (_label, url) => {
    await refused(CREATE, { input: basicSite({ url }) }, 'url', /control/);
  });

  it('a URL over 2,048 characters is refused, also once percent-encoding has grown it', async () => {
    await refused(CREATE, { input: basicSite({ url: `https://hooks.example.com/${'a'.repeat(2_030)}` }) }, 'url', /2,048/);
    await refused(CREATE, { input: basicSite({ url: `https://hooks.example.com/${'é'.repeat(400)}` }) }, 'url', /normalised/);
    const longest = `https://hooks.example.com/${'a'.repeat(2_048 - 'https://hooks.example.com/'.length)}`;
    expect(ok(await app.gql(CREATE, { input: basicSite({ url: longest }) })).createSite.url).toBe(longest);
  });

  it('what is stored, previewed and sent is the normalised URL', async () => {
    const site = ok(await app.gql(CREATE, { input: basicSite({ url: '  HTTPS://Hooks.Example.COM:443/a/../in path?q=1 2  ' }) })).createSite;
    expect(site.url).toBe('https://hooks.example.com/in%20path?q=1%202');
    const preview = ok(await app.gql('query($id: ID!) { previewSignedRequest(siteId: $id) { url } }', { id: site.id })).previewSignedRequest;
    expect(preview.url).toBe(site.url);
    const updated = ok(await app.gql(UPDATE, { id: site.id, input: { url: 'https://bücher.example/ä' } })).updateSite;
    expect(updated.url).toBe('https://xn--bcher-kva.example/%C3%A4');
  });

  it('token and authorization URLs follow the same rules', async () => {
    const { oauth2, oauth2ClientCredentials, oauth2JwtBearer } = validAuthInputs();
    await refused(CREATE, { input: basicSite({ auth: { oauth2: { ...oauth2, authorizationUrl: 'https://auth.example.com/a\nb' } } }) }, 'auth.oauth2.authorizationUrl', /control/);
    await refused(CREATE, { input: basicSite({ auth: { oauth2ClientCredentials: { ...oauth2ClientCredentials, tokenUrl: `https://auth.example.com/${'t'.repeat(2_100)}` } } }) }, 'auth.oauth2ClientCredentials.tokenUrl', /2,048/);
    await refused(CREATE, { input: basicSite({ auth: { oauth2JwtBearer: { ...oauth2JwtBearer, tokenUrl: 'https://auth.example.com/\t' } } }) }, 'auth.oauth2JwtBearer.tokenUrl', /control/);
    const site = ok(await app.gql(CREATE, { input: basicSite({ auth: { oauth2: { ...oauth2, authorizationUrl: 'HTTPS://Auth.Example.com/authorize', tokenUrl: 'https://auth.example.com:443/token' } } }) })).createSite;
    expect(site.auth).toEqual({ authorizationUrl: 'https://auth.example.com/authorize', tokenUrl: 'https://auth.example.com/token' });
  });
});

describe('HS256 secrets have at least 32 bytes (RFC 7518 §3.2)', () => {
  const jwt = (secret: string) => basicSite({ auth: { jwt: { algorithm: 'HS256', secret, timeToLive: '5 minutes' } } });

  it('a short secret is refused, and the message says the rule', async () => {
    await refused(CREATE, { input: jwt('x') }, 'auth.jwt.secret', /at least 32 bytes.*RFC 7518 §3\.2.*this one is 1/);
    await refused(CREATE, { input: jwt('a'.repeat(31)) }, 'auth.jwt.secret', /32 bytes/);
  });

  it('bytes are counted, not characters: 11 three-byte characters are 33 bytes', async () => {
    ok(await app.gql(CREATE, { input: jwt('日'.repeat(11)) }));
    ok(await app.gql(CREATE, { input: jwt('a'.repeat(32)) }));
  });

  it('an RS256 site switched to HS256 needs a long enough secret too', async () => {
    const site = ok(await app.gql(CREATE, { input: jwt('s'.repeat(40)) })).createSite;
    await refused(UPDATE, { id: site.id, input: { auth: { jwt: { algorithm: 'HS256', secret: 'short', timeToLive: '5 minutes' } } } }, 'auth.jwt.secret', /32 bytes/);
  });
});

describe('names: no text-direction, zero-width, format or control characters', () => {
  const hidden: Array<[string, string]> = [
    ['RIGHT-TO-LEFT OVERRIDE', 'invoice\u202Etxt.exe'],
    ['LEFT-TO-RIGHT EMBEDDING', 'a\u202Ab'],
    ['RIGHT-TO-LEFT ISOLATE', 'a\u2067b'],
    ['POP DIRECTIONAL ISOLATE', 'a\u2069b'],
    ['ZERO WIDTH SPACE', 'Pay\u200Bments'],
    ['ZERO WIDTH JOINER', 'a\u200Db'],
    ['WORD JOINER', 'a\u2060b'],
    ['BYTE ORDER MARK', '\uFEFFPayments'],
    ['SOFT HYPHEN (another format character)', 'Pay\u00ADments'],
    ['a C1 control', 'a\u0085b'],
    ['LINE SEPARATOR', 'a\u2028b'],
    ['a lone surrogate', 'a\uD800b'],
  ];

  it.each(hidden)('a site name with %s is refused', async (_label, name) => {
    await refused(CREATE, { input: basicSite({ name }) }, 'name', /U\+/);
  });

  it.each(hidden)('an API token name with %s is refused', async (_label, name) => {
    await refused(CREATE_TOKEN, { input: { name, role: 'VIEWER' } }, 'name', /U\+/);
  });

  it('names in other scripts, with emoji and combining marks, are accepted', async () => {
    ok(await app.gql(CREATE, { input: basicSite({ name: 'Zahlungen — Ünïcode 日本語 עברית 😀 e\u0301' }) }));
  });
});

describe('a value GraphQL refuses (unknown enum value, wrong type) has a field path like every other refusal', () => {
  it('an unknown enum value in a variable: the path inside the variable', async () => {
    await refused(
      'query($authMethod: AuthMethod) { sites(authMethod: $authMethod) { totalCount } }',
      { authMethod: 'NOPE' },
      'authMethod',
    );
    await refused(CREATE, { input: basicSite({ auth: { jwt: { algorithm: 'NOPE', timeToLive: '5 minutes' } } }) }, 'input.auth.jwt.algorithm', /NOPE.*JwtAlgorithm/);
    await refused(CREATE_TOKEN, { input: { name: 'Enum', role: 'OWNER' } }, 'input.role', /OWNER/);
  });

  it('an unknown enum value written inline: the path from the argument', async () => {
    await refused('{ sites(authMethod: NOPE) { totalCount } }', {}, 'authMethod', /NOPE/);
    await refused('mutation { createSite(input: { name: "x", url: "https://x.example", auth: { jwt: { algorithm: NOPE } } }) { id } }', {}, 'input.auth.jwt.algorithm');
    await refused(`mutation { setSiteStatus(id: "${activeSiteId}", status: PAUSED) { id } }`, {}, 'status');
  });

  it('wrong types, missing required fields and unknown fields, in variables and inline, list items by number', async () => {
    await refused(CREATE, { input: basicSite({ performance: { threads: 1.5 } }) }, 'input.performance.threads', /non-integer/);
    await refused(CREATE, { input: { name: 'x', auth: { basic: {} } } }, 'input.url', /not provided/);
    await refused(CREATE, { input: basicSite({ colour: 'red' }) }, 'input.colour');
    await refused('mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }', { inputs: [{ siteId: activeSiteId, payload: 1 }, { payload: 2 }] }, 'inputs.1.siteId');
    await refused('query($first: Int!) { deliveries(first: $first) { totalCount } }', {}, 'first', /not provided/);
    await refused('mutation { createSite(input: { name: "x", url: "https://x.example", auth: {}, performance: { threads: "four" } }) { id } }', {}, 'input.performance.threads');
    await refused('mutation { sendWebhooks(inputs: [{ siteId: "a", payload: 1 }, { siteId: 1.5, payload: 1 }]) { id } }', {}, 'inputs.1.siteId');
    await refused('mutation { createSite { id } }', {}, 'input', /required/);
  });
});

describe('other input that can never work', () => {
  it('JSON nested deeper than 100 levels is refused before anything recurses over it', async () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 3_000; i++) deep = [deep];
    await refused(SEND, { input: { siteId: activeSiteId, payload: deep } }, 'input.payload', /100 levels/);
    await refused('mutation($id: ID!, $payload: JSON) { testSite(id: $id, payload: $payload) { ok } }', { id: activeSiteId, payload: deep }, 'payload', /100 levels/);
    await refused('query($id: ID!, $payload: JSON) { previewSignedRequest(siteId: $id, payload: $payload) { url } }', { id: activeSiteId, payload: deep }, 'payload', /100 levels/);
  });

  it('JWT claims: at most 16 levels and 4 KiB, and nothing jsonb cannot store', async () => {
    const jwt = (payload: unknown) => basicSite({ auth: { jwt: { algorithm: 'HS256', secret: 's'.repeat(32), timeToLive: '5 minutes', payload } } });
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 20; i++) deep = { d: deep };
    await refused(CREATE, { input: jwt(deep) }, 'auth.jwt.payload', /16 levels/);
    await refused(CREATE, { input: jwt({ big: 'x'.repeat(5_000) }) }, 'auth.jwt.payload', /4,096 bytes/);
    await refused(CREATE, { input: jwt({ iss: 'a\u0000b' }) }, 'auth.jwt.payload', /NUL/);
    await refused(CREATE, { input: jwt({ ['k\u0000']: 1 }) }, 'auth.jwt.payload', /NUL/);
  });

  it('text PostgreSQL cannot store (NUL) is a field error, not an internal one', async () => {
    const { oauth2, oauth2ClientCredentials } = validAuthInputs();
    await refused(CREATE, { input: basicSite({ auth: { oauth2: { ...oauth2, consumerKey: 'client\u0000' } } }) }, 'auth.oauth2.consumerKey', /NUL/);
    await refused(CREATE, { input: basicSite({ auth: { oauth2ClientCredentials: { ...oauth2ClientCredentials, clientId: 'a\u0000' } } }) }, 'auth.oauth2ClientCredentials.clientId', /NUL/);
    await refused(SEND, { input: { siteId: activeSiteId, payload: {}, idempotencyKey: 'key\u0000' } }, 'input.idempotencyKey', /NUL/);
    await refused('query($search: String) { sites(search: $search) { totalCount } }', { search: '\u0000' }, 'search', /NUL/);
  });

  it('an empty site id is not "any site": refused like any other id that is not one', async () => {
    await refused('query($siteId: ID) { deliveries(siteId: $siteId) { totalCount } }', { siteId: '' }, 'siteId', /site id/);
    await refused('query($siteId: ID) { deliveryStats(siteId: $siteId) { sent } }', { siteId: '' }, 'siteId', /site id/);
  });

  it('scopes are RFC 6749 scope tokens: visible ASCII but " and \\', async () => {
    const { oauth2ClientCredentials } = validAuthInputs();
    await refused(CREATE, { input: basicSite({ auth: { oauth2ClientCredentials: { ...oauth2ClientCredentials, scope: 'read 日本' } } }) }, 'auth.oauth2ClientCredentials.scope', /RFC 6749/);
    await refused(CREATE, { input: basicSite({ auth: { oauth2ClientCredentials: { ...oauth2ClientCredentials, scope: 'read "write"' } } }) }, 'auth.oauth2ClientCredentials.scope');
  });
});
