import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { smithyAuthorization } from '../auth/aws/smithy-oracle.testkit.js';
import { SECRET_VALUES } from '../../test/fixtures.js';
import { TEST_MASTER_KEY, type TestApp, ok, startTestApp } from '../../test/support.js';
import { type Receiver, type ReceivedRequest, startReceiver, waitFor } from '../dispatch/testkit.js';
import { masterKeyId } from '../crypto/keyring.js';
import { countSealedByKey, rotateSecrets } from '../crypto/rotation.js';
import { SecretBox, parseMasterKey } from '../crypto/secrets.js';

/**
 * Issue 12 item 1: Standard Webhooks payload signatures, end to end. What a real receiver on
 * 127.0.0.1 got is verified with the scheme's official library (`standardwebhooks`), an
 * implementation independent of payload-signing.ts.
 */
let app: TestApp;
let raw: pg.Client;
let receiver: Receiver;
let counter = 0;

beforeAll(async () => {
  receiver = await startReceiver(() => ({ status: 200, body: 'ok' }));
  app = await startTestApp({ DISPATCH_RETRY_BASE_MS: '5', DISPATCH_RETRY_MAX_MS: '20', DISPATCH_POLL_MS: '100', DISPATCH_MAX_ATTEMPTS: '3' });
  raw = new pg.Client({ connectionString: app.databaseUrl });
  await raw.connect();
});

afterAll(async () => {
  await raw?.end();
  await app?.stop();
  await receiver?.close();
});

afterEach(() => {
  vi.useRealTimers();
});

const SIGNING = 'signing { enabled secrets { id createdAt expiresAt fingerprint } }';
const CHANGE = `site { id ${SIGNING} } created { id createdAt expiresAt fingerprint } secret`;
const ENABLE = `mutation($id: ID!, $secret: String) { enableSigning(siteId: $id, secret: $secret) { ${CHANGE} } }`;
const DISABLE = `mutation($id: ID!) { disableSigning(siteId: $id) { id ${SIGNING} } }`;
const ROTATE = `mutation($id: ID!, $overlap: Int, $secret: String) { rotateSigningSecret(siteId: $id, overlapMinutes: $overlap, secret: $secret) { ${CHANGE} } }`;
const ROTATE_DEFAULT = `mutation($id: ID!) { rotateSigningSecret(siteId: $id) { ${CHANGE} } }`;
const GET = `query($id: ID!) { site(id: $id) { id updatedAt ${SIGNING} } }`;
const TEST = `mutation($id: ID!) { testSite(id: $id) { ok request { headers { name value } } } }`;
const PREVIEW = `query($id: ID!) { previewSignedRequest(siteId: $id, payload: {a: 1}) { body headers { name value } } }`;

const supplied = () => `whsec_${randomBytes(32).toString('base64')}`;

async function createSite(auth: Record<string, unknown> = { basic: { username: 'alice', password: SECRET_VALUES.password } }) {
  counter += 1;
  const path = `/signed-${counter}`;
  const { createSite: site } = ok(await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, { input: { name: `Signed ${counter}`, url: `${receiver.url}${path}`, auth } }));
  ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: site.id }));
  return { id: site.id as string, path };
}

async function deliver(siteId: string, payload: unknown = { hello: 'signed' }) {
  const { id } = ok(await app.gql(`mutation($input: WebhookInput!) { sendWebhook(input: $input) { id } }`, { input: { siteId, payload } })).sendWebhook;
  const delivery = await waitFor(async () => {
    const d = ok(await app.gql(`query($id: ID!) { delivery(id: $id) { id status } }`, { id })).delivery;
    return d.status === 'SUCCEEDED' || d.status === 'FAILED' ? d : undefined;
  }, 20_000, 'the delivery');
  expect(delivery.status).toBe('SUCCEEDED');
  return id as string;
}

