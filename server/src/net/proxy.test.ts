import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { selfSignedCertificate } from '../../test/certs.js';
import { ConfigError, loadConfig } from '../config.js';
import { type ForwardProxy, startForwardProxy } from './forward-proxy.testkit.js';
import { OutgoingError, OutgoingHttp, type OutgoingOptions } from './outgoing.js';
import { type ProxySettings, readProxySettings } from './proxy.js';

/**
 * Egress through a forward proxy (issue 12 item 7): every request through OutgoingHttp honours
 * HTTP_PROXY / HTTPS_PROXY / NO_PROXY, against a real proxy on 127.0.0.1 (forward-proxy.testkit.ts)
 * and real http and https receivers; the private-address guard still applies to the target.
 */

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function receiverHandler(seen: Seen[]) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (req.url === '/big') res.end('x'.repeat(100_000));
      else if (req.url === '/slow') setTimeout(() => res.end('late'), 2000);
      else res.end(`hello from ${req.headers.host}`);
    });
  };
}

const certificate = selfSignedCertificate({ dns: ['localhost'], ip: ['127.0.0.1'] });
let httpReceiver: http.Server;
let httpsReceiver: https.Server;
let httpPort: number;
let httpsPort: number;
const httpSeen: Seen[] = [];
const httpsSeen: Seen[] = [];
let proxy: ForwardProxy;
const clients: OutgoingHttp[] = [];

beforeAll(async () => {
  httpReceiver = http.createServer(receiverHandler(httpSeen));
  httpsReceiver = https.createServer({ cert: certificate.cert, key: certificate.key }, receiverHandler(httpsSeen));
  await new Promise<void>((resolve) => httpReceiver.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => httpsReceiver.listen(0, '127.0.0.1', resolve));
  httpPort = (httpReceiver.address() as AddressInfo).port;
  httpsPort = (httpsReceiver.address() as AddressInfo).port;
  proxy = await startForwardProxy();
});

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(clients.splice(0).map((client) => client.close()));
  proxy.credentials = undefined;
  proxy.refuseConnect = undefined;
  proxy.route = (host, port) => ({ host, port });
});

afterAll(async () => {
  await proxy?.close();
  httpReceiver?.closeAllConnections();
  httpsReceiver?.closeAllConnections();
  await new Promise((resolve) => httpReceiver?.close(resolve));
  await new Promise((resolve) => httpsReceiver?.close(resolve));
});

const timeouts = { connectTimeoutMs: 2000, headersTimeoutMs: 500, bodyTimeoutMs: 500, maxResponseBytes: 1000 };

function client(env: Record<string, string>, options: Partial<OutgoingOptions> = {}): OutgoingHttp {
  const made = new OutgoingHttp({ ...timeouts, allowPrivateTargets: true, proxy: readProxySettings(env), ca: [certificate.cert], ...options });
  clients.push(made);
  return made;
}

async function failureOf(promise: Promise<unknown>): Promise<OutgoingError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutgoingError);
  return error as OutgoingError;
}

