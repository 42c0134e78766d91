import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SECRET_VALUES } from '../../test/fixtures.js';
import { TEST_ADMIN_TOKEN, TEST_MASTER_KEY, type TestApp, ok, startTestApp, tempDir, testConfig } from '../../test/support.js';
import { claimDeliveries } from '../dispatch/transitions.sql.js';
import { type Receiver, startReceiver, waitFor } from '../dispatch/testkit.js';
import { log } from '../log.js';
import { startApp } from '../main.js';
import { findExpiringCertificates } from '../breaker/breaker.sql.js';
import { DeliveryRetention, type DeliveryRetentionOptions } from './retention.js';
import { SCAN_START, deleteFinishedDeliveries, retentionCutoff } from './retention.sql.js';

/**
 * Retention against real PostgreSQL. The shared app serves the API only (TRUSTED_SITES_ROLE=api):
 * no dispatcher changes the rows written here and no retention job of its own runs; each test
 * makes its own jobs and calls runOnce(). Rows are made old by moving their timestamps back.
 */
let app: TestApp;
let raw: pg.Client;
let counter = 0;
const jobs: DeliveryRetention[] = [];

beforeAll(async () => {
  app = await startTestApp({ TRUSTED_SITES_ROLE: 'api' });
  raw = new pg.Client({ connectionString: app.databaseUrl });
  await raw.connect();
});

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(jobs.splice(0).map((job) => job.stop()));
});

afterAll(async () => {
  await raw?.end();
  await app?.stop();
});

function job(options: Partial<DeliveryRetentionOptions> = {}): DeliveryRetention {
  const created = new DeliveryRetention({ databaseUrl: app.databaseUrl, days: 30, intervalMs: 600_000, ...options });
  jobs.push(created);
  return created;
}

async function createSite(status: 'DRAFT' | 'ACTIVE' = 'DRAFT'): Promise<string> {
  counter += 1;
  const site = ok(
    await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
      input: { name: `Retention ${counter}`, url: 'https://receiver.example.com/hooks', auth: { basic: { username: 'alice', password: SECRET_VALUES.password } } },
    }),
  ).createSite as { id: string };
  if (status !== 'DRAFT') ok(await app.gql(`mutation($id: ID!, $s: SiteStatus!) { setSiteStatus(id: $id, status: $s) { id } }`, { id: site.id, s: status }));
  return site.id;
}

type Status = 'PENDING' | 'IN_FLIGHT' | 'RETRYING' | 'SUCCEEDED' | 'FAILED';

/**
 * `count` deliveries of a site in one status, each with `attempts` attempt rows, then made
 * `createdDaysAgo` old with their last change `updatedDaysAgo` ago (as UPDATEs of the timestamps).
 * All of one call share one created_at, as the deliveries of one sendWebhooks do.
 */
async function deliveries(siteId: string, status: Status, options: { count?: number; attempts?: number; createdDaysAgo?: number; updatedDaysAgo?: number } = {}): Promise<string[]> {
  const { count = 1, attempts = status === 'PENDING' ? 0 : 1, createdDaysAgo = 0 } = options;
  const updatedDaysAgo = options.updatedDaysAgo ?? createdDaysAgo;
  const ids = Array.from({ length: count }, () => randomUUID());
  await raw.query(
    `INSERT INTO delivery (id, site_id, status, method, body, attempt_count, leased_by, lease_until, lane, delivered_at)
     SELECT id, $2, $3, 'POST', '\\x7b7d', $4,
            CASE WHEN $3 = 'IN_FLIGHT' THEN 'worker-elsewhere' END, CASE WHEN $3 = 'IN_FLIGHT' THEN now() + interval '1 hour' END,
            CASE WHEN $3 = 'IN_FLIGHT' THEN 0 END, CASE WHEN $3 = 'SUCCEEDED' THEN now() END
       FROM unnest($1::uuid[]) AS id`,
    [ids, siteId, status, attempts],
  );
  await raw.query(
    `INSERT INTO delivery_attempt (delivery_id, site_id, number, started_at, outcome)
     SELECT id, $2, n, now(), CASE WHEN $3 = 'SUCCEEDED' AND n = $4 THEN 'SUCCEEDED' WHEN $3 = 'FAILED' AND n = $4 THEN 'FAILED' ELSE 'RETRYING' END
       FROM unnest($1::uuid[]) AS id, generate_series(1, $4::int) AS n`,
    [ids, siteId, status, attempts],
  );
  await raw.query(
    `UPDATE delivery SET created_at = now() - make_interval(days => $2), updated_at = now() - make_interval(days => $3),
            delivered_at = CASE WHEN delivered_at IS NOT NULL THEN now() - make_interval(days => $3) END
      WHERE id = ANY($1::uuid[])`,
    [ids, createdDaysAgo, updatedDaysAgo],
  );
  return ids;
}

