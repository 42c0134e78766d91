import { createClient } from 'graphql-ws';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { type TestApp, gql, ok, startTestApp } from '../../test/support.js';

/**
 * A revocation whose event this process never heard (it was published while the pubsub was
 * reconnecting): the resync that follows a reconnect is what makes up for it.
 */
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

const SITES = `{ sites(first: 1) { totalCount } }`;

async function viewerToken(name: string): Promise<{ secret: string; id: string }> {
  const made = ok(await app.gql(`mutation($input: ApiTokenInput!) { createApiToken(input: $input) { secret token { id } } }`, { input: { name, role: 'VIEWER' } })).createApiToken;
  return { secret: made.secret, id: made.token.id };
}

describe('AccessTokens.resync', () => {
  it('drops cached lookups and closes the sockets of tokens deleted without an event; others stay open', async () => {
    const gone = await viewerToken('deleted unheard');
    const kept = await viewerToken('kept');
    const closes = new Map<string, number | undefined>();
    const clients = [gone, kept].map((token) => {
      const client = createClient({ url: app.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { Authorization: `Bearer ${token.secret}` } });
      client.on('closed', (event) => closes.set(token.id, (event as { code?: number }).code));
      const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
      client.subscribe({ query: 'subscription { tokenStateChanged { siteId } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
      return { client, connected };
    });
    await Promise.all(clients.map((c) => c.connected));
    // Both lookups are cached now: for 10 s this process would not ask the database again.
    for (const token of [gone, kept]) expect((await gql(app.url, SITES, undefined, token.secret)).status).toBe(200);

    // Another process's revocation, its NOTIFY lost to this process.
    await raw.query('DELETE FROM api_token WHERE id = $1', [gone.id]);
    expect((await gql(app.url, SITES, undefined, gone.secret)).status).toBe(200);

    await app.services.accessTokens.resync();

    expect((await gql(app.url, SITES, undefined, gone.secret)).status).toBe(401);
    await vi.waitFor(() => expect(closes.get(gone.id)).toBe(4403), { timeout: 3000 });
    expect((await gql(app.url, SITES, undefined, kept.secret)).status).toBe(200);
    expect(closes.has(kept.id)).toBe(false);
    for (const { client } of clients) await client.dispose();
  });

  it('runs when the pubsub reports it is listening again', async () => {
    const resync = vi.spyOn(app.services.accessTokens, 'resync');
    // What PgPubSub does after reconnecting (pubsub.test.ts covers the reconnect itself).
    (app.services.pubsub as unknown as { resync(): void }).resync();
    await vi.waitFor(() => expect(resync).toHaveBeenCalledTimes(1));
  });
});
