import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type TestAuthority, certificateAuthority, makeCertificate } from '../../test/certs.js';
import { type ForwardProxy, startForwardProxy } from './forward-proxy.testkit.js';
import { type ClientTls, OutgoingError, OutgoingHttp, type OutgoingOptions } from './outgoing.js';
import { readProxySettings } from './proxy.js';

/**
 * OutgoingHttp presenting a site's client certificate (`tls`) to a server that requires one
 * (`requestCert: true, rejectUnauthorized: true`): per-site agents, made anew when the
 * certificate's version changes and dropped when it is removed, directly and through a proxy's
 * CONNECT tunnel; the private-address guard still applies.
 */

let server: https.Server;
let port: number;
let serverCa: TestAuthority;
let clientCa: TestAuthority;
let proxy: ForwardProxy;
/** The client certificate CN of each request the server answered. */
const seen: string[] = [];
/** TLS connections the server accepted. */
let connections = 0;
const clients: OutgoingHttp[] = [];

beforeAll(async () => {
  serverCa = certificateAuthority('Server CA');
  clientCa = certificateAuthority('Client CA');
  const cert = serverCa.issue({ names: { ip: ['127.0.0.1'], dns: ['localhost'] }, commonName: 'server' });
  server = https.createServer({ ...cert, ca: clientCa.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const cn = (req.socket as TLSSocket).getPeerX509Certificate()?.subject ?? '';
    seen.push(cn);
    req.resume();
    req.on('end', () => res.writeHead(200).end(cn));
  });
  server.on('secureConnection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  proxy = await startForwardProxy();
});

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await proxy?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

function client(options: Partial<OutgoingOptions> = {}): OutgoingHttp {
  const made = new OutgoingHttp({ allowPrivateTargets: true, connectTimeoutMs: 2000, headersTimeoutMs: 2000, bodyTimeoutMs: 2000, maxResponseBytes: 10_000, ...options });
  clients.push(made);
  return made;
}

function certificate(cn: string, version: string, ca: string | null = serverCa.cert): ClientTls {
  const leaf = clientCa.issue({ commonName: cn });
  return { version, cert: leaf.cert, key: leaf.key, ca };
}

async function failureOf(promise: Promise<unknown>): Promise<OutgoingError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutgoingError);
  return error as OutgoingError;
}

const url = () => `https://127.0.0.1:${port}/hook`;

