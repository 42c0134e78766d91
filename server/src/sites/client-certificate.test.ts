import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type KeyObject, X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestAuthority, type TestCertificate, certificateAuthority, makeCertificate } from '../../test/certs.js';
import { EC_PRIVATE_PEM } from '../../test/fixtures.js';
import { TEST_MASTER_KEY, type TestApp, ok, startTestApp } from '../../test/support.js';
import { waitFor } from '../dispatch/testkit.js';
import { masterKeyId } from '../crypto/keyring.js';
import { countSealedByKey, rotateSecrets } from '../crypto/rotation.js';
import { SecretBox, parseMasterKey } from '../crypto/secrets.js';

/**
 * Issue 12 item 3: client certificates (mutual TLS), end to end against a real Node https server
 * on 127.0.0.1 that asks for a client certificate and refuses connections without one its CA
 * issued (`requestCert: true, rejectUnauthorized: true`). Every certificate is made in the test
 * (test/certs.ts): a CA for the server's certificate, one for clients (with an intermediate), and
 * another CA whose clients the server must refuse.
 */

const DAY = 86_400_000;

interface Seen {
  path: string;
  /** The client certificate the server got: its subject CN and SHA-256 fingerprint. */
  cn: string;
  fingerprint: string;
  body: string;
  authorization: string | undefined;
}

let app: TestApp;
let raw: pg.Client;
let server: https.Server;
let base: string;
let serverCa: TestAuthority;
let clientCa: TestAuthority;
let otherCa: TestAuthority;
/** clientCa → intermediate → leaf: the server trusts clientCa alone, so the intermediate must be sent. */
let intermediate: TestCertificate & { commonName: string };
const seen: Seen[] = [];
let counter = 0;

function clientCertificate(commonName: string, options: { days?: number; notBefore?: Date; key?: string } = {}): TestCertificate {
  return makeCertificate({
    commonName,
    issuer: intermediate,
    notBefore: options.notBefore,
    notAfter: new Date(Date.now() + (options.days ?? 90) * DAY),
    key: options.key,
  });
}

beforeAll(async () => {
  serverCa = certificateAuthority('Receiver Server CA');
  clientCa = certificateAuthority('Partner Client CA');
  otherCa = certificateAuthority('Some Other CA');
  intermediate = { ...clientCa.issue({ commonName: 'Partner Intermediate', isCa: true, notAfter: new Date(Date.now() + 365 * DAY) }), commonName: 'Partner Intermediate' };
  const serverCert = serverCa.issue({ names: { ip: ['127.0.0.1'], dns: ['localhost'] }, commonName: 'receiver' });
  server = https.createServer({ ...serverCert, ca: clientCa.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerX509Certificate();
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', cn: peer?.subject.replace(/^CN=/, '') ?? '', fingerprint: peer?.fingerprint256 ?? '', body, authorization: req.headers.authorization });
      if (req.url?.startsWith('/token')) {
        // /token-code also hands out a refresh token (the authorization-code method's renewal).
        const refresh = req.url.startsWith('/token-code') ? { refresh_token: `rt-${randomBytes(8).toString('hex')}` } : {};
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: `at-${randomBytes(8).toString('hex')}`, token_type: 'Bearer', expires_in: 600, ...refresh }));
      } else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app = await startTestApp({ DISPATCH_RETRY_BASE_MS: '5', DISPATCH_RETRY_MAX_MS: '20', DISPATCH_POLL_MS: '100', DISPATCH_MAX_ATTEMPTS: '3' });
  raw = new pg.Client({ connectionString: app.databaseUrl });
  await raw.connect();
});

afterAll(async () => {
  await raw?.end();
  await app?.stop();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

const CERT_FIELDS = 'clientCertificate { subject issuer fingerprint notBefore notAfter expiresSoon expired certificates caCertificates setAt }';
const SET = `mutation($id: ID!, $c: ClientCertificateInput!) { setClientCertificate(siteId: $id, clientCertificate: $c) { id updatedAt ${CERT_FIELDS} } }`;
const REMOVE = `mutation($id: ID!) { removeClientCertificate(siteId: $id) { id ${CERT_FIELDS} } }`;
const GET = `query($id: ID!) { site(id: $id) { id updatedAt ${CERT_FIELDS} } }`;

async function createSite(path: string, auth: Record<string, unknown> = { basic: { username: 'alice', password: 'pw-of-alice' } }) {
  counter += 1;
  const { createSite: site } = ok(await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, { input: { name: `mTLS ${counter}`, url: `${base}${path}`, auth } }));
  ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: site.id }));
  return site.id as string;
}

