import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, ok, startTestApp } from '../../test/support.js';
import { activeBasicSite, type Receiver, startReceiver, waitFor } from './testkit.js';

/**
 * Webhook bodies live in `delivery_body` (Migration0014), written once with the delivery, so the
 * claim and the completion rewrite a small delivery row. Rows from before keep `delivery.body`.
 * The accepting process keeps the bodies it queues a while, so its own claims need not read them back.
 */

let app: TestApp;
let receiver: Receiver;
let raw: pg.Client;
/** Per path: how many requests have been answered 500 before the receiver answers 200. */
const failFirst = new Map<string, number>();

beforeAll(async () => {
  receiver = await startReceiver((request) => {
    const left = failFirst.get(request.url) ?? 0;
    if (left > 0) {
      failFirst.set(request.url, left - 1);
      return { status: 500, body: 'try again' };
    }
    return { status: 200, body: 'ok' };
  });
  app = await startTestApp({ DISPATCH_POLL_MS: '100', DISPATCH_RETRY_BASE_MS: '50', DISPATCH_RETRY_MAX_MS: '100' });
  raw = new pg.Client({ connectionString: app.databaseUrl });
  await raw.connect();
});

afterAll(async () => {
  await raw?.end();
  await app?.stop();
  await receiver?.close();
});

const site = (path: string) => activeBasicSite(app, `Bodies ${path}`, `${receiver.url}${path}`, { maxRps: 1000, threads: 4 });

const statusOf = async (ids: string[]) =>
  (await raw.query<{ status: string }>(`SELECT status FROM delivery WHERE id = ANY($1::uuid[])`, [ids])).rows.map((r) => r.status);

describe('delivery bodies', () => {
  it('are stored apart from the delivery row and sent byte for byte, also when claimed from the queue and on a retry', async () => {
    const siteId = await site('/bodies');
    failFirst.set('/bodies', 1); // the first request fails: that delivery is claimed and sent a second time
    const keptBefore = app.services.dispatcher!.stats.bodiesKept!;
    const payloads = [{ n: 1, text: 'é ünïcode ✓' }, { n: 2, list: [1, 2, 3], nested: { deep: true } }, { n: 3, big: 'x'.repeat(5000) }];
    // With idempotency keys they are never inserted already claimed: they wait in the queue, and the claim reads their bodies back.
    const { sendWebhooks } = ok(
      await app.gql(`mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }`, { inputs: payloads.map((payload) => ({ siteId, payload, idempotencyKey: `body-${payload.n}` })) }),
    );
    const ids = sendWebhooks.map((d: { id: string }) => d.id) as string[];

    const stored = await raw.query<{ id: string; inline: Buffer | null; body: Buffer | null }>(
      `SELECT d.id, d.body AS inline, b.body FROM delivery d LEFT JOIN delivery_body b ON b.id = d.id WHERE d.id = ANY($1::uuid[])`,
      [ids],
    );
    expect(stored.rows).toHaveLength(3);
    for (const row of stored.rows) {
      expect(row.inline).toBeNull();
      expect(JSON.parse(row.body!.toString('utf8'))).toEqual(payloads[ids.indexOf(row.id)]);
    }
    await waitFor(async () => (await statusOf(ids)).every((s) => s === 'SUCCEEDED'));

    // The first claim of each took the body this process kept when accepting it (recent-bodies.ts);
    // the retry's claim read it back from delivery_body.
    expect(app.services.dispatcher!.stats.bodiesKept! - keptBefore).toBe(3);
    const got = receiver.requests.filter((r) => r.url === '/bodies');
    expect(got).toHaveLength(4);
    for (const request of got) {
      const id = request.headers['x-delivery-id'] as string;
      expect(request.body.equals(stored.rows.find((r) => r.id === id)!.body!)).toBe(true);
    }
  });

  it('a delivery stored before Migration0014 (body in the delivery row, none in delivery_body) is still sent with its body', async () => {
    const siteId = await site('/inline');
    const id = randomUUID();
    // The gate row an insert makes sure of (no delivery was ever accepted for this site).
    await raw.query(`INSERT INTO dispatch_gate (site_id) VALUES ($1) ON CONFLICT DO NOTHING`, [siteId]);
    await raw.query(`INSERT INTO delivery (id, site_id, status, method, body) VALUES ($1, $2, 'PENDING', 'POST', $3)`, [id, siteId, Buffer.from('{"old":"row"}')]);
    await waitFor(async () => (await statusOf([id]))[0] === 'SUCCEEDED');
    const got = receiver.requests.filter((r) => r.url === '/inline');
    expect(got.map((r) => r.body.toString())).toEqual(['{"old":"row"}']);
  });

  it('go with their deliveries: deleted rows (retention) and a deleted site leave no body behind', async () => {
    const keep = await site('/keep');
    const gone = await site('/gone');
    const send = async (siteId: string) =>
      (ok(await app.gql(`mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }`, { inputs: [1, 2, 3].map((n) => ({ siteId, payload: { n } })) })).sendWebhooks as Array<{ id: string }>).map((d) => d.id);
    const kept = await send(keep);
    const deletedByRow = await send(keep);
    const deletedWithSite = await send(gone);
    const bodies = async (ids: string[]) => (await raw.query<{ n: number }>(`SELECT count(*)::int AS n FROM delivery_body WHERE id = ANY($1::uuid[])`, [ids])).rows[0]!.n;
    expect(await bodies([...kept, ...deletedByRow, ...deletedWithSite])).toBe(9);

    await raw.query(`DELETE FROM delivery WHERE id = ANY($1::uuid[])`, [deletedByRow]);
    ok(await app.gql(`mutation($id: ID!) { deleteSite(id: $id) }`, { id: gone }));

    expect(await bodies(deletedByRow)).toBe(0);
    expect(await bodies(deletedWithSite)).toBe(0);
    expect(await bodies(kept)).toBe(3);
  });
});
