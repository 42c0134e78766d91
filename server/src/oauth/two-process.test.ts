import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestOidc, startTestOidc } from '../../test/oidc.js';
import { TEST_ADMIN_TOKEN, TEST_MASTER_KEY, type TestApp, ok, startTestApp, tempDir } from '../../test/support.js';
import { freePort, subscribeTokenEvents } from './test-helpers.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'two-process.child.ts');
const CALLERS = 200;

interface Child {
  process: ChildProcessWithoutNullStreams;
  next(): Promise<any>;
}

function startChild(databaseUrl: string, siteIds: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..'),
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: tempDir(),
      TRUSTED_SITES_MASTER_KEY: TEST_MASTER_KEY,
      TRUSTED_SITES_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      ALLOW_PRIVATE_TARGETS: 'true',
      LOG_LEVEL: 'error',
      SITE_IDS: siteIds.join(','),
      CALLERS: String(CALLERS),
    },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    process: child,
    async next() {
      for (;;) {
        const { value, done } = await lines.next();
        if (done) throw new Error(`child exited early: ${stderr.slice(-2000)}`);
        try {
          return JSON.parse(value);
        } catch {
          // a log line; skip
        }
      }
    },
  };
}

let op: TestOidc;
let app: TestApp;

beforeAll(async () => {
  op = await startTestOidc();
  const port = await freePort();
  app = await startTestApp({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, TOKEN_WATCH_INTERVAL_MS: '100' });
});

afterAll(async () => {
  await app?.stop();
  await op?.close();
});

describe('two server processes on one database', () => {
  it(`${CALLERS} concurrent callers in each of two processes, expired tokens: exactly one token request per site`, async () => {
    // An authorization-code site (refresh token rotated: a second refresh with the old token would
    // burn the grant) and a client-credentials site.
    const created = ok(
      await app.gql(`mutation ($input: SiteInput!) { createSite(input: $input) { id redirectUrl } }`, {
        input: { name: 'two-process oauth2', url: 'https://receiver.example.com/', auth: { oauth2: { consumerKey: 'shared-web', consumerSecret: 'web-secret', authorizationUrl: op.authorizationUrl, tokenUrl: op.tokenUrl, scope: 'openid api' } } },
      }),
    ).createSite;
    op.addClient(op.authCodeClient('shared-web', 'web-secret', created.redirectUrl));
    const connect = ok(await app.gql('mutation ($id: ID!) { startOAuthConnect(siteId: $id) { authorizationUrl } }', { id: created.id })).startOAuthConnect;
    expect((await op.authorize(connect.authorizationUrl, { followCallback: true })).finalLocation).toContain('oauth=connected');

    op.addClient(op.clientCredentialsClient('shared-machine', 'machine-secret'));
    const machine = ok(
      await app.gql(`mutation ($input: SiteInput!) { createSite(input: $input) { id } }`, {
        input: { name: 'two-process machine', url: 'https://receiver.example.com/', auth: { oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'shared-machine', clientSecret: 'machine-secret' } } },
      }),
    ).createSite;
    ok(await app.gql('mutation ($id: ID!) { refreshAccessToken(siteId: $id) { status } }', { id: machine.id }));

    // Both tokens expired, as after a night without traffic.
    await app.services.db.pool.query(
      `UPDATE site_token SET expires_at = now() - interval '1 minute', refresh_at = now() - interval '2 minutes', status = 'EXPIRED' WHERE site_id = ANY($1::uuid[])`,
      [[created.id, machine.id]],
    );

    const children = [startChild(app.databaseUrl, [created.id, machine.id]), startChild(app.databaseUrl, [created.id, machine.id])];
    try {
      for (const child of children) expect((await child.next()).phase).toBe('ready');
      // Watch from this (third) process: events raised in the children arrive here through NOTIFY.
      const subscription = await subscribeTokenEvents(app.url, TEST_ADMIN_TOKEN, created.id);
      op.resetCounts();
      // Hold the provider's answer so the second process surely arrives while the first is asking.
      op.tokenDelayMs = 500;
      for (const child of children) child.process.stdin.write('go\n');
      const [a, b] = await Promise.all(children.map((child) => child.next()));
      op.tokenDelayMs = 0;

      expect(op.tokenRequests('refresh_token')).toBe(1);
      expect(op.tokenRequests('client_credentials')).toBe(1);
      expect(op.tokenRequests()).toBe(2);
      for (const siteId of [created.id, machine.id]) {
        expect(a.results[siteId].errors).toEqual([]);
        expect(b.results[siteId].errors).toEqual([]);
        // All 400 callers got the one new token.
        expect(a.results[siteId].tokens).toHaveLength(1);
        expect(b.results[siteId].tokens).toEqual(a.results[siteId].tokens);
      }
      const here = await app.services.tokens.accessTokenFor((await app.services.sites.get(created.id))!);
      expect(createHash('sha256').update(here).digest('hex').slice(0, 16)).toBe(a.results[created.id].tokens[0]);
      expect(op.tokenRequests()).toBe(2);

      await subscription.waitFor((event) => event.status === 'REFRESHING');
      await subscription.waitFor((event) => event.status === 'VALID');
      await subscription.close();
      const { rows } = await app.services.db.pool.query(
        `SELECT grant_type, outcome FROM token_history WHERE site_id = $1 AND trigger = 'ON_DEMAND'`,
        [created.id],
      );
      expect(rows).toEqual([{ grant_type: 'refresh_token', outcome: 'SUCCEEDED' }]);
      console.log(`two-process test: ${op.tokenRequests('refresh_token')} refresh_token and ${op.tokenRequests('client_credentials')} client_credentials request(s) for ${2 * CALLERS} callers per site`);
    } finally {
      for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGTERM');
    }
  });
});
