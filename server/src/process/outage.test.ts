import { createClient } from 'graphql-ws';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { type EmbeddedDatabase, freePort, startEmbeddedPostgres } from '../db/embedded.js';
import { type Receiver, startReceiver } from '../dispatch/testkit.js';
import { API_TOKEN_REVOKED, EVENTS_CHANNEL } from '../db/pubsub.js';
import { TEST_ADMIN_TOKEN, type TestApp, gql, ok, startTestApp, tempDir } from '../../test/support.js';

/**
 * PostgreSQL going away under a running process and coming back (or not): each test has its own
 * embedded cluster, stopped and started again on the same folder and port, so the shared cluster
 * of the other test files is never touched.
 */
const SETTINGS = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };

interface Cluster {
  db: EmbeddedDatabase;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function privateCluster(): Promise<Cluster> {
  const dir = tempDir('ts-outage-');
  const port = await freePort();
  const cluster: Cluster = {
    db: await startEmbeddedPostgres(dir, { port, settings: SETTINGS }),
    url: '',
    stop: () => cluster.db.stop(),
    start: async () => {
      cluster.db = await startEmbeddedPostgres(dir, { port, settings: SETTINGS });
    },
  };
  cluster.url = cluster.db.url;
  return cluster;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** Every line the process writes to stdout/stderr from now until the returned function is called. */
function captureLog(): { lines: () => string[]; restore: () => void } {
  const lines: string[] = [];
  const original = { out: process.stdout.write, err: process.stderr.write };
  const capture = (chunk: unknown) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    lines.push(...text.split('\n').filter(Boolean));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  const restore = () => {
    process.stdout.write = original.out;
    process.stderr.write = original.err;
  };
  cleanups.push(async () => restore());
  return { lines: () => [...lines], restore };
}

/** A WebSocket subscription; `closeCode()` is the code the server closed it with, once it has. */
function subscribe(app: TestApp, token: string, query: string, onData: (data: any) => void = () => undefined, retryAttempts = 0) {
  let closeCode: number | undefined;
  const client = createClient({ url: app.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, retryAttempts, connectionParams: { Authorization: `Bearer ${token}` } });
  client.on('closed', (event) => (closeCode = (event as { code?: number }).code));
  cleanups.push(async () => client.dispose());
  const connected = new Promise<void>((resolve, reject) => {
    client.on('connected', () => resolve());
    client.on('error', reject);
    client.subscribe({ query }, { next: (message) => onData(message.data), error: () => undefined, complete: () => undefined });
  });
  return { connected, closeCode: () => closeCode };
}

/** What another process's revokeApiToken does: the DELETE and its NOTIFY in one statement. */
async function revokeElsewhere(url: string, tokenId: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `WITH gone AS (DELETE FROM api_token WHERE id = $1 RETURNING id)
       SELECT pg_notify($2, json_build_object('topic', $3::text, 'payload', json_build_object('tokenId', id))::text) FROM gone`,
      [tokenId, EVENTS_CHANNEL, API_TOKEN_REVOKED],
    );
  } finally {
    await client.end();
  }
}

const CREATE_TOKEN = `mutation($input: ApiTokenInput!) { createApiToken(input: $input) { secret token { id } } }`;
const SITES = `{ sites(first: 1) { totalCount } }`;
const DELIVERY_UPDATED = `subscription { deliveryUpdated { id status } }`;

async function activeSite(app: TestApp, url: string): Promise<string> {
  const { id } = ok(
    await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
      input: { name: `Outage ${Math.random().toString(36).slice(2, 8)}`, url, auth: { basic: { username: 'u', password: 'outage-password' } } },
    }),
  ).createSite as { id: string };
  ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id }));
  return id;
}

async function createToken(app: TestApp, role: string): Promise<{ secret: string; id: string }> {
  const made = ok(await app.gql(CREATE_TOKEN, { input: { name: `outage ${role} ${Math.random()}`, role } })).createApiToken as { secret: string; token: { id: string } };
  return { secret: made.secret, id: made.token.id };
}

