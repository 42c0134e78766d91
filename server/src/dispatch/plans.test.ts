import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_VALUES } from '../../test/fixtures.js';
import { type TestApp, ok, startTestApp } from '../../test/support.js';
import { COMPLETE_ATTEMPTS_SQL } from './transitions.sql.js';

/**
 * The completion names its rows by id and must find them through the primary key, whatever
 * ANALYZE last saw. With the state written as a constant, statistics that show few deliveries in
 * flight (they are, between two samples) made the planner read the whole of delivery_in_flight_idx
 * for every batch instead — live and not yet vacuumed entries alike — and the completion's
 * buffer reads doubled in the throughput benchmark after a `VACUUM ANALYZE`.
 */

let app: TestApp;
let raw: pg.Client;
const WORKER = 'plan-test';
let inFlight: string[] = [];

beforeAll(async () => {
  app = await startTestApp();
  raw = new pg.Client({ connectionString: app.databaseUrl });
  await raw.connect();
  // A DRAFT site: nothing here is claimed or sent by the app's own dispatcher.
  const { createSite } = ok(
    await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
      input: { name: 'Plans', url: 'https://plans.example.com/hook', auth: { basic: { username: 'u', password: SECRET_VALUES.password } } },
    }),
  );
  const siteId = createSite.id as string;
  // A history of 5,000 delivered and 120 in flight under a worker's lease, then statistics of it.
  await raw.query(
    `INSERT INTO delivery (id, site_id, status, method, body, attempt_count, delivered_at)
     SELECT gen_random_uuid(), $1, 'SUCCEEDED', 'POST', convert_to('{}', 'UTF8'), 1, now() FROM generate_series(1, 5000)`,
    [siteId],
  );
  inFlight = Array.from({ length: 120 }, () => randomUUID());
  await raw.query(
    `INSERT INTO delivery (id, site_id, status, method, body, attempt_count, leased_by, lane, lease_until)
     SELECT id, $1, 'IN_FLIGHT', 'POST', convert_to('{}', 'UTF8'), 1, $2, n % 32, now() + interval '10 minutes'
       FROM unnest($3::uuid[]) WITH ORDINALITY AS t(id, n)`,
    [siteId, WORKER, inFlight],
  );
  await raw.query('ANALYZE delivery');
});

afterAll(async () => {
  await raw?.end();
  await app?.stop();
});

function indexesIn(plan: unknown): string[] {
  const found: string[] = [];
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const name = (node as Record<string, unknown>)['Index Name'];
    if (typeof name === 'string') found.push(name);
    for (const value of Object.values(node)) walk(value);
  };
  walk(plan);
  return found;
}

describe('query plans after ANALYZE', () => {
  it.each([
    ['a custom plan', 'auto'],
    ['the generic plan', 'force_generic_plan'],
  ])('a completion finds its deliveries by primary key, not by reading the in-flight index (%s)', async (_label, mode) => {
    const outcomes = inFlight.map((id) => ({ id, number: 1, outcome: 'SUCCEEDED', status_code: 200, error: null, started_at: new Date().toISOString(), duration_ms: 3, excerpt: 'ok', truncated: false, next_attempt_at: null, force_refresh: false }));
    await raw.query(`SET plan_cache_mode = ${mode}`);
    await raw.query('BEGIN');
    try {
      const { rows } = await raw.query({ name: `plan-${mode}`, text: `EXPLAIN (ANALYZE, FORMAT JSON) ${COMPLETE_ATTEMPTS_SQL}`, values: [WORKER, JSON.stringify(outcomes), inFlight] });
      const plan = rows[0]['QUERY PLAN'];
      const indexes = indexesIn(plan);
      expect(indexes).toContain('delivery_pkey');
      expect(indexes).not.toContain('delivery_in_flight_idx');
      // And it did its work: every delivery completed.
      const updated = JSON.stringify(plan).match(/"Relation Name":"delivery","Alias":"d"[^}]*?"Actual Rows":(\d+)/);
      expect(updated?.[1]).toBe('120');
    } finally {
      await raw.query('ROLLBACK');
      await raw.query('RESET plan_cache_mode');
    }
  });
});
