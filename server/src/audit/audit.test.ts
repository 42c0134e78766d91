import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_VALUES } from '../../test/fixtures.js';
import { TEST_ADMIN_TOKEN, type TestApp, ok, startTestApp } from '../../test/support.js';
import { type Receiver, startReceiver } from '../dispatch/testkit.js';
import { DeliveryRetention } from '../retention/retention.js';

/**
 * The audit trail against real PostgreSQL, through the API as a client would use it. The app
 * serves the API only (TRUSTED_SITES_ROLE=api): no dispatcher sends the deliveries made here.
 * Every row written is scanned for every secret this file ever sends or receives.
 */
let app: TestApp;
let raw: pg.Client;
let receiver: Receiver;
let provider: Receiver;
let counter = 0;
let editorToken: string;
let editorId: string;

const ACCESS_TOKEN = 'marker-access-token-7';
const REFRESH_TOKEN = 'marker-refresh-token-8';
const AUTH_CODE = 'marker-authorization-code-9';
/** Everything that must never be in an audit row (token secrets made below are added as they come). */
const MARKERS: string[] = [...Object.values(SECRET_VALUES), ACCESS_TOKEN, REFRESH_TOKEN, AUTH_CODE, TEST_ADMIN_TOKEN, 'new-password-marker'];

const EVENT_FIELDS = 'id at tokenId tokenName operation targetType targetId targetName siteId siteName changed';

beforeAll(async () => {
  app = await startTestApp({ TRUSTED_SITES_ROLE: 'api' });
  raw = new pg.Client({ connectionString: app.databaseUrl });
  await raw.connect();
  receiver = await startReceiver();
  // A token endpoint: every grant gets the same tokens.
  provider = await startReceiver(() => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ access_token: ACCESS_TOKEN, refresh_token: REFRESH_TOKEN, token_type: 'Bearer', expires_in: 3600 }),
  }));
  const created = ok(await app.gql('mutation { createApiToken(input: { name: "audit editor", role: EDITOR }) { token { id } secret } }')).createApiToken;
  editorToken = created.secret;
  editorId = created.token.id;
  MARKERS.push(editorToken);
});

afterAll(async () => {
  await receiver?.close();
  await provider?.close();
  await raw?.end();
  await app?.stop();
});