const chainOf = (leaf: TestCertificate) => leaf.cert + intermediate.cert;

async function sendAndWait(siteId: string, payload: unknown) {
  const { id } = ok(await app.gql(`mutation($input: WebhookInput!) { sendWebhook(input: $input) { id } }`, { input: { siteId, payload } })).sendWebhook;
  return waitFor(async () => {
    const d = ok(await app.gql(`query($id: ID!) { delivery(id: $id) { id status attempts { statusCode error } } }`, { id })).delivery;
    return d.status === 'SUCCEEDED' || d.status === 'FAILED' ? d : undefined;
  }, 20_000, 'the delivery');
}

async function storedRow(id: string) {
  return (await raw.query(`SELECT client_certificate, client_certificate_expires_at, updated_at, to_jsonb(site.*)::text AS everything FROM site WHERE id = $1`, [id])).rows[0];
}

function fieldErrors(result: { errors?: Array<{ extensions?: { code?: string; fieldErrors?: unknown } }> }) {
  expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  return result.errors![0]!.extensions!.fieldErrors;
}

/** Lines of a PEM's body: any of them in a text means the key is there. */
function bodyLines(pem: string): string[] {
  return pem.split('\n').filter((line) => line && !line.startsWith('-----'));
}

describe('webhooks, test connection and token requests present the certificate', () => {
  it('a webhook to a server that requires a client certificate arrives, presenting the leaf and its intermediate; the API shows subject, issuer, fingerprint and expiry, never the key', async () => {
    const siteId = await createSite('/hook/ok');
    const leaf = clientCertificate('partner-client-1');
    const set = ok(await app.gql(SET, { id: siteId, c: { certificate: chainOf(leaf), privateKey: leaf.key, ca: serverCa.cert } })).setClientCertificate;
    const x509 = new X509Certificate(leaf.cert);
    expect(set.clientCertificate).toEqual({
      subject: 'CN=partner-client-1',
      issuer: 'CN=Partner Intermediate',
      fingerprint: x509.fingerprint256,
      notBefore: new Date(Date.parse(x509.validFrom)).toISOString(),
      notAfter: new Date(Date.parse(x509.validTo)).toISOString(),
      expiresSoon: false,
      expired: false,
      certificates: 2,
      caCertificates: 1,
      setAt: set.updatedAt,
    });
    const row = await storedRow(siteId);
    expect(row.client_certificate_expires_at.toISOString()).toBe(set.clientCertificate.notAfter);
    // Sealed at rest: the key's body is nowhere in the row, and it opens to the key.
    for (const line of bodyLines(leaf.key)) expect(row.everything).not.toContain(line);
    expect(createPrivateKey(app.services.box.open(row.client_certificate.sealedKey, `site:${siteId}:clientCertificate:privateKey`)).export({ format: 'jwk' })).toEqual(
      createPrivateKey(leaf.key).export({ format: 'jwk' }),
    );

    const delivery = await sendAndWait(siteId, { hello: 'mtls' });
    expect(delivery.status).toBe('SUCCEEDED');
    const got = seen.filter((s) => s.path === '/hook/ok');
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ cn: 'partner-client-1', fingerprint: x509.fingerprint256, body: JSON.stringify({ hello: 'mtls' }) });
    expect(got[0]!.authorization).toMatch(/^Basic /);

    const read = ok(await app.gql(GET, { id: siteId })).site;
    expect(read.clientCertificate).toEqual(set.clientCertificate);
    const everything = JSON.stringify(read) + JSON.stringify(set);
    for (const line of bodyLines(leaf.key)) expect(everything).not.toContain(line);
  });

  it('with a certificate from another CA the server refuses the connection: each attempt fails as a TLS or network error and is retried, then the delivery fails', async () => {
    const siteId = await createSite('/hook/other-ca');
    const stranger = otherCa.issue({ commonName: 'stranger', notAfter: new Date(Date.now() + 90 * DAY) });
    ok(await app.gql(SET, { id: siteId, c: { certificate: stranger.cert, privateKey: stranger.key, ca: serverCa.cert } }));
    const delivery = await sendAndWait(siteId, { refused: true });
    expect(delivery.status).toBe('FAILED');
    // DISPATCH_MAX_ATTEMPTS=3: retried as a failure before any answer, never an HTTP status.
    expect(delivery.attempts).toHaveLength(3);
    for (const attempt of delivery.attempts) {
      expect(attempt.statusCode).toBeNull();
      expect(attempt.error).toMatch(/TLS error|connection reset|network error/);
    }
    expect(seen.filter((s) => s.path === '/hook/other-ca')).toEqual([]);
  });

  it('testSite presents the certificate; a replaced certificate is presented from the next request on; removing it leaves the server unverifiable (its CA went with it)', async () => {
    const siteId = await createSite('/hook/probe');
    const first = clientCertificate('probe-client-1');
    ok(await app.gql(SET, { id: siteId, c: { certificate: chainOf(first), privateKey: first.key, ca: serverCa.cert } }));
    const TEST = `mutation($id: ID!) { testSite(id: $id) { ok statusCode error } }`;
    expect(ok(await app.gql(TEST, { id: siteId })).testSite).toEqual({ ok: true, statusCode: 200, error: null });
    expect(seen.filter((s) => s.path === '/hook/probe').map((s) => s.cn)).toEqual(['probe-client-1']);
    expect((await sendAndWait(siteId, { n: 1 })).status).toBe('SUCCEEDED');

    // A renewal with the same key: the key may be left out (the stored one must match, and does).
    const renewed = clientCertificate('probe-client-2', { key: first.key });
    ok(await app.gql(SET, { id: siteId, c: { certificate: chainOf(renewed), ca: serverCa.cert } }));
    expect(ok(await app.gql(TEST, { id: siteId })).testSite.ok).toBe(true);
    expect((await sendAndWait(siteId, { n: 2 })).status).toBe('SUCCEEDED');
    expect(seen.filter((s) => s.path === '/hook/probe').map((s) => s.cn)).toEqual(['probe-client-1', 'probe-client-1', 'probe-client-2', 'probe-client-2']);

    const removed = ok(await app.gql(REMOVE, { id: siteId })).removeClientCertificate;
    expect(removed.clientCertificate).toBeNull();
    expect((await storedRow(siteId)).client_certificate).toBeNull();
    expect((await storedRow(siteId)).client_certificate_expires_at).toBeNull();
    const probe = ok(await app.gql(TEST, { id: siteId })).testSite;
    expect(probe.ok).toBe(false);
    expect(probe.error).toMatch(/TLS error/);
    expect(seen.filter((s) => s.path === '/hook/probe')).toHaveLength(4);
  });

  it('a client-credentials token request to an mTLS token endpoint presents the certificate; the webhook then carries the token', async () => {
    const siteId = await createSite('/hook/oauth', { oauth2ClientCredentials: { tokenUrl: `${base}/token`, clientId: 'mtls-machine', clientSecret: 'mtls-secret' } });
    const leaf = clientCertificate('token-client');
    ok(await app.gql(SET, { id: siteId, c: { certificate: chainOf(leaf), privateKey: leaf.key, ca: serverCa.cert } }));
    const state = ok(await app.gql(`mutation($id: ID!) { refreshAccessToken(siteId: $id) { status lastError } }`, { id: siteId })).refreshAccessToken;
    expect(state).toEqual({ status: 'VALID', lastError: null });
    const token = seen.filter((s) => s.path === '/token');
    expect(token.map((s) => s.cn)).toEqual(['token-client']);
    expect(new URLSearchParams(token[0]!.body).get('grant_type')).toBe('client_credentials');

    expect((await sendAndWait(siteId, { with: 'token' })).status).toBe('SUCCEEDED');
    const hook = seen.filter((s) => s.path === '/hook/oauth');
    expect(hook).toHaveLength(1);
    expect(hook[0]!.cn).toBe('token-client');
    expect(hook[0]!.authorization).toMatch(/^Bearer at-[0-9a-f]{16}$/);
  });

  it('a JWT-bearer (RFC 7523) token request presents it too', async () => {
    const siteId = await createSite('/hook/jwt-bearer', { oauth2JwtBearer: { tokenUrl: `${base}/token-jwt`, clientId: 'mtls-signer', privateKey: EC_PRIVATE_PEM, signAlgorithm: 'ES256' } });
    const leaf = clientCertificate('jwt-bearer-client');
    ok(await app.gql(SET, { id: siteId, c: { certificate: chainOf(leaf), privateKey: leaf.key, ca: serverCa.cert } }));
    const state = ok(await app.gql(`mutation($id: ID!) { refreshAccessToken(siteId: $id) { status lastError } }`, { id: siteId })).refreshAccessToken;
    expect(state).toEqual({ status: 'VALID', lastError: null });
    const token = seen.filter((s) => s.path === '/token-jwt');
    expect(token.map((s) => s.cn)).toEqual(['jwt-bearer-client']);
    expect(new URLSearchParams(token[0]!.body).get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
  });

  it('the authorization-code exchange on the callback and the refresh that follows present it too', async () => {
    const siteId = await createSite('/hook/code', {
      oauth2: { consumerKey: 'mtls-web', consumerSecret: 'web-secret', authorizationUrl: 'https://provider.example/authorize', tokenUrl: `${base}/token-code` },
    });
    const leaf = clientCertificate('code-client');
    ok(await app.gql(SET, { id: siteId, c: { certificate: chainOf(leaf), privateKey: leaf.key, ca: serverCa.cert } }));
    const { startOAuthConnect } = ok(await app.gql(`mutation($id: ID!) { startOAuthConnect(siteId: $id) { authorizationUrl } }`, { id: siteId }));
    const state = new URL(startOAuthConnect.authorizationUrl).searchParams.get('state')!;
    const callback = await fetch(`${app.url}/oauth/callback/${siteId}?code=the-code&state=${encodeURIComponent(state)}`, { redirect: 'manual' });
    expect(callback.headers.get('location')).toMatch(/\?oauth=connected$/);
    const refreshed = ok(await app.gql(`mutation($id: ID!) { refreshAccessToken(siteId: $id) { status hasRefreshToken } }`, { id: siteId })).refreshAccessToken;
    expect(refreshed).toEqual({ status: 'VALID', hasRefreshToken: true });
    const requests = seen.filter((s) => s.path === '/token-code');
    expect(requests.map((s) => [new URLSearchParams(s.body).get('grant_type'), s.cn])).toEqual([
      ['authorization_code', 'code-client'],
      ['refresh_token', 'code-client'],
    ]);
  });

  it('a token request with a certificate the endpoint does not accept fails (not VALID), and no token is stored', async () => {
    const siteId = await createSite('/hook/oauth-refused', { oauth2ClientCredentials: { tokenUrl: `${base}/token-refused`, clientId: 'mtls-machine', clientSecret: 'mtls-secret' } });
    const stranger = otherCa.issue({ commonName: 'token-stranger', notAfter: new Date(Date.now() + 90 * DAY) });
    ok(await app.gql(SET, { id: siteId, c: { certificate: stranger.cert, privateKey: stranger.key, ca: serverCa.cert } }));
    const state = ok(await app.gql(`mutation($id: ID!) { refreshAccessToken(siteId: $id) { status lastError } }`, { id: siteId })).refreshAccessToken;
    expect(state.status).toBe('FAILED');
    expect(state.lastError).toMatch(/could not be reached/);
    expect(seen.filter((s) => s.path === '/token-refused')).toEqual([]);
  });
});

