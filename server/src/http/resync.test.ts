import { createClient } from 'graphql-ws';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { TEST_ADMIN_TOKEN, type TestApp, startTestApp } from '../../test/support.js';

let app: TestApp;
let raw: pg.Client;

beforeAll(async () => {
  app = await startTestApp({ TRUSTED_SITES_ROLE: 'api' });
  raw = new pg.Client({ connectionString: app.databaseUrl });
  await raw.connect();
});

afterAll(async () => {
  await raw?.end();
  await app?.stop();
});

describe('subscribers after the event listener was lost', () => {
  it('are closed with 1012 once it listens again, so clients reconnect and read again what they missed', async () => {
    const client = createClient({ url: app.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    let closedWith: number | undefined;
    client.on('closed', (event) => (closedWith = (event as { code?: number }).code));
    const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
    client.subscribe({ query: 'subscription { deliveryUpdated { id } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    await connected;

    // What an outage does to this process's LISTEN connection, without stopping the database for the others.
    const { rowCount } = await raw.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'trusted-sites-listen'`,
    );
    expect(rowCount).toBe(1);
    await vi.waitFor(() => expect(app.services.pubsub.connected).toBe(false), { timeout: 5000 }).catch(() => undefined);
    await vi.waitFor(() => expect(closedWith).toBe(1012), { timeout: 15_000 });
    expect(app.services.pubsub.connected).toBe(true);
    await client.dispose();
  });
});
