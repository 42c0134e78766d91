import type { ChildProcess } from 'node:child_process';
import { createClient } from 'graphql-ws';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SECRET_VALUES } from '../../test/fixtures.js';
import { type DispatcherChild, exited, killAll, spawnDispatcher } from '../../test/dispatcher-child.js';
import { TEST_ADMIN_TOKEN, type TestApp, createTestDatabase, ok, startTestApp } from '../../test/support.js';
import { claimDeliveries } from './transitions.sql.js';
import { type Receiver, startReceiver, waitFor } from './testkit.js';

/**
 * The deployment shape of docs/specification.md §6: an API-only process (this test process) and
 * dispatcher-only child processes on one PostgreSQL. Children are real `node --import tsx`
 * processes running startApp, so kill -9 is a real crash.
 */

let databaseUrl: string;
let api: TestApp;
let receiver: Receiver;
let raw: pg.Client;
let counter = 0;
const children: ChildProcess[] = [];

const CHILD_ENV = {
  DISPATCH_LEASE_MS: '1500',
  DISPATCH_POLL_MS: '100',
  DISPATCH_RETRY_BASE_MS: '10',
  DISPATCH_RETRY_MAX_MS: '50',
  DISPATCH_SHUTDOWN_GRACE_MS: '5000',
};

function startDispatcher(extra: Record<string, string> = {}): DispatcherChild {
  const started = spawnDispatcher(databaseUrl, { ...CHILD_ENV, ...extra });
  children.push(started.child);
  return started;
}

beforeAll(async () => {
  receiver = await startReceiver();
  databaseUrl = await createTestDatabase();
  api = await startTestApp({ DATABASE_URL: databaseUrl, TRUSTED_SITES_ROLE: 'api' });
  raw = new pg.Client({ connectionString: databaseUrl });
  await raw.connect();
});

afterEach(async () => {
  await killAll(children);
  receiver.handler = () => ({ status: 200 });
});

afterAll(async () => {
  await raw?.end();
  await api?.stop();
  await receiver?.close();
});

async function activeSite(name: string, performance: { maxRps: number; threads: number }) {
  counter += 1;
  const { id } = ok(
    await api.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
      input: { name: `${name} ${counter}`, url: `${receiver.url}/${name}`, performance, auth: { basic: { username: 'p', password: SECRET_VALUES.password } } },
    }),
  ).createSite;
  ok(await api.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id }));
  return id as string;
}

async function sendMany(siteId: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 500) {
    const inputs = Array.from({ length: Math.min(500, count - i) }, (_, k) => ({ siteId, payload: { n: i + k } }));
    const batch = ok(await api.gql(`mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }`, { inputs })).sendWebhooks;
    ids.push(...batch.map((d: { id: string }) => d.id));
  }
  return ids;
}

async function statusCounts(siteId: string): Promise<Record<string, number>> {
  const result = await raw.query(`SELECT status, count(*)::int AS n FROM delivery WHERE site_id = $1 GROUP BY status`, [siteId]);
  return Object.fromEntries(result.rows.map((r) => [r.status, r.n]));
}

function receivedFor(siteName: string) {
  return receiver.requests.filter((r) => r.url.startsWith(`/${siteName}`));
}

describe('sharing a busy site between processes', () => {
  it('a claim takes at most half the free lanes, so a second process gets lanes of a site the first is busy with', async () => {
    // Nothing dispatches here (this process is API-only, no dispatcher started): claims are made by hand.
    const siteId = await activeSite('share', { maxRps: 10_000, threads: 8 });
    await sendMany(siteId, 40);
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    try {
      const claim = async (worker: string) => {
        const result = await claimDeliveries(pool, siteId, {
          worker,
          ownLanes: [],
          maxNewLanes: 512,
          perNewLane: 2,
          extraSlots: 0,
          maxCount: 256,
          leaseMs: 60_000,
          rateMarginMs: 30,
          lookaheadMs: 100,
        });
        expect(result.kind).toBe('claimed');
        return result.kind === 'claimed' ? [...new Set(result.deliveries.map((d) => d.lane))].sort() : [];
      };
      const first = await claim('process-a');
      const second = await claim('process-b');
      const third = await claim('process-c');
      expect(first).toHaveLength(4);
      expect(second).toHaveLength(2);
      expect(third).toHaveLength(1);
      // Each lane belongs to one process only.
      expect(new Set([...first, ...second, ...third]).size).toBe(7);
      expect(Math.max(...first, ...second, ...third)).toBeLessThan(8);
    } finally {
      await raw.query(`UPDATE site SET status = 'INACTIVE' WHERE id = $1`, [siteId]);
      await pool.end();
    }
  });
});

