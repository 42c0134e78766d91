import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_VALUES } from '../../test/fixtures.js';
import { killAll, spawnDispatcher } from '../../test/dispatcher-child.js';
import { type TestApp, createTestDatabase, ok, startTestApp } from '../../test/support.js';
import { type Receiver, startReceiver, waitFor } from '../dispatch/testkit.js';

/**
 * One probe at a time across processes: two dispatcher-only child processes (as
 * dispatch/processes.test.ts starts them) race for a site whose breaker is open. The probe is
 * chosen by a claim under the site's gate lock, so each HALF_OPEN is exactly one request at the
 * receiver, whichever process sends it.
 */

let databaseUrl: string;
let api: TestApp;
let receiver: Receiver;
let raw: pg.Client;
const children: ChildProcess[] = [];
let broken = true;

function startDispatcher(): Promise<string> {
  const started = spawnDispatcher(databaseUrl, {
    DISPATCH_POLL_MS: '50',
    // Fast retries and several probes must not use up a delivery's attempts (then FAILED, never sent).
    DISPATCH_MAX_ATTEMPTS: '50',
    DISPATCH_RETRY_BASE_MS: '5',
    DISPATCH_RETRY_MAX_MS: '20',
    // A constant, short pause: several probes within the test, each one raced by both processes.
    BREAKER_PAUSE_BASE_MS: '700',
    BREAKER_PAUSE_MAX_MS: '700',
    BREAKER_FAILURE_WINDOW_SECONDS: '0',
  });
  children.push(started.child);
  return started.ready;
}

beforeAll(async () => {
  receiver = await startReceiver(() => ({ status: broken ? 503 : 200 }));
  databaseUrl = await createTestDatabase();
  api = await startTestApp({ DATABASE_URL: databaseUrl, TRUSTED_SITES_ROLE: 'api' });
  raw = new pg.Client({ connectionString: databaseUrl });
  await raw.connect();
});

afterAll(async () => {
  await killAll(children);
  await raw?.end();
  await api?.stop();
  await receiver?.close();
});

async function gateOf(siteId: string) {
  const { rows } = await raw.query<{ breaker_state: string; in_flight: number; half_opens: number }>(
    `SELECT g.breaker_state,
            (SELECT count(*)::int FROM delivery d WHERE d.site_id = g.site_id AND d.status = 'IN_FLIGHT') AS in_flight,
            (SELECT count(*)::int FROM site_event e WHERE e.site_id = g.site_id AND e.kind = 'BREAKER_HALF_OPEN') AS half_opens
       FROM dispatch_gate g WHERE g.site_id = $1`,
    [siteId],
  );
  return rows[0];
}

describe('the probe across processes', () => {
  it('two dispatchers: every HALF_OPEN is exactly one request; fixed, every held delivery succeeds and the breaker is CLOSED', async () => {
    await Promise.all([startDispatcher(), startDispatcher()]);
    const { id: siteId } = ok(
      await api.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
        input: { name: 'two-process probe', url: `${receiver.url}/probe`, performance: { maxRps: 1000, threads: 4 }, auth: { basic: { username: 'p', password: SECRET_VALUES.password } } },
      }),
    ).createSite;
    ok(await api.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: siteId }));
    ok(await api.gql(`mutation($id: ID!) { updateBreakerSettings(siteId: $id, input: { failureThreshold: 3, autoDisableAfterSeconds: 0 }) { id } }`, { id: siteId }));
    const inputs = Array.from({ length: 20 }, (_, n) => ({ siteId, payload: { n } }));
    const ids = (ok(await api.gql(`mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }`, { inputs })).sendWebhooks as Array<{ id: string }>).map((d) => d.id);

    // Open, with what was claimed before it opened given back or finished.
    const settled = (minHalfOpens: number) =>
      waitFor(async () => {
        const gate = await gateOf(siteId);
        return gate && gate.breaker_state === 'OPEN' && gate.in_flight === 0 && gate.half_opens >= minHalfOpens ? { gate, requests: receiver.requests.length } : undefined;
      }, 30_000, `the breaker OPEN after ${minHalfOpens} probes`);
    const first = await settled(0);
    const later = await settled(first.gate.half_opens + 4);
    // Each probe was one request: none sent by the other process at the same time.
    expect(later.requests - first.requests).toBe(later.gate.half_opens - first.gate.half_opens);

    broken = false;
    await waitFor(async () => {
      const { rows } = await raw.query<{ n: number }>(`SELECT count(*)::int AS n FROM delivery WHERE id = ANY($1::uuid[]) AND status = 'SUCCEEDED'`, [ids]);
      return rows[0]!.n === ids.length ? true : undefined;
    }, 30_000, 'every held delivery to be sent');
    expect((await gateOf(siteId))!.breaker_state).toBe('CLOSED');
    const { rows } = await raw.query<{ kind: string }>(`SELECT kind FROM site_event WHERE site_id = $1 ORDER BY id DESC LIMIT 1`, [siteId]);
    expect(rows[0]!.kind).toBe('BREAKER_CLOSED');
  });
});
