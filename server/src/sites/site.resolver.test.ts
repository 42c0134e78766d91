import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_MEMBERS, EC_PRIVATE_PEM, RSA_PRIVATE_PEM, RSA_PUBLIC_PEM, SECRET_VALUES, SITE_FIELDS, validAuthInputs } from '../../test/fixtures.js';
import { type TestApp, ok, startTestApp } from '../../test/support.js';

let app: TestApp;
let raw: pg.Client;
let counter = 0;

beforeAll(async () => {
  app = await startTestApp();
  raw = new pg.Client({ connectionString: app.databaseUrl });
  await raw.connect();
});

afterAll(async () => {
  await raw?.end();
  await app?.stop();
});

const CREATE = `mutation($input: SiteInput!) { createSite(input: $input) { ${SITE_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: SiteUpdateInput!) { updateSite(id: $id, input: $input) { ${SITE_FIELDS} } }`;
const GET = `query($id: ID!) { site(id: $id) { ${SITE_FIELDS} } }`;

function siteInput(member: string, auth: unknown, extra: Record<string, unknown> = {}) {
  counter += 1;
  return { name: `Site ${member} ${counter}`, url: 'https://receiver.example.com/hooks', auth: { [member]: auth }, ...extra };
}

async function create(input: Record<string, unknown>) {
  return ok(await app.gql(CREATE, { input })).createSite;
}

async function rowCount(): Promise<number> {
  return Number((await raw.query('SELECT count(*) FROM site')).rows[0].count);
}

async function fieldErrors(query: string, variables: Record<string, unknown>) {
  const before = await rowCount();
  const result = await app.gql(query, variables);
  expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(await rowCount()).toBe(before);
  return result.errors![0]!.extensions!.fieldErrors!;
}

const ALL_SECRETS = Object.values(SECRET_VALUES);

