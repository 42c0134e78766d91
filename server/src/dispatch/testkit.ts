import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SECRET_VALUES } from '../../test/fixtures.js';
import { type TestApp, ok } from '../../test/support.js';

/**
 * A real HTTP receiver on 127.0.0.1 for dispatcher tests and benchmarks. It records every request
 * and answers through a replaceable handler.
 */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Arrival time, ms since the epoch (Date.now()). */
  at: number;
}

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Holds the answer this long. */
  delayMs?: number;
  /** Drops the connection without answering. */
  destroy?: boolean;
}

export type Handler = (request: ReceivedRequest, index: number) => Answer | Promise<Answer>;

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  handler: Handler;
  /** Requests being handled right now, and the most seen at once. */
  inFlight: number;
  maxInFlight: number;
  close(): Promise<void>;
}

export async function startReceiver(handler: Handler = () => ({ status: 200, body: 'ok' })): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    requests: [],
    handler,
    inFlight: 0,
    maxInFlight: 0,
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    receiver.inFlight += 1;
    receiver.maxInFlight = Math.max(receiver.maxInFlight, receiver.inFlight);
    // A sender killed mid-request never ends its body: count it out when the connection goes.
    let counted = true;
    const done = () => {
      if (counted) receiver.inFlight -= 1;
      counted = false;
    };
    res.once('close', done);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const request: ReceivedRequest = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks), at: Date.now() };
      const index = receiver.requests.push(request) - 1;
      try {
        const answer = await receiver.handler(request, index);
        if (answer.delayMs) await sleep(answer.delayMs);
        done();
        if (answer.destroy) {
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.status ?? 200, answer.headers ?? { 'content-type': 'text/plain' });
        res.end(answer.body ?? '');
      } catch {
        done();
        res.writeHead(500).end();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A Basic-auth site sending to `url`, made ACTIVE (so it is sent to); its id. */
export async function activeBasicSite(app: TestApp, name: string, url: string, performance: { maxRps: number; threads: number }): Promise<string> {
  const { createSite } = ok(
    await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
      input: { name, url, performance, auth: { basic: { username: 'alice', password: SECRET_VALUES.password } } },
    }),
  );
  ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: createSite.id }));
  return createSite.id as string;
}