async function remaining(ids: string[]): Promise<string[]> {
  const result = await raw.query(`SELECT id FROM delivery WHERE id = ANY($1::uuid[])`, [ids]);
  return result.rows.map((r) => r.id).sort();
}

async function attemptsOf(ids: string[]): Promise<number> {
  return (await raw.query(`SELECT count(*)::int AS n FROM delivery_attempt WHERE delivery_id = ANY($1::uuid[])`, [ids])).rows[0].n;
}

async function retentionConnections(): Promise<number> {
  const result = await raw.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'trusted-sites-retention'`);
  return result.rows[0].n;
}

describe('removing old finished deliveries', () => {
  it('deletes SUCCEEDED and FAILED deliveries last changed before the retention, with their attempts; keeps everything else', async () => {
    const a = await createSite();
    const b = await createSite();
    const oldSucceeded = await deliveries(a, 'SUCCEEDED', { count: 2, attempts: 2, createdDaysAgo: 40 });
    const oldFailed = await deliveries(a, 'FAILED', { attempts: 3, createdDaysAgo: 31 });
    const otherSiteOld = await deliveries(b, 'SUCCEEDED', { createdDaysAgo: 45 });
    const kept = [
      ...(await deliveries(a, 'SUCCEEDED', { createdDaysAgo: 1 })),
      ...(await deliveries(a, 'FAILED', { createdDaysAgo: 29 })),
      // Never deleted while still to be sent, however old.
      ...(await deliveries(a, 'PENDING', { createdDaysAgo: 90 })),
      ...(await deliveries(a, 'RETRYING', { attempts: 2, createdDaysAgo: 90 })),
      ...(await deliveries(a, 'IN_FLIGHT', { createdDaysAgo: 90 })),
      // Created long ago, finished (again) recently: the last change counts.
      ...(await deliveries(a, 'FAILED', { attempts: 4, createdDaysAgo: 60, updatedDaysAgo: 2 })),
      ...(await deliveries(a, 'SUCCEEDED', { createdDaysAgo: 60, updatedDaysAgo: 20 })),
      ...(await deliveries(b, 'SUCCEEDED', { createdDaysAgo: 0 })),
      ...(await deliveries(b, 'FAILED', { createdDaysAgo: 3 })),
    ];
    const keptAttempts = await attemptsOf(kept);
    const info = vi.spyOn(log, 'info');

    const run = await job().runOnce();

    const gone = [...oldSucceeded, ...oldFailed, ...otherSiteOld];
    expect(run.deleted).toBe(gone.length);
    expect(run.stoppedEarly).toBeUndefined();
    expect(await remaining(gone)).toEqual([]);
    expect(await attemptsOf(gone)).toBe(0);
    expect(await remaining(kept)).toEqual([...kept].sort());
    expect(await attemptsOf(kept)).toBe(keptAttempts);
    // One line per run, with the count (and ids, payloads or secrets nowhere).
    const lines = info.mock.calls.filter(([message]) => message.startsWith('delivery retention'));
    expect(lines).toHaveLength(1);
    expect(lines[0]![0]).toBe(`delivery retention removed ${gone.length} finished deliveries older than 30 days`);
    expect(lines[0]![1]).toMatchObject({ deleted: gone.length });
    const logged = JSON.stringify(lines);
    for (const id of [a, b, ...gone]) expect(logged).not.toContain(id);
    expect(logged).not.toContain(SECRET_VALUES.password);

    // Nothing more to do until more of them are old.
    expect((await job().runOnce()).deleted).toBe(0);
  });

  it('removes more rows than one window in one run, past runs of kept rows and rows created in the same microsecond', async () => {
    const siteId = await createSite();
    const older = await deliveries(siteId, 'SUCCEEDED', { count: 20, createdDaysAgo: 100 });
    // More kept rows in a row than a window holds: the scan must go past them, not stop or loop.
    const held = await deliveries(siteId, 'PENDING', { count: 10, createdDaysAgo: 80 });
    // One created_at for all 12: the windows split them by id.
    const sameInstant = await deliveries(siteId, 'FAILED', { count: 12, attempts: 2, createdDaysAgo: 70 });
    const newer = await deliveries(siteId, 'SUCCEEDED', { count: 8, createdDaysAgo: 40 });
    const recent = await deliveries(siteId, 'SUCCEEDED', { count: 5, createdDaysAgo: 1 });

    const run = await job({ batchSize: 7 }).runOnce();

    const gone = [...older, ...sameInstant, ...newer];
    expect(run.deleted).toBe(gone.length);
    expect(run.batches).toBeGreaterThanOrEqual(Math.ceil((gone.length + held.length) / 7));
    expect(await remaining(gone)).toEqual([]);
    expect(await attemptsOf(gone)).toBe(0);
    expect(await remaining([...held, ...recent])).toEqual([...held, ...recent].sort());
  });

  it('with DELIVERY_RETENTION_DAYS=0 deletes nothing, however old', async () => {
    const siteId = await createSite();
    const ancient = [...(await deliveries(siteId, 'SUCCEEDED', { count: 3, createdDaysAgo: 3000 })), ...(await deliveries(siteId, 'FAILED', { createdDaysAgo: 400 }))];
    const off = job({ days: 0 });
    off.start();
    expect(off.enabled).toBe(false);
    expect(off.scheduled).toBe(false);
    expect(await off.runOnce()).toEqual({ deleted: 0, batches: 0 });
    expect(await remaining(ancient)).toEqual([...ancient].sort());
    expect(await attemptsOf(ancient)).toBe(4);
    // The other tests count what their runs delete: leave nothing old behind.
    await raw.query(`DELETE FROM site WHERE id = $1`, [siteId]);
  });

  it('a FAILED delivery an operator retries is kept from then on, also once it has failed again', async () => {
    const siteId = await createSite('ACTIVE');
    const [retried] = await deliveries(siteId, 'FAILED', { attempts: 8, createdDaysAgo: 50 });
    const [notRetried] = await deliveries(siteId, 'FAILED', { attempts: 8, createdDaysAgo: 50 });
    const requeued = ok(await app.gql(`mutation($id: ID!) { retryDelivery(id: $id) { id status } }`, { id: retried })).retryDelivery;
    expect(requeued.status).toBe('RETRYING');

    expect((await job().runOnce()).deleted).toBe(1);
    expect(await remaining([retried!, notRetried!])).toEqual([retried]);

    // Its new run of attempts failed too: it is kept for another full retention from now.
    await raw.query(`UPDATE delivery SET status = 'FAILED', updated_at = now() WHERE id = $1`, [retried]);
    expect((await job().runOnce()).deleted).toBe(0);
    expect(await remaining([retried!])).toEqual([retried]);
    await raw.query(`DELETE FROM site WHERE id = $1`, [siteId]);
  });
  it('a full window finds the attempts it deletes through their index, not by reading every attempt (Migration0005)', async () => {
    const siteId = await createSite();
    const other = await createSite();
    // Attempts of other deliveries outnumber the ones deleted, as in any real table.
    await deliveries(other, 'SUCCEEDED', { count: 4000, attempts: 3, createdDaysAgo: 1 });
    await deliveries(siteId, 'SUCCEEDED', { count: 5000, createdDaysAgo: 40 });
    await raw.query('ANALYZE delivery_attempt');
    const client = new pg.Client({ connectionString: app.databaseUrl });
    await client.connect();
    try {
      await client.query('BEGIN');
      const window = await deleteFinishedDeliveries(client, siteId, await retentionCutoff(client, 30), SCAN_START, 5000);
      expect(window.deleted).toBe(5000);
      // This transaction's own reads of the table, the trigger's included.
      const reads = await client.query(`SELECT seq_scan::int, idx_scan::int FROM pg_stat_xact_user_tables WHERE relname = 'delivery_attempt'`);
      expect(reads.rows[0]).toMatchObject({ seq_scan: 0 });
      expect(reads.rows[0].idx_scan).toBeGreaterThan(0);
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    await raw.query(`DELETE FROM site WHERE id = ANY($1::uuid[])`, [[siteId, other]]);
  });
});

describe('sharing the database', () => {
  it('two processes running at once remove each old delivery once, between them', async () => {
    const sites = [await createSite(), await createSite(), await createSite()];
    const old: string[] = [];
    for (const siteId of sites) old.push(...(await deliveries(siteId, 'SUCCEEDED', { count: 20, createdDaysAgo: 35 })));
    const kept = await deliveries(sites[0]!, 'PENDING', { count: 3, createdDaysAgo: 35 });

    const [first, second] = await Promise.all([job({ batchSize: 5 }).runOnce(), job({ batchSize: 5 }).runOnce()]);

    expect(first.deleted + second.deleted).toBe(old.length);
    // At most one of them gave way to the other, and only to one that was at work.
    expect([first.stoppedEarly, second.stoppedEarly].filter(Boolean).length).toBeLessThanOrEqual(1);
    expect(await remaining(old)).toEqual([]);
    expect(await remaining(kept)).toEqual([...kept].sort());
    for (const siteId of sites) await raw.query(`DELETE FROM site WHERE id = $1`, [siteId]);
  });

  it('skips a row someone else has locked instead of waiting for it, and takes it on a later run', async () => {
    const siteId = await createSite();
    const [locked, free] = await deliveries(siteId, 'FAILED', { count: 2, createdDaysAgo: 40 });
    const operator = new pg.Client({ connectionString: app.databaseUrl });
    await operator.connect();
    try {
      await operator.query('BEGIN');
      await operator.query(`SELECT id FROM delivery WHERE id = $1 FOR UPDATE`, [locked]);
      expect((await job().runOnce()).deleted).toBe(1);
      expect(await remaining([locked!, free!])).toEqual([locked]);
      await operator.query('ROLLBACK');
    } finally {
      await operator.end();
    }
    expect((await job().runOnce()).deleted).toBe(1);
    expect(await remaining([locked!])).toEqual([]);
  });

  it("a claim for the site goes ahead while a window's deletions are still uncommitted", async () => {
    const siteId = await createSite('ACTIVE');
    await deliveries(siteId, 'SUCCEEDED', { count: 30, createdDaysAgo: 40 });
    const due = await deliveries(siteId, 'PENDING', { count: 4, createdDaysAgo: 40 });
    // Accepting a webhook makes the site's gate row; these rows were written directly.
    await raw.query(`INSERT INTO dispatch_gate (site_id) VALUES ($1) ON CONFLICT DO NOTHING`, [siteId]);
    const window = new pg.Pool({ connectionString: app.databaseUrl, max: 1 });
    // If the claim had to wait for the window's locks it would fail here rather than hang.
    const claims = new pg.Pool({ connectionString: app.databaseUrl, max: 1, options: '-c lock_timeout=5000' });
    const client = await window.connect();
    try {
      await client.query('BEGIN');
      const deleted = await deleteFinishedDeliveries(client, siteId, await retentionCutoff(client, 30), SCAN_START, 5000);
      expect(deleted).toMatchObject({ deleted: 30, examined: 34 });
      const claim = await claimDeliveries(claims, siteId, {
        worker: 'retention-test',
        ownLanes: [],
        maxNewLanes: 4,
        perNewLane: 4,
        extraSlots: 0,
        maxCount: 4,
        leaseMs: 60_000,
        rateMarginMs: 30,
        lookaheadMs: 10_000,
      });
      expect(claim.kind).toBe('claimed');
      expect(claim.kind === 'claimed' && claim.deliveries.map((d) => d.id).sort()).toEqual([...due].sort());
      await client.query('COMMIT');
    } finally {
      client.release();
      await window.end();
      await claims.end();
    }
    await raw.query(`DELETE FROM site WHERE id = $1`, [siteId]);
  });
});

describe('removing old site events', () => {
  it('deletes site events older than SITE_EVENT_RETENTION_DAYS in batches, keeps the young ones and the warning about a certificate still in place; 0 keeps every one', async () => {
    const siteId = await createSite();
    // The site's certificate expired 200 days ago and is still in place; it had another before.
    const { rows: cert } = await raw.query<{ expires: string; before: string }>(
      `UPDATE site SET client_certificate = '{}'::jsonb, client_certificate_expires_at = date_trunc('second', now()) - interval '200 days' WHERE id = $1
       RETURNING client_certificate_expires_at AS expires, client_certificate_expires_at - interval '1 year' AS before`,
      [siteId],
    );
    const event = async (kind: string, daysAgo: number, details: Record<string, unknown> = {}): Promise<string> =>
      (await raw.query<{ id: string }>(
        `INSERT INTO site_event (site_id, site_name, kind, details, created_at) VALUES ($1, 'Retention', $2, $3::jsonb, now() - make_interval(days => $4)) RETURNING id::text`,
        [siteId, kind, JSON.stringify(details), daysAgo],
      )).rows[0]!.id;
    const doomed = [
      await event('BREAKER_OPENED', 120),
      await event('BREAKER_HALF_OPEN', 119),
      await event('BREAKER_CLOSED', 118),
      await event('SITE_AUTO_DISABLED', 91),
      // About the certificate the site had before: no longer needed to tell that one was warned about.
      await event('CERTIFICATE_EXPIRING', 400, { expiresAt: new Date(cert[0]!.before).toISOString() }),
    ];
    const kept = [
      await event('CERTIFICATE_EXPIRING', 230, { expiresAt: new Date(cert[0]!.expires).toISOString() }),
      await event('BREAKER_OPENED', 89),
      await event('TOKEN_NEEDS_RECONNECT', 0),
    ];
    const ids = async () => (await raw.query<{ id: string }>(`SELECT id::text FROM site_event WHERE site_id = $1 ORDER BY id`, [siteId])).rows.map((r) => r.id);
    const { rows: old } = await raw.query<{ n: number }>(`SELECT count(*)::int AS n FROM site_event WHERE created_at < now() - interval '90 days'`);

    // Unset or 0: every one is kept (the job still runs for deliveries).
    for (const siteEventDays of [undefined, 0]) {
      const run = await job({ siteEventDays }).runOnce();
      expect(run.siteEventsDeleted).toBeUndefined();
      expect(await ids()).toEqual([...doomed, ...kept]);
    }

    // 90 days, 2 rows a statement, deliveries kept: the job runs for site events alone.
    const run = await job({ days: 0, siteEventDays: 90, batchSize: 2 }).runOnce();
    expect(run.siteEventsDeleted).toBe(old[0]!.n - 1);
    expect(run.siteEventsDeleted).toBeGreaterThanOrEqual(doomed.length);
    expect(run.batches).toBe(Math.floor(run.siteEventsDeleted! / 2) + 1);
    expect(await ids()).toEqual(kept);
    // The warning kept still says this certificate was announced: no second CERTIFICATE_EXPIRING for it.
    expect((await findExpiringCertificates(raw)).map((c) => c.siteId)).not.toContain(siteId);
    expect((await job({ days: 0, siteEventDays: 90 }).runOnce()).siteEventsDeleted).toBe(0);
    await raw.query(`DELETE FROM site_event WHERE site_id = $1`, [siteId]);
    await raw.query(`DELETE FROM site WHERE id = $1`, [siteId]);
  });
});

describe('starting and stopping', () => {
  it('drops payload-signing secrets whose rotation overlap has ended, keeping the others sealed as they were', async () => {
    const siteId = await createSite();
    ok(await app.gql(`mutation($id: ID!) { enableSigning(siteId: $id) { secret } }`, { id: siteId }));
    ok(await app.gql(`mutation($id: ID!) { rotateSigningSecret(siteId: $id, overlapMinutes: 60) { secret } }`, { id: siteId }));
    const stored = async () => (await raw.query(`SELECT signing FROM site WHERE id = $1`, [siteId])).rows[0].signing as { enabled: boolean; secrets: Array<{ id: string; expiresAt: string | null; sealed: string }> };
    const before = await stored();
    expect(before.secrets.map((s) => s.expiresAt === null)).toEqual([false, true]);
    const untouched = await job().runOnce();
    expect(untouched.signingPurged).toBeUndefined();
    expect((await stored()).secrets).toHaveLength(2);
    // The overlap ends: the old secret's expiry moves into the past.
    await raw.query(`UPDATE site SET signing = jsonb_set(signing, '{secrets,0,expiresAt}', to_jsonb((now() - interval '1 second')::text)) WHERE id = $1`, [siteId]);
    const run = await job().runOnce();
    expect(run.signingPurged).toBe(1);
    const after = await stored();
    expect(after).toEqual({ enabled: true, secrets: [before.secrets[1]] });
    expect((await job().runOnce()).signingPurged).toBeUndefined();
    const shown = ok(await app.gql(`query($id: ID!) { site(id: $id) { signing { enabled secrets { id } } } }`, { id: siteId })).site as { signing: { enabled: boolean; secrets: Array<{ id: string }> } };
    expect(shown.signing).toEqual({ enabled: true, secrets: [{ id: before.secrets[1]!.id }] });
    await raw.query(`DELETE FROM site WHERE id = $1`, [siteId]);
  });

  it('stop() ends a run after its current window, closes its connection and leaves no timer; no run starts after it', async () => {
    const siteId = await createSite();
    await deliveries(siteId, 'SUCCEEDED', { count: 600, createdDaysAgo: 40 });
    const retention = job({ batchSize: 3, firstRunDelayMs: 0 });
    retention.start();
    await waitFor(() => retention.running, 20_000, 'the first run');
    await waitFor(async () => (await raw.query(`SELECT count(*)::int AS n FROM delivery WHERE site_id = $1`, [siteId])).rows[0].n < 600, 20_000, 'a first window');
    await retention.stop();
    expect(retention.running).toBe(false);
    expect(retention.scheduled).toBe(false);
    await waitFor(async () => (await retentionConnections()) === 0, 20_000, 'the retention connection to close');
    expect(await retention.runOnce()).toEqual({ deleted: 0, batches: 0, stoppedEarly: 'stopping' });
    retention.start();
    expect(retention.scheduled).toBe(false);
    await raw.query(`DELETE FROM site WHERE id = $1`, [siteId]);
  });

  it('runs in processes that send, not in API-only ones; stopping the app while a run is due ends it without an error', async () => {
    expect(app.retention).toBeUndefined();
    const errors = vi.spyOn(log, 'error');
    const dispatcher = await startApp(testConfig({ DATABASE_URL: app.databaseUrl, TRUSTED_SITES_ROLE: 'dispatcher', DELIVERY_RETENTION_INTERVAL_MS: '1000' }));
    expect(dispatcher.retention?.enabled).toBe(true);
    expect(dispatcher.retention?.scheduled).toBe(true);
    await dispatcher.stop();
    expect(dispatcher.retention?.scheduled).toBe(false);
    expect(dispatcher.retention?.running).toBe(false);
    expect(errors).not.toHaveBeenCalled();
  });

  it('a process stopped in the middle of a run exits by itself: no timer, connection or query left', async () => {
    const siteId = await createSite();
    await deliveries(siteId, 'SUCCEEDED', { count: 50, createdDaysAgo: 40 });
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(path.dirname(fileURLToPath(import.meta.url)), 'stop.child.ts')], {
      cwd: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..'),
      env: {
        ...process.env,
        DATABASE_URL: app.databaseUrl,
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: tempDir(),
        TRUSTED_SITES_MASTER_KEY: TEST_MASTER_KEY,
        TRUSTED_SITES_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
        TRUSTED_SITES_ROLE: 'dispatcher',
        DELIVERY_RETENTION_INTERVAL_MS: '1000',
        LOG_LEVEL: 'error',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    // The test's timeout is the only limit: a handle left open would keep the child alive.
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const phases = stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(phases).toEqual([
      { phase: 'started', scheduled: true },
      { phase: 'running', running: true },
      { phase: 'stopped', scheduled: false, running: false, result: { deleted: 0, batches: 0, stoppedEarly: 'stopping' } },
    ]);
    await raw.query(`DELETE FROM site WHERE id = $1`, [siteId]);
  });
});

describe('with the dispatcher', () => {
  let receiver: Receiver;
  let sender: TestApp;

  beforeAll(async () => {
    receiver = await startReceiver((request) => (request.url.startsWith('/reject') ? { status: 400, body: 'no' } : { status: 200, body: 'ok' }));
    // Its own database: this app sends whatever is due on it.
    sender = await startTestApp({ DISPATCH_POLL_MS: '100' });
  });

  afterAll(async () => {
    await sender?.stop();
    await receiver?.close();
  });

  it("the app's own job removes deliveries the dispatcher finished, once they are old", async () => {
    const create = async (pathname: string) => {
      const site = ok(
        await sender.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
          input: { name: `Sent ${pathname}`, url: `${receiver.url}${pathname}`, auth: { basic: { username: 'alice', password: SECRET_VALUES.password } } },
        }),
      ).createSite as { id: string };
      ok(await sender.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: site.id }));
      return site.id;
    };
    const accept = await create('/accept');
    const reject = await create('/reject');
    const sent = ok(
      await sender.gql(`mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }`, {
        inputs: [...Array.from({ length: 3 }, (_, i) => ({ siteId: accept, payload: { i } })), { siteId: reject, payload: { x: 1 } }],
      }),
    ).sendWebhooks.map((d: { id: string }) => d.id) as string[];
    const db = new pg.Client({ connectionString: sender.databaseUrl });
    await db.connect();
    try {
      await waitFor(
        async () => (await db.query(`SELECT count(*)::int AS n FROM delivery WHERE id = ANY($1::uuid[]) AND status IN ('SUCCEEDED', 'FAILED')`, [sent])).rows[0].n === sent.length,
        20_000,
        'the deliveries to finish',
      );
      expect((await db.query(`SELECT count(*)::int AS n FROM delivery_attempt WHERE delivery_id = ANY($1::uuid[])`, [sent])).rows[0].n).toBe(4);
      // Nothing is old yet.
      await sender.retention!.runOnce();
      expect((await db.query(`SELECT count(*)::int AS n FROM delivery WHERE id = ANY($1::uuid[])`, [sent])).rows[0].n).toBe(4);
      await db.query(
        `UPDATE delivery SET created_at = created_at - interval '31 days', updated_at = updated_at - interval '31 days',
                delivered_at = delivered_at - interval '31 days' WHERE id = ANY($1::uuid[])`,
        [sent],
      );
      await sender.retention!.runOnce();
      expect((await db.query(`SELECT count(*)::int AS n FROM delivery WHERE id = ANY($1::uuid[])`, [sent])).rows[0].n).toBe(0);
      expect((await db.query(`SELECT count(*)::int AS n FROM delivery_attempt WHERE delivery_id = ANY($1::uuid[])`, [sent])).rows[0].n).toBe(0);
    } finally {
      await db.end();
    }
  });
});
