import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_VALUES } from '../../test/fixtures.js';
import { type TestApp, ok, startTestApp } from '../../test/support.js';
import { DELIVERY_UPDATED, EVENTS_CHANNEL } from '../db/pubsub.js';
import { SCAN_START, deleteFinishedDeliveries, retentionCutoff } from '../retention/retention.sql.js';
import { type Receiver, startReceiver, waitFor } from './testkit.js';

/** retryDeliveries: the bulk replay of a site's FAILED deliveries (issue 12 item 6). */

const FAST = { DISPATCH_MAX_ATTEMPTS: '3', DISPATCH_RETRY_BASE_MS: '5', DISPATCH_RETRY_MAX_MS: '20', DISPATCH_POLL_MS: '100' };

let app: TestApp;
let receiver: Receiver;
let raw: pg.Client;
let counter = 0;
/** What each path answers now; a test "fixes" its receiver by changing it. */
const answers = new Map<string, number>();

beforeAll(async () => {
  receiver = await startReceiver((request) => ({ status: answers.get(request.url.split('?')[0]!) ?? 200, body: 'answer' }));
  app = await startTestApp(FAST);
  raw = new pg.Client({ connectionString: app.databaseUrl });
  await raw.connect();
});

afterAll(async () => {
  await raw?.end();
  await app?.stop();
  await receiver?.close();
});

const REPLAY = `mutation($siteId: ID!, $status: DeliveryStatus, $since: DateTime, $until: DateTime) {
  retryDeliveries(siteId: $siteId, status: $status, since: $since, until: $until) }`;

async function createSite(path: string, status: 'ACTIVE' | 'INACTIVE' = 'ACTIVE'): Promise<string> {
  counter += 1;
  const site = ok(
    await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
      input: {
        name: `Replay ${counter} ${path}`,
        url: `${receiver.url}${path}`,
        performance: { maxRps: 1000, threads: 8 },
        auth: { basic: { username: 'alice', password: SECRET_VALUES.password } },
      },
    }),
  ).createSite as { id: string };
  ok(await app.gql(`mutation($id: ID!, $s: SiteStatus!) { setSiteStatus(id: $id, status: $s) { id } }`, { id: site.id, s: status }));
  return site.id;
}

/** FAILED deliveries written straight into the table, created at the given times (one attempt made each). */
async function failedDeliveries(siteId: string, createdAt: string[]): Promise<string[]> {
  const ids = createdAt.map(() => randomUUID());
  // The site's gate row, as insertDeliveries makes it for any site it stores a delivery of.
  await raw.query(`INSERT INTO dispatch_gate (site_id) VALUES ($1) ON CONFLICT DO NOTHING`, [siteId]);
  await raw.query(
    `INSERT INTO delivery (id, site_id, status, method, headers, body, attempt_count, last_error, last_status_code, created_at, updated_at)
     SELECT u.id, $2, 'FAILED', 'POST', '[]'::jsonb, '\\x7b7d', 1, 'HTTP 400', 400, u.at, u.at
       FROM unnest($1::uuid[], $3::timestamptz[]) AS u(id, at)`,
    [ids, siteId, createdAt],
  );
  return ids;
}

async function statusesOf(ids: string[]): Promise<Record<string, string>> {
  const { rows } = await raw.query<{ id: string; status: string }>(`SELECT id, status FROM delivery WHERE id = ANY($1::uuid[])`, [ids]);
  return Object.fromEntries(rows.map((r) => [r.id, r.status]));
}

async function allSettled(ids: string[], status: string) {
  return waitFor(async () => {
    const now = await statusesOf(ids);
    return ids.every((id) => now[id] === status) ? now : undefined;
  }, 30_000, `${ids.length} deliveries to be ${status}`);
}