describe('outgoing requests through a forward proxy', () => {
  it('sends http targets in absolute form and https ones through a CONNECT tunnel, keeping connections alive, with the same caps and timeouts', async () => {
    const http = client({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
    const seenBefore = proxy.seen.length;
    const connectionsBefore = proxy.connections;

    const plain = await http.send({ method: 'POST', url: `http://localhost:${httpPort}/hook?x=1`, headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(plain.status).toBe(200);
    expect(plain.body.toString()).toBe(`hello from localhost:${httpPort}`);
    const again = await http.send({ method: 'POST', url: `http://localhost:${httpPort}/hook?x=2`, headers: {}, body: 'b' });
    expect(again.status).toBe(200);
    expect(httpSeen.slice(-2).map((r) => [r.method, r.url, r.body])).toEqual([
      ['POST', '/hook?x=1', '{"a":1}'],
      ['POST', '/hook?x=2', 'b'],
    ]);

    const secure = await http.send({ method: 'POST', url: `https://localhost:${httpsPort}/secure`, headers: {}, body: 'tls' });
    expect(secure.status).toBe(200);
    expect(secure.body.toString()).toBe(`hello from localhost:${httpsPort}`);
    for (const n of [2, 3, 4]) expect((await http.send({ method: 'GET', url: `https://localhost:${httpsPort}/secure${n}`, headers: {} })).status).toBe(200);
    expect(httpsSeen.slice(-4).map((r) => [r.method, r.url])).toEqual([
      ['POST', '/secure'],
      ['GET', '/secure2'],
      ['GET', '/secure3'],
      ['GET', '/secure4'],
    ]);

    // Kept alive: both http requests on one connection to the proxy; the four https ones through
    // at most two tunnels (undici opens a second one when a request follows a fresh tunnel's
    // first answer in the same tick; a new connection per request would make four).
    const seen = proxy.seen.slice(seenBefore).map((r) => `${r.kind} ${r.method} ${r.target}`);
    expect(seen.slice(0, 2)).toEqual([`absolute POST http://localhost:${httpPort}/hook?x=1`, `absolute POST http://localhost:${httpPort}/hook?x=2`]);
    expect(new Set(seen.slice(2))).toEqual(new Set([`connect CONNECT localhost:${httpsPort}`]));
    expect(seen.length - 2).toBeLessThanOrEqual(2);
    expect(proxy.connections - connectionsBefore).toBeLessThanOrEqual(4);

    // The response cap and the timeouts hold through the proxy, for both kinds of target.
    for (const base of [`http://localhost:${httpPort}`, `https://localhost:${httpsPort}`]) {
      const big = await http.send({ method: 'GET', url: `${base}/big`, headers: {} });
      expect(big.body.length, base).toBe(1000);
      expect(big.truncated, base).toBe(true);
      const slow = await failureOf(http.send({ method: 'GET', url: `${base}/slow`, headers: {} }));
      expect(slow.kind, base).toBe('timeout');
      expect(slow.message, base).toBe(`timed out waiting for response headers (through the proxy 127.0.0.1:${proxy.port})`);
      const aborted = await failureOf(http.send({ method: 'GET', url: `${base}/slow`, headers: {}, signal: AbortSignal.timeout(100) }));
      expect(aborted.kind, base).toBe('aborted');
    }
  });

  it('sends NO_PROXY targets directly, the others through the proxy', async () => {
    const http = client({ HTTP_PROXY: proxy.url, NO_PROXY: `example.org, localhost:${httpPort}` });
    const before = proxy.seen.length;
    expect((await http.send({ method: 'GET', url: `http://localhost:${httpPort}/direct`, headers: {} })).status).toBe(200);
    expect(proxy.seen.length).toBe(before);
    expect((await http.send({ method: 'GET', url: `http://127.0.0.1:${httpPort}/proxied`, headers: {} })).status).toBe(200);
    expect(proxy.seen.slice(before).map((r) => r.target)).toEqual([`http://127.0.0.1:${httpPort}/proxied`]);

    // HTTPS_PROXY unset: https targets use HTTP_PROXY's proxy, as undici does; `*` sends nothing through it.
    expect((await http.send({ method: 'GET', url: `https://127.0.0.1:${httpsPort}/s`, headers: {} })).status).toBe(200);
    expect(proxy.seen.at(-1)).toMatchObject({ kind: 'connect', target: `127.0.0.1:${httpsPort}` });
    const none = client({ HTTP_PROXY: proxy.url, no_proxy: '*' });
    const count = proxy.seen.length;
    expect((await none.send({ method: 'GET', url: `https://localhost:${httpsPort}/s`, headers: {} })).status).toBe(200);
    expect(proxy.seen.length).toBe(count);
  });

  it('with the guard on, refuses private and loopback targets before the proxy sees anything, though the proxy itself is on loopback', async () => {
    const http = client({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url }, { allowPrivateTargets: false });
    const real = dns.lookup;
    vi.spyOn(dns, 'lookup').mockImplementation(((hostname: string, options: unknown, callback: (...args: unknown[]) => void) => {
      if (hostname === 'metadata.proxy-test.example') return callback(null, [{ address: '169.254.169.254', family: 4 }]);
      if (hostname === 'split.proxy-test.example') return callback(null, [{ address: '93.184.215.14', family: 4 }, { address: '10.0.0.7', family: 4 }]);
      return (real as (...args: unknown[]) => void)(hostname, options, callback);
    }) as never);
    const before = { proxy: proxy.seen.length, http: httpSeen.length, https: httpsSeen.length };
    for (const url of [
      `http://localhost:${httpPort}/a`,
      `https://localhost:${httpsPort}/b`,
      `http://127.0.0.1:${httpPort}/c`,
      `https://[::1]:${httpsPort}/d`,
      'http://metadata.proxy-test.example/latest/meta-data/',
      'https://split.proxy-test.example/e',
    ]) {
      const error = await failureOf(http.send({ method: 'POST', url, headers: {}, body: 'x' }));
      expect(error.kind, url).toBe('blocked');
      expect(error.message, url).toMatch(/^refused to connect to .*ALLOW_PRIVATE_TARGETS/);
    }
    expect(proxy.seen.length).toBe(before.proxy);
    expect(httpSeen.length).toBe(before.http);
    expect(httpsSeen.length).toBe(before.https);
  });

  it('with the guard on, tunnels an http target to the address checked here (Host still names the site), so the proxy never resolves the name itself', async () => {
    const http = client({ HTTP_PROXY: proxy.url }, { allowPrivateTargets: false });
    const real = dns.lookup;
    const lookups: string[] = [];
    vi.spyOn(dns, 'lookup').mockImplementation(((hostname: string, options: unknown, callback: (...args: unknown[]) => void) => {
      if (hostname === 'hooks.proxy-test.example') {
        lookups.push(hostname);
        return callback(null, [{ address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 }, { address: '93.184.215.14', family: 4 }]);
      }
      return (real as (...args: unknown[]) => void)(hostname, options, callback);
    }) as never);
    // The tests' internet: the public address checked here leads to the local receiver. Were the
    // proxy to resolve the name itself (a rebinding answer, or its own internal DNS), it would see
    // the name in the CONNECT line instead of the address.
    proxy.route = (host, port) => (host === '93.184.215.14' && port === 8080 ? { host: '127.0.0.1', port: httpPort } : { host, port });
    const before = proxy.seen.length;
    const answers = [];
    for (const n of [1, 2, 3, 4]) answers.push(await http.send({ method: 'POST', url: `http://hooks.proxy-test.example:8080/pinned/${n}`, headers: { 'x-n': String(n) }, body: `n=${n}` }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers[0]!.body.toString()).toBe('hello from hooks.proxy-test.example:8080');
    expect(httpSeen.slice(-4).map((r) => [r.url, r.headers.host, r.body])).toEqual([
      ['/pinned/1', 'hooks.proxy-test.example:8080', 'n=1'],
      ['/pinned/2', 'hooks.proxy-test.example:8080', 'n=2'],
      ['/pinned/3', 'hooks.proxy-test.example:8080', 'n=3'],
      ['/pinned/4', 'hooks.proxy-test.example:8080', 'n=4'],
    ]);
    // Tunnels to the checked IPv4 address only, kept alive (at most two for four, as above); one lookup for all.
    const tunnels = proxy.seen.slice(before).map((r) => `${r.kind} ${r.target}`);
    expect(new Set(tunnels)).toEqual(new Set(['connect 93.184.215.14:8080']));
    expect(tunnels.length).toBeLessThanOrEqual(2);
    expect(lookups).toEqual(['hooks.proxy-test.example']);
  });

  it('with the guard on, a request aborted while its target is being resolved is never sent', async () => {
    const http = client({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url }, { allowPrivateTargets: false });
    const pending: Array<() => void> = [];
    vi.spyOn(dns, 'lookup').mockImplementation(((_hostname: string, _options: unknown, callback: (...args: unknown[]) => void) => {
      // Answers only when the test says so: the requests below are aborted before that.
      pending.push(() => callback(null, [{ address: '93.184.215.14', family: 4 }]));
    }) as never);
    const before = proxy.seen.length;
    const controller = new AbortController();
    const bySignal = http.send({ method: 'POST', url: 'http://slow-dns.proxy-test.example/a', headers: {}, body: 'x', signal: controller.signal });
    const byAbortAll = http.send({ method: 'POST', url: 'https://slow-dns-2.proxy-test.example/b', headers: {}, body: 'x' });
    await vi.waitFor(() => expect(pending).toHaveLength(2));
    controller.abort();
    expect((await failureOf(bySignal)).kind).toBe('aborted');
    http.abortAll();
    expect((await failureOf(byAbortAll)).kind).toBe('aborted');
    for (const answer of pending) answer();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(proxy.seen.length).toBe(before);
  });

  it('sends the proxy credentials to the proxy only and never shows them; wrong ones are a network failure naming the proxy', async () => {
    proxy.credentials = 'egress-user:pr0xy-p@ss';
    const url = `http://egress-user:${encodeURIComponent('pr0xy-p@ss')}@127.0.0.1:${proxy.port}`;
    const http = client({ HTTPS_PROXY: url, HTTP_PROXY: url });
    const before = proxy.seen.length;
    const basic = `Basic ${Buffer.from('egress-user:pr0xy-p@ss').toString('base64')}`;
    expect((await http.send({ method: 'POST', url: `http://localhost:${httpPort}/authed`, headers: {}, body: 'x' })).status).toBe(200);
    expect((await http.send({ method: 'POST', url: `https://localhost:${httpsPort}/authed`, headers: {}, body: 'x' })).status).toBe(200);
    expect(proxy.seen.slice(before).map((r) => [r.kind, r.headers['proxy-authorization']])).toEqual([
      ['absolute', basic],
      ['connect', basic],
    ]);
    // The receivers never get it.
    expect(httpSeen.at(-1)!.headers['proxy-authorization']).toBeUndefined();
    expect(httpsSeen.at(-1)!.headers['proxy-authorization']).toBeUndefined();

    // Another password at the proxy; a new client, as an open tunnel was authorised when it was opened.
    proxy.credentials = 'egress-user:another-password';
    const refused = client({ HTTPS_PROXY: url, HTTP_PROXY: url });
    for (const target of [`http://localhost:${httpPort}/authed`, `https://localhost:${httpsPort}/authed`]) {
      const error = await failureOf(refused.send({ method: 'POST', url: target, headers: {}, body: 'x' }));
      expect(error.kind, target).toBe('network');
      expect(error.message, target).toBe(`the proxy 127.0.0.1:${proxy.port} refused our credentials (HTTP 407 Proxy Authentication Required)`);
      const shown = `${error.message} ${error.stack} ${JSON.stringify(error)}`;
      for (const secret of ['pr0xy-p@ss', encodeURIComponent('pr0xy-p@ss'), basic.slice(6), 'egress-user']) expect(shown, target).not.toContain(secret);
    }
  });

  it('a dead proxy is a connect failure naming it, a proxy refusing the tunnel a network failure: both retried like any network failure', async () => {
    const dead = await startForwardProxy();
    await dead.close();
    const http = client({ HTTP_PROXY: `http://user:dead-proxy-secret@127.0.0.1:${dead.port}` });
    for (const target of [`http://localhost:${httpPort}/x`, `https://localhost:${httpsPort}/x`]) {
      const error = await failureOf(http.send({ method: 'POST', url: target, headers: {}, body: 'x' }));
      expect(error.kind, target).toBe('connect');
      expect(error.message, target).toBe(`could not connect to the proxy 127.0.0.1:${dead.port}: connection refused`);
    }
    const unresolvable = client({ HTTPS_PROXY: 'http://proxy.invalid:3128' });
    const dnsError = await failureOf(unresolvable.send({ method: 'GET', url: `https://localhost:${httpsPort}/x`, headers: {} }));
    expect(dnsError.kind).toBe('dns');
    expect(dnsError.message).toMatch(/^could not resolve the proxy proxy\.invalid:3128 \((ENOTFOUND|EAI_AGAIN)\)$/);

    // A proxy that takes the connection and never answers: bounded by the same timeouts.
    const silentSockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => silentSockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as AddressInfo).port;
    try {
      const hanging = client({ HTTP_PROXY: `http://127.0.0.1:${silentPort}` }, { connectTimeoutMs: 300 });
      const tunnel = await failureOf(hanging.send({ method: 'GET', url: `https://localhost:${httpsPort}/x`, headers: {} }));
      expect(tunnel.kind).toBe('timeout');
      expect(tunnel.message).toContain(`(through the proxy 127.0.0.1:${silentPort})`);
      const absolute = await failureOf(hanging.send({ method: 'GET', url: `http://localhost:${httpPort}/x`, headers: {} }));
      expect(absolute).toMatchObject({ kind: 'timeout', message: `timed out waiting for response headers (through the proxy 127.0.0.1:${silentPort})` });
    } finally {
      for (const socket of silentSockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }

    proxy.refuseConnect = 403;
    const refusing = client({ HTTPS_PROXY: proxy.url });
    const refused = await failureOf(refusing.send({ method: 'GET', url: `https://localhost:${httpsPort}/x`, headers: {} }));
    expect(refused.kind).toBe('network');
    expect(refused.message).toBe(`the proxy 127.0.0.1:${proxy.port} refused the connection to the receiver (HTTP 403)`);
  });
});

describe('proxy settings', () => {
  const base = { PORT: '0' };
  const settings = (env: Record<string, string>): ProxySettings => loadConfig({ ...base, ...env }).proxy;

  it('are read like undici reads them: either case, HTTPS_PROXY falling back to HTTP_PROXY, NO_PROXY entries', () => {
    expect(settings({})).toEqual({ http: undefined, https: undefined, noProxy: [] });
    const both = settings({ http_proxy: 'http://proxy.internal:3128', NO_PROXY: '.internal, *.corp.example,localhost:4000 10.0.0.1' });
    expect(both.http).toEqual({ url: 'http://proxy.internal:3128/', display: 'proxy.internal:3128', authenticated: false });
    expect(both.https).toEqual(both.http);
    expect(both.noProxy).toEqual([
      { hostname: 'internal', port: 0 },
      { hostname: 'corp.example', port: 0 },
      { hostname: 'localhost', port: 4000 },
      { hostname: '10.0.0.1', port: 0 },
    ]);
    const split = settings({ HTTP_PROXY: 'http://a.internal', HTTPS_PROXY: 'https://user:pw@b.internal', no_proxy: '*' });
    expect(split.http!.display).toBe('a.internal:80');
    expect(split.https).toMatchObject({ display: 'b.internal:443', authenticated: true });
    expect(split.noProxy).toBe('*');
    expect(settings({ HTTPS_PROXY: 'http://same:1', https_proxy: 'http://same:1' }).https!.display).toBe('same:1');
  });

  it('refuse a malformed proxy URL at start, naming the setting and never quoting a password', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ HTTPS_PROXY: 'proxy.internal:3128' }, /^HTTPS_PROXY must be an http:\/\/ or https:\/\/ proxy URL such as http:\/\/proxy\.internal:3128, the scheme written out/],
      [{ HTTPS_PROXY: 'alice:s3cr3t-value@proxy:3128' }, /^HTTPS_PROXY must be an http:\/\/ or https:\/\/ proxy URL/],
      [{ HTTPS_PROXY: 'not a url' }, /^HTTPS_PROXY must be a proxy URL such as/],
      [{ http_proxy: 'socks5://alice:s3cr3t-value@proxy:1080' }, /^http_proxy must be an http:\/\/ or https:\/\/ proxy URL .*socks is not supported/],
      [{ HTTP_PROXY: 'http://alice:s3cr3t-value@proxy:3128/path' }, /^HTTP_PROXY must be scheme:\/\/\[user:password@\]host:port with no path/],
      [{ HTTP_PROXY: 'http://alice@proxy:3128' }, /^HTTP_PROXY has a user name but no password/],
      [{ HTTP_PROXY: 'http://alice:s3cr3t-value@proxy:99999' }, /^HTTP_PROXY must be a proxy URL/],
      [{ HTTP_PROXY: 'http://a:1', http_proxy: 'http://alice:s3cr3t-value@b:1' }, /^http_proxy and HTTP_PROXY are both set, to different values/],
    ];
    for (const [env, message] of cases) {
      let error: unknown;
      try {
        settings(env);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(env)).toBeInstanceOf(ConfigError);
      expect((error as Error).message, JSON.stringify(env)).toMatch(message);
      expect((error as Error).message).not.toContain('s3cr3t-value');
      expect((error as Error).message).not.toContain('alice');
    }
  });
});
