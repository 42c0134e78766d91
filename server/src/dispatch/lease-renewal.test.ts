import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, ok, startTestApp } from '../../test/support.js';
import { activeBasicSite, type Answer, type Receiver, startReceiver, waitFor } from './testkit.js';

/**
 * A running dispatcher renews the leases of the deliveries it holds, and only those: a claim it
 * let go of without the database hearing it (a give-back that failed in an outage, a claim whose
 * answer was lost) runs out and is taken back while the process lives on.
 */

let app: TestApp;
let receiver: Receiver;
let raw: pg.Client;
let releaseBusy!: () => void;
const busy = new Promise<void>((resolve) => (releaseBusy = resolve));

beforeAll(async () => {
  receiver = await startReceiver(async (request): Promise<Answer> => {
    if (request.url === '/busy') await busy;
    return { status: 200, body: 'ok' };
  });
  app = await startTestApp({ DISPATCH_LEASE_MS: '1500', DISPATCH_POLL_MS: '100' });
  raw = new pg.Client({ connectionString: app.databaseUrl });
  await raw.connect();
});

afterAll(async () => {
  releaseBusy();
  await raw?.end();
  await app?.stop();
  await receiver?.close();
});

const site = (path: string) => activeBasicSite(app, `Lease ${path}`, `${receiver.url}${path}`, { maxRps: 100, threads: 1 });

async function send(siteId: string): Promise<string> {
  return ok(await app.gql(`mutation($input: WebhookInput!) { sendWebhook(input: $input) { id } }`, { input: { siteId, payload: { hello: siteId } } })).sendWebhook.id;
}

describe('lease renewal', () => {
  it('renews what the process holds, and lets a claim it no longer holds run out and be sent again', async () => {
    // A request the receiver holds: its delivery stays held, so leases are being renewed meanwhile.
    const held = await send(await site('/busy'));
    await waitFor(async () => receiver.requests.some((r) => r.headers['x-delivery-id'] === held), 10_000, 'the held request');

    // An orphan: IN_FLIGHT under this process's worker id (as a claim would leave it), but in none
    // of its lanes — written by hand, as a claim whose answer never arrived would be.
    const orphanSite = await site('/orphan');
    const orphan = randomUUID();
    await raw.query(`INSERT INTO dispatch_gate (site_id) VALUES ($1) ON CONFLICT DO NOTHING`, [orphanSite]);
    await raw.query(
      `INSERT INTO delivery (id, site_id, status, method, body, attempt_count, leased_by, lane, lease_until)
       VALUES ($1, $2, 'IN_FLIGHT', 'POST', convert_to('{"orphan":1}', 'UTF8'), 1, $3, 0, now() + interval '1500 milliseconds')`,
      [orphan, orphanSite, app.services.dispatcher!.worker],
    );

    // Its lease runs out, it is taken back (an attempt of unknown outcome) and sent.
    await waitFor(async () => receiver.requests.some((r) => r.headers['x-delivery-id'] === orphan), 15_000, 'the orphan sent again');
    await waitFor(async () => (await raw.query(`SELECT status FROM delivery WHERE id = $1`, [orphan])).rows[0].status === 'SUCCEEDED', 10_000, 'the orphan SUCCEEDED');
    const { delivery } = ok(await app.gql(`query($id: ID!) { delivery(id: $id) { attempts { number outcome error } } }`, { id: orphan }));
    expect(delivery.attempts).toEqual([
      { number: 1, outcome: 'RETRYING', error: expect.stringContaining('lease expired') },
      { number: 2, outcome: 'SUCCEEDED', error: null },
    ]);

    // Meanwhile the held delivery's lease was renewed: still this process's, not taken back.
    const { rows } = await raw.query(`SELECT status, leased_by, lease_until > now() AS live FROM delivery WHERE id = $1`, [held]);
    expect(rows[0]).toEqual({ status: 'IN_FLIGHT', leased_by: app.services.dispatcher!.worker, live: true });
    releaseBusy();
    await waitFor(async () => (await raw.query(`SELECT status FROM delivery WHERE id = $1`, [held])).rows[0].status === 'SUCCEEDED', 10_000, 'the held one SUCCEEDED');
  }, 40_000);
});
