import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutgoingError, OutgoingHttp, isBlockedAddress } from './outgoing.js';

let server: http.Server;
let port: number;
const hits: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/big') {
      res.end('x'.repeat(100_000));
    } else if (req.url === '/slow') {
      setTimeout(() => res.end('late'), 2000);
    } else {
      res.end('hello');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const options = { connectTimeoutMs: 1000, headersTimeoutMs: 500, bodyTimeoutMs: 500, maxResponseBytes: 1000 };

describe('outgoing requests', () => {
  it('classifies private, loopback, link-local and metadata addresses', () => {
    for (const blocked of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '::1', 'fe80::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '::ffff:7f00:1', '100.64.0.1']) {
      expect(isBlockedAddress(blocked), blocked).toBe(true);
    }
    for (const allowed of ['93.184.216.34', '8.8.8.8', '2606:2800:220:1:248:1893:25c7:1946', '172.32.0.1']) {
      expect(isBlockedAddress(allowed), allowed).toBe(false);
    }
  });

  it('with the guard on, refuses loopback by IP and by a name that resolves to it, before sending anything', async () => {
    const client = new OutgoingHttp({ ...options, allowPrivateTargets: false });
    const before = hits.length;
    for (const url of [`http://127.0.0.1:${port}/a`, `http://localhost:${port}/b`, `http://[::ffff:127.0.0.1]:${port}/c`]) {
      const error = await client.send({ method: 'GET', url, headers: {} }).catch((e) => e);
      expect(error, url).toBeInstanceOf(OutgoingError);
      expect((error as OutgoingError).kind, url).toBe('blocked');
    }
    expect(hits.length).toBe(before);
    await client.close();
  });

  it('with the guard off, reaches 127.0.0.1, caps the body and times out', async () => {
    const client = new OutgoingHttp({ ...options, allowPrivateTargets: true });
    const ok = await client.send({ method: 'GET', url: `http://localhost:${port}/`, headers: {} });
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toBe('hello');
    const big = await client.send({ method: 'GET', url: `http://127.0.0.1:${port}/big`, headers: {} });
    expect(big.body.length).toBe(1000);
    expect(big.truncated).toBe(true);
    const slow = await client.send({ method: 'GET', url: `http://127.0.0.1:${port}/slow`, headers: {} }).catch((e) => e);
    expect((slow as OutgoingError).kind).toBe('timeout');
    const refused = await client.send({ method: 'GET', url: 'http://127.0.0.1:1/', headers: {} }).catch((e) => e);
    expect((refused as OutgoingError).kind).toBe('connect');
    await client.close();
  });
});
