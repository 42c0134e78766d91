import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, type TestApp, ok, startTestApp } from '../../test/support.js';
import { insertDeliveries } from '../dispatch/transitions.sql.js';
import { type Receiver, startReceiver, waitFor } from '../dispatch/testkit.js';
import { type Sample, familyNames, parseExposition, valueOf } from './exposition.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PROMTOOL = [process.env.PROMTOOL_PATH, '/usr/bin/promtool', '/usr/local/bin/promtool'].find((file) => file && fs.existsSync(file));

/** prom-client's own default gauges whose names end in _total; promtool's linter flags them, nothing of ours. */
const PROM_CLIENT_LINT = new Set(['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']);

/** Fast retries and short timeouts: every outcome class in well under a second. No test asserts a timing. */
const FAST = {
  DISPATCH_MAX_ATTEMPTS: '2',
  DISPATCH_RETRY_BASE_MS: '5',
  DISPATCH_RETRY_MAX_MS: '20',
  DISPATCH_POLL_MS: '100',
  DISPATCH_HEADERS_TIMEOUT_MS: '1000',
  DISPATCH_BODY_TIMEOUT_MS: '1000',
};

const METRICS_TOKEN = 'scraper-secret-0123456789abcdef';

let receiver: Receiver;
let counter = 0;
/** What /flaky answers now; the breaker test "fixes" its receiver by changing it. */
let flakyStatus = 503;

beforeAll(async () => {
  receiver = await startReceiver((request) => {
    const route = request.url.split('?')[0];
    if (route === '/unavailable') return { status: 503, body: 'down' };
    if (route === '/flaky') return { status: flakyStatus, body: 'flaky' };
    if (route === '/slow') return { status: 200, body: 'late', delayMs: 4000 };
    if (route === '/token') return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ access_token: 'at-1', token_type: 'Bearer', expires_in: 3600 }) };
    if (route === '/token-refused') return { status: 401, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'invalid_client' }) };
    return { status: 200, body: 'ok' };
  });
});

afterAll(async () => {
  await receiver?.close();
});

async function scrape(url: string, token: string | null = TEST_ADMIN_TOKEN): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

async function samples(url: string, token: string | null = TEST_ADMIN_TOKEN): Promise<Sample[]> {
  const answer = await scrape(url, token);
  expect(answer.status).toBe(200);
  return parseExposition(answer.text);
}

async function createSite(app: TestApp, options: { path?: string; status?: 'ACTIVE' | 'INACTIVE'; performance?: object; auth?: object } = {}): Promise<string> {
  counter += 1;
  const site = ok(
    await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
      input: {
        name: `Metrics ${counter}`,
        url: `${receiver.url}${options.path ?? '/ok'}`,
        performance: options.performance ?? { maxRps: 1000, threads: 8 },
        auth: options.auth ?? { basic: { username: 'alice', password: 'metrics-password' } },
      },
    }),
  ).createSite as { id: string };
  ok(await app.gql(`mutation($id: ID!, $s: SiteStatus!) { setSiteStatus(id: $id, status: $s) { id } }`, { id: site.id, s: options.status ?? 'ACTIVE' }));
  return site.id;
}

async function sendMany(app: TestApp, siteId: string, count: number): Promise<void> {
  const inputs = Array.from({ length: count }, (_, i) => ({ siteId, payload: { n: i } }));
  ok(await app.gql(`mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }`, { inputs }));
}

/** Queued straight into the table, as sendWebhook would, for a site that is not ACTIVE (sendWebhook refuses those). */
async function queueDirectly(app: TestApp, siteId: string, count: number): Promise<void> {
  await insertDeliveries(
    app.services.db.pool,
    Array.from({ length: count }, () => ({ id: randomUUID(), siteId, method: 'POST', headers: [], body: Buffer.from('{}'), idempotencyKey: null })),
  );
}