describe('roles and processes', () => {
  it('an API-only process stores deliveries but sends nothing; a dispatcher process sends them', async () => {
    const siteId = await activeSite('roles', { maxRps: 1000, threads: 4 });
    const ids = await sendMany(siteId, 10);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receivedFor('roles')).toHaveLength(0);
    expect(await statusCounts(siteId)).toEqual({ PENDING: 10 });
    const { ready } = startDispatcher();
    await ready;
    await waitFor(async () => (await statusCounts(siteId)).SUCCEEDED === 10, 30_000, 'all sent');
    expect(new Set(receivedFor('roles').map((r) => r.headers['x-delivery-id']))).toEqual(new Set(ids));
  });

  it('kill -9 of a dispatcher mid-run, then a restart: every delivery arrives, none is lost', async () => {
    receiver.handler = () => ({ status: 200, delayMs: 20 });
    const siteId = await activeSite('crash', { maxRps: 10_000, threads: 16 });
    const ids = await sendMany(siteId, 1000);
    const first = startDispatcher();
    await first.ready;
    await waitFor(() => receivedFor('crash').length >= 150, 60_000, 'some deliveries to arrive');
    first.child.kill('SIGKILL');
    await exited(first.child);
    const before = await statusCounts(siteId);
    expect(before.IN_FLIGHT ?? 0).toBeGreaterThan(0);
    const second = startDispatcher();
    await second.ready;
    await waitFor(async () => (await statusCounts(siteId)).SUCCEEDED === 1000, 60_000, 'every delivery to succeed');
    const distinct = new Set(receivedFor('crash').map((r) => r.headers['x-delivery-id']));
    expect(distinct).toEqual(new Set(ids));
    // Those in flight at the kill were sent again (the receiver dedupes by x-delivery-id); each has a row saying so.
    const unknown = await raw.query(`SELECT count(*)::int AS n FROM delivery_attempt a JOIN delivery d ON d.id = a.delivery_id WHERE d.site_id = $1 AND a.error LIKE 'outcome unknown%'`, [siteId]);
    expect(unknown.rows[0].n).toBeGreaterThan(0);
  });

  it('SIGTERM: stops claiming, finishes what is on the wire, gives back the rest', async () => {
    receiver.handler = () => ({ status: 200, delayMs: 300 });
    const siteId = await activeSite('graceful', { maxRps: 10_000, threads: 4 });
    await sendMany(siteId, 200);
    const dispatcher = startDispatcher();
    await dispatcher.ready;
    await waitFor(() => receivedFor('graceful').length >= 4, 30_000, 'requests on the wire');
    dispatcher.child.kill('SIGTERM');
    expect(await exited(dispatcher.child)).toBe(0);
    const counts = await statusCounts(siteId);
    expect(counts.IN_FLIGHT ?? 0).toBe(0);
    expect(counts.SUCCEEDED).toBe(receivedFor('graceful').length);
    expect((counts.PENDING ?? 0) + counts.SUCCEEDED!).toBe(200);
  });

  it('SIGTERM: requests still on the wire when the grace period ends are aborted, recorded, and left RETRYING', async () => {
    receiver.handler = (request) => (request.url.startsWith('/grace-over') ? { status: 200, delayMs: 30_000 } : { status: 200 });
    const siteId = await activeSite('grace-over', { maxRps: 10_000, threads: 2 });
    await sendMany(siteId, 2);
    const dispatcher = startDispatcher({ DISPATCH_SHUTDOWN_GRACE_MS: '300' });
    await dispatcher.ready;
    await waitFor(() => receivedFor('grace-over').length >= 2, 30_000, 'both requests on the wire');
    const stopAsked = Date.now();
    dispatcher.child.kill('SIGTERM');
    expect(await exited(dispatcher.child)).toBe(0);
    // Well before the receiver's 30 s answer: the requests were cut off, not waited for.
    expect(Date.now() - stopAsked).toBeLessThan(15_000);
    expect(await statusCounts(siteId)).toEqual({ RETRYING: 2 });
    const attempts = await raw.query(
      `SELECT a.outcome, a.error FROM delivery_attempt a JOIN delivery d ON d.id = a.delivery_id WHERE d.site_id = $1`,
      [siteId],
    );
    expect(attempts.rows).toEqual([
      { outcome: 'RETRYING', error: 'aborted: the dispatcher shut down before the receiver answered' },
      { outcome: 'RETRYING', error: 'aborted: the dispatcher shut down before the receiver answered' },
    ]);
  });

  it('three dispatchers together never have more than `threads` requests in flight to a site', async () => {
    // Counted here, per test, so a request cut off by an earlier test's kill -9 cannot skew it.
    let current = 0;
    let most = 0;
    receiver.handler = async (request) => {
      // Earlier tests' sites may still have work queued: count this site only.
      if (!request.url.startsWith('/threads')) return { status: 200 };
      current += 1;
      most = Math.max(most, current);
      await new Promise((resolve) => setTimeout(resolve, 100));
      current -= 1;
      return { status: 200 };
    };
    const siteId = await activeSite('threads', { maxRps: 10_000, threads: 3 });
    await sendMany(siteId, 45);
    const all = [startDispatcher(), startDispatcher(), startDispatcher()];
    await Promise.all(all.map((d) => d.ready));
    await waitFor(async () => (await statusCounts(siteId)).SUCCEEDED === 45, 60_000, 'all sent');
    expect(most).toBeLessThanOrEqual(3);
    expect(most).toBeGreaterThan(0);
  });

  it('three dispatchers together start at most maxRps requests in any one-second window', async () => {
    const siteId = await activeSite('rate', { maxRps: 10, threads: 8 });
    await sendMany(siteId, 35);
    const all = [startDispatcher(), startDispatcher(), startDispatcher()];
    await Promise.all(all.map((d) => d.ready));
    await waitFor(async () => (await statusCounts(siteId)).SUCCEEDED === 35, 60_000, 'all sent');
    // Start times as the dispatchers recorded them: the guarantee is on starts. (Arrival times
    // read by a receiver sharing this busy test process add its own event-loop lag; the
    // rate-cap benchmark measures arrivals with a receiver in its own process.)
    const started = await raw.query(`SELECT extract(epoch FROM a.started_at) * 1000 AS at FROM delivery_attempt a WHERE a.site_id = $1`, [siteId]);
    const times = started.rows.map((r) => Number(r.at)).sort((a, b) => a - b);
    expect(times).toHaveLength(35);
    let most = 0;
    for (let i = 0; i < times.length; i++) {
      let j = i;
      while (j < times.length && times[j]! - times[i]! < 1000) j++;
      most = Math.max(most, j - i);
    }
    expect(most).toBeLessThanOrEqual(10);
  });

  it('deliveryUpdated reaches a WebSocket subscriber of the API process when another process sends', async () => {
    const siteId = await activeSite('live', { maxRps: 1000, threads: 2 });
    const client = createClient({ url: api.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    const seen: Array<{ id: string; status: string; siteId: string }> = [];
    const subscribed = new Promise<void>((resolve, reject) => {
      client.on('connected', () => setTimeout(resolve, 200));
      client.subscribe(
        { query: `subscription($siteId: ID) { deliveryUpdated(siteId: $siteId) { id siteId status attemptCount } }`, variables: { siteId } },
        { next: (message) => seen.push((message.data as { deliveryUpdated: (typeof seen)[number] }).deliveryUpdated), error: reject, complete: () => undefined },
      );
    });
    try {
      await subscribed;
      const { ready } = startDispatcher();
      await ready;
      const [id] = await sendMany(siteId, 1);
      await waitFor(() => seen.some((d) => d.id === id && d.status === 'SUCCEEDED'), 30_000, 'the SUCCEEDED event');
      // One event per change (accepted, claimed, attempt); each shows the delivery as loaded when it
      // reaches the subscriber, so a quick one may already show a later state.
      expect(seen.filter((d) => d.id === id).length).toBeGreaterThanOrEqual(2);
      expect(seen.every((d) => d.siteId === siteId)).toBe(true);
    } finally {
      await client.dispose();
    }
  });
});
