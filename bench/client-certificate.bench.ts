/**
 * What presenting a client certificate (mutual TLS) costs an outgoing request, next to the same
 * request to the same kind of https server without one, in one process.
 * Run: npx tsx bench/client-certificate.bench.ts   (prints a markdown table; never asserts timings)
 *
 * Two ways of sending: kept-alive connections (what webhooks to one site use: a handshake per
 * connection, then none) and a new connection per request (the server answers `connection:
 * close`: a full handshake each time, the worst case). Each round sends a batch both ways, with and
 * without the certificate, interleaved so that all see the same machine state; the best round of
 * each is kept (other processes on a shared machine only ever add time). The ratio is mTLS / TLS.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { certificateAuthority } from '../server/test/certs.js';
import { type ClientTls, OutgoingHttp } from '../server/src/net/outgoing.js';

const ROUNDS = 9;
const CONCURRENCY = 8;
const BATCH = { keepAlive: 800, fresh: 80 };

const serverCa = certificateAuthority('Bench server CA');
const clientCa = certificateAuthority('Bench client CA');
const leaf = clientCa.issue({ commonName: 'bench-client' });
const certificate: ClientTls = { version: 'v1', cert: leaf.cert, key: leaf.key, ca: null };

interface Target {
  url: string;
  server: https.Server;
  handshakes: number;
}

async function serve(mutual: boolean, keepAlive: boolean): Promise<Target> {
  const options = { ...serverCa.issue({ names: { ip: ['127.0.0.1'] }, commonName: 'bench-server' }), ca: clientCa.cert, requestCert: mutual, rejectUnauthorized: mutual };
  const target = { url: '', server: undefined as unknown as https.Server, handshakes: 0 };
  target.server = https.createServer(options, (req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, keepAlive ? {} : { connection: 'close' }).end('ok'));
  });
  target.server.on('secureConnection', () => (target.handshakes += 1));
  await new Promise<void>((resolve) => target.server.listen(0, '127.0.0.1', resolve));
  target.url = `https://127.0.0.1:${(target.server.address() as AddressInfo).port}/hook`;
  return target;
}

const http = new OutgoingHttp({ allowPrivateTargets: true, connectTimeoutMs: 10_000, headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000, maxResponseBytes: 1000, ca: [serverCa.cert], connectionsPerOrigin: CONCURRENCY });

/** µs per request over a batch sent CONCURRENCY at a time. */
async function batch(target: Target, count: number, mutual: boolean): Promise<number> {
  const tls = mutual ? { siteId: 'bench', certificate } : undefined;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < count) await http.send({ method: 'POST', url: target.url, headers: { 'content-type': 'application/json' }, body: '{"n":1}', tls });
    }),
  );
  return ((performance.now() - started) / count) * 1000;
}

const cases = [
  { name: 'kept-alive connections', keepAlive: true, count: BATCH.keepAlive },
  { name: 'a new connection per request', keepAlive: false, count: BATCH.fresh },
];
const rows: string[] = [];
for (const c of cases) {
  const plain = await serve(false, c.keepAlive);
  const mutual = await serve(true, c.keepAlive);
  // Warm both (pools, TLS session caches, JIT).
  await batch(plain, 40, false);
  await batch(mutual, 40, true);
  const best = { plain: Infinity, mutual: Infinity };
  const handshakes = { plain: 0, mutual: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [key, target] of [['plain', plain], ['mutual', mutual]] as const) {
      const before = target.handshakes;
      best[key] = Math.min(best[key], await batch(target, c.count, key === 'mutual'));
      handshakes[key] += target.handshakes - before;
    }
  }
  rows.push(
    `| ${c.name} | ${best.plain.toFixed(0)} | ${best.mutual.toFixed(0)} | ${(best.mutual / best.plain).toFixed(2)} | ${(handshakes.plain / (ROUNDS * c.count)).toFixed(3)} / ${(handshakes.mutual / (ROUNDS * c.count)).toFixed(3)} |`,
  );
  for (const target of [plain, mutual]) {
    target.server.closeAllConnections();
    await new Promise((resolve) => target.server.close(resolve));
  }
}
await http.close();
console.log(`${CONCURRENCY} requests at a time to a local https server (EC P-256 certificates), best of ${ROUNDS} rounds; µs per request\n`);
console.log('| sending | TLS | mutual TLS | ratio | handshakes per request (TLS / mTLS) |');
console.log('|---|---|---|---|---|');
for (const row of rows) console.log(row);