function promtool(args: string[], input?: string): { status: number | null; output: string } {
  expect(PROMTOOL, 'promtool (Debian package prometheus; npm test installs it as root)').toBeDefined();
  const result = spawnSync(PROMTOOL!, args, { input, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('GET /metrics on the main port, no metrics settings', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(FAST);
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('needs an ADMIN API token: none or a bad one is 401, a VIEWER 403, each as JSON with a code', async () => {
    for (const token of [null, 'not-a-token']) {
      const answer = await scrape(app.url, token);
      expect(answer.status).toBe(401);
      expect(answer.type).toMatch(/^application\/json/);
      expect(JSON.parse(answer.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    const viewer = ok(await app.gql(`mutation { createApiToken(input: { name: "metrics viewer", role: VIEWER }) { secret } }`)).createApiToken.secret as string;
    const refused = await scrape(app.url, viewer);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text).errors[0].extensions.code).toBe('FORBIDDEN');
    const answer = await scrape(app.url);
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(answer.text).toContain('# TYPE trusted_sites_deliveries_accepted_total counter');
  });

  it('counters move during a burst of webhooks scraped as it runs; held deliveries show as queue depth and age', async () => {
    const fast = await createSite(app);
    const unavailable = await createSite(app, { path: '/unavailable' });
    const slow = await createSite(app, { path: '/slow' });
    const paced = await createSite(app, { performance: { maxRps: 5, threads: 1 } });
    const held = await createSite(app, { status: 'INACTIVE' });
    await queueDirectly(app, held, 5);

    // Scrapes run one after another for as long as the burst lasts.
    const seen: Sample[][] = [];
    let bursting = true;
    const scraping = (async () => {
      while (bursting) seen.push(await samples(app.url));
    })();
    let settled: Sample[];
    try {
      await Promise.all([sendMany(app, fast, 100), sendMany(app, fast, 100), sendMany(app, unavailable, 1), sendMany(app, slow, 1), sendMany(app, paced, 4)]);
      let last: Sample[] = [];
      // Finished: succeeded or failed (on a loaded machine a request to the quick receiver may time out too).
      const ended = (now: Sample[]) =>
        Object.fromEntries(
          Object.entries({ fast, unavailable, slow, paced }).map(([name, site]) => [
            name,
            (valueOf(now, 'trusted_sites_deliveries_succeeded_total', { site }) ?? 0) + (valueOf(now, 'trusted_sites_deliveries_failed_total', { site }) ?? 0),
          ]),
        );
      settled = await waitFor(async () => {
        last = await samples(app.url);
        const done = ended(last);
        return done.fast === 200 && done.unavailable === 1 && done.slow === 1 && done.paced === 4 ? last : undefined;
      }, 60_000, 'every delivery to settle').catch((error) => {
        throw new Error(`${(error as Error).message}: ${JSON.stringify(ended(last))}`);
      });
    } finally {
      bursting = false;
      await scraping;
    }
    seen.push(settled);

    expect(seen.length).toBeGreaterThan(2);
    // Counters never go back between scrapes.
    for (const name of ['trusted_sites_deliveries_accepted_total', 'trusted_sites_deliveries_succeeded_total']) {
      const values = seen.map((s) => valueOf(s, name, { site: fast }) ?? 0);
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
    expect(valueOf(settled, 'trusted_sites_deliveries_accepted_total', { site: fast })).toBe(200);
    const succeeded = valueOf(settled, 'trusted_sites_deliveries_succeeded_total', { site: fast })!;
    expect(succeeded).toBeGreaterThan(100);
    expect(valueOf(settled, 'trusted_sites_attempt_duration_seconds_count', { site: fast, class: '2xx' })).toBe(succeeded);
    expect(valueOf(settled, 'trusted_sites_attempt_duration_seconds_bucket', { site: fast, class: '2xx', le: '+Inf' })).toBe(succeeded);
    // Every attempt is in the histogram once: each ended a delivery or scheduled it again.
    const attempts = settled.filter((s) => s.name === 'trusted_sites_attempt_duration_seconds_count' && s.labels.site === fast).reduce((sum, s) => sum + s.value, 0);
    const retried = valueOf(settled, 'trusted_sites_deliveries_retried_total', { site: fast }) ?? 0;
    expect(attempts).toBe(200 + retried);
    expect(valueOf(settled, 'trusted_sites_requests_in_flight', { site: fast })).toBe(0);
    expect(valueOf(settled, 'trusted_sites_queue_depth', { site: fast })).toBe(0);
    expect(valueOf(settled, 'trusted_sites_site_threads', { site: fast })).toBe(8);
    // 503 once (retried), then again (attempts used up: failed); the slow receiver times out twice.
    expect(valueOf(settled, 'trusted_sites_deliveries_retried_total', { site: unavailable })).toBe(1);
    expect(valueOf(settled, 'trusted_sites_attempt_duration_seconds_count', { site: unavailable, class: '5xx' })).toBe(2);
    expect(valueOf(settled, 'trusted_sites_attempt_duration_seconds_count', { site: slow, class: 'timeout' })).toBe(2);
    // Five a second, one thread: lanes wait for their slots.
    expect(valueOf(settled, 'trusted_sites_rate_gate_waits_total', { site: paced })).toBeGreaterThan(0);
    expect(valueOf(settled, 'trusted_sites_rate_gate_wait_seconds_total', { site: paced })).toBeGreaterThan(0);

    // The INACTIVE site's deliveries are held: counted at every scrape, none sent.
    for (const s of seen) expect(valueOf(s, 'trusted_sites_queue_depth', { site: held })).toBe(5);
    expect(valueOf(settled, 'trusted_sites_site_active', { site: held })).toBe(0);
    expect(valueOf(settled, 'trusted_sites_queue_oldest_pending_age_seconds', { site: held })).toBeGreaterThan(0);
    expect(valueOf(settled, 'trusted_sites_deliveries_accepted_total', { site: held })).toBeUndefined();

    ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: held }));
    const released = await waitFor(async () => {
      const now = await samples(app.url);
      const finished = (valueOf(now, 'trusted_sites_deliveries_succeeded_total', { site: held }) ?? 0) + (valueOf(now, 'trusted_sites_deliveries_failed_total', { site: held }) ?? 0);
      return finished === 5 ? now : undefined;
    }, 20_000, 'the held deliveries to be sent');
    expect(valueOf(released, 'trusted_sites_queue_depth', { site: held })).toBe(0);
    expect(valueOf(released, 'trusted_sites_queue_oldest_pending_age_seconds', { site: held })).toBe(0);
    expect(valueOf(released, 'trusted_sites_site_active', { site: held })).toBe(1);

    // Pools and process metrics are there too.
    expect(valueOf(released, 'trusted_sites_pg_pool_connections', { pool: 'main' })).toBeGreaterThan(0);
    expect(valueOf(released, 'trusted_sites_pg_pool_connections', { pool: 'dispatch' })).toBeGreaterThan(0);
    expect(valueOf(released, 'trusted_sites_pg_pool_waiting_clients', { pool: 'main' })).toBe(0);
    expect(valueOf(released, 'trusted_sites_metrics_database_up')).toBe(1);
    expect(valueOf(released, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts token requests and failures by site and grant, and shows each OAuth2 site\'s token state', async () => {
    const tokenAuth = (route: string) => ({ oauth2ClientCredentials: { tokenUrl: `${receiver.url}${route}`, clientId: 'machine', clientSecret: 'metrics-client-secret' } });
    const granted = await createSite(app, { auth: tokenAuth('/token') });
    const refused = await createSite(app, { auth: tokenAuth('/token-refused') });
    const refresh = `mutation($id: ID!) { refreshAccessToken(siteId: $id) { status needsReconnect } }`;
    expect(ok(await app.gql(refresh, { id: granted })).refreshAccessToken.status).toBe('VALID');
    expect(ok(await app.gql(refresh, { id: refused })).refreshAccessToken).toEqual({ status: 'FAILED', needsReconnect: true });

    const now = await samples(app.url);
    // Each counter is what the token endpoint received: one request for the refresh by hand, or two
    // when the background renewal took the new site first (a busy machine) — counted either way.
    const received = (route: string) => receiver.requests.filter((request) => request.url.split('?')[0] === route).length;
    expect(received('/token')).toBeGreaterThanOrEqual(1);
    expect(received('/token-refused')).toBeGreaterThanOrEqual(1);
    expect(valueOf(now, 'trusted_sites_token_requests_total', { site: granted, grant: 'client_credentials' })).toBe(received('/token'));
    expect(valueOf(now, 'trusted_sites_token_request_failures_total', { site: granted, grant: 'client_credentials' })).toBeUndefined();
    expect(valueOf(now, 'trusted_sites_token_requests_total', { site: refused, grant: 'client_credentials' })).toBe(received('/token-refused'));
    expect(valueOf(now, 'trusted_sites_token_request_failures_total', { site: refused, grant: 'client_credentials' })).toBe(received('/token-refused'));
    expect(valueOf(now, 'trusted_sites_token_state', { site: granted, state: 'VALID' })).toBe(1);
    expect(valueOf(now, 'trusted_sites_token_state', { site: granted, state: 'FAILED' })).toBe(0);
    expect(valueOf(now, 'trusted_sites_token_state', { site: refused, state: 'FAILED' })).toBe(1);
    expect(valueOf(now, 'trusted_sites_token_needs_person', { site: refused })).toBe(1);
    expect(valueOf(now, 'trusted_sites_token_needs_person', { site: granted })).toBe(0);
  });

  it('is a valid exposition: promtool check metrics finds nothing of ours', async () => {
    const { text } = await scrape(app.url);
    const { status, output } = promtool(['check', 'metrics'], text);
    const problems = output.split('\n').filter((line) => line.trim() && !PROM_CLIENT_LINT.has(line.split(' ')[0]!));
    expect(problems).toEqual([]);
    // 0: clean; 3: lint findings only (prom-client's three, above); 1 would be a parse error.
    expect([0, 3]).toContain(status);
  });

  it('the Grafana dashboard and the alert rules use only metric names a scrape has; promtool accepts the rules', async () => {
    const { text } = await scrape(app.url);
    const known = new Set([...familyNames(text), ...parseExposition(text).map((s) => s.name)]);
    const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, 'deploy/grafana-dashboard.json'), 'utf8'));
    const expressions: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if ((key === 'expr' || key === 'query') && typeof value === 'string') expressions.push(value);
          else walk(value);
        }
      }
    };
    walk(dashboard);
    const rules = fs.readFileSync(path.join(ROOT, 'deploy/prometheus-alerts.yml'), 'utf8');
    for (const [source, text] of [['dashboard', expressions.join('\n')], ['alert rules', rules]] as const) {
      const names = new Set(text.match(/\btrusted_sites_\w+/g) ?? []);
      expect(names.size, `${source} names metrics`).toBeGreaterThan(3);
      // A histogram's samples are x_bucket, x_sum and x_count of its family x.
      for (const name of names) expect(known.has(name) || known.has(name.replace(/_(bucket|sum|count)$/, '')), `${source}: ${name} is in a scrape`).toBe(true);
    }
    expect(expressions.length).toBeGreaterThan(8);
    const checked = promtool(['check', 'rules', path.join(ROOT, 'deploy/prometheus-alerts.yml')]);
    expect(checked.output).toMatch(/SUCCESS/);
    expect(checked.status).toBe(0);
    // The rules' unit tests (deploy/prometheus-alerts.test.yml): the breaker and auto-disable alerts fire when they should, and only then.
    const tested = promtool(['test', 'rules', path.join(ROOT, 'deploy/prometheus-alerts.test.yml')]);
    expect(tested.output).toMatch(/SUCCESS/);
    expect(tested.status).toBe(0);
  });
});