describe('PostgreSQL stopped for 5 s and started again', () => {
  it('events reach new subscriptions again, revocations from other processes are heard, and the outage is logged once', async () => {
    const cluster = await privateCluster();
    cleanups.push(() => cluster.stop());
    const receiver: Receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const app = await startTestApp({ DATABASE_URL: cluster.url, LOG_LEVEL: 'info', LOG_FORMAT: 'json', DISPATCH_POLL_MS: '200' });
    cleanups.push(() => app.stop());
    const siteId = await activeSite(app, `${receiver.url}/hooks`);
    // One token revoked by another process while this one cannot hear it, one after it hears again.
    const missed = await createToken(app, 'VIEWER');
    const later = await createToken(app, 'VIEWER');
    for (const token of [missed, later]) expect((await gql(app.url, SITES, undefined, token.secret)).status).toBe(200);
    const missedSocket = subscribe(app, missed.secret, 'subscription { tokenStateChanged { siteId } }');
    const laterSocket = subscribe(app, later.secret, 'subscription { tokenStateChanged { siteId } }');
    await Promise.all([missedSocket.connected, laterSocket.connected]);

    const log = captureLog();
    await cluster.stop();
    await sleep(5000);
    await cluster.start();
    // Another process revokes at once, most likely before this one listens again: the event is lost
    // to it, and the resync after reconnecting must make up for it.
    await revokeElsewhere(cluster.url, missed.id);

    // A new subscription gets events: send until one arrives (the first sends may meet broken connections).
    const seen: string[] = [];
    // It reconnects as the dashboard does: made before this process listens again, it is closed with
    // 1012 by the resync and subscribes again.
    const fresh = subscribe(app, TEST_ADMIN_TOKEN, DELIVERY_UPDATED, (data) => seen.push(data.deliveryUpdated.id), 10);
    await fresh.connected;
    const sent: string[] = [];
    await vi.waitFor(
      async () => {
        if (!seen.some((id) => sent.includes(id))) {
          const result = await app.gql(`mutation($input: WebhookInput!) { sendWebhook(input: $input) { id } }`, { input: { siteId, payload: { n: sent.length } } });
          if (result.data) sent.push(result.data.sendWebhook.id);
          await sleep(300);
        }
        expect(seen.some((id) => sent.includes(id))).toBe(true);
      },
      { timeout: 20_000, interval: 50 },
    );

    // The token revoked in the gap: refused here, and its socket closed.
    await vi.waitFor(async () => expect((await gql(app.url, SITES, undefined, missed.secret)).status).toBe(401), { timeout: 5000, interval: 100 });
    // Its socket is closed: as revoked (4403) when the revocation came before this process listened
    // again (the resync found it gone), or told to reconnect (1012) when the listener was back first
    // (a busy machine) — then the revocation was heard and the reconnection is refused as revoked.
    await vi.waitFor(() => expect([4403, 1012]).toContain(missedSocket.closeCode()), { timeout: 5000 });
    process.stdout.write(`socket of the token revoked after the outage closed with ${missedSocket.closeCode()}\n`);
    const missedAgain = subscribe(app, missed.secret, 'subscription { tokenStateChanged { siteId } }');
    await vi.waitFor(() => expect(missedAgain.closeCode()).toBe(4403), { timeout: 5000 });

    // A socket whose token is still good was told to reconnect (it may have missed events); a new one
    // with that token is then closed as revoked when another process revokes it.
    await vi.waitFor(() => expect(laterSocket.closeCode()).toBe(1012), { timeout: 5000 });
    const laterAgain = subscribe(app, later.secret, 'subscription { tokenStateChanged { siteId } }');
    await laterAgain.connected;
    // A token revoked by another process now (its lookup just cached here) is refused well inside the cache's 10 s.
    expect((await gql(app.url, SITES, undefined, later.secret)).status).toBe(200);
    await revokeElsewhere(cluster.url, later.id);
    await vi.waitFor(async () => expect((await gql(app.url, SITES, undefined, later.secret)).status).toBe(401), { timeout: 3000, interval: 50 });
    await vi.waitFor(() => expect(laterAgain.closeCode()).toBe(4403), { timeout: 3000 });
    expect(app.services.pubsub.connected).toBe(true);

    log.restore();
    const lines = log.lines();
    // One line when it went away, one when it came back; a few unrelated info lines at most.
    const errors = lines.filter((line) => line.includes('"level":"error"'));
    process.stdout.write(`outage log: ${lines.length} lines, ${errors.length} errors\n${lines.join('\n')}\n`);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.length).toBeLessThanOrEqual(2);
    expect(lines.filter((line) => line.includes('database unreachable'))).toHaveLength(1);
    expect(lines.length).toBeLessThanOrEqual(6);
  });
});

