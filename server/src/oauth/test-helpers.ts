import net from 'node:net';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** Shared by the token tests (not a test file itself). */

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TokenEvent {
  siteId: string;
  status: string;
  expiresAt: string | null;
  hasRefreshToken: boolean;
  lastError: string | null;
}

/** Subscribes to tokenStateChanged over the WebSocket, as the dashboard does; collects the events. */
export async function subscribeTokenEvents(baseUrl: string, token: string, siteId?: string) {
  const events: TokenEvent[] = [];
  const waiters: Array<() => void> = [];
  const client = createClient({
    url: baseUrl.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    lazy: false,
  });
  let acknowledged!: () => void;
  const started = new Promise<void>((resolve) => (acknowledged = resolve));
  client.on('connected', () => acknowledged());
  const dispose = client.subscribe<{ tokenStateChanged: TokenEvent }>(
    {
      query: 'subscription ($siteId: ID) { tokenStateChanged(siteId: $siteId) { siteId status expiresAt hasRefreshToken lastError } }',
      variables: siteId ? { siteId } : {},
    },
    {
      next: (value) => {
        if (value.data) events.push(value.data.tokenStateChanged);
        for (const wake of waiters.splice(0)) wake();
      },
      error: () => undefined,
      complete: () => undefined,
    },
  );
  await started;
  // The subscription is registered a moment after the socket is acknowledged; give it a round trip.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return {
    events,
    async waitFor(predicate: (event: TokenEvent) => boolean, timeoutMs = 20_000): Promise<TokenEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching token event; got ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 250);
        });
      }
    },
    async close() {
      dispose();
      await client.dispose();
    },
  };
}

/** Polls until `check` returns a value (tests wait for outcomes, never assert durations). */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