describe('the circuit breaker in the exposition', () => {
  it('a breaker opened by 503s shows as OPEN for its site (CLOSED for the others, summed into "other" past the cap), and each site event is counted once by kind', async () => {
    // Threshold 3, no window; a pause far longer than the test, so nothing is probed while it runs. No timing is asserted.
    const app = await startTestApp({ ...FAST, METRICS_MAX_SITES: '2', DISPATCH_MAX_ATTEMPTS: '10', BREAKER_FAILURE_THRESHOLD: '3', BREAKER_FAILURE_WINDOW_SECONDS: '0', BREAKER_PAUSE_BASE_MS: '600000', BREAKER_PAUSE_MAX_MS: '600000' });
    try {
      flakyStatus = 503;
      const healthy = await createSite(app);
      const failing = await createSite(app, { path: '/flaky', performance: { maxRps: 1000, threads: 1 } });
      const folded = await createSite(app, { path: '/unavailable', performance: { maxRps: 1000, threads: 1 } });
      const before = await samples(app.url);
      for (const site of [healthy, failing]) {
        expect(valueOf(before, 'trusted_sites_breaker_state', { site, state: 'CLOSED' })).toBe(1);
        expect(valueOf(before, 'trusted_sites_breaker_state', { site, state: 'OPEN' })).toBe(0);
        expect(valueOf(before, 'trusted_sites_breaker_state', { site, state: 'HALF_OPEN' })).toBe(0);
      }
      expect(valueOf(before, 'trusted_sites_breaker_state', { site: 'other', state: 'CLOSED' })).toBe(1);
      // Every kind is there from the start, at 0 (so the first of a kind is an increase to Prometheus).
      for (const kind of ['BREAKER_OPENED', 'BREAKER_HALF_OPEN', 'BREAKER_CLOSED', 'SITE_AUTO_DISABLED', 'TOKEN_NEEDS_RECONNECT', 'CERTIFICATE_EXPIRING']) {
        expect(valueOf(before, 'trusted_sites_site_events_total', { kind })).toBe(0);
      }

      await sendMany(app, failing, 5);
      await sendMany(app, folded, 5);
      const opened = await waitFor(async () => {
        const now = await samples(app.url);
        const open = valueOf(now, 'trusted_sites_breaker_state', { site: failing, state: 'OPEN' }) === 1 && valueOf(now, 'trusted_sites_breaker_state', { site: 'other', state: 'OPEN' }) === 1;
        return open && valueOf(now, 'trusted_sites_site_events_total', { kind: 'BREAKER_OPENED' }) === 2 ? now : undefined;
      }, 30_000, 'both breakers to open and be counted');
      expect(valueOf(opened, 'trusted_sites_breaker_state', { site: failing, state: 'CLOSED' })).toBe(0);
      expect(valueOf(opened, 'trusted_sites_breaker_state', { site: healthy, state: 'CLOSED' })).toBe(1);
      expect(valueOf(opened, 'trusted_sites_breaker_state', { site: healthy, state: 'OPEN' })).toBe(0);
      expect(valueOf(opened, 'trusted_sites_breaker_state', { site: 'other', state: 'CLOSED' })).toBe(0);
      expect(opened.some((s) => s.labels.site === folded)).toBe(false);
      // What the API says, and what site_event holds: one BREAKER_OPENED per site, nothing else.
      expect(ok(await app.gql(`query($id: ID!) { site(id: $id) { breaker { state } } }`, { id: failing })).site.breaker.state).toBe('OPEN');
      const stored = async () => (await app.services.db.pool.query<{ kind: string; n: number }>(`SELECT kind, count(*)::int AS n FROM site_event GROUP BY kind ORDER BY kind`)).rows;
      expect(await stored()).toEqual([{ kind: 'BREAKER_OPENED', n: 2 }]);
      for (const kind of ['BREAKER_HALF_OPEN', 'BREAKER_CLOSED', 'SITE_AUTO_DISABLED']) expect(valueOf(opened, 'trusted_sites_site_events_total', { kind })).toBe(0);
      // Held, not failed: the deliveries wait while the breaker is open.
      expect(valueOf(opened, 'trusted_sites_deliveries_failed_total', { site: failing })).toBeUndefined();
      const held = await app.services.db.pool.query(`SELECT 1 FROM delivery WHERE site_id = $1 AND status IN ('FAILED', 'SUCCEEDED')`, [failing]);
      expect(held.rowCount).toBe(0);

      // The receiver fixed and the breaker closed by hand: the gauge follows, the event is counted, the held deliveries go.
      flakyStatus = 200;
      ok(await app.gql(`mutation($id: ID!) { resetBreaker(siteId: $id) { id } }`, { id: failing }));
      const closed = await waitFor(async () => {
        const now = await samples(app.url);
        const done = valueOf(now, 'trusted_sites_breaker_state', { site: failing, state: 'CLOSED' }) === 1 && valueOf(now, 'trusted_sites_deliveries_succeeded_total', { site: failing }) === 5;
        return done && valueOf(now, 'trusted_sites_site_events_total', { kind: 'BREAKER_CLOSED' }) === 1 ? now : undefined;
      }, 30_000, 'the breaker to close and the held deliveries to go');
      expect(valueOf(closed, 'trusted_sites_breaker_state', { site: failing, state: 'OPEN' })).toBe(0);
      expect(valueOf(closed, 'trusted_sites_breaker_state', { site: 'other', state: 'OPEN' })).toBe(1);
      expect(valueOf(closed, 'trusted_sites_queue_depth', { site: failing })).toBe(0);
      // Each stored event counted exactly once.
      const rows = await stored();
      expect(rows).toEqual([{ kind: 'BREAKER_CLOSED', n: 1 }, { kind: 'BREAKER_OPENED', n: 2 }]);
      for (const row of rows) expect(valueOf(closed, 'trusted_sites_site_events_total', { kind: row.kind }), row.kind).toBe(row.n);
    } finally {
      await app.stop();
    }
  });
});

