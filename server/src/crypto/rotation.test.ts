import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_MEMBERS, type AuthMember, validAuthInputs } from '../../test/fixtures.js';
import { type TestApp, createTestDatabase, ok, startTestApp } from '../../test/support.js';
import type { Site } from '../sites/site.entity.js';
import { secretContext } from '../sites/site.service.js';
import { readToken, saveObtainedToken } from '../oauth/token.sql.js';
import { accessContext, configFingerprint, refreshContext, verifierContext } from '../oauth/token.service.js';
import { masterKeyId, parseKeyList } from './keyring.js';
import { countSealedByKey, rotateSecrets } from './rotation.js';
import { siteSecrets, oauthTokens } from './sealed-values.js';
import { type Sealed, SecretBox, sealedKeyId } from './secrets.js';

const OLD = 'aa112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const NEW = 'bb99887766554433221100ffeeddccbbaa99887766554433221100ffeeddccbb';
const OLD_ID = masterKeyId(Buffer.from(OLD, 'hex'));
const NEW_ID = masterKeyId(Buffer.from(NEW, 'hex'));
const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rotate-master-key.ts');
const SITES_PER_METHOD = 4;
const OAUTH2_MEMBERS: AuthMember[] = ['oauth2', 'oauth2ClientCredentials', 'oauth2JwtBearer'];

const CREATE = `mutation($input: SiteInput!) { createSite(input: $input) { id } }`;
const UPDATE = `mutation($id: ID!, $input: SiteUpdateInput!) { updateSite(id: $id, input: $input) { id } }`;
const PREVIEW = `query($id: ID!) { previewSignedRequest(siteId: $id) { url headers { name } } }`;