describe('sites: create, read, update, delete for each of the seven methods', () => {
  for (const member of AUTH_MEMBERS) {
    it(`${member}: round trip with secrets write-only`, async () => {
      const input = siteInput(member, validAuthInputs()[member]);
      const site = await create(input);
      expect(site.status).toBe('DRAFT');
      expect(site.contentType).toBe('application/json');
      expect(site.performance).toEqual({ maxRps: 10, threads: 4 });
      const text = JSON.stringify(site);
      for (const secret of [...ALL_SECRETS, EC_PRIVATE_PEM]) expect(text).not.toContain(secret);
      const setFlags = Object.entries(site.auth).filter(([k]) => k.endsWith('Set'));
      expect(setFlags.length).toBeGreaterThan(0);

      // At rest: the raw row holds ciphertext, not the secret.
      const row = (await raw.query('SELECT auth::text AS auth FROM site WHERE id = $1', [site.id])).rows[0];
      for (const secret of [...ALL_SECRETS, EC_PRIVATE_PEM.split('\n')[1]!]) expect(row.auth).not.toContain(secret);
      expect(row.auth).toMatch(/"v1\.[0-9a-f]{8}\./);

      const read = ok(await app.gql(GET, { id: site.id })).site;
      expect(read).toEqual(site);

      const renamed = ok(await app.gql(UPDATE, { id: site.id, input: { name: `${input.name} renamed` } })).updateSite;
      expect(renamed.name).toBe(`${input.name} renamed`);
      expect(renamed.auth).toEqual(site.auth);
      // Omitted secrets were kept: the sealed values decrypt to the originals.
      const secrets = app.services.sites.openSecrets((await app.services.sites.get(site.id))!);
      expect(Object.values(secrets).length).toBeGreaterThan(0);
      for (const value of Object.values(secrets)) expect([...ALL_SECRETS, EC_PRIVATE_PEM]).toContain(value);

      expect(ok(await app.gql(`mutation($id: ID!) { deleteSite(id: $id) }`, { id: site.id })).deleteSite).toBe(true);
      expect(ok(await app.gql(GET, { id: site.id })).site).toBeNull();
    });
  }

  it('stores the fields of each method as given, normalised', async () => {
    const oauth = await create(siteInput('oauth2', validAuthInputs().oauth2));
    expect(oauth.auth).toMatchObject({ __typename: 'OAuth2Auth', scope: 'read write', responseType: 'code', clientAuthentication: 'BASIC' });
    expect(oauth.redirectUrl).toBe(`${app.config.publicUrl}/oauth/callback/${oauth.id}`);
    const cc = await create(siteInput('oauth2ClientCredentials', validAuthInputs().oauth2ClientCredentials));
    expect(cc.auth).toMatchObject({ scope: 'a b c', contentType: 'application/json', tokenExpirationMinutes: 30 });
    expect(cc.redirectUrl).toBeNull();
    const s3 = await create(siteInput('awsS3', validAuthInputs().awsS3));
    expect(s3.auth).toMatchObject({ service: 's3', region: null, filenameFormat: 'hooks/{yyyy}/{MM}/{deliveryId}.{ext}' });
    const jwt = await create(siteInput('jwt', validAuthInputs().jwt));
    expect(jwt.auth).toMatchObject({ algorithm: 'HS256', payload: { iss: 'loyalty', aud: ['crm'], n: 1 }, secretSet: true, privateKeySet: false });
  });

  it('an update that sets a new secret replaces it; one for another method replaces the config', async () => {
    const site = await create(siteInput('basic', validAuthInputs().basic));
    await app.gql(UPDATE, { id: site.id, input: { auth: { basic: { password: 'new-password' } } } });
    let stored = (await app.services.sites.get(site.id))!;
    expect(app.services.sites.openSecrets(stored)).toEqual({ password: 'new-password' });
    expect(stored.auth).toMatchObject({ username: 'alice' });

    const switched = ok(await app.gql(UPDATE, { id: site.id, input: { auth: { jwt: { algorithm: 'RS256', privateKey: RSA_PRIVATE_PEM, timeToLive: '1 day' } } } })).updateSite;
    expect(switched.authMethod).toBe('JWT');
    expect(switched.auth).toMatchObject({ algorithm: 'RS256', privateKeySet: true, secretSet: false, payload: {} });
    stored = (await app.services.sites.get(site.id))!;
    expect(Object.keys(app.services.sites.openSecrets(stored))).toEqual(['privateKey']);
  });

  it('"" removes an optional secret (AWS session token) and keeps the others', async () => {
    const site = await create(siteInput('aws', validAuthInputs().aws));
    expect(site.auth).toMatchObject({ secretAccessKeySet: true, sessionTokenSet: true });
    const updated = ok(await app.gql(UPDATE, { id: site.id, input: { auth: { aws: { sessionToken: '' } } } })).updateSite;
    expect(updated.auth).toMatchObject({ secretAccessKeySet: true, sessionTokenSet: false, region: 'eu-west-1' });
    const stored = (await app.services.sites.get(site.id))!;
    expect(app.services.sites.openSecrets(stored)).toEqual({ secretAccessKey: SECRET_VALUES.secretAccessKey });
    const required = await fieldErrors(UPDATE, { id: site.id, input: { auth: { aws: { secretAccessKey: '' } } } });
    expect(required.map((e) => e.path)).toEqual(['auth.aws.secretAccessKey']);
  });

  it('a secret sealed for one site does not open for another (bound to site and field)', async () => {
    const a = await create(siteInput('basic', validAuthInputs().basic));
    const b = await create(siteInput('basic', { username: 'bob', password: 'other' }));
    const sealedA = (await raw.query(`SELECT auth->'sealed'->>'password' AS p FROM site WHERE id = $1`, [a.id])).rows[0].p;
    await raw.query(`UPDATE site SET auth = jsonb_set(auth, '{sealed,password}', to_jsonb($1::text)) WHERE id = $2`, [sealedA, b.id]);
    const stored = (await app.services.sites.get(b.id))!;
    expect(() => app.services.sites.openSecrets(stored)).toThrow();
  });
});

describe('status', () => {
  it('DRAFT → ACTIVE ↔ INACTIVE; only ACTIVE sites are in activeSites', async () => {
    const site = await create(siteInput('basic', validAuthInputs().basic));
    const SET = `mutation($id: ID!, $status: SiteStatus!) { setSiteStatus(id: $id, status: $status) { id status } }`;
    const ACTIVE = `{ activeSites { id status } }`;
    expect(ok(await app.gql(ACTIVE)).activeSites.map((s: { id: string }) => s.id)).not.toContain(site.id);

    const draft = await app.gql(SET, { id: site.id, status: 'DRAFT' });
    expect(draft.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ path: 'status' }] });

    expect(ok(await app.gql(SET, { id: site.id, status: 'ACTIVE' })).setSiteStatus.status).toBe('ACTIVE');
    const active = ok(await app.gql(ACTIVE)).activeSites;
    expect(active.map((s: { id: string }) => s.id)).toContain(site.id);
    expect(active.every((s: { status: string }) => s.status === 'ACTIVE')).toBe(true);

    expect(ok(await app.gql(SET, { id: site.id, status: 'INACTIVE' })).setSiteStatus.status).toBe('INACTIVE');
    expect(ok(await app.gql(ACTIVE)).activeSites.map((s: { id: string }) => s.id)).not.toContain(site.id);
    expect(ok(await app.gql(SET, { id: site.id, status: 'ACTIVE' })).setSiteStatus.status).toBe('ACTIVE');
  });

  it('unknown ids are NOT_FOUND', async () => {
    const result = await app.gql(`mutation { setSiteStatus(id: "00000000-0000-4000-8000-000000000000", status: ACTIVE) { id } }`);
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const bad = await app.gql(`mutation { deleteSite(id: "not-a-uuid") }`);
    expect(bad.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('list: filters, search, pagination', () => {
  it('pages through a filtered list with stable cursors and a total count', async () => {
    const tag = `pg${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const site = await create({ name: `${tag} ${String(i).padStart(2, '0')}`, url: `https://list-${tag}.example.com/${i}`, auth: { basic: { username: 'u', password: 'p' } } });
      ids.push(site.id);
    }
    await create({ name: `${tag} jwt`, url: 'https://other.example.com', auth: { jwt: validAuthInputs().jwt } });
    const LIST = `query($search: String, $first: Int, $after: String, $m: AuthMethod, $s: SiteStatus) {
      sites(search: $search, first: $first, after: $after, authMethod: $m, status: $s) {
        totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name authMethod } } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = ok(await app.gql(LIST, { search: tag.toUpperCase(), first: 3, after, m: 'BASIC' })).sites;
      expect(page.totalCount).toBe(7);
      seen.push(...page.edges.map((e: any) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids);
    const byUrl = ok(await app.gql(LIST, { search: `list-${tag}` })).sites;
    expect(byUrl.totalCount).toBe(7);
    const drafts = ok(await app.gql(LIST, { search: tag, s: 'ACTIVE' })).sites;
    expect(drafts.totalCount).toBe(0);
    const wildcard = ok(await app.gql(LIST, { search: '%' })).sites;
    expect(wildcard.totalCount).toBe(0);
  });

  it('rejects bad paging arguments by field', async () => {
    const result = await app.gql(`{ sites(first: 0, after: "garbage") { totalCount } }`);
    expect(result.errors?.[0]?.extensions?.fieldErrors?.map((e) => e.path).sort()).toEqual(['after', 'first']);
  });
});

describe('validation: every rule, by field path, changing nothing', () => {
  const base = () => ({ name: `Valid ${++counter}`, url: 'https://ok.example.com', auth: { basic: { username: 'u', password: 'p' } } });
  const cases: Array<[string, (b: any) => any, string, RegExp?]> = [
    ['blank name', (b) => ({ ...b, name: '   ' }), 'name', /required/],
    ['long name', (b) => ({ ...b, name: 'x'.repeat(121) }), 'name', /120/],
    ['relative url', (b) => ({ ...b, url: '/hooks' }), 'url', /absolute/],
    ['ftp url', (b) => ({ ...b, url: 'ftp://example.com' }), 'url', /http/],
    ['bad media type', (b) => ({ ...b, contentType: 'json' }), 'contentType', /media type/],
    ['maxRps too low', (b) => ({ ...b, performance: { maxRps: 0.05 } }), 'performance.maxRps'],
    ['maxRps too high', (b) => ({ ...b, performance: { maxRps: 10001 } }), 'performance.maxRps'],
    ['threads too many', (b) => ({ ...b, performance: { threads: 257 } }), 'performance.threads'],
    ['threads zero', (b) => ({ ...b, performance: { threads: 0 } }), 'performance.threads'],
    ['no auth method', (b) => ({ ...b, auth: {} }), 'auth', /exactly one/],
    ['two auth methods', (b) => ({ ...b, auth: { basic: { username: 'u', password: 'p' }, jwt: validAuthInputs().jwt } }), 'auth', /exactly one/],
    ['basic without username', (b) => ({ ...b, auth: { basic: { password: 'p' } } }), 'auth.basic.username', /required/],
    ['basic username with colon', (b) => ({ ...b, auth: { basic: { username: 'a:b', password: 'p' } } }), 'auth.basic.username', /":"/],
    ['basic without password', (b) => ({ ...b, auth: { basic: { username: 'u' } } }), 'auth.basic.password', /required/],
    ['aws without region', (b) => ({ ...b, auth: { aws: { ...validAuthInputs().aws, region: '' } } }), 'auth.aws.region'],
    ['aws without secret', (b) => ({ ...b, auth: { aws: { ...validAuthInputs().aws, secretAccessKey: null } } }), 'auth.aws.secretAccessKey'],
    ['s3 unknown placeholder', (b) => ({ ...b, auth: { awsS3: { ...validAuthInputs().awsS3, filenameFormat: '{yyyy}/{nope}-{uuid}' } } }), 'auth.awsS3.filenameFormat', /\{nope\}/],
    ['s3 key that overwrites', (b) => ({ ...b, auth: { awsS3: { ...validAuthInputs().awsS3, filenameFormat: 'latest.json' } } }), 'auth.awsS3.filenameFormat'],
    ['s3 unsafe characters', (b) => ({ ...b, auth: { awsS3: { ...validAuthInputs().awsS3, filenameFormat: 'a b/{uuid}' } } }), 'auth.awsS3.filenameFormat'],
    ['jwt algorithm missing', (b) => ({ ...b, auth: { jwt: { ...validAuthInputs().jwt, algorithm: null } } }), 'auth.jwt.algorithm'],
    ['jwt bad ttl', (b) => ({ ...b, auth: { jwt: { ...validAuthInputs().jwt, timeToLive: '5 weeks' } } }), 'auth.jwt.timeToLive'],
    ['jwt ttl without number', (b) => ({ ...b, auth: { jwt: { ...validAuthInputs().jwt, timeToLive: 'minutes' } } }), 'auth.jwt.timeToLive'],
    ['jwt ttl zero', (b) => ({ ...b, auth: { jwt: { ...validAuthInputs().jwt, timeToLive: '0 minutes' } } }), 'auth.jwt.timeToLive'],
    ['jwt payload array', (b) => ({ ...b, auth: { jwt: { ...validAuthInputs().jwt, payload: [1, 2] } } }), 'auth.jwt.payload', /object/],
    ['jwt payload string', (b) => ({ ...b, auth: { jwt: { ...validAuthInputs().jwt, payload: 'x' } } }), 'auth.jwt.payload'],
    ['jwt payload sets exp', (b) => ({ ...b, auth: { jwt: { ...validAuthInputs().jwt, payload: { exp: 1 } } } }), 'auth.jwt.payload.exp'],
    ['jwt RS256 with garbage key', (b) => ({ ...b, auth: { jwt: { algorithm: 'RS256', privateKey: 'not a key', timeToLive: '1 hour' } } }), 'auth.jwt.privateKey', /PEM/],
    ['jwt RS256 with an EC key', (b) => ({ ...b, auth: { jwt: { algorithm: 'RS256', privateKey: EC_PRIVATE_PEM, timeToLive: '1 hour' } } }), 'auth.jwt.privateKey', /RSA/],
    ['jwt RS256 with a public key', (b) => ({ ...b, auth: { jwt: { algorithm: 'RS256', privateKey: RSA_PUBLIC_PEM, timeToLive: '1 hour' } } }), 'auth.jwt.privateKey', /public/],
    ['jwt HS256 without secret', (b) => ({ ...b, auth: { jwt: { algorithm: 'HS256', timeToLive: '1 hour' } } }), 'auth.jwt.secret'],
    ['oauth2 bad token url', (b) => ({ ...b, auth: { oauth2: { ...validAuthInputs().oauth2, tokenUrl: 'nope' } } }), 'auth.oauth2.tokenUrl'],
    ['oauth2 bad authorization url', (b) => ({ ...b, auth: { oauth2: { ...validAuthInputs().oauth2, authorizationUrl: 'javascript:alert(1)' } } }), 'auth.oauth2.authorizationUrl'],
    ['oauth2 without consumer key', (b) => ({ ...b, auth: { oauth2: { ...validAuthInputs().oauth2, consumerKey: '' } } }), 'auth.oauth2.consumerKey'],
    ['client credentials expiration 0', (b) => ({ ...b, auth: { oauth2ClientCredentials: { ...validAuthInputs().oauth2ClientCredentials, tokenExpirationMinutes: 0 } } }), 'auth.oauth2ClientCredentials.tokenExpirationMinutes', /1 to 1440/],
    ['client credentials expiration 1441', (b) => ({ ...b, auth: { oauth2ClientCredentials: { ...validAuthInputs().oauth2ClientCredentials, tokenExpirationMinutes: 1441 } } }), 'auth.oauth2ClientCredentials.tokenExpirationMinutes'],
    ['client credentials bad content type', (b) => ({ ...b, auth: { oauth2ClientCredentials: { ...validAuthInputs().oauth2ClientCredentials, contentType: 'text/plain' } } }), 'auth.oauth2ClientCredentials.contentType'],
    ['jwt bearer expiration 121', (b) => ({ ...b, auth: { oauth2JwtBearer: { ...validAuthInputs().oauth2JwtBearer, tokenExpirationMinutes: 121 } } }), 'auth.oauth2JwtBearer.tokenExpirationMinutes', /1 to 120/],
    ['jwt bearer ES256 with an RSA key', (b) => ({ ...b, auth: { oauth2JwtBearer: { ...validAuthInputs().oauth2JwtBearer, privateKey: RSA_PRIVATE_PEM } } }), 'auth.oauth2JwtBearer.privateKey', /EC/],
    ['jwt bearer RS256 with an EC key', (b) => ({ ...b, auth: { oauth2JwtBearer: { ...validAuthInputs().oauth2JwtBearer, signAlgorithm: 'RS256' } } }), 'auth.oauth2JwtBearer.privateKey', /RSA/],
  ];
  for (const [label, change, path, message] of cases) {
    it(`${label} → ${path}`, async () => {
      const errors = await fieldErrors(CREATE, { input: change(base()) });
      const error = errors.find((e) => e.path === path);
      expect(error, JSON.stringify(errors)).toBeDefined();
      if (message) expect(error!.message).toMatch(message);
    });
  }

  it('duplicate names, compared without case, on create and on update', async () => {
    const first = await create({ ...base(), name: `Unique Name ${counter}` });
    const errors = await fieldErrors(CREATE, { input: { ...base(), name: `  unique NAME ${counter - 1}  ` } });
    expect(errors).toEqual([expect.objectContaining({ path: 'name' })]);
    const other = await create(base());
    const updateErrors = await fieldErrors(UPDATE, { id: other.id, input: { name: first.name.toUpperCase() } });
    expect(updateErrors.map((e) => e.path)).toEqual(['name']);
  });

  it('a rejected update changes nothing, secrets included', async () => {
    const site = await create(base());
    const before = (await raw.query('SELECT * FROM site WHERE id = $1', [site.id])).rows[0];
    const errors = await fieldErrors(UPDATE, { id: site.id, input: { url: 'nope', auth: { basic: { username: 'x:y', password: 'changed' } } } });
    expect(errors.map((e) => e.path).sort()).toEqual(['auth.basic.username', 'url']);
    const after = (await raw.query('SELECT * FROM site WHERE id = $1', [site.id])).rows[0];
    expect(after).toEqual(before);
  });

  it('reports every problem at once', async () => {
    const errors = await fieldErrors(CREATE, { input: { name: '', url: 'x', contentType: '??', auth: { jwt: { algorithm: 'RS256', timeToLive: 'soon', payload: [] } } } });
    expect(errors.map((e) => e.path).sort()).toEqual(['auth.jwt.payload', 'auth.jwt.privateKey', 'auth.jwt.timeToLive', 'contentType', 'name', 'url']);
  });
});

describe('access', () => {
  it('refuses requests without or with a wrong token', async () => {
    for (const token of [null, 'wrong-token']) {
      const result = await app.gql(`{ sites { totalCount } }`, undefined, token);
      expect(result.status).toBe(401);
      expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(result.data).toBeUndefined();
    }
    const before = await rowCount();
    const write = await app.gql(CREATE, { input: base0() }, 'wrong-token');
    expect(write.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await rowCount()).toBe(before);
  });

  it('a VIEWER token reads but may not change anything (FORBIDDEN)', async () => {
    const token = 'viewer-token-for-tests-0123456789';
    const hash = createHash('sha256').update(token).digest('hex');
    await raw.query(`INSERT INTO api_token (id, name, token_hash, role) VALUES (gen_random_uuid(), 'viewer', $1, 'VIEWER')`, [hash]);
    expect((await app.gql(`{ sites { totalCount } }`, undefined, token)).data?.sites).toBeDefined();
    const before = await rowCount();
    const write = await app.gql(CREATE, { input: base0() }, token);
    expect(write.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await rowCount()).toBe(before);
  });
});

function base0() {
  return { name: `Unauth ${++counter}`, url: 'https://ok.example.com', auth: { basic: { username: 'u', password: 'p' } } };
}