describe('stop with PostgreSQL gone', () => {
  it('returns within the grace period plus a few seconds, while sends are in flight', async () => {
    const cluster = await privateCluster();
    cleanups.push(() => cluster.stop());
    const graceMs = 1000;
    // Sends that outlast the grace period: stop must abort them and give up writing their outcome.
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 4000 }));
    cleanups.push(() => receiver.close());
    const app = await startTestApp({ DATABASE_URL: cluster.url, LOG_LEVEL: 'silent', DISPATCH_SHUTDOWN_GRACE_MS: String(graceMs), DISPATCH_POLL_MS: '200' });
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await app.stop();
    });
    const siteId = await activeSite(app, `${receiver.url}/hooks`);
    ok(await app.gql(`mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }`, { inputs: Array.from({ length: 5 }, (_, n) => ({ siteId, payload: { n } })) }));
    await vi.waitFor(() => expect(receiver.inFlight).toBeGreaterThan(0), { timeout: 10_000 });

    await cluster.stop();
    const started = Date.now();
    const outcome = await Promise.race([app.stop().then(() => 'stopped' as const), sleep(graceMs + 10_000, 'hung' as const, { ref: false })]);
    stopped = outcome === 'stopped';
    process.stdout.write(`stop with the database gone: ${outcome} after ${Date.now() - started} ms\n`);
    expect(outcome).toBe('stopped');
  });
});

describe('resync after the event listener was cut off', () => {
  it('the dispatcher reads its sites again: a URL changed unheard is used from the next send on, not after the 5 s context refresh', async () => {
    const slow = await startReceiver(() => ({ status: 200, delayMs: 1000 }));
    const moved = await startReceiver();
    cleanups.push(() => slow.close(), () => moved.close());
    const app = await startTestApp({ LOG_LEVEL: 'silent' });
    cleanups.push(() => app.stop());
    const siteId = await activeSite(app, `${slow.url}/hooks`);
    ok(await app.gql(`mutation($id: ID!, $input: SiteUpdateInput!) { updateSite(id: $id, input: $input) { id } }`, { id: siteId, input: { performance: { threads: 1 } } }));
    ok(await app.gql(`mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }`, { inputs: Array.from({ length: 4 }, (_, n) => ({ siteId, payload: { n } })) }));
    await vi.waitFor(() => expect(slow.requests.length).toBe(1), { timeout: 10_000 });

    // Another process changed the site while this one was not listening: no site.changed event comes.
    const raw = new pg.Client({ connectionString: app.databaseUrl });
    await raw.connect();
    await raw.query('UPDATE site SET url = $1 WHERE id = $2', [`${moved.url}/hooks`, siteId]);
    await raw.end();
    (app.services.pubsub as unknown as { resync(): void }).resync();

    await vi.waitFor(() => expect(moved.requests.length).toBe(3), { timeout: 10_000 });
    expect(slow.requests.length).toBe(1);
  });
});

describe('operations while PostgreSQL is away', () => {
  it('answer 503 SERVICE_UNAVAILABLE with no internal error, when the caller was let in from the token cache', async () => {
    const cluster = await privateCluster();
    cleanups.push(() => cluster.stop());
    const app = await startTestApp({ DATABASE_URL: cluster.url, LOG_LEVEL: 'error', LOG_FORMAT: 'json' });
    cleanups.push(() => app.stop());
    // An API token looked up once is cached: the next call passes the edge without the database.
    const token = await createToken(app, 'VIEWER');
    expect((await gql(app.url, SITES, undefined, token.secret)).status).toBe(200);

    const log = captureLog();
    await cluster.stop();
    const answers = [await gql(app.url, SITES, undefined, token.secret), await gql(app.url, SITES, undefined, token.secret)];
    log.restore();
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
    }
    const lines = log.lines();
    expect(lines.filter((line) => line.includes('internal error'))).toEqual([]);
    expect(lines.filter((line) => line.includes('database unreachable')).length).toBeLessThanOrEqual(1);
    await cluster.start();
  });
});
