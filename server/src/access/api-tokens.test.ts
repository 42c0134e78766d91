import { createHash } from 'node:crypto';
import { createClient } from 'graphql-ws';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { type GqlResult, type TestApp, TEST_ADMIN_TOKEN, gql, ok, startTestApp } from '../../test/support.js';

let app: TestApp;
let raw: pg.Client;
let counter = 0;

/** Everything the server wrote to stdout/stderr while this file ran, at LOG_LEVEL=debug. */
const logged: string[] = [];
const originalWrites = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
/** Every response body of this file, with the operation that got it. */
const responses: Array<{ query: string; body: string }> = [];
/** Every secret createApiToken handed out. */
const secrets: string[] = [];

beforeAll(async () => {
  const capture = (chunk: unknown) => {
    logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  app = await startTestApp({ LOG_LEVEL: 'debug' });
  raw = new pg.Client({ connectionString: app.databaseUrl });
  await raw.connect();
});

afterAll(async () => {
  await raw?.end();
  await app?.stop();
  process.stdout.write = originalWrites.out;
  process.stderr.write = originalWrites.err;
});

async function call<T = any>(query: string, variables?: Record<string, unknown>, token: string | null = TEST_ADMIN_TOKEN, base = app.url): Promise<GqlResult<T>> {
  const result = await gql<T>(base, query, variables, token);
  responses.push({ query, body: JSON.stringify(result) });
  return result;
}

const TOKEN_FIELDS = 'id name role createdAt lastUsedAt';
const CREATE = `mutation($input: ApiTokenInput!) { createApiToken(input: $input) { secret token { ${TOKEN_FIELDS} } } }`;
const LIST = `{ apiTokens { ${TOKEN_FIELDS} } }`;
const REVOKE = `mutation($id: ID!) { revokeApiToken(id: $id) }`;
const SITES = `{ sites(first: 5) { totalCount } }`;
const CREATE_SITE = `mutation($input: SiteInput!) { createSite(input: $input) { id name } }`;

interface Created {
  secret: string;
  token: { id: string; name: string; role: string; createdAt: string; lastUsedAt: string | null };
}

async function createToken(role: string, name = `token ${++counter}`, base = app.url): Promise<Created> {
  const created = ok(await call<{ createApiToken: Created }>(CREATE, { input: { name, role } }, TEST_ADMIN_TOKEN, base)).createApiToken;
  secrets.push(created.secret);
  return created;
}

function siteInput() {
  return { name: `Site ${++counter}`, url: 'https://receiver.example.com/hooks', auth: { basic: { username: 'u', password: 'p' } } };
}

async function tokenRows(): Promise<number> {
  return Number((await raw.query('SELECT count(*) FROM api_token')).rows[0].count);
}

const codeOf = (result: GqlResult<unknown>) => result.errors?.[0]?.extensions?.code;

/** A subscription opened with `token`; `closeCode()` is the code the server closed the socket with, once it has. */
async function subscribeWith(token: string, base = app.url) {
  let closeCode: number | undefined;
  const client = createClient({ url: base.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { Authorization: `Bearer ${token}` } });
  client.on('closed', (event) => (closeCode = (event as { code?: number }).code));
  await new Promise<void>((resolve, reject) => {
    client.on('connected', () => resolve());
    client.subscribe({ query: 'subscription { tokenStateChanged { siteId status } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    setTimeout(() => reject(new Error('the subscription did not connect')), 5000);
  });
  return { closeCode: () => closeCode, dispose: () => client.dispose() };
}

describe('creating tokens', () => {
  it('an admin creates VIEWER and EDITOR tokens; the secret is in that answer only, stored as its hash', async () => {
    const viewer = await createToken('VIEWER', '  Reporting script  ');
    const editor = await createToken('EDITOR', 'Workflow engine');
    expect(viewer.secret).toMatch(/^ts_[A-Za-z0-9_-]{43}$/);
    expect(editor.secret).not.toBe(viewer.secret);
    expect(viewer.token).toMatchObject({ name: 'Reporting script', role: 'VIEWER', lastUsedAt: null });
    expect(editor.token).toMatchObject({ name: 'Workflow engine', role: 'EDITOR' });

    const listed = ok(await call(LIST)).apiTokens as Created['token'][];
    expect(listed.slice(0, 2)).toEqual([editor.token, viewer.token]);
    const text = JSON.stringify(listed);
    expect(text).not.toContain(viewer.secret);
    expect(text).not.toContain(editor.secret);

    const row = (await raw.query('SELECT * FROM api_token WHERE id = $1', [viewer.token.id])).rows[0];
    expect(row.token_hash).toBe(createHash('sha256').update(viewer.secret).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(viewer.secret);
  });

  it('lists every token newest first', async () => {
    const a = await createToken('VIEWER');
    const b = await createToken('ADMIN');
    const listed = ok(await call(LIST)).apiTokens as Created['token'][];
    expect(listed.map((t) => t.id).slice(0, 2)).toEqual([b.token.id, a.token.id]);
    const times = listed.map((t) => Date.parse(t.createdAt));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    expect(listed).toHaveLength(await tokenRows());
  });

  it('lastUsedAt is set by the first request a token authenticates', async () => {
    const { secret, token } = await createToken('VIEWER');
    ok(await call(SITES, undefined, secret));
    const listed = (ok(await call(LIST)).apiTokens as Created['token'][]).find((t) => t.id === token.id)!;
    expect(listed.lastUsedAt).not.toBeNull();
    expect(Date.parse(listed.lastUsedAt!)).toBeGreaterThanOrEqual(Date.parse(token.createdAt));
  });

  it('viewer names the token of the request and its role', async () => {
    expect(ok(await call(`{ viewer { name role tokenId } }`)).viewer).toEqual({ name: 'TRUSTED_SITES_ADMIN_TOKEN', role: 'ADMIN', tokenId: null });
    const { secret, token } = await createToken('VIEWER', 'Who am I');
    expect(ok(await call(`{ viewer { name role tokenId } }`, undefined, secret)).viewer).toEqual({ name: 'Who am I', role: 'VIEWER', tokenId: token.id });
  });
});

describe('roles', () => {
  it('a VIEWER token reads sites but is FORBIDDEN to create one or to manage tokens', async () => {
    const { secret, token } = await createToken('VIEWER');
    expect(ok(await call(SITES, undefined, secret)).sites.totalCount).toBeGreaterThanOrEqual(0);
    const sitesBefore = Number((await raw.query('SELECT count(*) FROM site')).rows[0].count);
    expect(codeOf(await call(CREATE_SITE, { input: siteInput() }, secret))).toBe('FORBIDDEN');
    expect(Number((await raw.query('SELECT count(*) FROM site')).rows[0].count)).toBe(sitesBefore);
    const tokensBefore = await tokenRows();
    expect(codeOf(await call(LIST, undefined, secret))).toBe('FORBIDDEN');
    expect(codeOf(await call(CREATE, { input: { name: `by a viewer ${++counter}`, role: 'ADMIN' } }, secret))).toBe('FORBIDDEN');
    expect(codeOf(await call(REVOKE, { id: token.id }, secret))).toBe('FORBIDDEN');
    expect(await tokenRows()).toBe(tokensBefore);
  });

  it('an EDITOR token creates a site but is FORBIDDEN to list, create or revoke tokens', async () => {
    const { secret, token } = await createToken('EDITOR');
    const site = ok(await call(CREATE_SITE, { input: siteInput() }, secret)).createSite;
    expect(site.id).toBeTruthy();
    const tokensBefore = await tokenRows();
    const list = await call(LIST, undefined, secret);
    expect(codeOf(list)).toBe('FORBIDDEN');
    expect(list.data).toBeNull();
    expect(codeOf(await call(CREATE, { input: { name: `by an editor ${++counter}`, role: 'ADMIN' } }, secret))).toBe('FORBIDDEN');
    expect(codeOf(await call(REVOKE, { id: token.id }, secret))).toBe('FORBIDDEN');
    expect(await tokenRows()).toBe(tokensBefore);
  });

  it('an ADMIN token made here manages tokens too', async () => {
    const admin = await createToken('ADMIN');
    const made = ok(await call(CREATE, { input: { name: `made by an admin ${++counter}`, role: 'VIEWER' } }, admin.secret)).createApiToken;
    secrets.push(made.secret);
    expect(ok(await call(REVOKE, { id: made.token.id }, admin.secret)).revokeApiToken).toBe(true);
  });
});

describe('revoking', () => {
  it('refuses the token on the very next request (the lookup was cached)', async () => {
    const { secret, token } = await createToken('EDITOR');
    ok(await call(SITES, undefined, secret));
    ok(await call(SITES, undefined, secret));
    expect(ok(await call(REVOKE, { id: token.id })).revokeApiToken).toBe(true);
    const after = await call(SITES, undefined, secret);
    expect(after.status).toBe(401);
    expect(codeOf(after)).toBe('UNAUTHENTICATED');
    const listed = ok(await call(LIST)).apiTokens as Created['token'][];
    expect(listed.some((t) => t.id === token.id)).toBe(false);
  });

  it('closes the WebSocket subscriptions opened with it (4403), and only those', async () => {
    const revoked = await createToken('VIEWER');
    const kept = await createToken('VIEWER');
    const doomed = await subscribeWith(revoked.secret);
    const other = await subscribeWith(kept.secret);
    try {
      ok(await call(REVOKE, { id: revoked.token.id }));
      await vi.waitFor(() => expect(doomed.closeCode()).toBe(4403), { timeout: 3000 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(other.closeCode()).toBeUndefined();
    } finally {
      await doomed.dispose();
      await other.dispose();
    }
  });

  it('an unknown id is NOT_FOUND', async () => {
    const { token } = await createToken('VIEWER');
    ok(await call(REVOKE, { id: token.id }));
    const before = await tokenRows();
    expect(codeOf(await call(REVOKE, { id: token.id }))).toBe('NOT_FOUND');
    expect(codeOf(await call(REVOKE, { id: 'not-an-id' }))).toBe('NOT_FOUND');
    expect(await tokenRows()).toBe(before);
  });

  it('refuses (CONFLICT) to revoke the token the request authenticated with', async () => {
    const admin = await createToken('ADMIN');
    const own = await call(REVOKE, { id: admin.token.id }, admin.secret);
    expect(codeOf(own)).toBe('CONFLICT');
    expect(own.errors![0]!.message).toMatch(/this token/i);
    expect(ok(await call(LIST, undefined, admin.secret)).apiTokens.some((t: { id: string }) => t.id === admin.token.id)).toBe(true);
    // Another admin token may.
    expect(ok(await call(REVOKE, { id: admin.token.id })).revokeApiToken).toBe(true);
    expect(codeOf(await call(LIST, undefined, admin.secret))).toBe('UNAUTHENTICATED');
  });
});

describe('validation: by field path, storing nothing', () => {
  async function fieldErrorsOf(input: Record<string, unknown>) {
    const before = await tokenRows();
    const result = await call(CREATE, { input });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(await tokenRows()).toBe(before);
    return result.errors![0]!.extensions!.fieldErrors!;
  }

  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['empty name', { name: '', role: 'VIEWER' }, 'name', /required/],
    ['blank name', { name: '   ', role: 'VIEWER' }, 'name', /required/],
    ['101 characters', { name: 'x'.repeat(101), role: 'VIEWER' }, 'name', /100/],
    ['control character', { name: 'a\u0007b', role: 'VIEWER' }, 'name', /control/],
  ];
  for (const [label, input, path, message] of cases) {
    it(`${label} → ${path}`, async () => {
      const errors = await fieldErrorsOf(input);
      expect(errors).toEqual([{ path, message: expect.stringMatching(message) }]);
    });
  }

  it('100 characters is accepted', async () => {
    const name = 'y'.repeat(100);
    expect((await createToken('VIEWER', name)).token.name).toBe(name);
  });

  it('a duplicate name, compared trimmed and without case → name', async () => {
    const first = await createToken('VIEWER', `Nightly Export ${++counter}`);
    const errors = await fieldErrorsOf({ name: `  ${first.token.name.toUpperCase()} `, role: 'EDITOR' });
    expect(errors).toEqual([{ path: 'name', message: expect.stringMatching(/already exists/) }]);
  });

  it('two creations racing for one name: one wins, the other is told', async () => {
    const name = `Race ${++counter}`;
    const results = await Promise.all([0, 1, 2].map(() => call(CREATE, { input: { name, role: 'VIEWER' } })));
    const won = results.filter((r) => !r.errors);
    for (const r of won) secrets.push(r.data.createApiToken.secret);
    expect(won).toHaveLength(1);
    for (const r of results.filter((x) => x.errors)) expect(r.errors![0]!.extensions!.fieldErrors).toEqual([expect.objectContaining({ path: 'name' })]);
    expect(Number((await raw.query('SELECT count(*) FROM api_token WHERE lower(name) = lower($1)', [name])).rows[0].count)).toBe(1);
  });

  it('a role that is not one of the three is refused before anything runs (BAD_USER_INPUT)', async () => {
    const before = await tokenRows();
    const result = await call(CREATE, { input: { name: `Root ${++counter}`, role: 'ROOT' } });
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.message).toMatch(/"Role"/);
    expect(await tokenRows()).toBe(before);
  });

  it('the service itself reports a bad role and a bad name by path, all at once', async () => {
    const before = await tokenRows();
    const error = await app.services.apiTokens.create({ name: '', role: 'ROOT' as never }).catch((e: unknown) => e);
    expect((error as { extensions?: unknown }).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fieldErrors: [{ path: 'name' }, { path: 'role', message: 'Must be one of VIEWER, EDITOR, ADMIN' }],
    });
    expect(await tokenRows()).toBe(before);
  });
});

describe('several processes on one database', () => {
  let second: TestApp | undefined;
  afterAll(async () => {
    await second?.stop();
  });

  it('a token revoked through one process is refused by the other within moments, its subscriptions closed', async () => {
    second = await startTestApp({ DATABASE_URL: app.databaseUrl, LOG_LEVEL: 'debug' });
    const { secret, token } = await createToken('VIEWER', `Shared ${++counter}`, second.url);
    // Both processes now hold the lookup in their cache.
    ok(await call(SITES, undefined, secret, app.url));
    ok(await call(SITES, undefined, secret, second.url));
    const subscription = await subscribeWith(secret, app.url);

    ok(await call(REVOKE, { id: token.id }, TEST_ADMIN_TOKEN, second.url));
    const revokedAt = Date.now();
    let status = 200;
    while (Date.now() - revokedAt < 3000) {
      status = (await call(SITES, undefined, secret, app.url)).status;
      if (status === 401) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // Well inside the 10 s the cache would otherwise trust it.
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(3000);
    // The subscription it had open in the other process is closed too.
    await vi.waitFor(() => expect(subscription.closeCode()).toBe(4403), { timeout: 3000 });
    await subscription.dispose();
  });
});

describe('the secret is shown once', () => {
  it('appears in no response but its createApiToken answer', () => {
    expect(secrets.length).toBeGreaterThan(5);
    for (const secret of secrets) {
      const carrying = responses.filter((r) => r.body.includes(secret));
      expect(carrying).toHaveLength(1);
      expect(carrying[0]!.query).toContain('createApiToken');
    }
  });

  it('never reaches the server log (captured at LOG_LEVEL=debug)', () => {
    const text = logged.join('');
    expect(text).toContain('Trusted Sites is ready');
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
