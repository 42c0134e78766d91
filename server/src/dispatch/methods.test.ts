import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smithyAuthorization } from '../auth/aws/smithy-oracle.testkit.js';
import { EC_PRIVATE_PEM, SECRET_VALUES } from '../../test/fixtures.js';
import { type TestApp, ok, startTestApp } from '../../test/support.js';
import { type Answer, type Receiver, type ReceivedRequest, startReceiver, waitFor } from './testkit.js';

/**
 * Each auth method end to end through the dispatcher: a real receiver on 127.0.0.1 checks the
 * request the way the real service would (SigV4 recomputed by @smithy/signature-v4, the JWT
 * verified with jose, bearer tokens issued by a local token endpoint).
 */
let app: TestApp;
let receiver: Receiver;
let counter = 0;
let tokenCount = 0;
const routes = new Map<string, (request: ReceivedRequest, index: number) => Answer | Promise<Answer>>();

beforeAll(async () => {
  receiver = await startReceiver((request) => {
    const path = request.url.split('?')[0]!;
    const prefix = [...routes.keys()].find((p) => path === p || path.startsWith(`${p}/`));
    const index = receiver.requests.filter((r) => r.url.split('?')[0]!.startsWith(prefix ?? path)).length - 1;
    return prefix ? routes.get(prefix)!(request, index) : { status: 200 };
  });
  // A token endpoint: every request gets a new token, tok-1, tok-2, …
  routes.set('/token', (request) => {
    tokenCount += 1;
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: `tok-${tokenCount}`, token_type: 'Bearer', expires_in: 3600, grant: new URLSearchParams(request.body.toString()).get('grant_type') }),
    };
  });
  app = await startTestApp({ DISPATCH_RETRY_BASE_MS: '5', DISPATCH_RETRY_MAX_MS: '20', DISPATCH_POLL_MS: '100', DISPATCH_MAX_ATTEMPTS: '3' });
});

afterAll(async () => {
  await app?.stop();
  await receiver?.close();
});

async function activeSite(path: string, auth: Record<string, unknown>) {
  counter += 1;
  const { id } = ok(
    await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
      input: { name: `Method ${counter}`, url: `${receiver.url}${path}`, auth },
    }),
  ).createSite;
  ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id }));
  return id as string;
}

async function deliver(siteId: string, payload: unknown = { hello: 'signed' }) {
  const { id } = ok(await app.gql(`mutation($input: WebhookInput!) { sendWebhook(input: $input) { id } }`, { input: { siteId, payload } })).sendWebhook;
  return waitFor(async () => {
    const d = ok(await app.gql(`query($id: ID!) { delivery(id: $id) { id status lastError attemptCount attempts { statusCode error outcome } } }`, { id })).delivery;
    return d.status === 'SUCCEEDED' || d.status === 'FAILED' ? d : undefined;
  }, 20_000, 'the delivery');
}

function received(path: string): ReceivedRequest[] {
  return receiver.requests.filter((r) => r.url.split('?')[0]!.startsWith(path));
}

function asOracleRequest(r: ReceivedRequest) {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) if (typeof v === 'string') headers[k] = v;
  return { method: r.method, target: r.url, headers, body: r.body };
}