describe('METRICS_TOKEN and METRICS_PORT', () => {
  it('METRICS_TOKEN: the main port wants exactly that token (an admin API token is not it); METRICS_PORT serves it open', async () => {
    const app = await startTestApp({ ...FAST, METRICS_TOKEN, METRICS_PORT: '0' });
    try {
      for (const token of [null, 'scraper-secret-0123456789abcdeX', TEST_ADMIN_TOKEN]) {
        const answer = await scrape(app.url, token);
        expect(answer.status).toBe(401);
        expect(JSON.parse(answer.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
      }
      expect((await scrape(app.url, METRICS_TOKEN)).status).toBe(200);
      expect(app.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const open = await scrape(app.metricsUrl!, null);
      expect(open.status).toBe(200);
      expect(open.text).toContain('trusted_sites_queue_depth');
      const elsewhere = await fetch(`${app.metricsUrl}/graphql`);
      expect(elsewhere.status).toBe(404);
      expect((await elsewhere.json()).errors[0].extensions.code).toBe('NOT_FOUND');
      expect((await fetch(`${app.metricsUrl}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await app.stop();
    }
  });

  it('METRICS_PORT alone: the main port answers 404 (not the dashboard); past METRICS_MAX_SITES sites fold into site="other"', async () => {
    const app = await startTestApp({ ...FAST, METRICS_PORT: '0', METRICS_MAX_SITES: '2' });
    try {
      const main = await scrape(app.url);
      expect(main.status).toBe(404);
      expect(JSON.parse(main.text).errors[0].extensions.code).toBe('NOT_FOUND');
      const sites: string[] = [];
      for (let i = 0; i < 4; i++) sites.push(await createSite(app, { status: 'INACTIVE' }));
      for (const [i, site] of sites.entries()) await queueDirectly(app, site, i + 1);
      const now = await samples(app.metricsUrl!, null);
      const depth = now.filter((s) => s.name === 'trusted_sites_queue_depth');
      expect(depth.map((s) => s.labels.site)).toEqual([sites[0], sites[1], 'other']);
      expect(valueOf(now, 'trusted_sites_queue_depth', { site: 'other' })).toBe(3 + 4);
      expect(valueOf(now, 'trusted_sites_site_threads', { site: 'other' })).toBe(16);
      expect(valueOf(now, 'trusted_sites_site_active', { site: 'other' })).toBe(0);
      expect(valueOf(now, 'trusted_sites_metrics_folded_sites')).toBe(2);
      // Counters of a folded site go to "other" as well.
      ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: sites[3] }));
      await sendMany(app, sites[3]!, 2);
      const after = await waitFor(async () => {
        const s = await samples(app.metricsUrl!, null);
        const finished = (valueOf(s, 'trusted_sites_deliveries_succeeded_total', { site: 'other' }) ?? 0) + (valueOf(s, 'trusted_sites_deliveries_failed_total', { site: 'other' }) ?? 0);
        return finished === 6 ? s : undefined;
      }, 20_000, 'the folded site to be sent to');
      expect(valueOf(after, 'trusted_sites_deliveries_accepted_total', { site: 'other' })).toBe(2);
      expect(after.some((s) => s.labels.site === sites[2] || s.labels.site === sites[3])).toBe(false);
    } finally {
      await app.stop();
    }
  });
});
