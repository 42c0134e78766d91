import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_VALUES } from '../../test/fixtures.js';
import { type DispatcherChild, exited, killAll, spawnDispatcher } from '../../test/dispatcher-child.js';
import { type TestApp, createTestDatabase, ok, startTestApp } from '../../test/support.js';
import { reclaimExpiredLeases } from './transitions.sql.js';
import { type Receiver, startReceiver, waitFor } from './testkit.js';
import { findGoneLocalClaimers, isGoneLocalWorker, newWorkerId, parseWorkerId, selfIdentity } from './worker-identity.js';

/**
 * Crash recovery without waiting for the lease (issue 10 item 6): a dispatcher on the same host
 * sees that the process holding claims is gone and takes them back at once. Leases here are 10
 * minutes, so only the pid check can explain a quick recovery.
 */
const TEN_MINUTES = '600000';

let databaseUrl: string;
let api: TestApp;
let receiver: Receiver;
let raw: pg.Client;
let counter = 0;
const children: ChildProcess[] = [];

function startDispatcher(): DispatcherChild {
  const started = spawnDispatcher(databaseUrl, { DISPATCH_LEASE_MS: TEN_MINUTES, DISPATCH_POLL_MS: '100' });
  children.push(started.child);
  return started;
}

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await exited(child);
  return child.pid!;
}

beforeAll(async () => {
  receiver = await startReceiver();
  databaseUrl = await createTestDatabase();
  // API only: nothing in this process dispatches, so every claim is a child's.
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

async function site(status: 'ACTIVE' | 'INACTIVE', threads: number): Promise<{ id: string; segment: string }> {
  const segment = `crash-${++counter}`;
  const { id } = ok(
    await api.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
      input: { name: segment, url: `${receiver.url}/${segment}`, performance: { maxRps: 1000, threads }, auth: { basic: { username: 'p', password: SECRET_VALUES.password } } },
    }),
  ).createSite;
  if (status === 'ACTIVE') ok(await api.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id }));
  return { id, segment };
}

describe('worker ids', () => {
  it('name the host, the pid, the namespace of this boot and the process start time', () => {
    const worker = newWorkerId();
    const me = selfIdentity()!;
    expect(parseWorkerId(worker)).toEqual({ host: os.hostname(), pid: process.pid, scope: me.scope, start: me.start });
    if (os.platform() === 'linux') {
      expect(me.scope).toMatch(/^[0-9a-f]{16}$/);
      expect(me.start).toMatch(/^\d+$/);
    }
    expect(newWorkerId()).not.toBe(worker);
    // The format before this one carries no scope: never judged by pid.
    expect(parseWorkerId(`${os.hostname()}:${process.pid}:abcdef01`)).toBeUndefined();
    expect(isGoneLocalWorker(worker)).toBe(false);
  });
});

