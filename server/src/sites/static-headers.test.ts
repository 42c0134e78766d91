import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smithyAuthorization } from '../auth/aws/smithy-oracle.testkit.js';
import { SECRET_VALUES, SITE_FIELDS } from '../../test/fixtures.js';
import { TEST_MASTER_KEY, type TestApp, ok, startTestApp } from '../../test/support.js';
import { type Receiver, type ReceivedRequest, startReceiver, waitFor } from '../dispatch/testkit.js';
import { randomBytes } from 'node:crypto';
import { masterKeyId } from '../crypto/keyring.js';
import { countSealedByKey, rotateSecrets } from '../crypto/rotation.js';
import { SecretBox, parseMasterKey } from '../crypto/secrets.js';
import { MASK } from '../signing/mask.js';

/**
 * Issue 12 item 2: the apiKey method and every site's static headers, end to end — stored sealed,
 * never returned, validated with field paths, and sent by the dispatcher, the test connection and
 * the preview to a real receiver on 127.0.0.1 (before signing: SigV4 covers them, as an independent
 * signer recomputes).
 */
let app: TestApp;
let raw: pg.Client;
let receiver: Receiver;
let counter = 0;

const HEADER_SECRET = 'static-header-secret-8';
const SHORT_KEY = 'k9';

beforeAll(async () => {
  receiver = await startReceiver((request) => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    // Echoes what came in, as many test endpoints do: credentials included.
    body: JSON.stringify({ url: request.url, headers: request.headers }),
  }));
  app = await startTestApp({ DISPATCH_RETRY_BASE_MS: '5', DISPATCH_RETRY_MAX_MS: '20', DISPATCH_POLL_MS: '100', DISPATCH_MAX_ATTEMPTS: '3' });
  raw = new pg.Client({ connectionString: app.databaseUrl });
  await raw.connect();
});

afterAll(async () => {
  await raw?.end();
  await app?.stop();
  await receiver?.close();
});

const FIELDS = `${SITE_FIELDS} headers { name value secret valueSet }`;
const CREATE = `mutation($input: SiteInput!) { createSite(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: SiteUpdateInput!) { updateSite(id: $id, input: $input) { ${FIELDS} } }`;
const GET = `query($id: ID!) { site(id: $id) { ${FIELDS} } }`;
const PREVIEW = `query($id: ID!) { previewSignedRequest(siteId: $id) { method url body headers { name value } } }`;
const TEST = `mutation($id: ID!) { testSite(id: $id) { ok statusCode error responseExcerpt responseHeaders { name value } request { url headers { name value } } } }`;

function input(path: string, auth: Record<string, unknown>, headers?: unknown[]) {
  counter += 1;
  return { name: `Static headers ${counter}`, url: `${receiver.url}${path}`, auth, ...(headers ? { headers } : {}) };
}

async function create(i: Record<string, unknown>) {
  return ok(await app.gql(CREATE, { input: i })).createSite;
}

async function activate(id: string) {
  ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id }));
}

async function deliver(siteId: string, extra: Record<string, unknown> = {}) {
  const { id } = ok(await app.gql(`mutation($input: WebhookInput!) { sendWebhook(input: $input) { id } }`, { input: { siteId, payload: { hello: 'headers' }, ...extra } })).sendWebhook;
  return waitFor(async () => {
    const d = ok(await app.gql(`query($id: ID!) { delivery(id: $id) { id status lastError attempts { responseExcerpt } } }`, { id })).delivery;
    return d.status === 'SUCCEEDED' || d.status === 'FAILED' ? d : undefined;
  }, 20_000, 'the delivery');
}

function receivedAt(path: string): ReceivedRequest[] {
  return receiver.requests.filter((r) => r.url.split('?')[0] === path);
}

async function rawRow(id: string) {
  return (await raw.query('SELECT to_jsonb(site.*) AS row FROM site WHERE id = $1', [id])).rows[0].row as Record<string, unknown>;
}

/** A BAD_USER_INPUT that changed nothing: same rows, and the site's row exactly as before. */
async function refused(query: string, variables: Record<string, unknown>, siteId?: string) {
  const count = Number((await raw.query('SELECT count(*) FROM site')).rows[0].count);
  const before = siteId ? await rawRow(siteId) : undefined;
  const result = await app.gql(query, variables);
  expect(result.errors?.[0]?.extensions?.code, JSON.stringify(result.errors)).toBe('BAD_USER_INPUT');
  expect(Number((await raw.query('SELECT count(*) FROM site')).rows[0].count)).toBe(count);
  if (siteId) expect(await rawRow(siteId)).toEqual(before);
  return result.errors![0]!.extensions!.fieldErrors as Array<{ path: string; message: string }>;
}

