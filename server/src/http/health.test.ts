import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type TestApp, createTestDatabase, startTestApp } from '../../test/support.js';
import { migrationsList } from '../db/migrations/index.js';
import { checkReadiness } from './health.js';

/**
 * /healthz and /readyz against a real app. The LISTEN connection is held down by refusing its
 * reconnects (only the client named trusted-sites-listen: the API's pool keeps working) after its
 * backend is terminated, as an outage would; PostgreSQL is made unreachable behind a TCP proxy.
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

async function get(url: string): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(url);
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text), text };
}

describe('/healthz', () => {
  it('answers that the process is alive, without a token', async () => {
    expect(await get(`${app.url}/healthz`)).toMatchObject({ status: 200, body: { ok: true } });
  });
});

describe('/readyz', () => {
  it('is ready when the database answers, every migration is applied and the listener is connected', async () => {
    const answer = await get(`${app.url}/readyz`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ready: true, checks: { database: 'ok', migrations: 'ok', listen: 'ok' } });
  });

  it('names the listener while its connection is down and not yet back, and is ready again once it is', async () => {
    const connect = pg.Client.prototype.connect;
    const refuse = vi.spyOn(pg.Client.prototype, 'connect').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
      if ((this as unknown as { connectionParameters: { application_name?: string } }).connectionParameters.application_name === 'trusted-sites-listen') {
        return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      }
      return (connect as (...a: unknown[]) => Promise<void>).apply(this, args);
    } as typeof connect);
    try {
      const { rowCount } = await raw.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'trusted-sites-listen'`,
      );
      expect(rowCount).toBe(1);
      await vi.waitFor(() => expect(app.services.pubsub.connected).toBe(false), { timeout: 5000 });
      const answer = await get(`${app.url}/readyz`);
      expect(answer.status).toBe(503);
      expect(answer.body).toEqual({ ready: false, checks: { database: 'ok', migrations: 'ok', listen: 'not connected (reconnecting)' } });
    } finally {
      refuse.mockRestore();
    }
    await vi.waitFor(() => expect(app.services.pubsub.connected).toBe(true), { timeout: 15_000 });
    expect((await get(`${app.url}/readyz`)).status).toBe(200);
  });

  it('names the migrations that are not applied', async () => {
    const last = migrationsList.at(-1)!.name;
    const readiness = await checkReadiness({
      pool: { query: async () => (await raw.query('SELECT name FROM mikro_orm_migrations WHERE name <> $1', [last])) } as unknown as pg.Pool,
      pubsub: { connected: true },
    });
    expect(readiness).toEqual({ ready: false, checks: { database: 'ok', migrations: `1 not applied: ${last}`, listen: 'ok' } });
  });

  it('names the database when PostgreSQL cannot be reached, with no host, password or stack in the answer', async () => {
    const target = new URL(await createTestDatabase());
    const proxy = new TcpProxy(target.hostname, Number(target.port));
    await proxy.listen();
    const url = new URL(target);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const outageApp = await startTestApp({ DATABASE_URL: url.toString(), TRUSTED_SITES_ROLE: 'api' });
    try {
      expect((await get(`${outageApp.url}/readyz`)).status).toBe(200);
      await proxy.stop();
      const answer = await get(`${outageApp.url}/readyz`);
      expect(answer.status).toBe(503);
      expect(answer.body.ready).toBe(false);
      expect(answer.body.checks.database).toMatch(/^(unreachable|no answer within)/);
      expect(answer.body.checks.migrations).toBe('not checked (the database did not answer)');
      expect(Object.keys(answer.body.checks).sort()).toEqual(['database', 'listen', 'migrations']);
      for (const marker of [decodeURIComponent(target.password), `:${proxy.port}`, target.hostname, ' at ', 'Error']) expect(answer.text).not.toContain(marker);
      // Alive all along: only readiness depends on the database.
      expect((await get(`${outageApp.url}/healthz`)).status).toBe(200);
      await proxy.listen();
      await vi.waitFor(async () => expect((await get(`${outageApp.url}/readyz`)).status).toBe(200), { timeout: 20_000, interval: 200 });
    } finally {
      await proxy.listen();
      await outageApp.stop();
      await proxy.stop();
    }
  });

  it('times out rather than waits for a database that does not answer', async () => {
    const readiness = await checkReadiness({
      pool: { query: () => new Promise(() => undefined) } as unknown as pg.Pool,
      pubsub: { connected: true },
      timeoutMs: 50,
    });
    expect(readiness).toEqual({ ready: false, checks: { database: 'no answer within 50 ms', migrations: 'not checked (the database did not answer)', listen: 'ok' } });
  });
});

/** Forwards TCP to PostgreSQL; stop() refuses new connections and cuts the open ones, as a stopped server would (as in edge.test.ts). */
class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {}

  async listen(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((socket) => {
      const upstream = net.connect(this.targetPort, this.host);
      for (const s of [socket, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      socket.pipe(upstream).pipe(socket);
      socket.on('close', () => upstream.destroy());
      upstream.on('close', () => socket.destroy());
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
    this.port = (server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