describe('signed deliveries, one per method', () => {
  it('AWS SigV4: the signature a receiver recomputes matches', async () => {
    const auth = { region: 'eu-west-1', service: 'execute-api', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET_VALUES.secretAccessKey, sessionToken: SECRET_VALUES.sessionToken };
    const siteId = await activeSite('/aws', { aws: auth });
    const done = await deliver(siteId);
    expect(done.status).toBe('SUCCEEDED');
    const [request] = received('/aws');
    expect(request!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
    expect(request!.headers['x-delivery-id']).toBe(done.id);
    const expected = await smithyAuthorization(asOracleRequest(request!), { ...auth, s3: false });
    expect(request!.headers.authorization).toBe(expected);
  });

  it('AWS-S3: the webhook is PUT as an object named by the filename format, signed for S3', async () => {
    const auth = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET_VALUES.s3Secret, filenameFormat: 'hooks/{deliveryId}.{ext}' };
    const siteId = await activeSite('/bucket', { awsS3: auth });
    const done = await deliver(siteId, { object: 1 });
    expect(done.status).toBe('SUCCEEDED');
    const [request] = received('/bucket');
    expect(request!.method).toBe('PUT');
    expect(request!.url).toBe(`/bucket/hooks/${done.id}.json`);
    expect(request!.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(request!.body.toString())).toEqual({ object: 1 });
    const expected = await smithyAuthorization(asOracleRequest(request!), { region: 'us-east-1', service: 's3', accessKeyId: auth.accessKeyId, secretAccessKey: auth.secretAccessKey, s3: true });
    expect(request!.headers.authorization).toBe(expected);
  });

  it('JWT HS256: a bearer token that verifies with the shared secret and carries the configured claims', async () => {
    const siteId = await activeSite('/jwt', { jwt: { algorithm: 'HS256', secret: SECRET_VALUES.jwtSecret, payload: { iss: 'loyalty', n: 1 }, timeToLive: '5 minutes' } });
    const done = await deliver(siteId);
    expect(done.status).toBe('SUCCEEDED');
    const [request] = received('/jwt');
    const token = request!.headers.authorization!.replace(/^Bearer /, '');
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET_VALUES.jwtSecret), { algorithms: ['HS256'] });
    expect(payload).toMatchObject({ iss: 'loyalty', n: 1 });
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  it('OAuth2 client credentials: the token is fetched first and sent as a bearer token', async () => {
    routes.set('/cc', () => ({ status: 200 }));
    const siteId = await activeSite('/cc', {
      oauth2ClientCredentials: { tokenUrl: `${receiver.url}/token`, contentType: 'application/x-www-form-urlencoded', tokenExpirationMinutes: 30, clientId: 'machine', clientSecret: SECRET_VALUES.clientSecret },
    });
    const done = await deliver(siteId);
    expect(done.status).toBe('SUCCEEDED');
    const [request] = received('/cc');
    expect(request!.headers.authorization).toMatch(/^Bearer tok-\d+$/);
  });

  it('OAuth2 JWT bearer: the assertion is exchanged for a token that is sent', async () => {
    routes.set('/jb', () => ({ status: 200 }));
    const siteId = await activeSite('/jb', {
      oauth2JwtBearer: { tokenUrl: `${receiver.url}/token`, tokenExpirationMinutes: 10, clientId: 'signer', privateKey: EC_PRIVATE_PEM, signAlgorithm: 'ES256' },
    });
    const done = await deliver(siteId);
    expect(done.status).toBe('SUCCEEDED');
    const tokenRequests = received('/token').map((r) => new URLSearchParams(r.body.toString()).get('grant_type'));
    expect(tokenRequests).toContain('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(received('/jb')[0]!.headers.authorization).toMatch(/^Bearer tok-\d+$/);
  });

  it('a 401 from an OAuth2 site forces one token refresh and one retry', async () => {
    // The receiver accepts only the newest token it has seen issued.
    routes.set('/o401', (request) => (request.headers.authorization === `Bearer tok-${tokenCount}` && tokenCount > firstToken ? { status: 200 } : { status: 401 }));
    let firstToken = Number.POSITIVE_INFINITY;
    const siteId = await activeSite('/o401', {
      oauth2ClientCredentials: { tokenUrl: `${receiver.url}/token`, contentType: 'application/json', tokenExpirationMinutes: 30, clientId: 'machine', clientSecret: SECRET_VALUES.clientSecret },
    });
    // Fetch a token up front: the first attempt uses it and is refused.
    const warm = app.services.tokens as unknown as { accessTokenFor(site: unknown): Promise<string> };
    await warm.accessTokenFor(await app.services.sites.require(siteId));
    firstToken = tokenCount;
    const done = await deliver(siteId);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([401, 200]);
    expect(tokenCount).toBe(firstToken + 1);
  });

  it('a 401 that persists after the refresh fails the delivery (no refresh loop)', async () => {
    routes.set('/always401', () => ({ status: 401 }));
    const siteId = await activeSite('/always401', {
      oauth2ClientCredentials: { tokenUrl: `${receiver.url}/token`, contentType: 'application/json', tokenExpirationMinutes: 30, clientId: 'machine', clientSecret: SECRET_VALUES.clientSecret },
    });
    const done = await deliver(siteId);
    expect(done.status).toBe('FAILED');
    expect(done.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([401, 401]);
    expect(done.lastError).toBe('HTTP 401');
  });

  it('a Basic site answering 401 fails at once (no token to refresh)', async () => {
    routes.set('/b401', () => ({ status: 401 }));
    const siteId = await activeSite('/b401', { basic: { username: 'u', password: SECRET_VALUES.password } });
    const done = await deliver(siteId);
    expect(done.status).toBe('FAILED');
    expect(done.attemptCount).toBe(1);
  });
});