function lastAt(path: string): ReceivedRequest {
  const got = receiver.requests.filter((r) => r.url.split('?')[0] === path);
  expect(got.length).toBeGreaterThan(0);
  return got[got.length - 1]!;
}

/** The headers the library reads, as a receiver hands them over. */
function webhookHeaders(request: ReceivedRequest): Record<string, string> {
  return { 'webhook-id': String(request.headers['webhook-id']), 'webhook-timestamp': String(request.headers['webhook-timestamp']), 'webhook-signature': String(request.headers['webhook-signature']) };
}

function verifies(secret: string, request: ReceivedRequest, body: Buffer | string = request.body): boolean {
  try {
    new Webhook(secret).verify(typeof body === 'string' ? body : body.toString('utf8'), webhookHeaders(request));
    return true;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return false;
    throw error;
  }
}

async function storedSigning(id: string) {
  return (await raw.query('SELECT signing FROM site WHERE id = $1', [id])).rows[0].signing as { enabled: boolean; secrets: Array<{ id: string; sealed: string; expiresAt: string | null }> };
}

describe('signed webhooks, verified by the standardwebhooks library', () => {
  it('a generated secret is answered once; the delivery carries webhook-id (the delivery id), a fresh timestamp and a v1 signature that verifies', async () => {
    const site = await createSite();
    const { enableSigning } = ok(await app.gql(ENABLE, { id: site.id }));
    const secret = enableSigning.secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(enableSigning.site.signing.enabled).toBe(true);
    expect(enableSigning.site.signing.secrets).toEqual([{ ...enableSigning.created, expiresAt: null }]);
    expect(enableSigning.created.fingerprint).toMatch(/^[0-9a-f]{8}$/);

    const before = Math.floor(Date.now() / 1000);
    const deliveryId = await deliver(site.id);
    const request = lastAt(site.path);
    expect(request.headers['webhook-id']).toBe(deliveryId);
    expect(request.headers['x-delivery-id']).toBe(deliveryId);
    expect(Number(request.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(before);
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    // The auth method still signs: both travel together.
    expect(request.headers.authorization).toMatch(/^Basic /);
    expect(verifies(secret, request)).toBe(true);
    // Another secret does not verify it.
    expect(verifies(supplied(), request)).toBe(false);

    // Never readable again: not in the site, not in a second enable.
    const read = ok(await app.gql(GET, { id: site.id })).site;
    expect(JSON.stringify(read)).not.toContain(secret.slice(6));
    const again = ok(await app.gql(ENABLE, { id: site.id })).enableSigning;
    expect(again).toMatchObject({ created: null, secret: null });
    expect(again.site.signing.secrets.map((s: { id: string }) => s.id)).toEqual([enableSigning.created.id]);
  });

  it('a tampered body is rejected, and so is the same request once its timestamp is outside the tolerance (a replay)', async () => {
    const site = await createSite();
    const secret = ok(await app.gql(ENABLE, { id: site.id })).enableSigning.secret as string;
    await deliver(site.id, { amount: 10 });
    const request = lastAt(site.path);
    expect(JSON.parse(request.body.toString('utf8'))).toEqual({ amount: 10 });
    expect(verifies(secret, request)).toBe(true);
    expect(verifies(secret, request, '{"amount":1000}')).toBe(false);
    expect(verifies(secret, request, `${request.body.toString('utf8')} `)).toBe(false);
    // A changed id or timestamp breaks it too.
    const forged = { ...request, headers: { ...request.headers, 'webhook-id': 'other-id' } };
    expect(verifies(secret, forged)).toBe(false);

    // The library's tolerance is 5 minutes either way: 6 minutes later the same request is refused.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 6 * 60_000);
    expect(() => new Webhook(secret).verify(request.body.toString('utf8'), webhookHeaders(request))).toThrow(/timestamp too old/i);
    vi.setSystemTime(Date.now() - 12 * 60_000);
    expect(() => new Webhook(secret).verify(request.body.toString('utf8'), webhookHeaders(request))).toThrow(/timestamp too new/i);
  });

  it('each attempt signs anew: a retry keeps webhook-id and has its own timestamp and signature, each verifying', async () => {
    let calls = 0;
    const flaky = await startReceiver(async () => {
      calls += 1;
      if (calls > 1) return { status: 200, body: 'ok' };
      // Answered a little over a second later, so the retry is signed in a later second.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      return { status: 500, body: 'try again' };
    });
    try {
      counter += 1;
      const { createSite: site } = ok(
        await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
          input: { name: `Signed retry ${counter}`, url: `${flaky.url}/retry`, auth: { basic: { username: 'a', password: SECRET_VALUES.password } } },
        }),
      );
      ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: site.id }));
      const secret = supplied();
      ok(await app.gql(ENABLE, { id: site.id, secret }));
      const { id } = ok(await app.gql(`mutation($input: WebhookInput!) { sendWebhook(input: $input) { id } }`, { input: { siteId: site.id, payload: { n: 1 } } })).sendWebhook;
      await waitFor(() => flaky.requests.length >= 2 || undefined, 20_000, 'the retry');
      const [first, second] = flaky.requests;
      expect(first!.headers['webhook-id']).toBe(id);
      expect(second!.headers['webhook-id']).toBe(id);
      expect(Number(second!.headers['webhook-timestamp'])).toBeGreaterThan(Number(first!.headers['webhook-timestamp']));
      expect(second!.headers['webhook-signature']).not.toBe(first!.headers['webhook-signature']);
      expect(verifies(secret, first!)).toBe(true);
      expect(verifies(secret, second!)).toBe(true);
    } finally {
      await flaky.close();
    }
  });

  it('rotation: during the overlap both signatures are sent and each verifies alone; after it only the new one', async () => {
    const site = await createSite();
    const old = ok(await app.gql(ENABLE, { id: site.id })).enableSigning;
    const start = Date.now();
    const rotated = ok(await app.gql(ROTATE_DEFAULT, { id: site.id })).rotateSigningSecret;
    const fresh = rotated.secret as string;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(old.secret);
    const [kept, added] = rotated.site.signing.secrets;
    expect(kept.id).toBe(old.created.id);
    expect(added).toEqual({ ...rotated.created, expiresAt: null });
    // The default overlap is 1,440 minutes.
    const ends = Date.parse(kept.expiresAt);
    expect(ends).toBeGreaterThanOrEqual(start + 1440 * 60_000 - 1000);
    expect(ends).toBeLessThanOrEqual(Date.now() + 1440 * 60_000 + 1000);

    await deliver(site.id);
    const during = lastAt(site.path);
    const signatures = String(during.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(2);
    expect(verifies(old.secret, during)).toBe(true);
    expect(verifies(fresh, during)).toBe(true);
    // Each signature alone verifies with its own secret (a receiver that knows only one secret).
    const alone = (signature: string) => ({ ...during, headers: { ...during.headers, 'webhook-signature': signature } });
    expect(verifies(old.secret, alone(signatures[0]!))).toBe(true);
    expect(verifies(fresh, alone(signatures[1]!))).toBe(true);
    expect(verifies(fresh, alone(signatures[0]!))).toBe(false);

    // The overlap ends (moved into the past in the row, as time would): the old secret no longer signs or is listed.
    await raw.query(`UPDATE site SET signing = jsonb_set(signing, '{secrets,0,expiresAt}', to_jsonb($2::text)) WHERE id = $1`, [site.id, new Date(Date.now() - 1000).toISOString()]);
    await waitFor(async () => {
      await deliver(site.id);
      return String(lastAt(site.path).headers['webhook-signature']).split(' ').length === 1 || undefined;
    }, 20_000, 'a delivery signed by the new secret only');
    const after = lastAt(site.path);
    expect(verifies(fresh, after)).toBe(true);
    expect(verifies(old.secret, after)).toBe(false);
    expect(ok(await app.gql(GET, { id: site.id })).site.signing.secrets.map((s: { id: string }) => s.id)).toEqual([added.id]);
    // The ended secret is still stored until the next change, which drops it.
    expect((await storedSigning(site.id)).secrets).toHaveLength(2);
    ok(await app.gql(DISABLE, { id: site.id }));
    expect((await storedSigning(site.id)).secrets.map((s) => s.id)).toEqual([added.id]);
  });

  it('overlapMinutes: 0 ends the old secret at once; a supplied secret is not echoed', async () => {
    const site = await createSite();
    const first = supplied();
    const enabled = ok(await app.gql(ENABLE, { id: site.id, secret: first })).enableSigning;
    expect(enabled.secret).toBeNull();
    const second = supplied();
    const rotated = ok(await app.gql(ROTATE, { id: site.id, overlap: 0, secret: second })).rotateSigningSecret;
    expect(rotated.secret).toBeNull();
    expect(rotated.site.signing.secrets.map((s: { id: string }) => s.id)).toEqual([rotated.created.id]);
    await deliver(site.id);
    const request = lastAt(site.path);
    expect(verifies(second, request)).toBe(true);
    expect(verifies(first, request)).toBe(false);
    expect((await storedSigning(site.id)).secrets).toHaveLength(1);
  });

  it('disabled: no webhook-* header is sent; enabled again, the kept secret signs', async () => {
    const site = await createSite();
    const secret = ok(await app.gql(ENABLE, { id: site.id })).enableSigning.secret as string;
    const off = ok(await app.gql(DISABLE, { id: site.id })).disableSigning;
    expect(off.signing.enabled).toBe(false);
    expect(off.signing.secrets).toHaveLength(1);
    await deliver(site.id);
    expect(Object.keys(lastAt(site.path).headers).filter((h) => h.startsWith('webhook-'))).toEqual([]);
    ok(await app.gql(ENABLE, { id: site.id }));
    await deliver(site.id);
    expect(verifies(secret, lastAt(site.path))).toBe(true);
  });

  it('test connection carries a fresh probe id and a valid signature; the preview shows the headers and never the secret', async () => {
    const site = await createSite();
    const secret = ok(await app.gql(ENABLE, { id: site.id })).enableSigning.secret as string;
    const test = ok(await app.gql(TEST, { id: site.id })).testSite;
    expect(test.ok).toBe(true);
    const probe = lastAt(site.path);
    expect(probe.headers['x-trusted-sites-test']).toBe('true');
    expect(probe.headers['webhook-id']).toBe(probe.headers['x-delivery-id']);
    expect(verifies(secret, probe)).toBe(true);
    const sent = Object.fromEntries(test.request.headers.map((h: { name: string; value: string }) => [h.name, h.value]));
    expect(sent['webhook-signature']).toBe(probe.headers['webhook-signature']);
    expect(JSON.stringify(test)).not.toContain(secret.slice(6));

    const preview = ok(await app.gql(PREVIEW, { id: site.id })).previewSignedRequest;
    const shown = Object.fromEntries(preview.headers.map((h: { name: string; value: string }) => [h.name, h.value]));
    expect(shown['webhook-signature']).toMatch(/^v1,/);
    // The preview's signature is over the preview's body: a receiver would accept it.
    expect(verifies(secret, { method: 'POST', url: '/', at: 0, body: Buffer.from(preview.body), headers: shown })).toBe(true);
    expect(JSON.stringify(preview)).not.toContain(secret.slice(6));
  });

  it('AWS SigV4 covers the webhook-* headers (added before the signer): @smithy/signature-v4 agrees, and the signature verifies', async () => {
    const auth = { region: 'eu-west-1', service: 'execute-api', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET_VALUES.secretAccessKey };
    const site = await createSite({ aws: auth });
    const secret = ok(await app.gql(ENABLE, { id: site.id })).enableSigning.secret as string;
    await deliver(site.id);
    const request = lastAt(site.path);
    expect(verifies(secret, request)).toBe(true);
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(String(request.headers.authorization))![1]!.split(';');
    expect(signedHeaders).toEqual(expect.arrayContaining(['webhook-id', 'webhook-signature', 'webhook-timestamp']));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers)) if (typeof v === 'string') headers[k] = v;
    const expected = await smithyAuthorization({ method: request.method, target: request.url, headers, body: request.body }, { ...auth, s3: false });
    expect(request.headers.authorization).toBe(expected);
    const tampered = await smithyAuthorization({ method: request.method, target: request.url, headers: { ...headers, 'webhook-signature': 'v1,AAAA' }, body: request.body }, { ...auth, s3: false });
    expect(tampered).not.toBe(expected);
  });
});

