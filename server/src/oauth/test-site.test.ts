import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestOidc, startTestOidc } from '../../test/oidc.js';
import { type TestApp, ok, startTestApp } from '../../test/support.js';
import { type Receiver, startReceiver } from '../dispatch/testkit.js';
import { freePort } from './test-helpers.js';

/**
 * testSite on a client-credentials site after a token failure: a network failure is not a
 * credentials failure, and a person testing the site gets a new token request, not the stored
 * failure repeated (issue 10 item 8). Against the real OAuth server of the token tests.
 */

const TOKEN_FIELDS = 'status lastError needsReconnect';

let op: TestOidc;
let app: TestApp;
let receiver: Receiver;
let counter = 0;

beforeAll(async () => {
  op = await startTestOidc();
  receiver = await startReceiver();
  app = await startTestApp();
});

afterAll(async () => {
  await app?.stop();
  await receiver?.close();
  await op?.close();
});

/** The OAuth server reached through another port, so "start the server" can happen later on a fixed URL. */
async function forwarder(port: number, to: string): Promise<{ close(): Promise<void> }> {
  const target = new URL(to);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(socket).add(upstream);
    socket.pipe(upstream).pipe(socket);
    const drop = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function createSite(auth: Record<string, unknown>): Promise<string> {
  return ok(
    await app.gql(`mutation ($input: SiteInput!) { createSite(input: $input) { id } }`, {
      input: { name: `test-site ${++counter}`, url: `${receiver.url}/probe-${counter}`, auth },
    }),
  ).createSite.id;
}

async function testSite(id: string) {
  return ok(await app.gql(`mutation ($id: ID!) { testSite(id: $id) { ok statusCode error request { headers { name value } } } }`, { id })).testSite as {
    ok: boolean;
    statusCode: number | null;
    error: string | null;
  };
}

async function tokenOf(id: string) {
  return ok(await app.gql(`query ($id: ID!) { site(id: $id) { token { ${TOKEN_FIELDS} } } }`, { id })).site.token as {
    status: string;
    lastError: string | null;
    needsReconnect: boolean;
  };
}

async function history(id: string) {
  return ok(await app.gql(`query ($id: ID!) { tokenHistory(siteId: $id, first: 50) { trigger outcome } }`, { id })).tokenHistory as Array<{
    trigger: string;
    outcome: string;
  }>;
}

describe('testSite after a token failure', () => {
  it('a refused token URL is a network failure, not one for a person; once the server is up, testing fetches a fresh token', async () => {
    op.addClient(op.clientCredentialsClient('late-server', 'late-secret'));
    const port = await freePort();
    const siteId = await createSite({ oauth2ClientCredentials: { tokenUrl: `http://127.0.0.1:${port}/token`, clientId: 'late-server', clientSecret: 'late-secret' } });

    const refused = await testSite(siteId);
    expect(refused.ok).toBe(false);
    expect(refused.error).toContain('could not be reached');
    expect(await tokenOf(siteId)).toMatchObject({ status: 'FAILED', needsReconnect: false });
    expect(receiver.requests.filter((r) => r.url === `/probe-${counter}`)).toHaveLength(0);

    // The cause goes away well within TOKEN_RETRY_AFTER_FAILURE_SECONDS (30 s): the test must not repeat the old failure.
    const server = await forwarder(port, op.tokenUrl);
    try {
      op.resetCounts();
      const fixed = await testSite(siteId);
      expect(fixed).toMatchObject({ ok: true, statusCode: 200, error: null });
      expect(op.tokenRequests('client_credentials')).toBe(1);
      expect(await tokenOf(siteId)).toMatchObject({ status: 'VALID', needsReconnect: false, lastError: null });
      const probe = receiver.requests.filter((r) => r.url === `/probe-${counter}`);
      expect(probe).toHaveLength(1);
      expect(probe[0]!.headers.authorization).toMatch(/^Bearer .{10,}/);
      expect((await history(siteId)).map((h) => `${h.trigger} ${h.outcome}`)).toEqual(['MANUAL SUCCEEDED', 'ON_DEMAND FAILED']);

      // With a good token stored, a test uses it: no token request per test.
      op.resetCounts();
      expect((await testSite(siteId)).ok).toBe(true);
      expect(op.tokenRequests()).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('a refused token URL fixed by editing the site: the next test fetches with the new URL', async () => {
    op.addClient(op.clientCredentialsClient('moved', 'moved-secret'));
    const port = await freePort();
    const siteId = await createSite({ oauth2ClientCredentials: { tokenUrl: `http://127.0.0.1:${port}/token`, clientId: 'moved', clientSecret: 'moved-secret' } });
    expect((await testSite(siteId)).error).toContain('could not be reached');
    ok(
      await app.gql('mutation ($id: ID!, $input: SiteUpdateInput!) { updateSite(id: $id, input: $input) { id } }', {
        id: siteId,
        input: { auth: { oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'moved' } } },
      }),
    );
    expect(await testSite(siteId)).toMatchObject({ ok: true, statusCode: 200 });
    expect((await tokenOf(siteId)).status).toBe('VALID');
  });

  it('invalid_client needs a person; once they fix it at the provider, testing asks again instead of repeating it', async () => {
    const siteId = await createSite({ oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'registered-later', clientSecret: 'later-secret' } });
    const refused = await testSite(siteId);
    expect(refused.ok).toBe(false);
    expect(refused.error).toContain('invalid_client');
    expect(await tokenOf(siteId)).toMatchObject({ status: 'FAILED', needsReconnect: true });
    // The dispatcher (and anything else not asked by a person) still waits for them: no new request.
    op.resetCounts();
    await expect(app.services.tokens.accessTokenFor((await app.services.sites.get(siteId))!)).rejects.toMatchObject({ needsReconnect: true });
    expect(op.tokenRequests()).toBe(0);

    op.addClient(op.clientCredentialsClient('registered-later', 'later-secret'));
    expect(await testSite(siteId)).toMatchObject({ ok: true, statusCode: 200 });
    expect(op.tokenRequests()).toBe(1);
    expect(await tokenOf(siteId)).toMatchObject({ status: 'VALID', needsReconnect: false });
  });
});

describe('which token failures need a person', () => {
  it('only the provider refusing the credentials; a 404, a 5xx or an unknown error code is asked again later', async () => {
    op.addClient(op.clientCredentialsClient('classified', 'c-secret'));
    const siteId = await createSite({ oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'classified', clientSecret: 'c-secret' } });
    const cases: Array<[status: number, body: string, needsReconnect: boolean]> = [
      [404, '<html>not here</html>', false],
      [503, JSON.stringify({ error: 'temporarily_unavailable' }), false],
      [400, JSON.stringify({ error: 'slow_down' }), false],
      [401, '', true],
      [403, '<html>forbidden</html>', true],
      [400, JSON.stringify({ error: 'invalid_client' }), true],
      [400, JSON.stringify({ error: 'unauthorized_client' }), true],
      [200, JSON.stringify({ error: 'invalid_grant' }), true],
    ];
    try {
      for (const [status, body, needsReconnect] of cases) {
        op.override = () => ({ status, contentType: body.startsWith('{') ? 'application/json' : 'text/html', body });
        const state = ok(await app.gql(`mutation ($id: ID!) { refreshAccessToken(siteId: $id) { ${TOKEN_FIELDS} } }`, { id: siteId })).refreshAccessToken;
        expect({ status, body, state: state.status, needsReconnect: state.needsReconnect }).toEqual({ status, body, state: 'FAILED', needsReconnect });
      }
    } finally {
      op.override = undefined;
    }
  });
});