describe('crash recovery on one host', () => {
  it('kill -9 of a dispatcher holding requests: the next one takes its claims back at once, long before their 10-minute lease', async () => {
    let holding = true;
    let releaseHeld!: () => void;
    const held = new Promise<void>((resolve) => (releaseHeld = resolve));
    const { id: siteId, segment } = await site('ACTIVE', 4);
    receiver.handler = async (request) => {
      if (request.url.startsWith(`/${segment}`) && holding) await held;
      return { status: 200 };
    };
    const ids = ok(
      await api.gql(`mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }`, {
        inputs: Array.from({ length: 6 }, (_, n) => ({ siteId, payload: { n } })),
      }),
    ).sendWebhooks.map((d: { id: string }) => d.id) as string[];

    const first = startDispatcher();
    const firstWorker = await first.ready;
    expect(parseWorkerId(firstWorker)?.pid).toBe(first.child.pid);
    // Four threads: four requests on the wire, held by the receiver, and two deliveries waiting.
    await waitFor(() => receiver.requests.filter((r) => r.url.startsWith(`/${segment}`)).length >= 4, 30_000, 'four requests held');

    first.child.kill('SIGKILL');
    await exited(first.child);
    // What the dead process held (the four on the wire, perhaps more queued behind them).
    const claimed = await raw.query<{ id: string; lease_until: Date }>(
      `SELECT id, lease_until FROM delivery WHERE site_id = $1 AND status = 'IN_FLIGHT' AND leased_by = $2`,
      [siteId, firstWorker],
    );
    expect(claimed.rows.length).toBeGreaterThanOrEqual(4);
    holding = false;
    releaseHeld();

    const second = startDispatcher();
    await second.ready;
    const settled = await waitFor(
      async () => {
        const { rows } = await raw.query<{ n: number }>(`SELECT count(*)::int AS n FROM delivery WHERE site_id = $1 AND status = 'SUCCEEDED'`, [siteId]);
        return rows[0]!.n === 6 && Date.now();
      },
      45_000,
      'every delivery to succeed',
    );
    // Everything was sent again while the leases still had most of their 10 minutes to run.
    for (const row of claimed.rows) expect(row.lease_until.getTime()).toBeGreaterThan(settled + 8 * 60_000);

    // Each claim of the dead process has its attempt recorded as unknown, taken back before its lease ran out.
    const unknown = await raw.query<{ delivery_id: string; started_at: Date; error: string; outcome: string }>(
      `SELECT delivery_id, started_at, error, outcome FROM delivery_attempt WHERE site_id = $1 AND error LIKE 'outcome unknown%'`,
      [siteId],
    );
    expect(unknown.rows.map((r) => r.delivery_id).sort()).toEqual(claimed.rows.map((r) => r.id).sort());
    for (const attempt of unknown.rows) {
      expect(attempt).toMatchObject({ outcome: 'RETRYING', error: 'outcome unknown: the process sending this attempt stopped (its process is gone)' });
      const lease = claimed.rows.find((r) => r.id === attempt.delivery_id)!.lease_until;
      expect(attempt.started_at.getTime()).toBeLessThan(lease.getTime());
    }
    const delivered = new Set(receiver.requests.filter((r) => r.url.startsWith(`/${segment}`)).map((r) => r.headers['x-delivery-id']));
    expect(delivered).toEqual(new Set(ids));
  });

  it('keeps the lease of claimers on another host, in another PID namespace, alive, or written in the old format', async () => {
    const me = selfIdentity()!;
    const host = os.hostname();
    const gone = await deadPid();
    // A live process of this host that is not a dispatcher, and its start time.
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(sleeper);
    const liveStart = os.platform() === 'linux' ? fs.readFileSync(`/proc/${sleeper.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]! : '-';
    const workers = {
      otherHost: `another-${host}:${gone}:abcdef01:${me.scope}:${me.start}`,
      otherNamespace: `${host}:${gone}:abcdef02:${me.scope === '0123456789abcdef' ? 'fedcba9876543210' : '0123456789abcdef'}:123`,
      oldFormat: `${host}:${gone}:abcdef03`,
      thisProcess: `${host}:${process.pid}:abcdef04:${me.scope}:${me.start}`,
      alive: `${host}:${sleeper.pid}:abcdef05:${me.scope}:${liveStart}`,
      dead: `${host}:${gone}:abcdef06:${me.scope}:${me.start}`,
      ...(os.platform() === 'linux' ? { pidReused: `${host}:${sleeper.pid}:abcdef07:${me.scope}:${Number(liveStart) - 1}` } : {}),
    };
    // INACTIVE: no dispatcher would send these; only the reclaim below touches them.
    const { id: siteId } = await site('INACTIVE', 8);
    const rows: Record<string, string> = {};
    let lane = 0;
    for (const [name, worker] of Object.entries(workers)) {
      rows[name] = randomUUID();
      await raw.query(
        `INSERT INTO delivery (id, site_id, status, method, body, attempt_count, leased_by, lease_until, lane)
         VALUES ($1, $2, 'IN_FLIGHT', 'POST', '\\x7b7d', 1, $3, now() + interval '10 minutes', $4)`,
        [rows[name], siteId, worker, lane++],
      );
    }
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    try {
      const goneWorkers = await findGoneLocalClaimers(pool);
      expect(goneWorkers.sort()).toEqual([workers.dead, ...(workers.pidReused ? [workers.pidReused] : [])].sort());
      const taken = await reclaimExpiredLeases(pool, 8, goneWorkers);
      expect(taken.map((r) => r.id).sort()).toEqual(goneWorkers.map((w) => rows[Object.entries(workers).find(([, v]) => v === w)![0]]).sort());
    } finally {
      await pool.end();
    }
    const { rows: left } = await raw.query<{ leased_by: string }>(`SELECT leased_by FROM delivery WHERE site_id = $1 AND status = 'IN_FLIGHT'`, [siteId]);
    expect(left.map((r) => r.leased_by).sort()).toEqual([workers.otherHost, workers.otherNamespace, workers.oldFormat, workers.thisProcess, workers.alive].sort());
  });
});
