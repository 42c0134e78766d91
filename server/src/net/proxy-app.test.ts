import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_VALUES } from '../../test/fixtures.js';
import { type TestOidc, startTestOidc } from '../../test/oidc.js';
import { type TestApp, ok, startTestApp } from '../../test/support.js';
import { type Receiver, startReceiver, waitFor } from '../dispatch/testkit.js';
import { freePort } from '../oauth/test-helpers.js';
import { type ForwardProxy, startForwardProxy } from './forward-proxy.testkit.js';

/**
 * The whole server with HTTP_PROXY set (issue 12 item 7): webhooks, the "test connection" probe
 * and OAuth token requests all go through the proxy, with its credentials, which no log line,
 * delivery or answer ever holds. The proxy is down at first: attempts fail as network failures
 * naming it and are retried until it is up.
 */

const PROXY_USER = 'egress-user';
const PROXY_PASSWORD = 'proxy-pw-marker-6f1d2c';
const basic = `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`;

let app: TestApp;
let op: TestOidc;
let receiver: Receiver;
let proxy: ForwardProxy | undefined;
let proxyPort: number;
const logged: string[] = [];
const originalWrites = { out: process.stdout.write, err: process.stderr.write };

beforeAll(async () => {
  const capture = ((chunk: unknown) => {
    logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  receiver = await startReceiver();
  op = await startTestOidc();
  // Nothing listens here until the first test starts the proxy.
  proxyPort = await freePort();
  app = await startTestApp({
    HTTP_PROXY: `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${proxyPort}`,
    LOG_LEVEL: 'debug',
    LOG_FORMAT: 'json',
    DISPATCH_POLL_MS: '100',
    DISPATCH_RETRY_BASE_MS: '100',
    DISPATCH_RETRY_MAX_MS: '300',
    DISPATCH_MAX_ATTEMPTS: '100',
  });
});

afterAll(async () => {
  await app?.stop();
  await proxy?.close();
  await receiver?.close();
  await op?.close();
  process.stdout.write = originalWrites.out;
  process.stderr.write = originalWrites.err;
});

async function createSite(name: string, url: string, auth: Record<string, unknown>): Promise<string> {
  const { id } = ok(await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, { input: { name, url, auth } })).createSite;
  ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id }));
  return id;
}

async function delivery(id: string) {
  return ok(await app.gql(`query($id: ID!) { delivery(id: $id) { status lastError attemptCount attempts { statusCode error outcome } } }`, { id })).delivery as {
    status: string;
    lastError: string | null;
    attemptCount: number;
    attempts: Array<{ statusCode: number | null; error: string | null; outcome: string }>;
  };
}

describe('the server behind a forward proxy', () => {
  it('retries a webhook while the proxy is down (a network failure naming it), then delivers it through the proxy with its credentials', async () => {
    const siteId = await createSite('Behind the proxy', `${receiver.url}/hook`, { basic: { username: 'u', password: SECRET_VALUES.password } });
    const { id } = ok(await app.gql(`mutation($input: WebhookInput!) { sendWebhook(input: $input) { id } }`, { input: { siteId, payload: { n: 1 } } })).sendWebhook;

    const failing = await waitFor(async () => {
      const d = await delivery(id);
      return d.attemptCount >= 2 ? d : undefined;
    }, 20_000, 'two failed attempts');
    // Still to be sent (waiting for its retry, or claimed for it): a network failure is retried.
    expect(['RETRYING', 'IN_FLIGHT']).toContain(failing.status);
    for (const attempt of failing.attempts) {
      expect(attempt).toMatchObject({ statusCode: null, outcome: 'RETRYING', error: `could not connect to the proxy 127.0.0.1:${proxyPort}: connection refused` });
    }
    expect(receiver.requests).toHaveLength(0);

    proxy = await startForwardProxy(proxyPort);
    proxy.credentials = `${PROXY_USER}:${PROXY_PASSWORD}`;
    const done = await waitFor(async () => {
      const d = await delivery(id);
      return d.status === 'SUCCEEDED' ? d : undefined;
    }, 20_000, 'the delivery through the proxy');
    expect(done.attempts.at(-1)).toMatchObject({ statusCode: 200, outcome: 'SUCCEEDED' });
    const hooks = receiver.requests.filter((r) => r.url === '/hook');
    expect(hooks).toHaveLength(1);
    expect(JSON.parse(hooks[0]!.body.toString())).toEqual({ n: 1 });
    expect(hooks[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`u:${SECRET_VALUES.password}`).toString('base64')}`);
    expect(hooks[0]!.headers['proxy-authorization']).toBeUndefined();
    expect(proxy.seen.filter((r) => r.target === `${receiver.url}/hook`).map((r) => [r.kind, r.method, r.headers['proxy-authorization']])).toEqual([['absolute', 'POST', basic]]);
  });

  it('testSite on a client-credentials site: the token request and the probe both go through the proxy', async () => {
    expect(proxy).toBeDefined();
    op.addClient(op.clientCredentialsClient('proxied-client', 'proxied-secret'));
    const siteId = await createSite('Token through the proxy', `${receiver.url}/probe`, {
      oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'proxied-client', clientSecret: 'proxied-secret' },
    });
    const before = proxy!.seen.length;
    op.resetCounts();
    const tested = ok(await app.gql(`mutation ($id: ID!) { testSite(id: $id) { ok statusCode error } }`, { id: siteId })).testSite;
    expect(tested).toEqual({ ok: true, statusCode: 200, error: null });
    expect(op.tokenRequests('client_credentials')).toBe(1);
    expect(proxy!.seen.slice(before).map((r) => [r.kind, r.method, r.target, r.headers['proxy-authorization']])).toEqual([
      ['absolute', 'POST', op.tokenUrl, basic],
      ['absolute', 'POST', `${receiver.url}/probe`, basic],
    ]);
    const probe = receiver.requests.filter((r) => r.url === '/probe');
    expect(probe).toHaveLength(1);
    expect(probe[0]!.headers.authorization).toMatch(/^Bearer .{10,}/);
  });

  it('never writes the proxy credentials to the log', () => {
    const text = logged.join('');
    // The capture works: the debug lines of the attempts above are in it.
    expect(text).toContain('"level":"debug"');
    // The start says which proxy is used, by host:port.
    const started = text.split('\n').find((line) => line.includes('outgoing requests go through a forward proxy'));
    expect(JSON.parse(started!)).toMatchObject({ level: 'info', httpProxy: `127.0.0.1:${proxyPort}`, httpsProxy: `127.0.0.1:${proxyPort}`, noProxy: '' });
    for (const secret of [PROXY_PASSWORD, encodeURIComponent(PROXY_PASSWORD), basic.slice(6), `${PROXY_USER}:`]) expect(text).not.toContain(secret);
  });
});