describe('bad input: field paths, nothing changed', () => {
  it('refuses malformed supplied secrets, a second secret on enable, a bad overlap, a sixth active secret, and a repeated secret', async () => {
    const site = await createSite();
    const rawRow = async () => (await raw.query('SELECT to_jsonb(site.*) AS row FROM site WHERE id = $1', [site.id])).rows[0].row;
    const errorsOf = async (query: string, variables: Record<string, unknown>) => {
      const result = await app.gql(query, variables);
      expect(result.errors?.[0]?.extensions?.code, JSON.stringify(result.errors)).toBe('BAD_USER_INPUT');
      return result.errors![0]!.extensions!.fieldErrors as Array<{ path: string; message: string }>;
    };
    // The site's row exactly as before: sealed secrets, expiries and updatedAt included.
    const untouched = async () => {
      const before = await rawRow();
      return async () => expect(await rawRow()).toEqual(before);
    };

    let same = await untouched();
    for (const [secret, message] of [
      ['not-a-webhook-secret-value', /whsec_/],
      [`whsec_${randomBytes(16).toString('base64')}`, /24–64 bytes; this is 16/],
      [`whsec_${randomBytes(65).toString('base64')}`, /this is 65/],
      [`whsec_${randomBytes(32).toString('base64url')}-_`, /standard base64/],
      [`whsec_${randomBytes(32).toString('base64').replace(/=+$/, '')}`, /standard base64/],
    ] as const) {
      const errors = await errorsOf(ENABLE, { id: site.id, secret });
      expect(errors).toEqual([{ path: 'secret', message: expect.stringMatching(message) }]);
      // The refused secret is not repeated in the error.
      expect(JSON.stringify(errors)).not.toContain(secret.replace(/^whsec_/, ''));
    }
    await same();

    const secret = supplied();
    ok(await app.gql(ENABLE, { id: site.id, secret }));
    same = await untouched();
    expect(await errorsOf(ENABLE, { id: site.id, secret: supplied() })).toEqual([{ path: 'secret', message: expect.stringMatching(/rotateSigningSecret/) }]);
    expect(await errorsOf(ROTATE, { id: site.id, overlap: -1 })).toEqual([{ path: 'overlapMinutes', message: expect.stringMatching(/0 to 43,200/) }]);
    expect(await errorsOf(ROTATE, { id: site.id, overlap: 43_201, secret: 'nope' })).toEqual([
      { path: 'overlapMinutes', message: expect.any(String) },
      { path: 'secret', message: expect.stringMatching(/whsec_/) },
    ]);
    expect(await errorsOf(ROTATE, { id: site.id, overlap: 10, secret })).toEqual([{ path: 'secret', message: expect.stringMatching(/already signing/) }]);
    await same();

    for (let i = 0; i < 4; i += 1) ok(await app.gql(ROTATE, { id: site.id, overlap: 60 }));
    same = await untouched();
    expect(await errorsOf(ROTATE, { id: site.id, overlap: 60 })).toEqual([{ path: 'overlapMinutes', message: expect.stringMatching(/At most 5 secrets sign at once and 5 do now/) }]);
    await same();
    // An overlap of 0 is still allowed: it ends the five.
    const reset = ok(await app.gql(ROTATE, { id: site.id, overlap: 0 })).rotateSigningSecret;
    expect(reset.site.signing.secrets).toHaveLength(1);

    const missing = await app.gql(ENABLE, { id: '00000000-0000-4000-8000-000000000000' });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('storage, audit and master-key rotation', () => {
  it('stores only sealed secrets; every change is audited by path, never by value', async () => {
    const site = await createSite();
    const generated = ok(await app.gql(ENABLE, { id: site.id })).enableSigning;
    const rotated = ok(await app.gql(ROTATE, { id: site.id, overlap: 30 })).rotateSigningSecret;
    ok(await app.gql(DISABLE, { id: site.id }));
    const row = JSON.stringify((await raw.query('SELECT to_jsonb(site.*) AS row FROM site WHERE id = $1', [site.id])).rows[0].row);
    for (const secret of [generated.secret, rotated.secret]) {
      expect(row).not.toContain(secret);
      expect(row).not.toContain(secret.slice(6));
    }
    const stored = await storedSigning(site.id);
    expect(stored.secrets.map((s) => app.services.box.open(s.sealed as never, `site:${site.id}:signing:${s.id}`))).toEqual([generated.secret, rotated.secret]);

    const events = ok(await app.gql('query ($siteId: ID) { auditEvents(first: 3, siteId: $siteId) { edges { node { operation changed } } } }', { siteId: site.id })).auditEvents.edges.map(
      (e: { node: unknown }) => e.node,
    );
    expect(events).toEqual([
      { operation: 'SITE_UPDATED', changed: ['signing.enabled'] },
      { operation: 'SITE_UPDATED', changed: [`signing.secrets.${generated.created.id}`, `signing.secrets.${rotated.created.id}`].sort() },
      { operation: 'SITE_UPDATED', changed: ['signing.enabled', `signing.secrets.${generated.created.id}`].sort() },
    ]);
    const all = JSON.stringify(ok(await app.gql('query ($siteId: ID) { auditEvents(first: 100, siteId: $siteId) { edges { node { changed } } } }', { siteId: site.id })));
    expect(all).not.toContain(generated.secret.slice(6));
  });

  it('rotate-master-key re-seals signing secrets, and the site still signs with them', async () => {
    const site = await createSite();
    const secret = ok(await app.gql(ENABLE, { id: site.id })).enableSigning.secret as string;
    const oldBox = app.services.box;
    const fresh = randomBytes(32);
    const old = parseMasterKey(TEST_MASTER_KEY);
    expect(masterKeyId(old)).toBe(oldBox.sealingKeyId);
    const box = new SecretBox([{ id: masterKeyId(fresh), key: fresh }, { id: masterKeyId(old), key: old }]);
    const before = (await countSealedByKey(raw)).filter((c) => c.table === 'site signing secrets');
    expect(before).toEqual([{ table: 'site signing secrets', keyId: oldBox.sealingKeyId, count: expect.any(Number) }]);
    const report = await rotateSecrets(app.services.db.pool, box);
    expect(report.failures).toEqual([]);
    expect(report.resealed.find((r) => r.table === 'site signing secrets')!.values).toBeGreaterThanOrEqual(1);
    const after = (await countSealedByKey(raw)).filter((c) => c.table === 'site signing secrets');
    expect(after.map((c) => c.keyId)).toEqual([box.sealingKeyId]);
    const [stored] = (await storedSigning(site.id)).secrets;
    expect(stored!.sealed.split('.')[1]).toBe(box.sealingKeyId);
    expect(box.open(stored!.sealed as never, `site:${site.id}:signing:${stored!.id}`)).toBe(secret);
  });
});