describe('client certificates on outgoing requests', () => {
  it('presents the site certificate; without one the server refuses; a new version is used from the next request; removing it drops the connections made with it', async () => {
    // The server's CA is trusted for every request here, so only the client certificate differs.
    const http = client({ ca: [serverCa.cert] });
    const refused = await failureOf(http.send({ method: 'POST', url: url(), headers: {}, body: 'x' }));
    expect(['tls', 'network']).toContain(refused.kind);

    const first = certificate('site-a-1', 'v1', null);
    const ok1 = await http.send({ method: 'POST', url: url(), headers: {}, body: 'x', tls: { siteId: 'a', certificate: first } });
    expect(ok1.body.toString()).toBe('CN=site-a-1');
    // Kept alive and reused for the same site and version.
    expect((await http.send({ method: 'GET', url: url(), headers: {}, tls: { siteId: 'a', certificate: first } })).body.toString()).toBe('CN=site-a-1');
    // Another site with its own certificate gets its own connection, never site a's.
    const other = certificate('site-b', 'v1', null);
    expect((await http.send({ method: 'GET', url: url(), headers: {}, tls: { siteId: 'b', certificate: other } })).body.toString()).toBe('CN=site-b');

    const second = certificate('site-a-2', 'v2', null);
    expect((await http.send({ method: 'GET', url: url(), headers: {}, tls: { siteId: 'a', certificate: second } })).body.toString()).toBe('CN=site-a-2');

    // Removed: the request goes out without a certificate (refused), not over site a's open connection.
    const after = await failureOf(http.send({ method: 'GET', url: url(), headers: {}, tls: { siteId: 'a', certificate: null } }));
    expect(['tls', 'network']).toContain(after.kind);
    // Requests without a site use the shared agent, never a site's certificate.
    expect(['tls', 'network']).toContain((await failureOf(http.send({ method: 'GET', url: url(), headers: {} }))).kind);
  });

  it("the site's CA bundle verifies the server instead of the client's; without it the server's certificate is not trusted", async () => {
    const http = client();
    const untrusted = await failureOf(http.send({ method: 'GET', url: url(), headers: {}, tls: { siteId: 'c', certificate: certificate('site-c', 'v1', null) } }));
    expect(untrusted.kind).toBe('tls');
    const trusted = await http.send({ method: 'GET', url: url(), headers: {}, tls: { siteId: 'c', certificate: certificate('site-c', 'v2') } });
    expect(trusted.body.toString()).toBe('CN=site-c');
  });

  it('through a forward proxy, the certificate is presented to the receiver inside the CONNECT tunnel', async () => {
    const http = client({ proxy: readProxySettings({ HTTPS_PROXY: proxy.url }) });
    const before = proxy.seen.length;
    const response = await http.send({ method: 'POST', url: `https://localhost:${port}/hook`, headers: {}, body: 'p', tls: { siteId: 'd', certificate: certificate('site-d', 'v1') } });
    expect(response.body.toString()).toBe('CN=site-d');
    expect(proxy.seen.slice(before).map((r) => [r.kind, r.target])).toEqual([['connect', `localhost:${port}`]]);
  });

  it('the private-address guard still refuses a private target for a site with a certificate', async () => {
    const http = client({ allowPrivateTargets: false });
    const blocked = await failureOf(http.send({ method: 'GET', url: url(), headers: {}, tls: { siteId: 'e', certificate: certificate('site-e', 'v1') } }));
    expect(blocked.kind).toBe('blocked');
    const byName = await failureOf(http.send({ method: 'GET', url: `https://localhost:${port}/hook`, headers: {}, tls: { siteId: 'e', certificate: certificate('site-e', 'v1') } }));
    expect(byName.kind).toBe('blocked');
    expect(seen.filter((cn) => cn === 'CN=site-e')).toEqual([]);
  });

  it("a site's agents unused for 10 minutes are closed, and made again on its next request", async () => {
    const http = client();
    const f = certificate('site-f', 'v1');
    const g = certificate('site-g', 'v1');
    const get = (siteId: string, certificate: ClientTls) => http.send({ method: 'GET', url: url(), headers: {}, tls: { siteId, certificate } });
    // undici may open a second connection for the request right after the first; from then on they are reused.
    for (let i = 0; i < 3; i++) expect((await get('f', f)).body.toString()).toBe('CN=site-f');
    const warm = connections;
    await get('f', f);
    expect(connections).toBe(warm);
    const now = performance.now();
    vi.spyOn(performance, 'now').mockImplementation(() => now + 11 * 60_000);
    // Any site's request sweeps: f's agent, idle 11 minutes by this clock, is closed...
    await get('g', g);
    const before = connections;
    // ...so f's next request opens a new connection, and still presents f's certificate.
    expect((await get('f', f)).body.toString()).toBe('CN=site-f');
    expect(connections).toBe(before + 1);
  });
});

describe('the test certificates these tests make (server/test/certs.ts)', () => {
  it('encode a serial starting with zero bytes minimally, as OpenSSL requires (a random one did so once in 512 and failed a CI run)', () => {
    for (const serial of [[0x00, 0x05, 0xaa], [0x00, 0x00, 0x7f], [0x00, 0x80], [0x80, 0x01], [0x00]]) {
      const made = makeCertificate({ serial: Buffer.from(serial) });
      const parsed = new X509Certificate(made.cert);
      expect(BigInt(`0x${parsed.serialNumber}`)).toBe(BigInt(`0x${Buffer.from(serial).toString('hex')}`));
    }
  });
});