const staticHeaders = [
  { name: 'X-Tenant', value: 'acme' },
  { name: 'x-partner-token', value: HEADER_SECRET, secret: true },
];

describe('apiKey and static headers: stored sealed, never returned', () => {
  it('returns plain headers, and secret ones as value null / valueSet true; the row holds ciphertext only', async () => {
    const site = await create(input('/stored', { apiKey: { name: 'X-Key', key: SECRET_VALUES.apiKey } }, staticHeaders));
    expect(site.authMethod).toBe('API_KEY');
    expect(site.auth).toEqual({ __typename: 'ApiKeyAuth', placement: 'HEADER', name: 'x-key', keySet: true });
    expect(site.headers).toEqual([
      { name: 'x-tenant', value: 'acme', secret: false, valueSet: true },
      { name: 'x-partner-token', value: null, secret: true, valueSet: true },
    ]);
    // Every field of the site, read back: no secret anywhere.
    const read = ok(await app.gql(GET, { id: site.id })).site;
    expect(read).toEqual(site);
    for (const text of [JSON.stringify(site), JSON.stringify(await rawRow(site.id))]) {
      expect(text).not.toContain(SECRET_VALUES.apiKey);
      expect(text).not.toContain(HEADER_SECRET);
    }
    const row = await rawRow(site.id);
    expect(JSON.stringify(row.headers)).toMatch(/"sealed": ?"v1\.[0-9a-f]{8}\./);
    expect(app.services.sites.openSecrets((await app.services.sites.get(site.id))!)).toEqual({ key: SECRET_VALUES.apiKey, 'header:x-partner-token': HEADER_SECRET });
  });

  it('on update: omitted keeps the list; a secret header without a value keeps its secret (by name); [] removes them all', async () => {
    const site = await create(input('/update', { basic: { username: 'u', password: SECRET_VALUES.password } }, staticHeaders));
    const sealedBefore = (await rawRow(site.id)).headers;
    const renamed = ok(await app.gql(UPDATE, { id: site.id, input: { name: `${site.name} renamed` } })).updateSite;
    expect(renamed.headers).toEqual(site.headers);
    expect((await rawRow(site.id)).headers).toEqual(sealedBefore);

    // Reordered, the plain one changed, the secret one sent without its value and with other case.
    const kept = ok(await app.gql(UPDATE, { id: site.id, input: { headers: [{ name: 'X-PARTNER-TOKEN', secret: true }, { name: 'x-tenant', value: 'globex' }] } })).updateSite;
    expect(kept.headers).toEqual([
      { name: 'x-partner-token', value: null, secret: true, valueSet: true },
      { name: 'x-tenant', value: 'globex', secret: false, valueSet: true },
    ]);
    const opened = () => app.services.sites.get(site.id).then((s) => app.services.sites.openSecrets(s!));
    expect((await opened())['header:x-partner-token']).toBe(HEADER_SECRET);

    ok(await app.gql(UPDATE, { id: site.id, input: { headers: [{ name: 'x-partner-token', value: 'replaced-secret', secret: true }] } }));
    expect((await opened())['header:x-partner-token']).toBe('replaced-secret');

    // The audit trail names the headers that changed, by name, never a value.
    const audit = ok(await app.gql(`query($siteId: ID!) { auditEvents(siteId: $siteId, first: 10) { edges { node { operation changed } } } }`, { siteId: site.id })).auditEvents.edges.map(
      (e: { node: { operation: string; changed: string[] } }) => e.node,
    );
    // Newest first: the secret replaced (and x-tenant left out, so removed); x-tenant changed with the secret kept; the rename.
    expect(audit[0]).toEqual({ operation: 'SITE_UPDATED', changed: ['headers.x-partner-token', 'headers.x-tenant'] });
    expect(audit[1]).toEqual({ operation: 'SITE_UPDATED', changed: ['headers.x-tenant'] });
    expect(audit[2]).toEqual({ operation: 'SITE_UPDATED', changed: ['name'] });
    expect(audit.at(-1).changed).toEqual(expect.arrayContaining(['headers.x-tenant', 'headers.x-partner-token', 'auth.basic.password']));
    expect(JSON.stringify(audit)).not.toContain('globex');

    const none = ok(await app.gql(UPDATE, { id: site.id, input: { headers: [] } })).updateSite;
    expect(none.headers).toEqual([]);
    expect(await opened()).toEqual({ password: SECRET_VALUES.password });
  });

  it('the apiKey key is required on create and kept on update when left out', async () => {
    expect(await refused(CREATE, { input: input('/k', { apiKey: { name: 'x-key' } }) })).toEqual([{ path: 'auth.apiKey.key', message: 'This secret is required' }]);
    const site = await create(input('/k', { apiKey: { key: SECRET_VALUES.apiKey } }));
    const moved = ok(await app.gql(UPDATE, { id: site.id, input: { auth: { apiKey: { placement: 'QUERY', name: 'api_key' } } } })).updateSite;
    expect(moved.auth).toEqual({ __typename: 'ApiKeyAuth', placement: 'QUERY', name: 'api_key', keySet: true });
    expect(app.services.sites.openSecrets((await app.services.sites.get(site.id))!)).toEqual({ key: SECRET_VALUES.apiKey });
  });
});

describe('validation: field paths, and a refused input changes nothing', () => {
  const basic = { basic: { username: 'u', password: 'p' } };

  it.each([
    ['a name that is not a token', [{ name: 'x tenant', value: 'a' }], 'headers.0.name', /RFC 9110/],
    ['authorization', [{ name: 'Authorization', value: 'a' }], 'headers.0.name', /authentication sets authorization/],
    ['content-type', [{ name: 'content-type', value: 'a' }], 'headers.0.name', /site sets content-type/],
    ['host', [{ name: 'ok', value: 'a' }, { name: 'Host', value: 'a' }], 'headers.1.name', /host cannot be set/],
    ['content-length', [{ name: 'content-length', value: '1' }], 'headers.0.name', /cannot be set/],
    ['the delivery id', [{ name: 'x-delivery-id', value: 'a' }], 'headers.0.name', /cannot be set/],
    ['proxy-authorization', [{ name: 'proxy-authorization', value: 'a' }], 'headers.0.name', /cannot be set/],
    ['traceparent', [{ name: 'traceparent', value: '00-0-0-01' }], 'headers.0.name', /cannot be set/],
    ['the probe marker', [{ name: 'x-trusted-sites-test', value: 'a' }], 'headers.0.name', /cannot be set/],
    ['webhook-* (Standard Webhooks)', [{ name: 'a', value: 'b' }, { name: 'c', value: 'd' }, { name: 'Webhook-Signature', value: 'v1,x' }], 'headers.2.name', /webhook-\* headers are set by the service/],
    ['a duplicate (without case)', [{ name: 'x-a', value: '1' }, { name: 'X-A', value: '2' }], 'headers.1.name', /Given twice: also headers.0/],
    ['a line break in a value', [{ name: 'x-a', value: 'a\r\nx-injected: 1' }], 'headers.0.value', /control characters/],
    ['a non-ASCII value', [{ name: 'x-a', value: 'café' }], 'headers.0.value', /ASCII/],
    ['a plain header without a value', [{ name: 'x-a' }], 'headers.0.value', /required/],
    ['a secret header without a value on create', [{ name: 'x-a', secret: true }], 'headers.0.value', /no secret header of this name is stored/],
    ['an empty secret', [{ name: 'x-a', value: '', secret: true }], 'headers.0.value', /needs a value/],
    ['51 headers', Array.from({ length: 51 }, (_, i) => ({ name: `x-h${i}`, value: 'v' })), 'headers', /At most 50 headers/],
    ['more than 8 KB in all', [{ name: 'x-a', value: 'a'.repeat(5000) }, { name: 'x-b', value: 'b'.repeat(3200) }], 'headers', /8,192 bytes/],
  ])('%s', async (_, headers, path, message) => {
    const errors = await refused(CREATE, { input: input('/v', basic, headers) });
    expect(errors.map((e) => e.path)).toEqual([path]);
    expect(errors[0]!.message).toMatch(message);
  });

  it("refuses the headers the site's auth method sets or signs: the API key's header, x-amz-*, x-<vendor>-*", async () => {
    const apiKey = { apiKey: { name: 'X-Partner-Key', key: 'k' } };
    expect((await refused(CREATE, { input: input('/v', apiKey, [{ name: 'x-partner-key', value: 'v' }]) })).map((e) => [e.path, e.message])).toEqual([
      ['headers.0.name', "x-partner-key is set by the site's authentication"],
    ]);
    const aws = { aws: { region: 'eu-west-1', service: 'execute-api', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 's' } };
    expect((await refused(CREATE, { input: input('/v', aws, [{ name: 'X-Amz-Date', value: 'v' }]) }))[0]).toEqual({ path: 'headers.0.name', message: "x-amz-* headers are set by the site's authentication" });
    const goog = { aws: { ...aws.aws, algorithmPrefix: 'GOOG4', vendorKey: 'goog' } };
    expect((await refused(CREATE, { input: input('/v', goog, [{ name: 'x-goog-meta', value: 'v' }]) }))[0]!.path).toBe('headers.0.name');
    // Under a vendor key, x-amz-* means nothing to the signer: allowed.
    await create(input('/v', goog, [{ name: 'x-amz-meta', value: 'v' }]));
    const s3 = { awsS3: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 's', filenameFormat: '{uuid}' } };
    expect((await refused(CREATE, { input: input('/v', s3, [{ name: 'x-amz-acl', value: 'private' }]) }))[0]!.path).toBe('headers.0.name');
  });

  it('an auth change that would take a kept header is refused at that header, and changes nothing', async () => {
    const site = await create(input('/v', basic, [{ name: 'x-a', value: '1' }, { name: 'x-api-key', value: HEADER_SECRET, secret: true }]));
    const errors = await refused(UPDATE, { id: site.id, input: { auth: { apiKey: { key: 'new-key' } } } }, site.id);
    expect(errors).toEqual([{ path: 'headers.1.name', message: "x-api-key is set by the site's authentication; remove this header or change the authentication" }]);
    // Several problems at once are all reported, and the site is still as it was.
    const many = await refused(UPDATE, { id: site.id, input: { name: '', headers: [{ name: 'host', value: 'x' }, { name: 'x-api-key', secret: true }, { name: 'x-b' }] } }, site.id);
    expect(many.map((e) => e.path)).toEqual(['name', 'headers.0.name', 'headers.2.value']);
    expect(ok(await app.gql(GET, { id: site.id })).site).toEqual(site);
  });
});

