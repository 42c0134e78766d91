import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SECRET_VALUES } from '../../test/fixtures.js';
import { type TestApp, ok, startTestApp } from '../../test/support.js';
import { completeAttempts } from './transitions.sql.js';
import { type Answer, type Receiver, startReceiver, waitFor } from './testkit.js';

/** Fast retries so every rule runs in well under a second; no test asserts a timing. */
const FAST = {
  DISPATCH_MAX_ATTEMPTS: '3',
  DISPATCH_RETRY_BASE_MS: '5',
  DISPATCH_RETRY_MAX_MS: '20',
  DISPATCH_POLL_MS: '100',
  DISPATCH_LEASE_MS: '5000',
  DISPATCH_HEADERS_TIMEOUT_MS: '300',
  DISPATCH_BODY_TIMEOUT_MS: '300',
};

let app: TestApp;
let receiver: Receiver;
let raw: pg.Client;
let counter = 0;

/** Routes each test's requests by path, so tests share one receiver without seeing each other's traffic. */
const routes = new Map<string, (index: number) => Answer | Promise<Answer>>();

beforeAll(async () => {
  receiver = await startReceiver((request) => {
    const path = request.url.split('?')[0]!;
    const handler = routes.get(path);
    const index = receiver.requests.filter((r) => r.url.split('?')[0] === path).length - 1;
    return handler ? handler(index) : { status: 200, body: 'ok' };
  });
  app = await startTestApp(FAST);
  raw = new pg.Client({ connectionString: app.databaseUrl });
  await raw.connect();
});

afterAll(async () => {
  await raw?.end();
  await app?.stop();
  await receiver?.close();
});

const DELIVERY_FIELDS = `id siteId status method idempotencyKey attemptCount lastError lastStatusCode createdAt deliveredAt nextAttemptAt
  attempts { number startedAt durationMs statusCode error responseExcerpt responseTruncated outcome nextAttemptAt }`;
const SEND = `mutation($input: WebhookInput!) { sendWebhook(input: $input) { ${DELIVERY_FIELDS} } }`;
const SEND_MANY = `mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { ${DELIVERY_FIELDS} } }`;
const GET = `query($id: ID!) { delivery(id: $id) { ${DELIVERY_FIELDS} } }`;

async function createSite(path: string, options: { status?: 'ACTIVE' | 'INACTIVE' | 'DRAFT'; contentType?: string; url?: string; performance?: object } = {}) {
  counter += 1;
  const site = ok(
    await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
      input: {
        name: `Dispatch ${counter} ${path}`,
        url: options.url ?? `${receiver.url}${path}`,
        contentType: options.contentType,
        performance: options.performance ?? { maxRps: 1000, threads: 8 },
        auth: { basic: { username: 'alice', password: SECRET_VALUES.password } },
      },
    }),
  ).createSite as { id: string };
  const status = options.status ?? 'ACTIVE';
  if (status !== 'DRAFT') ok(await app.gql(`mutation($id: ID!, $s: SiteStatus!) { setSiteStatus(id: $id, status: $s) { id } }`, { id: site.id, s: status }));
  return site.id;
}

async function send(input: Record<string, unknown>) {
  return ok(await app.gql(SEND, { input })).sendWebhook;
}

async function settled(id: string, statuses = ['SUCCEEDED', 'FAILED']) {
  return waitFor(async () => {
    const delivery = ok(await app.gql(GET, { id })).delivery;
    return statuses.includes(delivery.status) ? delivery : undefined;
  }, 20_000, `delivery ${id} to settle`);
}

function requestsTo(path: string) {
  return receiver.requests.filter((r) => r.url.split('?')[0] === path);
}

