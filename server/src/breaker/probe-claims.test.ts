import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_VALUES } from '../../test/fixtures.js';
import { type TestApp, ok, startTestApp } from '../../test/support.js';
import { type ClaimOptions, claimDeliveries, findDueSites, insertClaimedDeliveries, releaseDeliveries } from '../dispatch/transitions.sql.js';
import { probesGivenBack } from './breaker.sql.js';

/**
 * The hold and the single probe, decided by claims made by hand (this process is API-only: no
 * dispatcher runs), so each step is exact: an OPEN breaker gives nothing until its probe is due,
 * then one delivery to one worker, nothing to the others while it is out, and a probe given back
 * unsent may go again at once.
 */

let app: TestApp;
let raw: pg.Client;
let pool: pg.Pool;

beforeAll(async () => {
  app = await startTestApp({ TRUSTED_SITES_ROLE: 'api' });
  raw = new pg.Client({ connectionString: app.databaseUrl });
  await raw.connect();
  pool = new pg.Pool({ connectionString: app.databaseUrl, max: 2 });
});

afterAll(async () => {
  await pool?.end();
  await raw?.end();
  await app?.stop();
});

function options(worker: string, extraSlots = 0): ClaimOptions {
  return { worker, ownLanes: [], maxNewLanes: 512, perNewLane: 8, extraSlots, maxCount: 256, leaseMs: 60_000, rateMarginMs: 30, lookaheadMs: 100 };
}

async function gate(siteId: string) {
  const { rows } = await raw.query(`SELECT breaker_state, breaker_probe_id FROM dispatch_gate WHERE site_id = $1`, [siteId]);
  return rows[0] as { breaker_state: string; breaker_probe_id: string | null };
}

async function halfOpenEvents(siteId: string): Promise<number> {
  const { rows } = await raw.query<{ n: number }>(`SELECT count(*)::int AS n FROM site_event WHERE site_id = $1 AND kind = 'BREAKER_HALF_OPEN'`, [siteId]);
  return rows[0]!.n;
}

describe('claims while the breaker is not CLOSED', () => {
  it('OPEN holds everything; once due, one probe to one worker; nothing to others while it is out; given back, it may go again', async () => {
    const { id: siteId } = ok(
      await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
        input: { name: 'probe claims', url: 'http://127.0.0.1:9/hook', performance: { maxRps: 10_000, threads: 8 }, auth: { basic: { username: 'p', password: SECRET_VALUES.password } } },
      }),
    ).createSite;
    ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: siteId }));
    const inputs = Array.from({ length: 30 }, (_, n) => ({ siteId, payload: { n } }));
    ok(await app.gql(`mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }`, { inputs }));
    await raw.query(
      `UPDATE dispatch_gate SET breaker_state = 'OPEN', breaker_failures = 20, breaker_opens = 1, breaker_opened_at = now(), breaker_next_probe_at = now() + interval '1 hour', breaker_reason = 'test' WHERE site_id = $1`,
      [siteId],
    );

    // OPEN, pause running: no claim, not a due site, and a new batch is queued rather than claimed on insert.
    expect((await claimDeliveries(pool, siteId, options('w1', 4))).kind).toBe('nothing');
    expect(await findDueSites(pool)).not.toContain(siteId);
    const id = randomUUID();
    const inserted = await insertClaimedDeliveries(pool, siteId, [{ id, siteId, method: 'POST', headers: [], body: Buffer.from('{}'), idempotencyKey: null }], options('w1'));
    expect(inserted.claim).toBeUndefined();
    expect((await raw.query(`SELECT status FROM delivery WHERE id = $1`, [id])).rows[0].status).toBe('PENDING');

    // The pause is over: one delivery, however many lanes and deliveries were asked for.
    await raw.query(`UPDATE dispatch_gate SET breaker_next_probe_at = now() - interval '1 second' WHERE site_id = $1`, [siteId]);
    expect(await findDueSites(pool)).toContain(siteId);
    const probe = await claimDeliveries(pool, siteId, options('w1'));
    expect(probe.kind === 'claimed' && probe.deliveries.length).toBe(1);
    const probeId = probe.kind === 'claimed' ? probe.deliveries[0]!.id : '';
    expect(await gate(siteId)).toEqual({ breaker_state: 'HALF_OPEN', breaker_probe_id: probeId });
    expect(await halfOpenEvents(siteId)).toBe(1);

    // While it is out: nothing for another worker; rate slots, and no delivery, for the one sending it.
    expect((await claimDeliveries(pool, siteId, options('w2', 4))).kind).toBe('nothing');
    expect(await findDueSites(pool)).not.toContain(siteId);
    const slots = await claimDeliveries(pool, siteId, options('w1', 4));
    expect(slots.kind === 'claimed' && { deliveries: slots.deliveries.length, slots: slots.slotOffsetsMs.length > 0 }).toEqual({ deliveries: 0, slots: true });
    const { rows: inFlight } = await raw.query(`SELECT id FROM delivery WHERE site_id = $1 AND status = 'IN_FLIGHT'`, [siteId]);
    expect(inFlight.map((r) => r.id)).toEqual([probeId]);

    // Given back unsent (a missed slot, a shutdown): the next claim may send a probe at once, without a second event.
    const released = await releaseDeliveries(pool, 'w1', [probeId]);
    expect(await probesGivenBack(pool, released)).toBe(1);
    const again = await claimDeliveries(pool, siteId, options('w2'));
    expect(again.kind === 'claimed' && again.deliveries.length).toBe(1);
    expect((await gate(siteId)).breaker_state).toBe('HALF_OPEN');
    expect(await halfOpenEvents(siteId)).toBe(1);
    // Giving back something that is not the probe changes nothing.
    expect(await probesGivenBack(pool, [{ id: randomUUID(), site_id: siteId }])).toBe(0);
  });
});