describe('validation: each refusal names its field, never echoes a key, and changes nothing', () => {
  it('refuses a mismatched key, an expired or not-yet-valid certificate, garbage, oversized input, an encrypted key, a key in the certificate field and a chain out of order', async () => {
    const siteId = await createSite('/hook/validation');
    const good = clientCertificate('valid-one');
    const other = clientCertificate('other-one');
    const expired = clientCertificate('expired-one', { notBefore: new Date(Date.now() - 30 * DAY), days: -1 });
    const future = clientCertificate('future-one', { notBefore: new Date(Date.now() + 2 * DAY), days: 60 });
    const encrypted = createPrivateKey(good.key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pass-phrase' }) as string;

    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
      ['mismatched key', { certificate: chainOf(good), privateKey: other.key }, 'clientCertificate.privateKey', /does not match/],
      ['expired', { certificate: chainOf(expired), privateKey: expired.key }, 'clientCertificate.certificate', /expired on/],
      ['not yet valid', { certificate: chainOf(future), privateKey: future.key }, 'clientCertificate.certificate', /not valid before/],
      ['garbage certificate', { certificate: 'hello, not a certificate', privateKey: good.key }, 'clientCertificate.certificate', /BEGIN CERTIFICATE/],
      ['broken certificate body', { certificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', privateKey: good.key }, 'clientCertificate.certificate', /not a readable X\.509/],
      ['garbage key', { certificate: chainOf(good), privateKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }, 'clientCertificate.privateKey', /not a readable private key/],
      ['garbage CA', { certificate: chainOf(good), privateKey: good.key, ca: 'not a bundle' }, 'clientCertificate.ca', /BEGIN CERTIFICATE/],
      ['too big certificate', { certificate: chainOf(good) + ' '.repeat(70_000), privateKey: good.key }, 'clientCertificate.certificate', /at most 65,536 bytes/],
      ['too big key', { certificate: chainOf(good), privateKey: good.key + '\n'.repeat(17_000) }, 'clientCertificate.privateKey', /at most 16,384 bytes/],
      ['encrypted key', { certificate: chainOf(good), privateKey: encrypted }, 'clientCertificate.privateKey', /Encrypted private keys are not accepted/],
      ['key in the certificate field', { certificate: good.key, privateKey: good.key }, 'clientCertificate.certificate', /belongs in privateKey/],
      ['chain out of order', { certificate: intermediate.cert + good.cert, privateKey: good.key }, 'clientCertificate.certificate', /did not issue/],
      ['no key and none stored', { certificate: chainOf(good) }, 'clientCertificate.privateKey', /required/],
    ];
    const before = await storedRow(siteId);
    for (const [what, input, path, message] of cases) {
      const result = await app.gql(SET, { id: siteId, c: input });
      expect(fieldErrors(result), what).toEqual([{ path, message: expect.stringMatching(message) }]);
      const text = JSON.stringify(result);
      for (const line of [...bodyLines(good.key), ...bodyLines(other.key)]) expect(text, what).not.toContain(line);
    }
    expect(await storedRow(siteId)).toEqual(before);

    // With a certificate stored, a refused replacement keeps it as it was.
    ok(await app.gql(SET, { id: siteId, c: { certificate: chainOf(good), privateKey: good.key, ca: serverCa.cert } }));
    const stored = await storedRow(siteId);
    expect(fieldErrors(await app.gql(SET, { id: siteId, c: { certificate: chainOf(other) } }))).toEqual([
      { path: 'clientCertificate.privateKey', message: expect.stringMatching(/stored private key does not match/) },
    ]);
    expect(fieldErrors(await app.gql(SET, { id: siteId, c: { certificate: chainOf(expired), privateKey: expired.key, ca: 'junk' } }))).toEqual([
      { path: 'clientCertificate.certificate', message: expect.stringMatching(/expired/) },
      { path: 'clientCertificate.ca', message: expect.stringMatching(/BEGIN CERTIFICATE/) },
    ]);
    expect(await storedRow(siteId)).toEqual(stored);

    expect((await app.gql(REMOVE, { id: '00000000-0000-4000-8000-000000000000' })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('odd input of every kind is a field error under clientCertificate, never an internal error, and changes nothing', async () => {
    const siteId = await createSite('/hook/odd');
    const good = clientCertificate('odd-one');
    const before = await storedRow(siteId);
    const otherKinds = (['x25519', 'ed25519', 'dh', 'rsa'] as const).map((type) =>
      (generateKeyPairSync as (t: string, o: object) => { privateKey: KeyObject })(type, type === 'dh' ? { group: 'modp14' } : type === 'rsa' ? { modulusLength: 1024 } : {}).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    );
    const publicKey = createPublicKey(good.key).export({ type: 'spki', format: 'pem' }) as string;
    const odd = [
      '', ' ', '\u0000'.repeat(50), 'a'.repeat(100_000), '日本'.repeat(1000), '-----BEGIN CERTIFICATE-----', '-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----',
      `${good.cert}trailing text`, good.cert.replace('CERTIFICATE', 'X509 CRL'), good.cert + good.key, publicKey, good.cert.slice(0, 200) + good.cert.slice(220),
    ];
    const inputs: Array<Record<string, unknown>> = [
      ...odd.map((certificate) => ({ certificate, privateKey: good.key })),
      ...[...odd, ...otherKinds, good.cert].map((privateKey) => ({ certificate: chainOf(good), privateKey })),
      ...odd.filter((ca) => ca.trim() !== '').map((ca) => ({ certificate: chainOf(good), privateKey: good.key, ca })),
    ];
    for (const input of inputs) {
      const result = await app.gql(SET, { id: siteId, c: input });
      const errors = fieldErrors(result) as Array<{ path: string }>;
      expect(errors.length, JSON.stringify(input).slice(0, 200)).toBeGreaterThan(0);
      for (const error of errors) expect(error.path).toMatch(/^clientCertificate\.(certificate|privateKey|ca)$/);
    }
    expect(await storedRow(siteId)).toEqual(before);
  });

  it('says expiresSoon from 30 days before notAfter', async () => {
    const siteId = await createSite('/hook/soon');
    const soon = clientCertificate('soon', { days: 20 });
    const set = ok(await app.gql(SET, { id: siteId, c: { certificate: chainOf(soon), privateKey: soon.key } })).setClientCertificate;
    expect(set.clientCertificate).toMatchObject({ expiresSoon: true, expired: false, caCertificates: 0 });
  });
});

describe('audit and master-key rotation', () => {
  it('set, replace and remove are audited by path, never by value', async () => {
    const siteId = await createSite('/hook/audit');
    const first = clientCertificate('audit-1');
    ok(await app.gql(SET, { id: siteId, c: { certificate: chainOf(first), privateKey: first.key, ca: serverCa.cert } }));
    const renewed = clientCertificate('audit-2', { key: first.key });
    ok(await app.gql(SET, { id: siteId, c: { certificate: chainOf(renewed), ca: serverCa.cert } }));
    ok(await app.gql(REMOVE, { id: siteId }));
    const events = ok(await app.gql('query ($siteId: ID) { auditEvents(first: 3, siteId: $siteId) { edges { node { operation changed } } } }', { siteId })).auditEvents.edges.map(
      (e: { node: unknown }) => e.node,
    );
    expect(events).toEqual([
      { operation: 'SITE_UPDATED', changed: ['clientCertificate.ca', 'clientCertificate.certificate', 'clientCertificate.privateKey'] },
      { operation: 'SITE_UPDATED', changed: ['clientCertificate.certificate'] },
      { operation: 'SITE_UPDATED', changed: ['clientCertificate.ca', 'clientCertificate.certificate', 'clientCertificate.privateKey'] },
    ]);
    const all = JSON.stringify(ok(await app.gql('query ($siteId: ID) { auditEvents(first: 100, siteId: $siteId) { edges { node { changed details } } } }', { siteId })));
    for (const line of bodyLines(first.key)) expect(all).not.toContain(line);

    // Removing again, with none stored: nothing is written, nothing audited.
    const count = async () => ok(await app.gql('query ($siteId: ID) { auditEvents(first: 100, siteId: $siteId) { totalCount } }', { siteId })).auditEvents.totalCount as number;
    const eventCount = await count();
    const row = await storedRow(siteId);
    expect(ok(await app.gql(REMOVE, { id: siteId })).removeClientCertificate.clientCertificate).toBeNull();
    expect(await storedRow(siteId)).toEqual(row);
    expect(await count()).toBe(eventCount);
  });

  it('rotate-master-key re-seals the private key, and the site still presents the certificate', async () => {
    const siteId = await createSite('/hook/rotated');
    const leaf = clientCertificate('rotated-client');
    ok(await app.gql(SET, { id: siteId, c: { certificate: chainOf(leaf), privateKey: leaf.key, ca: serverCa.cert } }));
    const oldBox = app.services.box;
    const fresh = randomBytes(32);
    const old = parseMasterKey(TEST_MASTER_KEY);
    const box = new SecretBox([{ id: masterKeyId(fresh), key: fresh }, { id: masterKeyId(old), key: old }]);
    const table = 'site client certificate keys';
    expect((await countSealedByKey(raw)).filter((c) => c.table === table)).toEqual([{ table, keyId: oldBox.sealingKeyId, count: expect.any(Number) }]);
    const before = await storedRow(siteId);
    const report = await rotateSecrets(app.services.db.pool, box);
    expect(report.failures).toEqual([]);
    expect(report.resealed.find((r) => r.table === table)!.values).toBeGreaterThanOrEqual(1);
    expect((await countSealedByKey(raw)).filter((c) => c.table === table).map((c) => c.keyId)).toEqual([box.sealingKeyId]);
    const after = await storedRow(siteId);
    expect(after.client_certificate.sealedKey.split('.')[1]).toBe(box.sealingKeyId);
    // Only the sealed key changed: the certificate, its version and updated_at stay.
    expect({ ...after.client_certificate, sealedKey: null }).toEqual({ ...before.client_certificate, sealedKey: null });
    expect(after.updated_at).toEqual(before.updated_at);
    expect(createPrivateKey(box.open(after.client_certificate.sealedKey, `site:${siteId}:clientCertificate:privateKey`)).export({ format: 'jwk' })).toEqual(
      createPrivateKey(leaf.key).export({ format: 'jwk' }),
    );
  });
});