describe('sending', () => {
  it('a Basic site gets the payload signed, with the caller headers, its content type and a delivery id header', async () => {
    const siteId = await createSite('/basic');
    const accepted = await send({ siteId, payload: { hello: 'world', n: 1 }, headers: [{ name: 'X-Trace', value: 'abc' }] });
    expect(accepted.status).toBe('PENDING');
    const done = await settled(accepted.id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.attemptCount).toBe(1);
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]).toMatchObject({ number: 1, statusCode: 200, error: null, responseExcerpt: 'ok', outcome: 'SUCCEEDED' });
    expect(done.deliveredAt).toBeTruthy();
    const [request] = requestsTo('/basic');
    expect(request!.method).toBe('POST');
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from(`alice:${SECRET_VALUES.password}`, 'utf8').toString('base64')}`);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['x-trace']).toBe('abc');
    expect(request!.headers['x-delivery-id']).toBe(accepted.id);
    expect(JSON.parse(request!.body.toString())).toEqual({ hello: 'world', n: 1 });
  });

  it("uses the site's content type and the given method; a string payload goes out as it is", async () => {
    const siteId = await createSite('/text', { contentType: 'text/plain; charset=utf-8' });
    const accepted = await send({ siteId, payload: 'plain words', method: 'put' });
    await settled(accepted.id);
    const [request] = requestsTo('/text');
    expect(request!.method).toBe('PUT');
    expect(request!.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(request!.body.toString()).toBe('plain words');
  });

  it('sendWebhooks stores a batch at once and sends each', async () => {
    const siteId = await createSite('/batch');
    const inputs = Array.from({ length: 25 }, (_, i) => ({ siteId, payload: { i } }));
    const accepted = ok(await app.gql(SEND_MANY, { inputs })).sendWebhooks as Array<{ id: string }>;
    expect(accepted).toHaveLength(25);
    expect(new Set(accepted.map((d) => d.id)).size).toBe(25);
    // Stored before the mutation answered.
    const stored = await raw.query('SELECT count(*)::int AS n FROM delivery WHERE id = ANY($1::uuid[])', [accepted.map((d) => d.id)]);
    expect(stored.rows[0].n).toBe(25);
    await waitFor(() => requestsTo('/batch').length >= 25, 20_000, 'the batch');
    const seen = requestsTo('/batch').map((r) => JSON.parse(r.body.toString()).i).sort((a: number, b: number) => a - b);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i));
    for (const d of accepted) expect((await settled(d.id)).status).toBe('SUCCEEDED');
  });
});

describe('idempotency', () => {
  it('a key already used for the site returns the stored delivery, and sends once', async () => {
    const siteId = await createSite('/idem');
    const first = await send({ siteId, payload: { a: 1 }, idempotencyKey: 'order-42' });
    const again = await send({ siteId, payload: { a: 2 }, idempotencyKey: 'order-42' });
    expect(again.id).toBe(first.id);
    const batch = ok(
      await app.gql(SEND_MANY, {
        inputs: [
          { siteId, payload: { a: 3 }, idempotencyKey: 'order-42' },
          { siteId, payload: { b: 1 }, idempotencyKey: 'order-43' },
          { siteId, payload: { b: 2 }, idempotencyKey: 'order-43' },
        ],
      }),
    ).sendWebhooks;
    expect(batch[0].id).toBe(first.id);
    expect(batch[1].id).toBe(batch[2].id);
    await settled(first.id);
    await settled(batch[1].id);
    const otherSite = await createSite('/idem-other');
    const elsewhere = await send({ siteId: otherSite, payload: {}, idempotencyKey: 'order-42' });
    expect(elsewhere.id).not.toBe(first.id);
    await settled(elsewhere.id);
    expect(requestsTo('/idem')).toHaveLength(2);
  });
});

describe('retries', () => {
  it('5xx is retried and the delivery id stays the same on every attempt', async () => {
    routes.set('/r5xx', (i) => (i < 2 ? { status: 503, body: 'busy' } : { status: 200, body: 'fine' }));
    const siteId = await createSite('/r5xx');
    const accepted = await send({ siteId, payload: {} });
    const done = await settled(accepted.id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([503, 503, 200]);
    expect(done.attempts[0]).toMatchObject({ outcome: 'RETRYING', error: 'HTTP 503', responseExcerpt: 'busy' });
    expect(done.attempts[0].nextAttemptAt).toBeTruthy();
    expect(new Set(requestsTo('/r5xx').map((r) => r.headers['x-delivery-id']))).toEqual(new Set([accepted.id]));
  });

  it('408 is retried', async () => {
    routes.set('/r408', (i) => (i === 0 ? { status: 408 } : { status: 204 }));
    const siteId = await createSite('/r408');
    const done = await settled((await send({ siteId, payload: {} })).id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([408, 204]);
  });

  it('429 is retried no sooner than Retry-After says', async () => {
    routes.set('/r429', (i) => (i === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const siteId = await createSite('/r429');
    const done = await settled((await send({ siteId, payload: {} })).id);
    expect(done.status).toBe('SUCCEEDED');
    const [first, second] = done.attempts;
    expect(first.statusCode).toBe(429);
    // The schedule alone would retry within 20 ms; Retry-After: 1 moved it to a second later.
    expect(Date.parse(first.nextAttemptAt) - Date.parse(first.startedAt)).toBeGreaterThanOrEqual(1000);
    expect(Date.parse(second.startedAt)).toBeGreaterThanOrEqual(Date.parse(first.nextAttemptAt));
  });

  it('a network error (connection dropped) is retried', async () => {
    routes.set('/rnet', (i) => (i === 0 ? { destroy: true } : { status: 200 }));
    const siteId = await createSite('/rnet');
    const done = await settled((await send({ siteId, payload: {} })).id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.attempts[0].statusCode).toBeNull();
    expect(done.attempts[0].error).toMatch(/connection|network|socket/i);
  });

  it('a timeout is retried', async () => {
    routes.set('/rslow', (i) => (i === 0 ? { status: 200, delayMs: 1500 } : { status: 200 }));
    const siteId = await createSite('/rslow');
    const done = await settled((await send({ siteId, payload: {} })).id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.attempts[0].error).toMatch(/timed out/);
  });

  it('other 4xx fail at once', async () => {
    routes.set('/r400', () => ({ status: 422, body: '{"error":"bad field"}' }));
    const siteId = await createSite('/r400');
    const done = await settled((await send({ siteId, payload: {} })).id);
    expect(done.status).toBe('FAILED');
    expect(done.attemptCount).toBe(1);
    expect(done.lastError).toBe('HTTP 422');
    expect(done.attempts[0].responseExcerpt).toBe('{"error":"bad field"}');
  });

  it('after the last attempt the delivery is FAILED with its reason; retryDelivery sends it again', async () => {
    let healthy = false;
    routes.set('/rmax', () => (healthy ? { status: 200 } : { status: 500, body: 'down' }));
    const siteId = await createSite('/rmax');
    const accepted = await send({ siteId, payload: {} });
    const failed = await settled(accepted.id);
    expect(failed.status).toBe('FAILED');
    expect(failed.attemptCount).toBe(3);
    expect(failed.lastError).toBe('gave up after 3 attempts: HTTP 500');
    expect(failed.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['RETRYING', 'RETRYING', 'FAILED']);

    healthy = true;
    const retried = ok(await app.gql(`mutation($id: ID!) { retryDelivery(id: $id) { id status } }`, { id: accepted.id })).retryDelivery;
    expect(retried).toEqual({ id: accepted.id, status: 'RETRYING' });
    const done = await settled(accepted.id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.attemptCount).toBe(4);
    expect(requestsTo('/rmax').every((r) => r.headers['x-delivery-id'] === accepted.id)).toBe(true);

    const again = await app.gql(`mutation($id: ID!) { retryDelivery(id: $id) { id } }`, { id: accepted.id });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const missing = await app.gql(`mutation($id: ID!) { retryDelivery(id: $id) { id } }`, { id: '00000000-0000-4000-8000-000000000000' });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('a response body is read only up to the cap, and a bounded excerpt is kept', async () => {
    routes.set('/big', () => ({ status: 200, body: 'x'.repeat(200_000) }));
    const siteId = await createSite('/big');
    const done = await settled((await send({ siteId, payload: {} })).id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.attempts[0].responseExcerpt).toHaveLength(2048);
    expect(done.attempts[0].responseTruncated).toBe(true);
  });

  it('an echoed secret is not stored in the response excerpt', async () => {
    routes.set('/echo', () => ({ status: 500, body: `you sent ${SECRET_VALUES.password} and ${Buffer.from(`alice:${SECRET_VALUES.password}`).toString('base64')}` }));
    const siteId = await createSite('/echo');
    const done = await settled((await send({ siteId, payload: {} })).id);
    const text = JSON.stringify(done);
    expect(text).not.toContain(SECRET_VALUES.password);
    expect(text).not.toContain(Buffer.from(`alice:${SECRET_VALUES.password}`).toString('base64'));
    expect(text).toContain('••••••••');
  });
});

describe('held deliveries', () => {
  it('are not sent while the site is INACTIVE (nor failed), and go out once it is ACTIVE again', async () => {
    const siteId = await createSite('/held');
    const accepted = await send({ siteId, payload: { n: 1 } });
    await settled(accepted.id);
    // Deactivate with work queued: insert directly, as a workflow that raced the switch would have.
    ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: INACTIVE) { id } }`, { id: siteId }));
    const refused = await app.gql(SEND, { input: { siteId, payload: {} } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(refused.errors?.[0]?.extensions?.fieldErrors?.[0]?.path).toBe('input.siteId');
    const held = await raw.query(
      `INSERT INTO delivery (id, site_id, status, method, body) VALUES (gen_random_uuid(), $1, 'PENDING', 'POST', $2) RETURNING id`,
      [siteId, Buffer.from('{"held":true}')],
    );
    const heldId = held.rows[0].id as string;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(requestsTo('/held')).toHaveLength(1);
    expect(ok(await app.gql(GET, { id: heldId })).delivery.status).toBe('PENDING');
    ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: siteId }));
    expect((await settled(heldId)).status).toBe('SUCCEEDED');
    expect(requestsTo('/held')).toHaveLength(2);
  });

  it('a DRAFT site cannot be sent to', async () => {
    const siteId = await createSite('/draft', { status: 'DRAFT' });
    const result = await app.gql(SEND, { input: { siteId, payload: {} } });
    expect(result.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(result.errors?.[0]?.message).toMatch(/DRAFT/);
  });
});