describe('sent on every request, before signing', () => {
  it('a delivered webhook carries the API key header and the static headers; the stored excerpt masks them', async () => {
    const site = await create(input('/deliver-header', { apiKey: { name: 'X-Partner-Key', key: SECRET_VALUES.apiKey } }, staticHeaders));
    await activate(site.id);
    // A workflow's own header of a static header's name: the site's wins.
    const done = await deliver(site.id, { headers: [{ name: 'x-tenant', value: 'from-the-workflow' }, { name: 'x-extra', value: '1' }] });
    expect(done.status).toBe('SUCCEEDED');
    const [request] = receivedAt('/deliver-header');
    expect(request!.headers['x-partner-key']).toBe(SECRET_VALUES.apiKey);
    expect(request!.headers['x-tenant']).toBe('acme');
    expect(request!.headers['x-partner-token']).toBe(HEADER_SECRET);
    expect(request!.headers['x-extra']).toBe('1');
    expect(request!.headers['x-delivery-id']).toBe(done.id);
    const excerpt = done.attempts[0].responseExcerpt as string;
    expect(excerpt).toContain('acme');
    expect(excerpt).not.toContain(SECRET_VALUES.apiKey);
    expect(excerpt).not.toContain(HEADER_SECRET);
  });

  it('QUERY placement: the key is a percent-encoded parameter replacing the one in the site URL', async () => {
    const key = 'key with/special&chars=+%';
    const site = await create({ ...input('/deliver-query', { apiKey: { placement: 'QUERY', name: 'api_key', key } }), url: `${receiver.url}/deliver-query?a=1&api_key=placeholder&b=x%20y` });
    await activate(site.id);
    const done = await deliver(site.id);
    expect(done.status).toBe('SUCCEEDED');
    const [request] = receivedAt('/deliver-query');
    expect(request!.url).toBe(`/deliver-query?a=1&api_key=${encodeURIComponent(key)}&b=x%20y`);
    expect(new URL(request!.url, 'http://h').searchParams.getAll('api_key')).toEqual([key]);
    expect(request!.headers['x-api-key']).toBeUndefined();
    expect(done.attempts[0].responseExcerpt).not.toContain(encodeURIComponent(key));
  });

  it('AWS SigV4 signs a static header: the receiver sees it under SignedHeaders and @smithy/signature-v4 agrees', async () => {
    const auth = { region: 'eu-west-1', service: 'execute-api', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET_VALUES.secretAccessKey };
    const site = await create(input('/deliver-aws', { aws: auth }, staticHeaders));
    await activate(site.id);
    expect((await deliver(site.id)).status).toBe('SUCCEEDED');
    const [request] = receivedAt('/deliver-aws');
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(request!.headers.authorization!)![1]!.split(';');
    expect(signedHeaders).toEqual(expect.arrayContaining(['x-tenant', 'x-partner-token']));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request!.headers)) if (typeof v === 'string') headers[k] = v;
    const expected = await smithyAuthorization({ method: request!.method, target: request!.url, headers, body: request!.body }, { ...auth, s3: false });
    expect(request!.headers.authorization).toBe(expected);
    // The oracle fails when the static header's value is not what was signed.
    const tampered = await smithyAuthorization({ method: request!.method, target: request!.url, headers: { ...headers, 'x-tenant': 'other' }, body: request!.body }, { ...auth, s3: false });
    expect(tampered).not.toBe(expected);
  });

  it('test connection and the preview send them too, every credential masked (a short key included)', async () => {
    const site = await create(input('/probe', { apiKey: { key: SHORT_KEY } }, staticHeaders));
    const test = ok(await app.gql(TEST, { id: site.id })).testSite;
    expect(test.ok).toBe(true);
    const [probe] = receivedAt('/probe');
    expect(probe!.headers['x-api-key']).toBe(SHORT_KEY);
    expect(probe!.headers['x-partner-token']).toBe(HEADER_SECRET);
    expect(probe!.headers['x-tenant']).toBe('acme');
    const sent = Object.fromEntries(test.request.headers.map((h: { name: string; value: string }) => [h.name, h.value]));
    expect(sent).toMatchObject({ 'x-api-key': MASK, 'x-partner-token': MASK, 'x-tenant': 'acme' });
    expect(JSON.stringify(test)).not.toContain(HEADER_SECRET);

    const preview = ok(await app.gql(PREVIEW, { id: site.id })).previewSignedRequest;
    const shown = Object.fromEntries(preview.headers.map((h: { name: string; value: string }) => [h.name, h.value]));
    expect(shown).toMatchObject({ 'x-api-key': MASK, 'x-partner-token': MASK, 'x-tenant': 'acme' });

    const query = await create({ ...input('/probe-query', { apiKey: { placement: 'QUERY', name: 'token', key: 'a b/c' } }) });
    const queryPreview = ok(await app.gql(PREVIEW, { id: query.id })).previewSignedRequest;
    expect(queryPreview.url).toBe(`${receiver.url}/probe-query?token=${MASK}`);
  });
});

