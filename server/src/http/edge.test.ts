import http from 'node:http';
import net from 'node:net';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { type TestApp, TEST_ADMIN_TOKEN, createTestDatabase, ok, startTestApp } from '../../test/support.js';
import { buildAppSchema } from '../graphql/schema.js';
import type { SiteStatus } from '../sites/site.entity.js';
import { type HttpServer, MAX_BODY_BYTES, MAX_WS_MESSAGE_BYTES, startHttpServer } from './app.js';
import { hostileQuery } from './hostile-query.js';

let app: TestApp;
let viewer: string;

/** Everything the process wrote to stdout/stderr while this file ran (LOG_LEVEL=info). */
const logged: string[] = [];
const originalWrites = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };

beforeAll(async () => {
  const capture = (chunk: unknown) => {
    logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  app = await startTestApp({ LOG_LEVEL: 'info' });
  viewer = ok(await app.gql<{ createApiToken: { secret: string } }>('mutation { createApiToken(input: { name: "edge viewer", role: VIEWER }) { secret } }')).createApiToken.secret;
});

afterAll(async () => {
  await app?.stop();
  process.stdout.write = originalWrites.out;
  process.stderr.write = originalWrites.err;
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: { errors?: Array<{ message: string; extensions?: { code?: string; fieldErrors?: Array<{ path: string }> } }>; data?: any };
}

async function post(body: string | Uint8Array, headers: Record<string, string> = {}, base = app.url): Promise<Answer> {
  const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body as BodyInit });
  return answer(response);
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let json: Answer['json'];
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`not JSON (HTTP ${response.status}, ${response.headers.get('content-type')}): ${text.slice(0, 300)}`);
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** An error answer as the issue asks: JSON, one error with the code, no stack lines, no paths of this machine. */
function expectCleanError(result: Answer, status: number, code: string): void {
  expect(result.status).toBe(status);
  expect(result.headers.get('content-type')).toMatch(/^application\/json/);
  expect(result.json.errors?.[0]?.extensions?.code).toBe(code);
  expect(result.text).not.toMatch(/\n\s+at |\bat [\w.<>]+ \(/);
  expect(result.text).not.toContain('/work/');
  expect(result.text).not.toContain('node_modules');
  expect(result.text).not.toMatch(/"\/(?:home|root|usr|tmp|opt|srv)\//);
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('query limits over HTTP', () => {
  it('refuse the 5,000-alias request of a VIEWER token with HTTP 400 and a code; no resolver runs, /healthz answers meanwhile', async () => {
    const list = vi.spyOn(app.services.deliveries, 'list');
    const body = JSON.stringify({ query: hostileQuery(5_000) });
    expect(body.length).toBeGreaterThan(500_000);
    const pending = post(body, bearer(viewer));
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(200);
    const result = await pending;
    expectCleanError(result, 400, 'GRAPHQL_PARSE_FAILED');
    expect(result.json.errors![0]!.message).toMatch(/more tha. 1000 tokens/);
    expect(result.json.data).toBeUndefined();
    expect(list).not.toHaveBeenCalled();
    list.mockRestore();
  });

  it('count a `first` passed as a variable as a full page: 15 aliases of deliveries(first: $n) are refused before any resolver', async () => {
    const list = vi.spyOn(app.services.deliveries, 'list');
    const fields = Array.from({ length: 15 }, (_, i) => `a${i}: deliveries(first: $n) { edges { node { id status attempts { number startedAt statusCode outcome error } } } }`).join(' ');
    const result = await post(JSON.stringify({ query: `query ($n: Int) { ${fields} }`, variables: { n: 100 } }), bearer(viewer));
    expectCleanError(result, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(result.json.errors![0]!.message).toMatch(/could hold/);
    expect(list).not.toHaveBeenCalled();
    list.mockRestore();
  });

  it('refuse a batch (an array of operations multiplies every limit)', async () => {
    const result = await post(JSON.stringify([{ query: '{ viewer { name } }' }, { query: '{ viewer { name } }' }]), bearer(viewer));
    expectCleanError(result, 400, 'BAD_REQUEST');
  });

  it('cap free-text arguments: sites(search:) and cursors, with the argument as the field path', async () => {
    const search = await post(JSON.stringify({ query: 'query ($s: String) { sites(search: $s) { totalCount } }', variables: { s: 'x'.repeat(201) } }), bearer(viewer));
    expect(search.json.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(search.json.errors?.[0]?.extensions?.fieldErrors).toEqual([{ path: 'search', message: 'Must be at most 200 characters' }]);
    const fine = await post(JSON.stringify({ query: 'query ($s: String) { sites(search: $s) { totalCount } }', variables: { s: 'x'.repeat(200) } }), bearer(viewer));
    expect(fine.json.errors).toBeUndefined();
    const siteCursor = await post(JSON.stringify({ query: 'query ($a: String) { sites(after: $a) { totalCount } }', variables: { a: 'y'.repeat(1001) } }), bearer(viewer));
    expect(siteCursor.json.errors?.[0]?.extensions?.fieldErrors).toEqual([{ path: 'after', message: 'Must be at most 1000 characters' }]);
    const deliveryCursor = await post(JSON.stringify({ query: 'query ($a: String) { deliveries(after: $a) { totalCount } }', variables: { a: 'y'.repeat(1001) } }), bearer(viewer));
    expect(deliveryCursor.json.errors?.[0]?.extensions?.fieldErrors).toEqual([{ path: 'after', message: 'Must be at most 1000 characters' }]);
  });
});

describe('error answers are JSON, never HTML', () => {
  it('malformed JSON: 400 BAD_REQUEST, and the body (with a secret in it) never reaches the log', async () => {
    const marker = 'SECRET-MARKER-7f3a9c';
    const before = logged.length;
    for (let i = 0; i < 5; i++) {
      const result = await post(`{"query": "{ viewer { name } }", "password": "${marker}"`, bearer(viewer));
      expectCleanError(result, 400, 'BAD_REQUEST');
      expect(result.text).not.toContain(marker);
      // Without a token too: the body is never read then, let alone printed.
      expectCleanError(await post(`{"x": "${marker}"`), 401, 'UNAUTHENTICATED');
    }
    const lines = logged.slice(before).join('');
    expect(lines).not.toContain(marker);
    // One line for the kind, not one per request.
    expect(lines.match(/refused request: malformed JSON/g)).toHaveLength(1);
  });

  it('a declared body over the limit (2 MiB): 413 PAYLOAD_TOO_LARGE, for callers without a token too, before the body is read', async () => {
    const big = Buffer.alloc(MAX_BODY_BYTES + 1, 0x20);
    expectCleanError(await rawPost(big, {}), 413, 'PAYLOAD_TOO_LARGE');
    expectCleanError(await rawPost(big, bearer(viewer)), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('a webhook with the largest payload it may have (1 MiB encoded) still fits: the body limit is above it', async () => {
    const payload = { data: 'x'.repeat(1_048_576 - 20) };
    expect(JSON.stringify(payload).length).toBeLessThanOrEqual(1_048_576);
    const result = await post(
      JSON.stringify({ query: 'mutation ($input: WebhookInput!) { sendWebhook(input: $input) { id } }', variables: { input: { siteId: '00000000-0000-4000-8000-000000000000', payload } } }),
      bearer(TEST_ADMIN_TOKEN),
    );
    expect(result.status).toBe(200);
    // Refused for its unknown site, not for its size.
    expect(result.json.errors?.[0]?.extensions?.code).not.toBe('PAYLOAD_TOO_LARGE');
    expect(result.json.errors?.[0]?.message).not.toMatch(/payload|bytes/i);
  });

  it('a streamed (chunked) body over the limit is cut off at the limit: 413', async () => {
    const result = await rawPost(Buffer.alloc(MAX_BODY_BYTES + 4096, 0x20), bearer(viewer), { chunked: true });
    expectCleanError(result, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('another content type: 400 BAD_REQUEST; no token: 401 UNAUTHENTICATED; an unknown route: 404 NOT_FOUND', async () => {
    expectCleanError(await post('{ viewer { name } }', { ...bearer(viewer), 'content-type': 'application/graphql' }), 400, 'BAD_REQUEST');
    expectCleanError(await post('query=x', { ...bearer(viewer), 'content-type': 'application/x-www-form-urlencoded' }), 400, 'BAD_REQUEST');
    expectCleanError(await post(JSON.stringify({ query: '{ viewer { name } }' }), { authorization: 'Bearer nope' }), 401, 'UNAUTHENTICATED');
    expectCleanError(await answer(await fetch(`${app.url}/nothing-here`, { method: 'POST' })), 404, 'NOT_FOUND');
  });

  it('an unexpected error in a route: 500 INTERNAL_SERVER_ERROR with a reference, no stack or path, one log line without the stack', async () => {
    const edge = await startEdge((express) => {
      express.get('/oauth/boom', () => {
        throw new Error(`exploded at /work/main/server/src/x.ts:1:1`);
      });
    });
    try {
      const before = logged.length;
      const result = await answer(await fetch(`${edge.url}/oauth/boom`));
      expectCleanError(result, 500, 'INTERNAL_SERVER_ERROR');
      const lines = logged.slice(before).join('');
      expect(lines).toContain('internal error in an HTTP route');
      expect(lines).not.toMatch(/\n\s+at /);
    } finally {
      await edge.close();
    }
  });
});

describe('security headers', () => {
  it('every answer carries CSP, X-Frame-Options, Referrer-Policy and nosniff', async () => {
    for (const response of [await fetch(`${app.url}/`), await fetch(`${app.url}/healthz`), await fetch(`${app.url}/graphql`, { method: 'POST', body: '{' })]) {
      const csp = response.headers.get('content-security-policy') ?? '';
      for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "object-src 'none'"]) {
        expect(csp).toContain(directive);
      }
      expect(csp).not.toContain('unsafe-inline');
      const host = new URL(app.url).host;
      expect(csp).toContain(`connect-src 'self' ws://${host} wss://${host}`);
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('GraphQL answers (a query, a mutation, a refused operation) say cache-control: no-store', async () => {
    const graphql = (query: string) =>
      fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(TEST_ADMIN_TOKEN) }, body: JSON.stringify({ query }) });
    for (const response of [
      await graphql('{ viewer { name } }'),
      await graphql('mutation { createApiToken(input: { name: "no-store check", role: VIEWER }) { id } }'),
      await graphql('{ noSuchField }'),
    ]) {
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });
});

describe('WebSocket', () => {
  it('a WebSocket message over 1 MiB closes that socket (1009); the process and other sockets carry on', async () => {
    const socket = new WebSocket(`${app.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.on('error', () => {});
    socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${viewer}`, pad: 'x'.repeat(MAX_WS_MESSAGE_BYTES) } }));
    expect(await closed).toBe(1009);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    // A normal subscription still works.
    const client = createClient({ url: `${app.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${viewer}` }, retryAttempts: 0 });
    try {
      const result = await first(client, '{ viewer { role } }');
      expect(result).toEqual({ data: { viewer: { role: 'VIEWER' } } });
    } finally {
      await client.dispose();
    }
  });

  it('operations over the socket pass the same limits: too many aliases or tokens are refused with the HTTP codes', async () => {
    const client = createClient({ url: `${app.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${viewer}` }, retryAttempts: 0 });
    try {
      const aliases = `{ ${Array.from({ length: 41 }, (_, i) => `v${i}: viewer { name }`).join(' ')} }`;
      const refused: any = await first(client, aliases).catch((errors) => errors);
      expect(refused[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(refused[0].message).toMatch(/Aliases limit of 40 exceeded/);
      const tokens: any = await first(client, hostileQuery(100)).catch((errors) => errors);
      expect(tokens[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    } finally {
      await client.dispose();
    }
  });
});

describe('a client that goes away', () => {
  it('stops the operation: the mutations after the one running when the socket closed never run', async () => {
    const site = ok(await app.gql<{ createSite: { id: string } }>(
      'mutation { createSite(input: { name: "gone client", url: "https://receiver.example.com/x", auth: { basic: { username: "u", password: "p" } } }) { id } }',
    )).createSite;
    const edge = await startEdge();
    const calls: string[] = [];
    let entered!: () => void;
    const inFirst = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const setStatus = vi.spyOn(app.services.sites, 'setStatus').mockImplementation(async (id: string, status: SiteStatus) => {
      calls.push(status);
      if (calls.length === 1) {
        entered();
        await released;
      }
      // No I/O: once released, the executor would reach the next mutation within this turn of the event loop.
      return { id, status, updatedAt: new Date() } as never;
    });
    try {
      const serverSaw = new Promise<void>((resolve) => edge.server.once('request', (_req, res) => res.once('close', () => resolve())));
      const mutations = ['ACTIVE', 'INACTIVE', 'ACTIVE', 'INACTIVE'].map((status, i) => `m${i}: setSiteStatus(id: "${site.id}", status: ${status}) { id }`).join(' ');
      const request = http.request(`${edge.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
      request.on('error', () => {});
      request.end(JSON.stringify({ query: `mutation { ${mutations} }` }));
      await inFirst;
      request.destroy();
      await serverSaw;
      release();
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(calls).toEqual(['ACTIVE']);
      expect((await fetch(`${edge.url}/healthz`)).status).toBe(200);
    } finally {
      setStatus.mockRestore();
      release();
      await edge.close();
    }
  });
});

describe('a database outage during the token lookup', () => {
  it('answers 503 SERVICE_UNAVAILABLE with Retry-After, logs one line for many requests, and works again when the database is back', async () => {
    const target = new URL(await createTestDatabase());
    const proxy = new TcpProxy(target.hostname, Number(target.port));
    await proxy.listen();
    const url = new URL(target);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    // Role api: no dispatcher loop beside the requests (its pass that read the database just
    // before the cut could report the database back after the requests had found it gone).
    const outageApp = await startTestApp({ DATABASE_URL: url.toString(), LOG_LEVEL: 'info', TRUSTED_SITES_ROLE: 'api' });
    try {
      const token = ok(await outageApp.gql<{ createApiToken: { secret: string } }>('mutation { createApiToken(input: { name: "outage", role: VIEWER }) { secret } }')).createApiToken.secret;
      await proxy.stop();
      const before = logged.length;
      for (let i = 0; i < 6; i++) {
        const result = await post(JSON.stringify({ query: '{ viewer { name } }' }), bearer(token), outageApp.url);
        expectCleanError(result, 503, 'SERVICE_UNAVAILABLE');
        expect(result.headers.get('retry-after')).toBe('5');
      }
      const lines = logged.slice(before).join('');
      // One line for the outage, not one per request (six requests here). The outage log is one
      // per process, and this file's other app (on a database that is up) shares it: its loops
      // may report the database back meanwhile, and the next failing request then opens a second
      // outage — so at most two lines, never one per request.
      const unreachable = (lines.match(/database unreachable/g) ?? []).length;
      expect(unreachable).toBeGreaterThanOrEqual(1);
      expect(unreachable).toBeLessThanOrEqual(2);
      expect(lines).not.toContain(token);
      await proxy.listen();
      const back = await post(JSON.stringify({ query: '{ viewer { name } }' }), bearer(token), outageApp.url);
      expect(back.json).toEqual({ data: { viewer: { name: 'outage' } } });
    } finally {
      await proxy.listen();
      await outageApp.stop();
      await proxy.stop();
    }
  });
});

/** A second HTTP edge on the test app's services, for tests that need its http.Server or extra routes. */
async function startEdge(route?: (express: import('express').Express) => void): Promise<HttpServer> {
  const schema = await buildAppSchema(app.services.pubsub);
  return startHttpServer({ config: { ...app.config, port: 0 }, schema, services: app.services, routes: route ? [route] : [] });
}

async function rawPost(body: Buffer, headers: Record<string, string>, options: { chunked?: boolean } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers, ...(options.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(body.length) }) },
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const headerMap = new Headers();
        for (const [key, value] of Object.entries(response.headers)) if (typeof value === 'string') headerMap.set(key, value);
        try {
          resolve({ status: response.statusCode!, headers: headerMap, text, json: JSON.parse(text) });
        } catch (error) {
          reject(new Error(`not JSON: ${text.slice(0, 200)}`, { cause: error }));
        }
      });
    });
    // The server answers before it has read everything; the rest of the upload may fail to send.
    request.on('error', () => {});
    if (options.chunked) {
      for (let offset = 0; offset < body.length; offset += 65_536) request.write(body.subarray(offset, offset + 65_536));
      request.end();
    } else {
      request.end(body);
    }
  });
}

function first(client: ReturnType<typeof createClient>, query: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const stop = client.subscribe(
      { query },
      {
        next: (value) => {
          resolve(value);
          stop();
        },
        error: reject,
        complete: () => {},
      },
    );
  });
}

/** Forwards TCP to PostgreSQL; stop() refuses new connections and cuts the open ones, as a stopped server would. */
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