describe('input errors', () => {
  it('name the field, change nothing, and use codes', async () => {
    const siteId = await createSite('/bad');
    const before = (await raw.query('SELECT count(*)::int AS n FROM delivery')).rows[0].n;
    const result = await app.gql(SEND_MANY, {
      inputs: [
        { siteId, payload: {} },
        { siteId, payload: {}, method: 'TRACE' },
        { siteId, payload: {}, headers: [{ name: 'Authorization', value: 'x' }, { name: 'bad name', value: 'y' }, { name: 'x-ok', value: 'a\r\nb' }] },
        { siteId: 'not-an-id', payload: {} },
        { siteId, payload: {}, idempotencyKey: '' },
      ],
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const paths = result.errors![0]!.extensions!.fieldErrors!.map((e) => e.path).sort();
    expect(paths).toEqual(['inputs.1.method', 'inputs.2.headers.0.name', 'inputs.2.headers.1.name', 'inputs.2.headers.2.value', 'inputs.3.siteId', 'inputs.4.idempotencyKey']);
    expect((await raw.query('SELECT count(*)::int AS n FROM delivery')).rows[0].n).toBe(before);

    const missing = await app.gql(SEND, { input: { siteId: '00000000-0000-4000-8000-000000000000', payload: {} } });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(missing.errors?.[0]?.extensions?.fieldErrors?.[0]?.path).toBe('input.siteId');
  });

  it('sending needs the EDITOR role; reading does not', async () => {
    const siteId = await createSite('/roles');
    const viewer = 'ts_viewer_token_for_dispatch_tests_000000000';
    const { createHash, randomUUID } = await import('node:crypto');
    await raw.query(`INSERT INTO api_token (id, name, token_hash, role) VALUES ($1, 'viewer', $2, 'VIEWER')`, [randomUUID(), createHash('sha256').update(viewer).digest('hex')]);
    const refused = await app.gql(SEND, { input: { siteId, payload: {} } }, viewer);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const list = await app.gql(`{ deliveries(first: 1) { totalCount } }`, {}, viewer);
    expect(list.errors).toBeUndefined();
  });
});

describe('limits changed while sending', () => {
  it('threads lowered from 8 to 2: once the requests already on the wire end, never more than 2 in flight, and everything is delivered', async () => {
    const path = '/lowered';
    let current = 0;
    const starts: Array<{ at: number; inFlight: number }> = [];
    routes.set(path, async () => {
      current += 1;
      starts.push({ at: Date.now(), inFlight: current });
      await new Promise((resolve) => setTimeout(resolve, 100));
      current -= 1;
      return { status: 200 };
    });
    const siteId = await createSite(path, { performance: { maxRps: 1000, threads: 8 } });
    const inputs = Array.from({ length: 60 }, (_, i) => ({ siteId, payload: { i } }));
    const accepted = ok(await app.gql(SEND_MANY, { inputs })).sendWebhooks as Array<{ id: string }>;
    await waitFor(() => current >= 6, 20_000, 'several requests in flight at once');
    ok(await app.gql(`mutation($id: ID!, $input: SiteUpdateInput!) { updateSite(id: $id, input: $input) { id } }`, { id: siteId, input: { performance: { maxRps: 1000, threads: 2 } } }));
    const changedAt = Date.now();
    for (const d of accepted) expect((await settled(d.id)).status).toBe('SUCCEEDED');
    // The requests on the wire at the change finish (100 ms each); what starts after that sees at most 2.
    const later = starts.filter((s) => s.at > changedAt + 600);
    expect(later.length).toBeGreaterThan(10);
    expect(Math.max(...later.map((s) => s.inFlight))).toBeLessThanOrEqual(2);
    expect(Math.max(...starts.filter((s) => s.at < changedAt).map((s) => s.inFlight))).toBeGreaterThan(2);
  });
});

describe('recording', () => {
  it('an outcome counts only for the claim it belongs to: a stale one (an earlier attempt of the same worker) changes nothing', async () => {
    // An INACTIVE site: no dispatcher touches its deliveries, so this row stays as written.
    const siteId = await createSite('/stale', { status: 'INACTIVE' });
    const id = '6a0f3c1e-8b7d-4f2a-9c5e-1d2b3a4c5e6f';
    await raw.query(
      `INSERT INTO delivery (id, site_id, status, method, body, attempt_count, leased_by, lease_until, lane)
       VALUES ($1, $2, 'IN_FLIGHT', 'POST', '\\x7b7d', 2, 'worker-a', now() + interval '1 minute', 0)`,
      [id, siteId],
    );
    const outcome = (attemptNumber: number) => ({
      id,
      attemptNumber,
      outcome: 'SUCCEEDED' as const,
      statusCode: 200,
      error: null,
      startedAt: new Date(),
      durationMs: 1,
      excerpt: 'ok\u0000',
      truncated: false,
      nextAttemptAt: null,
      forceTokenRefresh: false,
    });
    const db = raw as unknown as pg.Pool;
    expect(await completeAttempts(db, 'worker-a', [outcome(1)])).toBe(0);
    expect(await completeAttempts(db, 'worker-b', [outcome(2)])).toBe(0);
    expect((await raw.query(`SELECT status FROM delivery WHERE id = $1`, [id])).rows[0].status).toBe('IN_FLIGHT');
    expect(await completeAttempts(db, 'worker-a', [outcome(2)])).toBe(1);
    const row = (await raw.query(`SELECT status, leased_by FROM delivery WHERE id = $1`, [id])).rows[0];
    expect(row).toEqual({ status: 'SUCCEEDED', leased_by: null });
    // A NUL in a receiver's answer cannot be stored as text: it is dropped, the rest kept.
    const attempts = await raw.query(`SELECT number, outcome, response_excerpt FROM delivery_attempt WHERE delivery_id = $1`, [id]);
    expect(attempts.rows).toEqual([{ number: 2, outcome: 'SUCCEEDED', response_excerpt: 'ok' }]);
  });
});

describe('reading', () => {
  it('deliveries pages newest first with a total, filters by site and status; deliveryStats has buckets', async () => {
    const siteId = await createSite('/list');
    const inputs = Array.from({ length: 5 }, (_, i) => ({ siteId, payload: { i } }));
    const accepted = ok(await app.gql(SEND_MANY, { inputs })).sendWebhooks as Array<{ id: string }>;
    for (const d of accepted) await settled(d.id);
    const LIST = `query($siteId: ID, $status: DeliveryStatus, $first: Int, $after: String) {
      deliveries(siteId: $siteId, status: $status, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id siteId status } } } }`;
    const page1 = ok(await app.gql(LIST, { siteId, first: 3 })).deliveries;
    expect(page1.totalCount).toBe(5);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = ok(await app.gql(LIST, { siteId, first: 3, after: page1.pageInfo.endCursor })).deliveries;
    expect(page2.pageInfo.hasNextPage).toBe(false);
    const ids = [...page1.edges, ...page2.edges].map((e: { node: { id: string } }) => e.node.id);
    expect(new Set(ids)).toEqual(new Set(accepted.map((d) => d.id)));
    expect(ok(await app.gql(LIST, { siteId, status: 'FAILED' })).deliveries.totalCount).toBe(0);
    const bad = await app.gql(LIST, { first: 1000 });
    expect(bad.errors?.[0]?.extensions?.fieldErrors?.[0]?.path).toBe('first');

    const stats = ok(await app.gql(`query($siteId: ID) { deliveryStats(siteId: $siteId, minutes: 5) { at sent succeeded failed retried p50LatencyMs avgLatencyMs } }`, { siteId })).deliveryStats;
    expect(stats.reduce((n: number, b: { sent: number }) => n + b.sent, 0)).toBe(5);
    expect(stats.reduce((n: number, b: { succeeded: number }) => n + b.succeeded, 0)).toBe(5);
    expect(stats[0].p50LatencyMs).toBeGreaterThan(0);
  });

  it('deliveries of all sites: newest first over every site, paged without gaps or repeats, same order as the table says', async () => {
    const a = await createSite('/merge-a');
    const b = await createSite('/merge-b');
    const sent: string[] = [];
    // Interleaved, one statement each, so created_at alternates between the two sites.
    for (let i = 0; i < 6; i++) sent.push((await send({ siteId: i % 2 ? a : b, payload: { i } })).id);
    for (const id of sent) await settled(id);
    const LIST = `query($first: Int, $after: String, $status: DeliveryStatus) {
      deliveries(first: $first, after: $after, status: $status) { totalCount pageInfo { hasNextPage endCursor } edges { node { id siteId } } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const page: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: Array<{ node: { id: string } }> } = ok(await app.gql(LIST, { first: 4, after })).deliveries;
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    const expected = await raw.query(`SELECT id FROM delivery ORDER BY created_at DESC, id DESC`);
    expect(seen).toEqual(expected.rows.map((r) => r.id));
    expect(seen.slice(0, 6)).toEqual([...sent].reverse());
    const failedOnly = ok(await app.gql(LIST, { first: 50, status: 'FAILED' })).deliveries;
    const failed = await raw.query(`SELECT id FROM delivery WHERE status = 'FAILED' ORDER BY created_at DESC, id DESC LIMIT 50`);
    expect(failedOnly.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(failed.rows.map((r) => r.id));
  });

  it('a page of deliveries reads all their attempts in one query, each delivery its own, oldest first', async () => {
    const path = '/attempts-batch';
    routes.set(path, (index) => (index % 3 === 0 ? { status: 503 } : { status: 200 }));
    const siteId = await createSite(path);
    const inputs = Array.from({ length: 6 }, (_, i) => ({ siteId, payload: { i } }));
    const accepted = ok(await app.gql(SEND_MANY, { inputs })).sendWebhooks as Array<{ id: string }>;
    for (const d of accepted) await settled(d.id);
    const spy = vi.spyOn(app.services.deliveries, 'attemptsOf');
    try {
      const page = ok(
        await app.gql(`query($siteId: ID) { deliveries(siteId: $siteId, first: 50) { edges { node { id attempts { number outcome statusCode } } } } }`, { siteId }),
      ).deliveries.edges.map((e: { node: { id: string; attempts: Array<{ number: number; outcome: string; statusCode: number }> } }) => e.node);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(page).toHaveLength(6);
      const stored = await raw.query(`SELECT delivery_id, number, outcome, status_code FROM delivery_attempt WHERE site_id = $1 ORDER BY delivery_id, number`, [siteId]);
      for (const delivery of page) {
        const expected = stored.rows.filter((r) => r.delivery_id === delivery.id).map((r) => ({ number: r.number, outcome: r.outcome, statusCode: r.status_code }));
        expect(delivery.attempts).toEqual(expected);
        expect(delivery.attempts.length).toBeGreaterThan(0);
      }
      // Some deliveries needed a second attempt (the 503s), so the grouping is really per delivery.
      expect(page.some((d: { attempts: unknown[] }) => d.attempts.length > 1)).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('deleting a site deletes its deliveries and their attempts, and nothing of other sites', async () => {
    const gone = await createSite('/delete-me');
    const kept = await createSite('/keep-me');
    const a = await send({ siteId: gone, payload: { x: 1 } });
    const b = await send({ siteId: kept, payload: { x: 2 } });
    await settled(a.id);
    await settled(b.id);
    ok(await app.gql(`mutation($id: ID!, $s: SiteStatus!) { setSiteStatus(id: $id, status: $s) { id } }`, { id: gone, s: 'INACTIVE' }));
    ok(await app.gql(`mutation($id: ID!) { deleteSite(id: $id) }`, { id: gone }));
    const count = async (sql: string, id: string) => (await raw.query(sql, [id])).rows[0].n;
    expect(await count(`SELECT count(*)::int AS n FROM delivery WHERE id = $1`, a.id)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM delivery_attempt WHERE delivery_id = $1`, a.id)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM delivery WHERE id = $1`, b.id)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM delivery_attempt WHERE delivery_id = $1`, b.id)).toBe(1);
  });
});