describe('master-key rotation', () => {
  it('re-seals secret static headers under the new key, and they still open', async () => {
    const site = await create(input('/rotated', { apiKey: { key: SECRET_VALUES.apiKey } }, staticHeaders));
    const oldBox = app.services.box;
    const fresh = randomBytes(32);
    const old = parseMasterKey(TEST_MASTER_KEY);
    expect(masterKeyId(old)).toBe(oldBox.sealingKeyId);
    const box = new SecretBox([{ id: masterKeyId(fresh), key: fresh }, { id: masterKeyId(old), key: old }]);
    const before = (await countSealedByKey(raw)).filter((c) => c.table === 'site static headers');
    expect(before).toEqual([{ table: 'site static headers', keyId: oldBox.sealingKeyId, count: expect.any(Number) }]);
    const report = await rotateSecrets(app.services.db.pool, box);
    expect(report.failures).toEqual([]);
    expect(report.resealed.find((r) => r.table === 'site static headers')!.values).toBeGreaterThanOrEqual(1);
    const after = (await countSealedByKey(raw)).filter((c) => c.table === 'site static headers');
    expect(after.map((c) => c.keyId)).toEqual([box.sealingKeyId]);
    const stored = (await rawRow(site.id)).headers as Array<{ name: string; sealed: string | null }>;
    const sealed = stored.find((h) => h.name === 'x-partner-token')!.sealed!;
    expect(sealed.split('.')[1]).toBe(box.sealingKeyId);
    expect(box.open(sealed as never, `site:${site.id}:header:x-partner-token`)).toBe(HEADER_SECRET);
    // The plain header is as it was.
    expect(stored.find((h) => h.name === 'x-tenant')).toEqual({ name: 'x-tenant', value: 'acme', sealed: null });
  });
});