describe('retryDeliveries', () => {
  it('resends every FAILED delivery of the site (fresh attempts, same ids), leaves other sites alone, and a second call resends nothing', async () => {
    answers.set('/replay-fixed', 400);
    const siteId = await createSite('/replay-fixed');
    const other = await createSite('/replay-other');
    answers.set('/replay-other', 400);
    const sent = ok(
      await app.gql(`mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }`, {
        inputs: [...Array.from({ length: 5 }, (_, i) => ({ siteId, payload: { n: i } })), { siteId: other, payload: { n: 'other' } }],
      }),
    ).sendWebhooks as Array<{ id: string }>;
    const ids = sent.slice(0, 5).map((d) => d.id);
    const otherId = sent[5]!.id;
    // A 400 fails at once.
    await allSettled([...ids, otherId], 'FAILED');
    // One more that succeeded: not FAILED, not replayed.
    answers.set('/replay-fixed', 200);
    const fine = ok(await app.gql(`mutation($input: WebhookInput!) { sendWebhook(input: $input) { id } }`, { input: { siteId, payload: 'fine' } })).sendWebhook.id as string;
    await allSettled([fine], 'SUCCEEDED');
    const before = receiver.requests.length;

    expect(ok(await app.gql(REPLAY, { siteId })).retryDeliveries).toBe(5);
    await allSettled(ids, 'SUCCEEDED');
    const { rows } = await raw.query(`SELECT id, attempt_count, attempt_base, last_error FROM delivery WHERE id = ANY($1::uuid[])`, [ids]);
    // A fresh run, counted as retryDelivery counts it: the second attempt is the first of the new run.
    for (const row of rows) expect(row).toMatchObject({ attempt_count: 2, attempt_base: 1, last_error: null });
    const resent = receiver.requests.slice(before);
    expect(resent.map((r) => r.headers['x-delivery-id']).sort()).toEqual([...ids].sort());
    expect((await statusesOf([otherId]))[otherId]).toBe('FAILED');
    expect((await statusesOf([fine]))[fine]).toBe('SUCCEEDED');

    // Pressed again: nothing is FAILED any more.
    expect(ok(await app.gql(REPLAY, { siteId, status: 'FAILED' })).retryDeliveries).toBe(0);
    expect(receiver.requests.length).toBe(before + 5);

    // Recorded: the site, the filter and the count; no payload.
    const events = ok(
      await app.gql(`query($siteId: ID) { auditEvents(siteId: $siteId, operation: DELIVERIES_RETRIED) { edges { node { targetType targetId siteId siteName changed details } } } }`, { siteId }),
    ).auditEvents.edges.map((e: { node: unknown }) => e.node);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ targetType: 'SITE', targetId: siteId, siteId, changed: [], details: { status: 'FAILED', since: null, until: null, count: 5 } });
    expect(events[0]).toMatchObject({ details: { count: 0 } });
  });

  it('since/until choose by creation time: since inclusive, until exclusive', async () => {
    const siteId = await createSite('/replay-window', 'INACTIVE');
    const [early, start, middle, end, late] = await failedDeliveries(siteId, [
      '2026-01-01T00:00:00Z',
      '2026-01-02T00:00:00Z',
      '2026-01-02T12:00:00Z',
      '2026-01-03T00:00:00Z',
      '2026-01-04T00:00:00Z',
    ]);
    const window = { siteId, since: '2026-01-02T00:00:00Z', until: '2026-01-03T00:00:00Z' };
    // The count a confirmation shows first: the deliveries list with the same filter.
    const preview = async (filter: Record<string, unknown>) =>
      ok(await app.gql(`query($siteId: ID, $since: DateTime, $until: DateTime) { deliveries(siteId: $siteId, status: FAILED, since: $since, until: $until, first: 1) { totalCount } }`, filter)).deliveries.totalCount;
    expect(await preview(window)).toBe(2);
    expect(await preview({ siteId })).toBe(5);
    expect(ok(await app.gql(REPLAY, window)).retryDeliveries).toBe(2);
    expect(await preview(window)).toBe(0);
    expect(await statusesOf([early!, start!, middle!, end!, late!])).toEqual({ [early!]: 'FAILED', [start!]: 'RETRYING', [middle!]: 'RETRYING', [end!]: 'FAILED', [late!]: 'FAILED' });
    expect(ok(await app.gql(REPLAY, { siteId, since: '2026-01-03T00:00:00Z' })).retryDeliveries).toBe(2);
    expect(ok(await app.gql(REPLAY, { siteId, until: '2026-01-02T00:00:00Z' })).retryDeliveries).toBe(1);
    expect(ok(await app.gql(REPLAY, { siteId })).retryDeliveries).toBe(0);
  });

  it('an INACTIVE site: its deliveries are requeued and held (as retryDelivery does), and sent once it is ACTIVE; 2,500 in one call, each published', async () => {
    answers.set('/replay-large', 200);
    const siteId = await createSite('/replay-large', 'INACTIVE');
    const times = Array.from({ length: 2500 }, (_, i) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString());
    const ids = await failedDeliveries(siteId, times);
    // delivery.updated is published by the statements themselves: listen as any process does.
    const listener = new pg.Client({ connectionString: app.databaseUrl });
    await listener.connect();
    const published = new Set<string>();
    listener.on('notification', (message) => {
      const event = JSON.parse(message.payload!) as { topic: string; payload: { siteId: string; ids?: string[] } };
      if (event.topic === DELIVERY_UPDATED && event.payload.siteId === siteId) for (const id of event.payload.ids ?? []) published.add(id);
    });
    await listener.query(`LISTEN ${EVENTS_CHANNEL}`);
    try {
      expect(ok(await app.gql(REPLAY, { siteId })).retryDeliveries).toBe(2500);
      await waitFor(() => published.size === 2500, 10_000, 'an event for each delivery');
    } finally {
      await listener.end();
    }
    // Held: the site is not ACTIVE, so nothing is sent and nothing fails.
    const { rows } = await raw.query(`SELECT status, attempt_count, attempt_base, count(*)::int AS n FROM delivery WHERE site_id = $1 GROUP BY 1, 2, 3`, [siteId]);
    expect(rows).toEqual([{ status: 'RETRYING', attempt_count: 1, attempt_base: 1, n: 2500 }]);
    expect(receiver.requests.filter((r) => r.url.startsWith('/replay-large'))).toHaveLength(0);
    ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: siteId }));
    await allSettled(ids, 'SUCCEEDED');
    expect(ok(await app.gql(REPLAY, { siteId })).retryDeliveries).toBe(0);
  });

  it('two calls at once requeue each delivery once: their answers add up to the number FAILED', async () => {
    const siteId = await createSite('/replay-twice', 'INACTIVE');
    await failedDeliveries(siteId, Array.from({ length: 2500 }, (_, i) => new Date(Date.UTC(2026, 1, 1) + i * 1000).toISOString()));
    const [a, b] = await Promise.all([app.gql(REPLAY, { siteId }), app.gql(REPLAY, { siteId })]);
    expect(ok(a).retryDeliveries + ok(b).retryDeliveries).toBe(2500);
    const { rows } = await raw.query(`SELECT status, attempt_base, count(*)::int AS n FROM delivery WHERE site_id = $1 GROUP BY 1, 2`, [siteId]);
    expect(rows).toEqual([{ status: 'RETRYING', attempt_base: 1, n: 2500 }]);
  });

  it('retention keeps what a replay requeued, as it keeps a delivery retryDelivery requeued', async () => {
    const siteId = await createSite('/replay-retention', 'INACTIVE');
    const [old, replayed1, replayed2] = await failedDeliveries(siteId, ['2025-01-01T00:00:00Z', '2025-01-02T00:00:00Z', '2025-01-03T00:00:00Z']);
    expect(ok(await app.gql(REPLAY, { siteId, since: '2025-01-02T00:00:00Z' })).retryDeliveries).toBe(2);
    const client = new pg.Client({ connectionString: app.databaseUrl });
    await client.connect();
    try {
      const window = await deleteFinishedDeliveries(client, siteId, await retentionCutoff(client, 30), SCAN_START, 1000);
      expect(window.deleted).toBe(1);
    } finally {
      await client.end();
    }
    expect(await statusesOf([old!, replayed1!, replayed2!])).toEqual({ [replayed1!]: 'RETRYING', [replayed2!]: 'RETRYING' });
  });

  it('a VIEWER is refused, and bad input is refused at its path with nothing changed', async () => {
    const siteId = await createSite('/replay-refused', 'INACTIVE');
    const ids = await failedDeliveries(siteId, ['2026-02-01T00:00:00Z']);
    const viewer = ok(await app.gql(`mutation { createApiToken(input: { name: "replay viewer", role: VIEWER }) { secret } }`)).createApiToken.secret as string;
    const forbidden = await app.gql(REPLAY, { siteId }, viewer);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const refused = async (variables: Record<string, unknown>) => {
      const result = await app.gql(REPLAY, variables);
      expect(result.data?.retryDeliveries ?? null).toBeNull();
      return { code: result.errors?.[0]?.extensions?.code, paths: result.errors?.[0]?.extensions?.fieldErrors?.map((e) => e.path) };
    };
    expect(await refused({ siteId, status: 'SUCCEEDED' })).toEqual({ code: 'BAD_USER_INPUT', paths: ['status'] });
    expect(await refused({ siteId, since: '2026-03-01T00:00:00Z', until: '2026-02-01T00:00:00Z' })).toEqual({ code: 'BAD_USER_INPUT', paths: ['until'] });
    expect(await refused({ siteId: 'not-a-site' })).toEqual({ code: 'BAD_USER_INPUT', paths: ['siteId'] });
    expect(await refused({ siteId: '00000000-0000-4000-8000-000000000000' })).toEqual({ code: 'NOT_FOUND', paths: ['siteId'] });
    const list = await app.gql(`query($siteId: ID) { deliveries(siteId: $siteId, since: "2026-03-01T00:00:00Z", until: "2026-02-01T00:00:00Z") { totalCount } }`, { siteId });
    expect(list.errors?.[0]?.extensions?.fieldErrors?.map((e) => e.path)).toEqual(['until']);
    expect(await statusesOf(ids)).toEqual({ [ids[0]!]: 'FAILED' });
    // since = until is an empty window, not an error.
    expect(ok(await app.gql(REPLAY, { siteId, since: '2026-02-01T00:00:00Z', until: '2026-02-01T00:00:00Z' })).retryDeliveries).toBe(0);
  });
});