/** A token endpoint that issues `at-<key>-<n>`/`rt-<key>-<n>` and refuses a refresh token it never issued. */
class TokenServer {
  readonly issued = new Map<string, Set<string>>();
  private server!: http.Server;
  private n = 0;
  url = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c)).on('end', () => {
        const key = req.url!.split('/').pop()!;
        const params: Record<string, string> = req.headers['content-type']?.includes('json')
          ? JSON.parse(body || '{}')
          : Object.fromEntries(new URLSearchParams(body));
        res.setHeader('content-type', 'application/json');
        if (params.grant_type === 'refresh_token' && !this.issued.get(key)?.has(params.refresh_token ?? '')) {
          res.statusCode = 400;
          res.end(JSON.stringify({ error: 'invalid_grant' }));
          return;
        }
        const n = ++this.n;
        const tokens = { access_token: `at-${key}-${n}`, refresh_token: `rt-${key}-${n}` };
        this.issue(key, tokens.access_token, tokens.refresh_token);
        res.end(JSON.stringify({ ...tokens, token_type: 'Bearer', expires_in: 3600 }));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/token`;
  }

  issue(key: string, ...tokens: string[]): void {
    if (!this.issued.has(key)) this.issued.set(key, new Set());
    for (const t of tokens) this.issued.get(key)!.add(t);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** What a secret may be read as at a moment: the value written last, and one being written. */
class Expected {
  private readonly values = new Map<string, Set<string>>();
  set(key: string, value: string): void {
    this.values.set(key, new Set([value]));
  }
  begin(key: string, value: string): void {
    this.values.get(key)!.add(value);
  }
  snapshot(key: string): Set<string> {
    return new Set(this.values.get(key));
  }
  keys(): string[] {
    return [...this.values.keys()];
  }
}

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env: { ...process.env, DATA_DIR: '/nonexistent', TRUSTED_SITES_MASTER_KEY: '', LOG_LEVEL: 'error', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function waitUntil(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await sleep(20);
  }
}

describe('master-key rotation under load', () => {
  const tokens = new TokenServer();
  const expected = new Expected();
  const siteIds = new Map<AuthMember, string[]>();
  const oldBox = new SecretBox(Buffer.from(OLD, 'hex'));
  let databaseUrl: string;
  let raw: pg.Client;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    await tokens.start();
    databaseUrl = await createTestDatabase();
    raw = new pg.Client({ connectionString: databaseUrl });
    await raw.connect();
  });

  afterAll(async () => {
    for (const app of apps.splice(0)) await app.stop();
    await raw?.end();
    await tokens.close();
  });

  const allSites = () => [...siteIds.values()].flat();
  const lockedSite = () => siteIds.get('basic')![0]!;
  const lockedTokenSite = () => siteIds.get('oauth2ClientCredentials')![0]!;

  it('re-seals every secret under the new key while two processes keep opening and changing them; then the new key alone reads everything', async () => {
    // 1. Before: one process with the old key alone creates sites of every method, tokens and pending connects.
    const before = await startTestApp({ DATABASE_URL: databaseUrl, TRUSTED_SITES_MASTER_KEY: OLD });
    apps.push(before);
    let n = 0;
    for (const member of AUTH_MEMBERS) {
      const ids: string[] = [];
      for (let i = 0; i < SITES_PER_METHOD; i++) {
        const key = `${member}-${i}`;
        const auth = { ...validAuthInputs(`${tokens.url}/${key}`)[member] } as Record<string, unknown>;
        const id = ok(await before.gql(CREATE, { input: { name: `Rotate ${key} ${++n}`, url: 'http://127.0.0.1:9/hook', auth: { [member]: auth } } })).createSite.id as string;
        ids.push(id);
        const secrets = before.services.sites.openSecrets((await before.services.sites.get(id))!);
        for (const [field, value] of Object.entries(secrets)) expected.set(`${id}:${field}`, value!);
      }
      siteIds.set(member, ids);
    }
    for (const id of siteIds.get('oauth2')!) {
      // An authorization-code site connected earlier: its tokens as the token store keeps them.
      const site = (await before.services.sites.get(id))!;
      const key = `oauth2-${siteIds.get('oauth2')!.indexOf(id)}`;
      tokens.issue(key, `at-${key}-seed`, `rt-${key}-seed`);
      await saveObtainedToken(before.services.db.pool, id, {
        accessToken: before.services.box.seal(`at-${key}-seed`, accessContext(id)),
        refreshToken: before.services.box.seal(`rt-${key}-seed`, refreshContext(id)),
        replaceRefreshToken: true, tokenType: 'Bearer', obtainedAt: new Date(), expiresAt: new Date(Date.now() + 3_600_000),
        refreshAt: new Date(Date.now() + 3_000_000), configFingerprint: configFingerprint(site),
      });
      await before.services.tokens.startConnect(id);
    }
    for (const member of ['oauth2ClientCredentials', 'oauth2JwtBearer'] as const) {
      for (const id of siteIds.get(member)!) await before.services.tokens.accessTokenFor((await before.services.sites.get(id))!);
    }
    const initial = await countSealedByKey(raw);
    expect(initial.every((c) => c.keyId === OLD_ID)).toBe(true);
    expect(initial.map((c) => c.table).sort()).toEqual(['OAuth tokens', 'pending OAuth connects', 'site secrets']);
    await before.stop();
    apps.splice(0);

    // 2. The new key first and the old one still listed, on two processes sharing the database.
    const keys = { TRUSTED_SITES_MASTER_KEY: '', TRUSTED_SITES_MASTER_KEYS: `${NEW},${OLD}` };
    const a = await startTestApp({ DATABASE_URL: databaseUrl, ...keys });
    apps.push(a);
    const b = await startTestApp({ DATABASE_URL: databaseUrl, ...keys });
    apps.push(b);

    // 3. Load: every secret opened through both processes, secrets and tokens changed meanwhile.
    const failures: string[] = [];
    let iterations = 0;
    let stop = false;
    const fail = (message: string) => {
      if (failures.length < 20) failures.push(message);
    };
    const readEverything = async (app: TestApp) => {
      for (const id of allSites()) {
        const keys = expected.keys().filter((k) => k.startsWith(`${id}:`));
        const before = new Map(keys.map((k) => [k, expected.snapshot(k)]));
        let secrets: Record<string, string | undefined>;
        try {
          secrets = app.services.sites.openSecrets((await app.services.sites.get(id))!);
        } catch (error) {
          fail(`site ${id}: ${(error as Error).message}`);
          continue;
        }
        for (const k of keys) {
          const value = secrets[k.slice(id.length + 1)];
          if (!before.get(k)!.has(value!) && !expected.snapshot(k).has(value!)) fail(`${k} read as an unexpected value`);
        }
      }
      for (const member of OAUTH2_MEMBERS) {
        for (const [i, id] of siteIds.get(member)!.entries()) {
          const key = `${member}-${i}`;
          const row = await readToken(app.services.db.pool, id);
          try {
            if (row?.accessToken && !tokens.issued.get(key)!.has(app.services.box.open(row.accessToken, accessContext(id)))) fail(`${key}: access token not one issued`);
            if (row?.refreshToken && !tokens.issued.get(key)!.has(app.services.box.open(row.refreshToken, refreshContext(id)))) fail(`${key}: refresh token not one issued`);
            if (member !== 'oauth2' && !tokens.issued.get(key)!.has(await app.services.tokens.accessTokenFor((await app.services.sites.get(id))!))) {
              fail(`${key}: accessTokenFor gave a token not issued`);
            }
          } catch (error) {
            fail(`${key}: ${(error as Error).message}`);
          }
        }
      }
      const states = await app.services.db.pool.query<{ siteId: string; codeVerifier: Sealed }>(`SELECT site_id AS "siteId", code_verifier AS "codeVerifier" FROM oauth_state`);
      for (const s of states.rows) {
        try {
          app.services.box.open(s.codeVerifier, verifierContext(s.siteId));
        } catch (error) {
          fail(`pending connect of ${s.siteId}: ${(error as Error).message}`);
        }
      }
      for (const member of AUTH_MEMBERS) {
        const id = siteIds.get(member)![iterations % SITES_PER_METHOD]!;
        const preview = await app.gql(PREVIEW, { id });
        if (preview.errors) fail(`preview of ${member}: ${JSON.stringify(preview.errors)}`);
      }
    };
    // Odd indexes only: the rest (the held rows among them, index 0) is left for the rotation to move.
    const changeSome = async (app: TestApp, round: number) => {
      const changes: Array<[AuthMember, string, (v: string) => unknown]> = [
        ['basic', 'password', (v) => ({ basic: { password: v } })],
        ['jwt', 'secret', (v) => ({ jwt: { secret: v } })],
        ['aws', 'secretAccessKey', (v) => ({ aws: { secretAccessKey: v } })],
      ];
      for (const [member, field, input] of changes) {
        for (const id of siteIds.get(member)!.filter((_, i) => i % 2)) {
          const value = `${member}-${field}-${round}-${id}`.padEnd(40, 'x');
          const key = `${id}:${field}`;
          expected.begin(key, value);
          const result = await app.gql(UPDATE, { id, input: { auth: input(value) } });
          if (result.errors) fail(`update ${key}: ${JSON.stringify(result.errors)}`);
          else expected.set(key, value);
        }
      }
      for (const member of OAUTH2_MEMBERS) {
        for (const id of siteIds.get(member)!.filter((_, i) => i % 2)) {
          try {
            const state = await app.services.tokens.refreshNow(id);
            if (state.status !== 'VALID') fail(`refresh of ${id}: ${state.status} ${state.lastError}`);
          } catch (error) {
            fail(`refresh of ${id}: ${(error as Error).message}`);
          }
        }
      }
      await app.services.tokens.startConnect(siteIds.get('oauth2')![round % SITES_PER_METHOD]!);
    };
    const load = (async () => {
      while (!stop) {
        const [reader, writer] = iterations % 2 ? [a, b] : [b, a];
        await Promise.all([readEverything(reader), changeSome(writer, iterations)]);
        iterations += 1;
      }
    })();
    const rounds = async (count: number) => {
      const target = iterations + count;
      await waitUntil(`${count} load rounds`, async () => iterations >= target);
    };
    await rounds(1);

    // A site and a token row held by "the service" in open transactions: rotation must skip them,
    // come back, and re-seal what was written meanwhile, not what it would have read before.
    const holdSite = new pg.Client({ connectionString: databaseUrl });
    const holdToken = new pg.Client({ connectionString: databaseUrl });
    await holdSite.connect();
    await holdToken.connect();
    await holdSite.query('BEGIN');
    await holdSite.query('SELECT 1 FROM site WHERE id = $1 FOR UPDATE', [lockedSite()]);
    await holdToken.query('BEGIN');
    await holdToken.query('SELECT 1 FROM site_token WHERE site_id = $1 FOR UPDATE', [lockedTokenSite()]);

    // 4. The rotation, as an operator runs it, in small transactions.
    const rotation = runCli(['--batch-size', '2'], { DATABASE_URL: databaseUrl, ...keys });

    await waitUntil('sites rotated but the held one', async () => (await siteSecrets.countPending(raw, NEW_ID, [])) === 1);
    await rounds(3);
    const changedPassword = 'changed-while-held-under-the-old-key';
    const heldKey = `${lockedSite()}:password`;
    expected.begin(heldKey, changedPassword);
    await holdSite.query(`UPDATE site SET auth = jsonb_set(auth, '{sealed,password}', to_jsonb($2::text)) WHERE id = $1`, [
      lockedSite(),
      oldBox.seal(changedPassword, secretContext(lockedSite(), 'password')),
    ]);
    await holdSite.query('COMMIT');
    expected.set(heldKey, changedPassword);

    await waitUntil('tokens rotated but the held one', async () => (await oauthTokens.countPending(raw, NEW_ID, [])) === 1 && (await siteSecrets.countPending(raw, NEW_ID, [])) === 0);
    await rounds(3);
    const heldAccess = `at-oauth2ClientCredentials-0-held`;
    tokens.issue('oauth2ClientCredentials-0', heldAccess);
    await holdToken.query('UPDATE site_token SET access_token = $2 WHERE site_id = $1', [lockedTokenSite(), oldBox.seal(heldAccess, accessContext(lockedTokenSite()))]);
    await holdToken.query('COMMIT');
    await holdSite.end();
    await holdToken.end();

    const result = await rotation;
    await rounds(2);
    stop = true;
    await load;
    expect(failures).toEqual([]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`master keys: ${NEW_ID}, ${OLD_ID} (${NEW_ID} seals)`);
    // The sites and tokens the load does not change (even indexes) were left to the rotation.
    for (const table of ['site secrets', 'OAuth tokens', 'pending OAuth connects']) {
      expect(Number(new RegExp(`${table}: \\d+ values in (\\d+) rows re-sealed under ${NEW_ID}`).exec(result.stdout)?.[1])).toBeGreaterThanOrEqual(SITES_PER_METHOD / 2);
    }
    expect(result.stdout.trim().split('\n').pop()).toBe(`no value sealed under ${OLD_ID} remains; every stored secret is under ${NEW_ID}`);

    // 5. After: every stored value carries the new key id.
    const after = await countSealedByKey(raw);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((c) => c.keyId !== NEW_ID)).toEqual([]);
    const check = await runCli(['--check'], { DATABASE_URL: databaseUrl, ...keys });
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(`every value is sealed under ${NEW_ID}`);
    // The held rows were re-sealed with what was written while they were held.
    const heldRow = (await raw.query(`SELECT auth->'sealed'->>'password' AS password FROM site WHERE id = $1`, [lockedSite()])).rows[0];
    expect(sealedKeyId(heldRow.password)).toBe(NEW_ID);
    const heldToken = await readToken(raw, lockedTokenSite());
    expect(a.services.box.open(heldToken!.accessToken!, accessContext(lockedTokenSite()))).toBe(heldAccess);

    for (const app of apps.splice(0)) await app.stop();

    // 6. The old key removed: a process with the new key alone reads everything.
    const only = await startTestApp({ DATABASE_URL: databaseUrl, TRUSTED_SITES_MASTER_KEY: NEW });
    apps.push(only);
    for (const id of allSites()) {
      const site: Site = (await only.services.sites.get(id))!;
      const secrets = only.services.sites.openSecrets(site);
      for (const key of expected.keys().filter((k) => k.startsWith(`${id}:`))) {
        expect([...expected.snapshot(key)]).toEqual([secrets[key.slice(id.length + 1)]]);
      }
      ok(await only.gql(PREVIEW, { id }));
    }
    for (const member of OAUTH2_MEMBERS) {
      for (const [i, id] of siteIds.get(member)!.entries()) {
        const row = (await readToken(raw, id))!;
        expect(tokens.issued.get(`${member}-${i}`)!.has(only.services.box.open(row.accessToken!, accessContext(id)))).toBe(true);
        expect(tokens.issued.get(`${member}-${i}`)!.has(only.services.box.open(row.refreshToken!, refreshContext(id)))).toBe(true);
      }
      // Refreshing sends the refresh token opened with the new key; the server checks it is one it issued.
      const state = await only.services.tokens.refreshNow(siteIds.get(member)![1]!);
      expect(state.status).toBe('VALID');
    }
    const states = await raw.query<{ siteId: string; codeVerifier: Sealed }>(`SELECT site_id AS "siteId", code_verifier AS "codeVerifier" FROM oauth_state`);
    expect(states.rows.length).toBeGreaterThan(SITES_PER_METHOD);
    for (const s of states.rows) expect(only.services.box.open(s.codeVerifier, verifierContext(s.siteId))).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('a value that does not open is reported by site and field and left alone; the rest is rotated; --check names keys not configured', async () => {
    const id = siteIds.get('basic')![2]!;
    const stranger = new SecretBox(parseKeyList('cc'.repeat(32), 'test'));
    await raw.query(`UPDATE site SET auth = jsonb_set(auth, '{sealed,password}', to_jsonb($2::text)) WHERE id = $1`, [id, stranger.seal('x', secretContext(id, 'password'))]);
    const other = siteIds.get('aws')![2]!;
    await raw.query(`UPDATE site SET auth = jsonb_set(auth, '{sealed,secretAccessKey}', to_jsonb($2::text)) WHERE id = $1`, [
      other,
      new SecretBox(Buffer.from(NEW, 'hex')).seal('under-new-again', secretContext(other, 'secretAccessKey')),
    ]);
    const check = await runCli(['--check'], { DATABASE_URL: databaseUrl, TRUSTED_SITES_MASTER_KEYS: `${OLD},${NEW}` });
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`site secrets: 1 under ${stranger.sealingKeyId} (NOT CONFIGURED: these cannot be opened)`);
    expect(check.stdout).toMatch(new RegExp(`site secrets: \\d+ under ${NEW_ID} \\(older key, still listed\\)`));

    // Back to the old key as the sealing one: every value moves, except the one no key opens.
    const box = new SecretBox(parseKeyList(`${OLD},${NEW}`, 'test'));
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    try {
      const report = await rotateSecrets(pool, box, { batchSize: 3 });
      expect(report.failures).toEqual([
        { table: 'site secrets', record: id, field: 'password', reason: `this secret was sealed under master key ${stranger.sealingKeyId}, which is not configured here (configured: ${OLD_ID}, ${NEW_ID})` },
      ]);
      expect(report.remaining).toEqual([{ table: 'site secrets', keyId: stranger.sealingKeyId, count: 1 }]);
      // The failing site's other secrets stay as they were (nothing of that row is written).
      const row = (await raw.query(`SELECT auth->'sealed'->>'password' AS password FROM site WHERE id = $1`, [id])).rows[0];
      expect(sealedKeyId(row.password)).toBe(stranger.sealingKeyId);
      expect((await countSealedByKey(raw)).filter((c) => c.keyId === NEW_ID)).toEqual([]);
      const opened = box.open((await raw.query(`SELECT auth->'sealed'->>'secretAccessKey' AS v FROM site WHERE id = $1`, [other])).rows[0].v, secretContext(other, 'secretAccessKey'));
      expect(opened).toBe('under-new-again');
    } finally {
      await pool.end();
    }
    const cli = await runCli([], { DATABASE_URL: databaseUrl, TRUSTED_SITES_MASTER_KEYS: `${OLD},${NEW}` });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`could not re-seal site secrets ${id} password: this secret was sealed under master key ${stranger.sealingKeyId}`);
    expect(cli.stdout).not.toContain('remains');
  });

  it('values sealed under the old key again after their table was done (a process not yet given the new key) get another pass', async () => {
    await raw.query('DELETE FROM site WHERE id = $1', [siteIds.get('basic')![2]!]);
    const box = new SecretBox(parseKeyList(`${NEW},${OLD}`, 'test'));
    const id = siteIds.get('basic')![3]!;
    const lagging = async (table: string) => {
      // The last table is being done: the site secrets are all under the new key by now.
      if (table !== 'pending OAuth connects') return;
      await raw.query(`UPDATE site SET auth = jsonb_set(auth, '{sealed,password}', to_jsonb($2::text)) WHERE id = $1`, [
        id,
        oldBox.seal('written-by-a-lagging-process', secretContext(id, 'password')),
      ]);
    };
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    try {
      const once = await rotateSecrets(pool, box, { batchSize: 50, maxPasses: 1, onBatch: lagging });
      expect(once.failures).toEqual([]);
      expect(once.remaining).toEqual([{ table: 'site secrets', keyId: OLD_ID, count: 1 }]);

      // The pending connects under the old key again, so the last table has work and the lagging write happens.
      const states = await raw.query<{ siteId: string; stateHash: string }>(`SELECT site_id AS "siteId", state_hash AS "stateHash" FROM oauth_state`);
      for (const st of states.rows) {
        await raw.query('UPDATE oauth_state SET code_verifier = $2 WHERE state_hash = $1', [st.stateHash, oldBox.seal('v'.repeat(43), verifierContext(st.siteId))]);
      }
      const again = await rotateSecrets(pool, box, { batchSize: 50, onBatch: lagging });
      expect(again.failures).toEqual([]);
      expect(again.remaining).toEqual([]);
      expect(again.oldKeyIds).toEqual([OLD_ID]);
      expect((await countSealedByKey(raw)).filter((c) => c.keyId !== NEW_ID)).toEqual([]);
      const row = (await raw.query(`SELECT auth->'sealed'->>'password' AS v FROM site WHERE id = $1`, [id])).rows[0];
      expect(box.open(row.v, secretContext(id, 'password'))).toBe('written-by-a-lagging-process');
    } finally {
      await pool.end();
    }
  });
});
