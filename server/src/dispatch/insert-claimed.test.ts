import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_VALUES } from '../../test/fixtures.js';
import { type TestApp, ok, startTestApp } from '../../test/support.js';
import { type Answer, type Receiver, startReceiver, waitFor } from './testkit.js';

/**
 * sendWebhook(s) in a process that also sends inserts what its dispatcher can send at once
 * already claimed by it (transitions.sql.ts, insertClaimedDeliveries): one row version, no claim.
 */

let app: TestApp;
let receiver: Receiver;
let raw: pg.Client;
const holds = new Map<string, Promise<void>>();

beforeAll(async () => {
  receiver = await startReceiver(async (request): Promise<Answer> => {
    await holds.get(request.url);
    return { status: 200, body: 'ok' };
  });
  app = await startTestApp({ DISPATCH_POLL_MS: '100', DISPATCH_LEASE_MS: '30000' });
  raw = new pg.Client({ connectionString: app.databaseUrl });
  await raw.connect();
});

afterAll(async () => {
  await raw?.end();
  await app?.stop();
  await receiver?.close();
});

const SEND_MANY = `mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id status attemptCount } }`;
const GET = `query($id: ID!) { delivery(id: $id) { status attemptCount attempts { number outcome } } }`;

/**
 * An ACTIVE site whose receiver holds every request until `release()`, with a first delivery
 * already on the wire: it made the site's gate row and holds one of its lanes.
 */
async function heldSite(path: string, threads: number) {
  let release!: () => void;
  holds.set(path, new Promise<void>((resolve) => (release = resolve)));
  const { createSite } = ok(
    await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
      input: { name: `Insert claimed ${path}`, url: `${receiver.url}${path}`, performance: { maxRps: 1000, threads }, auth: { basic: { username: 'alice', password: SECRET_VALUES.password } } },
    }),
  );
  ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: createSite.id }));
  const siteId = createSite.id as string;
  const [first] = await send(siteId, 1);
  await waitFor(async () => receiver.requests.some((r) => r.headers['x-delivery-id'] === first), 10_000, 'the first request');
  return { siteId, first: first!, release: () => release() };
}

async function send(siteId: string, count: number): Promise<string[]> {
  const { sendWebhooks } = ok(await app.gql(SEND_MANY, { inputs: Array.from({ length: count }, (_, i) => ({ siteId, payload: { i } })) }));
  return sendWebhooks.map((d: { id: string }) => d.id);
}

async function rows(ids: string[]) {
  const { rows } = await raw.query<{ id: string; status: string; leased_by: string | null; lane: number | null; attempt_count: number; claimed_with_insert: boolean }>(
    `SELECT id, status, leased_by, lane, attempt_count, updated_at = created_at AS claimed_with_insert FROM delivery WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

async function allSucceeded(ids: string[]) {
  await waitFor(async () => [...(await rows(ids)).values()].every((r) => r.status === 'SUCCEEDED'), 20_000, 'all SUCCEEDED');
  for (const id of ids) {
    const { delivery } = ok(await app.gql(GET, { id }));
    expect(delivery).toEqual({ status: 'SUCCEEDED', attemptCount: 1, attempts: [{ number: 1, outcome: 'SUCCEEDED' }] });
  }
}

describe('deliveries inserted already claimed', () => {
  it('an idle site: the batch is written IN_FLIGHT under this process, one lane each, with no claim of its own; each is sent and recorded once', async () => {
    // The site's first batch made its gate row; the next ones can be claimed as they are inserted.
    const { siteId, first, release } = await heldSite('/idle', 4);
    const ids = await send(siteId, 3);
    const stored = await rows(ids);
    const worker = app.services.dispatcher!.worker;
    for (const id of ids) {
      // A claim afterwards would have written a second row version with its own later updated_at.
      expect(stored.get(id)).toMatchObject({ status: 'IN_FLIGHT', leased_by: worker, attempt_count: 1, claimed_with_insert: true });
    }
    // The first still holds one lane; the batch gets new lanes (half of the three free, then the rest as top-ups).
    const lanes = ids.map((id) => stored.get(id)!.lane!);
    for (const lane of lanes) expect(lane).toBeGreaterThanOrEqual(0);
    expect(lanes.every((lane) => lane < 4)).toBe(true);
    release();
    await allSucceeded([first, ...ids]);
    const sent = receiver.requests.filter((r) => r.url === '/idle').map((r) => r.headers['x-delivery-id']);
    expect(sent.sort()).toEqual([first, ...ids].sort());
  });

  it('with deliveries of the site waiting in the queue, a new batch queues behind them and is sent after them', async () => {
    const { siteId, release } = await heldSite('/backlog', 1);
    // One lane, held by the request on the wire: these wait in the queue (one may be claimed to follow it).
    const waiting = await send(siteId, 4);
    const [late] = await send(siteId, 1);
    const stored = await rows([late!]);
    expect(stored.get(late!)).toMatchObject({ status: 'PENDING', leased_by: null, attempt_count: 0 });
    release();
    await allSucceeded([...waiting, late!]);
    const sent = receiver.requests.filter((r) => r.url === '/backlog').map((r) => r.headers['x-delivery-id']);
    expect(sent.at(-1)).toBe(late);
  });

  it('a batch the dispatcher could take only part of is queued whole: no row of it is written claimed', async () => {
    const { siteId, first, release } = await heldSite('/partial', 2);
    // Two lanes, one busy with a request of unknown duration: a claim now takes two at most.
    const ids = await send(siteId, 5);
    const stored = await rows(ids);
    for (const id of ids) {
      const row = stored.get(id)!;
      // Queued (PENDING), or claimed since by the dispatcher's own claim (a later row version).
      expect(row.status === 'PENDING' || (row.status === 'IN_FLIGHT' && !row.claimed_with_insert)).toBe(true);
    }
    release();
    await allSucceeded([first, ...ids]);
  });

  it('the answer is the delivery as accepted (PENDING, no attempt yet), whichever way it was stored', async () => {
    const { siteId, release } = await heldSite('/answer', 2);
    const { sendWebhooks } = ok(await app.gql(SEND_MANY, { inputs: [{ siteId, payload: { a: 1 } }] }));
    expect(sendWebhooks).toEqual([{ id: expect.any(String), status: 'PENDING', attemptCount: 0 }]);
    expect((await rows([sendWebhooks[0].id])).get(sendWebhooks[0].id)).toMatchObject({ status: 'IN_FLIGHT', claimed_with_insert: true });
    release();
    await allSucceeded([sendWebhooks[0].id]);
  });
});