async function createSite(auth: Record<string, unknown> = { basic: { username: 'alice', password: SECRET_VALUES.password } }, token = TEST_ADMIN_TOKEN): Promise<{ id: string; name: string }> {
  counter += 1;
  return ok(
    await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id name } }`, { input: { name: `Audited ${counter}`, url: receiver.url + '/hooks', auth } }, token),
  ).createSite;
}

/** The newest events (all of them for a filter), through the API. */
async function events(filter: Record<string, unknown> = {}, first = 100): Promise<any[]> {
  const data = ok(
    await app.gql(
      `query($first: Int, $siteId: ID, $tokenId: ID, $operation: AuditOperation, $since: DateTime, $until: DateTime) {
         auditEvents(first: $first, siteId: $siteId, tokenId: $tokenId, operation: $operation, since: $since, until: $until) { totalCount edges { node { ${EVENT_FIELDS} } } } }`,
      { first, ...filter },
    ),
  );
  return data.auditEvents.edges.map((e: { node: unknown }) => e.node);
}

/** Every row of the table, as JSON text: no marker secret may be anywhere in it. */
async function expectNoSecretStored(): Promise<void> {
  const { rows } = await raw.query(`SELECT row_to_json(a)::text AS json FROM audit_event a`);
  expect(rows.length).toBeGreaterThan(0);
  for (const { json } of rows) for (const marker of MARKERS) expect(json).not.toContain(marker);
}

describe('each change is recorded once, with the paths that changed and no value', () => {
  it('site created, updated (plain fields, a secret, a method switch), status changed, tested, deleted', async () => {
    const site = await createSite();
    let [event] = await events({ siteId: site.id });
    expect(event).toMatchObject({
      operation: 'SITE_CREATED', targetType: 'SITE', targetId: site.id, targetName: site.name, siteId: site.id, siteName: site.name,
      tokenId: null, tokenName: 'TRUSTED_SITES_ADMIN_TOKEN',
    });
    expect(event.changed).toEqual(expect.arrayContaining(['name', 'url', 'contentType', 'performance.maxRps', 'performance.threads', 'auth.basic.username', 'auth.basic.password']));

    const update = (input: Record<string, unknown>) => app.gql(`mutation($id: ID!, $input: SiteUpdateInput!) { updateSite(id: $id, input: $input) { id } }`, { id: site.id, input });
    ok(await update({ url: receiver.url + '/other', auth: { basic: { password: 'new-password-marker' } } }));
    [event] = await events({ siteId: site.id });
    expect(event).toMatchObject({ operation: 'SITE_UPDATED', changed: ['auth.basic.password', 'url'] });

    // The same secret again is no change; a number is.
    ok(await update({ auth: { basic: { password: 'new-password-marker' } }, performance: { maxRps: 7 } }));
    [event] = await events({ siteId: site.id });
    expect(event).toMatchObject({ operation: 'SITE_UPDATED', changed: ['performance.maxRps'] });

    ok(await update({ auth: { jwt: { algorithm: 'HS256', secret: SECRET_VALUES.jwtSecret, payload: { iss: 'x' }, timeToLive: '5 minutes' } } }));
    [event] = await events({ siteId: site.id });
    expect(event.changed).toEqual(expect.arrayContaining(['auth.basic.username', 'auth.basic.password', 'auth.jwt.algorithm', 'auth.jwt.secret', 'auth.jwt.payload']));
    expect(event.changed.every((path: string) => path.startsWith('auth.'))).toBe(true);

    ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: site.id }));
    ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: site.id }));
    const statusEvents = await events({ siteId: site.id, operation: 'SITE_STATUS_CHANGED' });
    expect(statusEvents).toHaveLength(1);
    expect(statusEvents[0].changed).toEqual(['status']);

    ok(await app.gql(`mutation($id: ID!) { testSite(id: $id) { ok } }`, { id: site.id }));
    [event] = await events({ siteId: site.id });
    expect(event).toMatchObject({ operation: 'SITE_TESTED', changed: [] });

    ok(await app.gql(`mutation($id: ID!) { deleteSite(id: $id) }`, { id: site.id }));
    const all = await events({ siteId: site.id });
    expect(all[0]).toMatchObject({ operation: 'SITE_DELETED', targetName: site.name, siteName: site.name, changed: [] });
    // The trail outlives the site.
    expect(all.map((e) => e.operation)).toEqual(['SITE_DELETED', 'SITE_TESTED', 'SITE_STATUS_CHANGED', 'SITE_UPDATED', 'SITE_UPDATED', 'SITE_UPDATED', 'SITE_CREATED']);
    await expectNoSecretStored();
  });

  it('a rejected change records nothing', async () => {
    const site = await createSite();
    const before = await events({ siteId: site.id });
    const refused = await app.gql(`mutation($id: ID!) { updateSite(id: $id, input: { url: "not a url" }) { id } }`, { id: site.id });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await events({ siteId: site.id })).toEqual(before);
  });

  it('API token created and revoked: by name, never the token', async () => {
    const created = ok(await app.gql('mutation { createApiToken(input: { name: "short-lived", role: VIEWER }) { token { id } secret } }')).createApiToken;
    MARKERS.push(created.secret);
    ok(await app.gql(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: created.token.id }));
    const [revoked, made] = (await events()).filter((e) => e.targetId === created.token.id);
    expect(made).toMatchObject({ operation: 'API_TOKEN_CREATED', targetType: 'API_TOKEN', targetName: 'short-lived', siteId: null, changed: ['name', 'role'] });
    expect(revoked).toMatchObject({ operation: 'API_TOKEN_REVOKED', targetType: 'API_TOKEN', targetName: 'short-lived', changed: [] });
    await expectNoSecretStored();
  });

  it('retryDelivery (the replay), with the delivery\'s site', async () => {
    const site = await createSite();
    ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: site.id }));
    const id = randomUUID();
    await raw.query(`INSERT INTO delivery (id, site_id, status, method, body, attempt_count) VALUES ($1, $2, 'FAILED', 'POST', '\\x7b7d', 1)`, [id, site.id]);
    ok(await app.gql(`mutation($id: ID!) { retryDelivery(id: $id) { id } }`, { id }));
    const [event] = await events({ operation: 'DELIVERY_RETRIED' });
    expect(event).toMatchObject({ targetType: 'DELIVERY', targetId: id, siteId: site.id, siteName: site.name, changed: [] });
  });

  it('OAuth connect started, completed by the callback (recorded against the token that started it), token refreshed by hand', async () => {
    const site = await createSite(
      { oauth2: { consumerKey: 'client-app', consumerSecret: SECRET_VALUES.consumerSecret, authorizationUrl: provider.url + '/authorize', tokenUrl: provider.url + '/token' } },
      editorToken,
    );
    const { authorizationUrl } = ok(
      await app.gql(`mutation($id: ID!) { startOAuthConnect(siteId: $id) { authorizationUrl } }`, { id: site.id }, editorToken),
    ).startOAuthConnect;
    const state = new URL(authorizationUrl).searchParams.get('state')!;
    MARKERS.push(state);
    const callback = await fetch(`${app.url}/oauth/callback/${site.id}?code=${AUTH_CODE}&state=${encodeURIComponent(state)}`, { redirect: 'manual' });
    expect(callback.headers.get('location')).toContain('oauth=connected');
    ok(await app.gql(`mutation($id: ID!) { refreshAccessToken(siteId: $id) { status } }`, { id: site.id }, editorToken));

    const trail = await events({ siteId: site.id });
    expect(trail.map((e) => e.operation)).toEqual(['ACCESS_TOKEN_REFRESHED', 'OAUTH_CONNECT_COMPLETED', 'OAUTH_CONNECT_STARTED', 'SITE_CREATED']);
    for (const event of trail) expect(event).toMatchObject({ tokenId: editorId, tokenName: 'audit editor', siteName: site.name });
    // A state used up or made up is no connect: nothing more is recorded.
    await fetch(`${app.url}/oauth/callback/${site.id}?code=${AUTH_CODE}&state=${encodeURIComponent(state)}`, { redirect: 'manual' });
    expect(await events({ siteId: site.id })).toHaveLength(4);
    await expectNoSecretStored();
  });
});

describe('who may read it', () => {
  it('ADMIN only: VIEWER and EDITOR are FORBIDDEN; an EDITOR\'s changes carry its token id and name', async () => {
    const viewer = ok(await app.gql('mutation { createApiToken(input: { name: "audit viewer", role: VIEWER }) { secret } }')).createApiToken.secret;
    MARKERS.push(viewer);
    for (const token of [viewer, editorToken]) {
      const refused = await app.gql('{ auditEvents { totalCount } }', {}, token);
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(refused.data).toBeFalsy();
    }
    const site = await createSite(undefined, editorToken);
    const [event] = await events({ siteId: site.id });
    expect(event).toMatchObject({ operation: 'SITE_CREATED', tokenId: editorId, tokenName: 'audit editor' });
  });
});

describe('paging and filters', () => {
  it('pages newest first with cursors, and counts what the filter selects', async () => {
    const site = await createSite();
    for (const maxRps of [2, 3, 4, 5]) {
      ok(await app.gql(`mutation($id: ID!, $r: Float!) { updateSite(id: $id, input: { performance: { maxRps: $r } }) { id } }`, { id: site.id, r: maxRps }));
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const result: any = ok(
        await app.gql(`query($siteId: ID, $after: String) { auditEvents(siteId: $siteId, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id operation } } } }`, {
          siteId: site.id,
          after,
        }),
      ).auditEvents;
      expect(result.totalCount).toBe(5);
      seen.push(...result.edges.map((e: any) => e.node.id));
      expect(result.pageInfo.hasNextPage).toBe(page < 2);
      after = result.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(5);
    expect([...seen].sort((a, b) => Number(b) - Number(a))).toEqual(seen);
    const bad = await app.gql('{ auditEvents(after: "bm90LWEtY3Vyc29y") { totalCount } }');
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ path: 'after' }] });
    const wrong = await app.gql('{ auditEvents(first: 0, tokenId: "x") { totalCount } }');
    expect(wrong.errors?.[0]?.extensions?.fieldErrors?.map((e: { path: string }) => e.path)).toEqual(['first', 'tokenId']);
    const empty = await app.gql('{ auditEvents(siteId: "", tokenId: "") { totalCount } }');
    expect(empty.errors?.[0]?.extensions?.fieldErrors?.map((e: { path: string }) => e.path)).toEqual(['siteId', 'tokenId']);
  });

  it('filters by site, token, operation and time', async () => {
    const mine = await createSite(undefined, editorToken);
    const other = await createSite();
    expect((await events({ siteId: mine.id })).map((e) => e.siteId)).toEqual([mine.id]);
    const byEditor = await events({ tokenId: editorId });
    expect(byEditor.length).toBeGreaterThan(0);
    expect(byEditor.every((e) => e.tokenId === editorId)).toBe(true);
    expect(byEditor.some((e) => e.siteId === other.id)).toBe(false);
    const created = await events({ operation: 'SITE_CREATED' });
    expect(created.every((e) => e.operation === 'SITE_CREATED')).toBe(true);
    expect(created.map((e) => e.siteId)).toEqual(expect.arrayContaining([mine.id, other.id]));

    // Time: one event moved a day back falls out of since and into until.
    const [event] = await events({ siteId: other.id });
    await raw.query(`UPDATE audit_event SET at = now() - interval '1 day' WHERE id = $1`, [event.id]);
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    expect(await events({ siteId: other.id, since: hourAgo })).toEqual([]);
    expect((await events({ siteId: other.id, until: hourAgo })).map((e) => e.id)).toEqual([event.id]);
    const backwards = await app.gql('query($s: DateTime, $u: DateTime) { auditEvents(since: $s, until: $u) { totalCount } }', { s: hourAgo, u: new Date(Date.now() - 7_200_000).toISOString() });
    expect(backwards.errors?.[0]?.extensions?.fieldErrors).toEqual([{ path: 'until', message: 'Must be after since' }]);
  });
});

describe('retention', () => {
  it('the retention job removes events older than AUDIT_RETENTION_DAYS in batches, and 0 keeps them', async () => {
    const site = await createSite();
    for (let i = 0; i < 4; i++) ok(await app.gql(`mutation($id: ID!) { testSite(id: $id) { ok } }`, { id: site.id }));
    const trail = await events({ siteId: site.id });
    expect(trail).toHaveLength(5);
    // Every other event of the whole table made 400 days old; the rest stay young.
    await raw.query(`UPDATE audit_event SET at = now() - interval '400 days' WHERE id % 2 = 0`);
    const { rows: old } = await raw.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_event WHERE at < now() - interval '365 days'`);
    const { rows: all } = await raw.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_event`);

    const keeper = new DeliveryRetention({ databaseUrl: app.databaseUrl, days: 30, auditDays: 0, intervalMs: 600_000 });
    try {
      expect((await keeper.runOnce()).auditDeleted).toBeUndefined();
    } finally {
      await keeper.stop();
    }
    expect((await raw.query(`SELECT count(*)::int AS n FROM audit_event`)).rows[0].n).toBe(all[0]!.n);

    // Deliveries kept (0), audit events removed: the job runs for the audit trail alone, 2 rows a statement.
    const job = new DeliveryRetention({ databaseUrl: app.databaseUrl, days: 0, auditDays: 365, intervalMs: 600_000, batchSize: 2 });
    try {
      const run = await job.runOnce();
      expect(run.auditDeleted).toBe(old[0]!.n);
      expect(run.batches).toBe(Math.floor(old[0]!.n / 2) + 1);
    } finally {
      await job.stop();
    }
    const { rows: left } = await raw.query<{ n: number; old: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE at < now() - interval '365 days')::int AS old FROM audit_event`,
    );
    expect(left[0]).toEqual({ n: all[0]!.n - old[0]!.n, old: 0 });
  });
});
