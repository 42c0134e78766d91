import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_VALUES, validAuthInputs } from '../../test/fixtures.js';
import { type TestApp, ok, startTestApp } from '../../test/support.js';
import { MASK } from './mask.js';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let receiver: http.Server;
let base: string;
const received: Received[] = [];
let tokenRequests = 0;
let app: TestApp;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.url === '/token') {
        tokenRequests += 1;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ access_token: 'probe-access-token-123456', token_type: 'Bearer', expires_in: 3600 }));
        return;
      }
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      // Like many test endpoints, echo what came in — credentials included.
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-echo-authorization', String(req.headers.authorization ?? ''));
      res.end(JSON.stringify({ got: req.headers.authorization, body }));
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  app = await startTestApp();
});

afterAll(async () => {
  await app?.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

const CREATE = `mutation($input: SiteInput!) { createSite(input: $input) { id } }`;
const TEST = `mutation($id: ID!) { testSite(id: $id) { ok statusCode latencyMs error responseExcerpt responseTruncated
  responseHeaders { name value } request { method url body bodyBytes headers { name value } } } }`;
const PREVIEW = `query($id: ID!, $payload: JSON, $method: String) { previewSignedRequest(siteId: $id, payload: $payload, method: $method) {
  method url body bodyBytes bodyTruncated headers { name value } } }`;

let n = 0;
async function site(member: string, auth: unknown, path = '/hook'): Promise<string> {
  return ok(await app.gql(CREATE, { input: { name: `Probe ${member} ${++n}`, url: `${base}${path}`, auth: { [member]: auth } } })).createSite.id;
}

function header(list: Array<{ name: string; value: string }>, name: string): string | undefined {
  return list.find((h) => h.name === name)?.value;
}

const inputs = () => validAuthInputs(`${base}/token`);

describe('testSite: one signed probe per method, credentials masked in what is shown', () => {
  const ALL_SECRETS = [...Object.values(SECRET_VALUES), 'probe-access-token-123456'];

  function expectMasked(result: any) {
    const text = JSON.stringify(result);
    for (const secret of ALL_SECRETS) expect(text).not.toContain(secret);
    const sentAuth = received.at(-1)!.headers.authorization;
    if (sentAuth) expect(text).not.toContain(sentAuth.slice(sentAuth.indexOf(' ') + 1));
  }

  it('Basic: the receiver gets RFC 7617 credentials; the result shows status, latency and masked headers', async () => {
    const id = await site('basic', inputs().basic);
    const result = ok(await app.gql(TEST, { id })).testSite;
    expect(result).toMatchObject({ ok: true, statusCode: 200, error: null });
    expect(result.latencyMs).toBeGreaterThan(0);
    const got = received.at(-1)!;
    expect(Buffer.from(got.headers.authorization!.replace('Basic ', ''), 'base64').toString('utf8')).toBe(`alice:${SECRET_VALUES.password}`);
    expect(got.headers['x-trusted-sites-test']).toBe('true');
    expect(got.headers['content-type']).toBe('application/json');
    expect(JSON.parse(got.body)).toMatchObject({ type: 'trusted-sites.test', siteId: id });
    expect(header(result.request.headers, 'authorization')).toBe(`Basic ${MASK}`);
    expect(header(result.responseHeaders, 'x-echo-authorization')).toBe(MASK);
    expect(result.responseExcerpt).toContain(MASK);
    expectMasked(result);
  });

  it('JWT: a Bearer token the receiver can verify; shown with its claims but not its signature', async () => {
    const id = await site('jwt', inputs().jwt);
    const result = ok(await app.gql(TEST, { id })).testSite;
    expect(result.statusCode).toBe(200);
    const token = received.at(-1)!.headers.authorization!.replace('Bearer ', '');
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET_VALUES.jwtSecret));
    expect(payload).toMatchObject({ iss: 'loyalty', n: 1 });
    expect(payload.exp! - payload.iat!).toBe(300);
    const shown = header(result.request.headers, 'authorization')!;
    expect(shown.endsWith(`.${MASK}`)).toBe(true);
    expect(shown).toBe(`Bearer ${token.split('.').slice(0, 2).join('.')}.${MASK}`);
    expectMasked(result);
  });

  it('AWS SigV4: signed headers arrive; signature and session token masked', async () => {
    const id = await site('aws', inputs().aws);
    const result = ok(await app.gql(TEST, { id })).testSite;
    expect(result.statusCode).toBe(200);
    const got = received.at(-1)!;
    expect(got.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=.*, Signature=[0-9a-f]{64}$/);
    expect(got.headers['x-amz-security-token']).toBe(SECRET_VALUES.sessionToken);
    expect(header(result.request.headers, 'authorization')).toMatch(new RegExp(`Signature=${MASK}$`));
    expect(header(result.request.headers, 'x-amz-security-token')).toBe(MASK);
    expectMasked(result);
  });

  it('AWS-S3: the probe is an object upload, PUT to the key the filename format makes', async () => {
    const id = await site('awsS3', inputs().awsS3, '/bucket');
    const result = ok(await app.gql(TEST, { id })).testSite;
    expect(result.statusCode).toBe(200);
    const got = received.at(-1)!;
    expect(got.method).toBe('PUT');
    expect(got.url).toMatch(/^\/bucket\/hooks\/\d{4}\/\d{2}\/[0-9a-f-]{36}\.json$/);
    expect(got.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(result.request.method).toBe('PUT');
    expectMasked(result);
  });

  it('OAuth2 client credentials and JWT bearer: a token is fetched first, then sent as Bearer', async () => {
    for (const member of ['oauth2ClientCredentials', 'oauth2JwtBearer'] as const) {
      const before = tokenRequests;
      const id = await site(member, inputs()[member]);
      const result = ok(await app.gql(TEST, { id })).testSite;
      expect(result.statusCode, member).toBe(200);
      expect(tokenRequests).toBe(before + 1);
      expect(received.at(-1)!.headers.authorization).toBe('Bearer probe-access-token-123456');
      expect(header(result.request.headers, 'authorization')).toBe(`Bearer ${MASK}`);
      expectMasked(result);
    }
  });

  it('OAuth2 authorization code before Connect: says there is no token and sends nothing', async () => {
    const id = await site('oauth2', inputs().oauth2);
    const before = received.length;
    const result = ok(await app.gql(TEST, { id })).testSite;
    expect(result).toMatchObject({ ok: false, statusCode: null, request: null });
    expect(result.error).toMatch(/No access token/);
    expect(received.length).toBe(before);
  });

  it('reports a receiver that is not there, and a non-2xx answer, without throwing', async () => {
    const down = ok(await app.gql(CREATE, { input: { name: `Down ${++n}`, url: 'http://127.0.0.1:1/x', auth: { basic: { username: 'u', password: 'p' } } } })).createSite.id;
    const result = ok(await app.gql(TEST, { id: down })).testSite;
    expect(result).toMatchObject({ ok: false, statusCode: null, error: 'connection refused' });
    expect(result.request.url).toBe('http://127.0.0.1:1/x');
  });

  it('is refused for a private target when ALLOW_PRIVATE_TARGETS is off', async () => {
    const guarded = await startTestApp({ ALLOW_PRIVATE_TARGETS: 'false' });
    try {
      const id = ok(await guarded.gql(CREATE, { input: { name: 'Local', url: `${base.replace('127.0.0.1', 'localhost')}/hook`, auth: { basic: { username: 'u', password: 'p' } } } })).createSite.id;
      const before = received.length;
      const result = ok(await guarded.gql(TEST, { id })).testSite;
      expect(result.ok).toBe(false);
      expect(result.error).toMatch(/refused to connect to localhost/);
      expect(received.length).toBe(before);
    } finally {
      await guarded.stop();
    }
  });
});

describe('previewSignedRequest', () => {
  it('shows the signed request without sending it or fetching a token', async () => {
    const ids = {
      basic: await site('basic', inputs().basic),
      s3: await site('awsS3', inputs().awsS3, '/bucket'),
      cc: await site('oauth2ClientCredentials', inputs().oauth2ClientCredentials),
    };
    const before = received.length;
    const tokensBefore = tokenRequests;
    const basic = ok(await app.gql(PREVIEW, { id: ids.basic, payload: { order: 42 } })).previewSignedRequest;
    expect(basic).toMatchObject({ method: 'POST', url: `${base}/hook`, body: '{"order":42}', bodyBytes: 12, bodyTruncated: false });
    expect(header(basic.headers, 'content-type')).toBe('application/json');
    expect(header(basic.headers, 'x-delivery-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(header(basic.headers, 'authorization')).toBe(`Basic ${MASK}`);
    const s3 = ok(await app.gql(PREVIEW, { id: ids.s3 })).previewSignedRequest;
    expect(s3.method).toBe('PUT');
    expect(s3.url).toMatch(/\/bucket\/hooks\/\d{4}\/\d{2}\/[0-9a-f-]{36}\.json$/);
    const cc = ok(await app.gql(PREVIEW, { id: ids.cc, method: 'put' })).previewSignedRequest;
    expect(cc.method).toBe('PUT');
    expect(header(cc.headers, 'authorization')).toBe(`Bearer ${MASK}`);
    expect(received.length).toBe(before);
    expect(tokenRequests).toBe(tokensBefore);
  });

  it('rejects a bad method by field, and unknown sites', async () => {
    const id = await site('basic', inputs().basic);
    const bad = await app.gql(PREVIEW, { id, method: 'TRACE' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ path: 'method' }] });
    const missing = await app.gql(PREVIEW, { id: '00000000-0000-4000-8000-000000000000' });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
