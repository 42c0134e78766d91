import net from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestDatabase } from '../../test/support.js';
import { PgPubSub } from './pubsub.js';

/**
 * A TCP proxy between the pubsub and PostgreSQL that can refuse connections (the database down)
 * or stop forwarding on open ones without closing them (a host or network gone silent: no
 * 'error' event ever comes).
 */
interface Proxy {
  url: string;
  pass(): void;
  refuse(): void;
  silence(): void;
  close(): Promise<void>;
}

async function startProxy(databaseUrl: string): Promise<Proxy> {
  const target = new URL(databaseUrl);
  let mode: 'pass' | 'refuse' = 'pass';
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; silent: boolean }>();
  const server = net.createServer((client) => {
    if (mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port), target.hostname);
    const pair = { client, upstream, silent: false };
    pairs.add(pair);
    client.on('data', (chunk) => pair.silent || upstream.write(chunk));
    upstream.on('data', (chunk) => pair.silent || client.write(chunk));
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    pass: () => (mode = 'pass'),
    refuse: () => {
      mode = 'refuse';
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
    },
    silence: () => {
      for (const pair of pairs) pair.silent = true;
    },
    close: async () => {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function setUp(options: ConstructorParameters<typeof PgPubSub>[2]) {
  const databaseUrl = await createTestDatabase();
  const proxy = await startProxy(databaseUrl);
  cleanups.push(() => proxy.close());
  // Publishing goes straight to PostgreSQL: only the LISTEN connection is cut off.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  cleanups.push(() => pool.end());
  const pubsub = new PgPubSub(proxy.url, pool, options);
  await pubsub.start();
  cleanups.push(() => pubsub.close());
  const received: unknown[] = [];
  pubsub.on('test.topic', (payload) => received.push(payload));
  let resyncs = 0;
  pubsub.onResync(() => {
    resyncs += 1;
  });
  return { proxy, pubsub, received, resyncs: () => resyncs };
}

describe('PgPubSub: the LISTEN connection comes back', () => {
  it('reconnects with backoff after the database refused connections for 3 s, listens again and calls resync listeners', async () => {
    const { proxy, pubsub, received, resyncs } = await setUp({ minBackoffMs: 50, maxBackoffMs: 400 });
    await pubsub.publishAsync('test.topic', { n: 1 });
    await vi.waitFor(() => expect(received).toEqual([{ n: 1 }]));
    expect(pubsub.connected).toBe(true);

    proxy.refuse();
    await vi.waitFor(() => expect(pubsub.connected).toBe(false));
    // Several attempts fail meanwhile (a single retry after a second would give up for good).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(pubsub.connected).toBe(false);
    expect(resyncs()).toBe(0);
    proxy.pass();

    await vi.waitFor(() => expect(pubsub.connected).toBe(true), { timeout: 5000 });
    await vi.waitFor(() => expect(resyncs()).toBe(1));
    await pubsub.publishAsync('test.topic', { n: 2 });
    await vi.waitFor(() => expect(received).toEqual([{ n: 1 }, { n: 2 }]));
  });

  it('replaces a connection that went silent without an error, found by its periodic check', async () => {
    const { proxy, pubsub, received, resyncs } = await setUp({ minBackoffMs: 50, maxBackoffMs: 400, checkIntervalMs: 200, checkTimeoutMs: 500 });
    proxy.silence();
    // An event sent now never arrives over the silent connection.
    await pubsub.publishAsync('test.topic', { n: 1 });
    await vi.waitFor(() => expect(resyncs()).toBe(1), { timeout: 5000 });
    expect(pubsub.connected).toBe(true);
    await pubsub.publishAsync('test.topic', { n: 2 });
    await vi.waitFor(() => expect(received).toContainEqual({ n: 2 }));
    expect(received).not.toContainEqual({ n: 1 });
  });

  it('stops trying when closed during an outage', async () => {
    const { proxy, pubsub, resyncs } = await setUp({ minBackoffMs: 50, maxBackoffMs: 200 });
    proxy.refuse();
    await vi.waitFor(() => expect(pubsub.connected).toBe(false));
    await pubsub.close();
    proxy.pass();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(pubsub.connected).toBe(false);
    expect(resyncs()).toBe(0);
  });
});
