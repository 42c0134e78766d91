import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { certificateAuthority } from '../test/certs.js';
import { type TestOidc, startTestOidc } from '../test/oidc.js';
import { TEST_ADMIN_TOKEN, type TestApp, ok, startTestApp } from '../test/support.js';
import { freePort } from './oauth/test-helpers.js';
import { AUTH_METHOD_LIST } from './auth/registry.js';
import { configureLog } from './log.js';

/**
 * Issue 13 part 2: no secret of any auth method reaches the log. Every line the process writes at
 * LOG_LEVEL=debug is captured while each of the eight methods (and a secret static header, and payload-signing secrets) is created, tested against a local
 * receiver, sent webhooks (delivered, and refused by a receiver that echoes what it got), and the
 * OAuth2 ones obtain and refresh tokens from oidc-provider, a client certificate's key is set, replaced and
 * refused (and presented to an mTLS receiver); then errors with secrets in them. The
 * log must hold none of the secrets, nor their base64 or Basic-header forms, nor any credential a
 * receiver or the provider saw.
 */

/** A distinctive secret: only letters and digits, so every encoding of it (form, JSON, base64) is predictable. */
const marker = (name: string) => `Mk${name}${randomBytes(12).toString('hex')}`;

const M = {
  password: marker('basicPassword'),
  awsSecret: marker('awsSecretAccessKey'),
  awsSession: marker('awsSessionToken'),
  s3Secret: marker('s3SecretAccessKey'),
  jwtSecret: marker('jwtSharedSecretOfAtLeast32Bytes'),
  consumerSecret: marker('oauth2ConsumerSecret'),
  clientSecret: marker('clientCredentialsSecret'),
  clientSecretJson: marker('clientCredentialsJsonSecret'),
  wrongClientSecret: marker('wrongClientSecret'),
  echoedClientSecret: marker('echoedClientSecret'),
  callerHeader: marker('callerHeaderValue'),
  tooShortJwt: marker('short').slice(0, 20),
  badSession: marker('badSessionToken'),
  badUrlPassword: marker('badUrlPassword'),
  malformed: marker('malformedBody'),
  syntax: marker('syntaxError'),
  variable: marker('variableOfWrongType'),
  notFound: marker('updateOfMissingSite'),
  apiKeyHeader: marker('apiKeyInHeader'),
  apiKeyQuery: marker('apiKeyInQuery'),
  staticHeader: marker('secretStaticHeader'),
  badApiKey: marker('badApiKey'),
  badStaticHeader: marker('badStaticHeader'),
  clientKeyGarbage: marker('clientKeyGarbage'),
};

/** Fresh keys: the PEM bodies are secrets of their own, unlike the shared test fixtures. */
const rsaJwtKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaBearerKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ecAssertionKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (key: ReturnType<typeof generateKeyPairSync>) => key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

/** Pieces of a PEM's body, any of which in the log means the key leaked (whole lines and across them). */
function pemPieces(text: string): string[] {
  const body = text.split('\n').filter((line) => line && !line.startsWith('-----'));
  return [...body.filter((line) => line.length >= 40), body.join('').slice(100, 160), body.join('\n').slice(200, 300)];
}

/** A secret as it may travel: itself, base64, base64url, url-encoded. */
function forms(secret: string): string[] {
  const b64 = Buffer.from(secret).toString('base64');
  return [secret, b64, b64.replace(/=+$/, ''), Buffer.from(secret).toString('base64url'), encodeURIComponent(secret)];
}

let app: TestApp;
let op: TestOidc;
let receiver: http.Server;
let receiverUrl: string;
let echoTokenServer: http.Server;
/** Requires a client certificate its CA issued (mutual TLS). */
let mtlsServer: https.Server;
let mtlsUrl: string;
const serverCa = certificateAuthority('Never-logged server CA');
const clientCa = certificateAuthority('Never-logged client CA');
const strangerCa = certificateAuthority('Never-logged stranger CA');
const clientCert = clientCa.issue({ commonName: 'never-logged client', notAfter: new Date(Date.now() + 90 * 86_400_000) });
const strangerCert = strangerCa.issue({ commonName: 'never-logged stranger', notAfter: new Date(Date.now() + 90 * 86_400_000) });
const mismatchedKey = clientCa.issue({ commonName: 'unused' }).key;
let echoTokenUrl: string;
/** Every credential-carrying header value the receiver got. */
const credentialsSeen = new Set<string>();
/** Everything written to stdout and stderr while this file ran. */
const logged: string[] = [];
const originalWrites = { out: process.stdout.write, err: process.stderr.write };
/** Strings that must not be in the log, added as the flows produce them. */
const forbidden = new Map<string, string>();
const forbid = (what: string, secret: string) => {
  for (const form of forms(secret)) forbidden.set(form, what);
};

function credentialsOf(headers: http.IncomingHttpHeaders): string[] {
  const values: string[] = [];
  const authorization = headers.authorization;
  if (authorization) {
    // "Bearer <token>", "Basic <base64>": the credential is after the scheme; AWS's header has no secret part.
    const [scheme, value] = authorization.split(' ', 2);
    if (value && /^(bearer|basic)$/i.test(scheme!)) values.push(value);
  }
  for (const name of ['x-amz-security-token', 'x-api-key', 'x-partner-key', 'x-partner-token']) {
    const value = headers[name];
    if (typeof value === 'string') values.push(value);
  }
  return values;
}

beforeAll(async () => {
  const capture = ((chunk: unknown) => {
    logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;

  // The receiver: 200 for /ok/*, and for /echo/* a 500 whose body is every header it got.
  receiver = http.createServer((req, res) => {
    for (const value of credentialsOf(req.headers)) credentialsSeen.add(value);
    const queryKey = new URL(req.url ?? '/', 'http://receiver').searchParams.get('api_key');
    if (queryKey) credentialsSeen.add(queryKey);
    req.resume();
    req.on('end', () => {
      if (req.url?.startsWith('/echo')) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers));
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  // A token endpoint that refuses, echoing the request body (the client secret) in its error description.
  echoTokenServer = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () =>
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: 'invalid_request', error_description: `got ${body} with ${req.headers.authorization ?? 'no header'}` })),
    );
  });
  await new Promise<void>((resolve) => echoTokenServer.listen(0, '127.0.0.1', resolve));

  mtlsServer = https.createServer({ ...serverCa.issue({ names: { ip: ['127.0.0.1'] } }), ca: clientCa.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    // The echo path answers 500 with what it got, as the http receiver's does.
    req.resume();
    req.on('end', () => res.writeHead(req.url?.startsWith('/echo') ? 500 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers)));
  });
  await new Promise<void>((resolve) => mtlsServer.listen(0, '127.0.0.1', resolve));
  mtlsUrl = `https://127.0.0.1:${(mtlsServer.address() as AddressInfo).port}`;
  echoTokenUrl = `http://127.0.0.1:${(echoTokenServer.address() as AddressInfo).port}/token`;

  op = await startTestOidc({ clientCredentialsTtl: 60, accessTokenTtl: 60 });
  const port = await freePort();
  app = await startTestApp({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'debug',
    LOG_FORMAT: 'json',
    TOKEN_WATCH_INTERVAL_MS: '200',
    DISPATCH_POLL_MS: '100',
    DISPATCH_MAX_ATTEMPTS: '2',
    DISPATCH_RETRY_BASE_MS: '50',
    DISPATCH_RETRY_MAX_MS: '100',
  });

  for (const [what, secret] of Object.entries(M)) forbid(what, secret);
  forbid('basic header', `alice:${M.password}`);
  forbid('client credentials basic header', `machine-basic:${M.clientSecret}`);
  forbid('client credentials basic header (wrong secret)', `machine-wrong:${M.wrongClientSecret}`);
  forbid('client credentials basic header (echoing provider)', `machine-echo:${M.echoedClientSecret}`);
  forbid('authorization code basic header', `web-client:${M.consumerSecret}`);
  forbid('admin API token', TEST_ADMIN_TOKEN);
  for (const [what, key] of [['RS256 JWT key', rsaJwtKey], ['JWT bearer key', rsaBearerKey], ['client assertion key', ecAssertionKey]] as const) {
    for (const piece of pemPieces(pem(key))) forbidden.set(piece, what);
  }
  for (const [what, key] of [['client certificate key', clientCert.key], ['stranger client certificate key', strangerCert.key], ['mismatched client key', mismatchedKey]] as const) {
    for (const piece of pemPieces(key)) forbidden.set(piece, what);
  }
});

afterAll(async () => {
  await app?.stop();
  process.stdout.write = originalWrites.out;
  process.stderr.write = originalWrites.err;
  configureLog({ level: 'error', format: 'json', role: 'all' });
  await op?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  await new Promise((resolve) => echoTokenServer?.close(resolve));
  mtlsServer?.closeAllConnections();
  await new Promise((resolve) => mtlsServer?.close(resolve));
});

async function createSite(name: string, path: string, auth: Record<string, unknown>, headers?: unknown[]): Promise<string> {
  const result = await app.gql(`mutation ($input: SiteInput!) { createSite(input: $input) { id redirectUrl } }`, {
    input: { name, url: `${receiverUrl}${path}`, auth, ...(headers ? { headers } : {}) },
  });
  return ok(result).createSite.id;
}

async function deliveryStatus(id: string): Promise<string> {
  return ok(await app.gql('query ($id: ID!) { delivery(id: $id) { status } }', { id })).delivery.status;
}

describe('no secret of any auth method in any log line (LOG_LEVEL=debug)', () => {
  const sites: Record<string, string> = {};

  it('creates a site of each of the eight methods (two JWT algorithms, two client-credentials bodies, two RFC 7523 grants, an API key in a header and in a query)', async () => {
    sites.basic = await createSite('basic', '/ok/basic', { basic: { username: 'alice', password: M.password } });
    sites.aws = await createSite('aws', '/ok/aws', {
      aws: { region: 'eu-west-1', service: 'execute-api', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: M.awsSecret, sessionToken: M.awsSession },
    });
    sites.awsS3 = await createSite('s3', '/bucket/', { awsS3: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: M.s3Secret, filenameFormat: 'hooks/{deliveryId}.{ext}', region: 'eu-west-1' } });
    sites.jwtHs = await createSite('jwt hs', '/ok/jwt-hs', { jwt: { algorithm: 'HS256', secret: M.jwtSecret, payload: { iss: 'x' }, timeToLive: '5 minutes' } });
    sites.jwtRs = await createSite('jwt rs', '/ok/jwt-rs', { jwt: { algorithm: 'RS256', privateKey: pem(rsaJwtKey), payload: { iss: 'x' }, timeToLive: '5 minutes' } });

    const code = ok(
      await app.gql(`mutation ($input: SiteInput!) { createSite(input: $input) { id redirectUrl } }`, {
        input: {
          name: 'oauth2',
          url: `${receiverUrl}/ok/oauth2`,
          auth: { oauth2: { consumerKey: 'web-client', consumerSecret: M.consumerSecret, authorizationUrl: op.authorizationUrl, tokenUrl: op.tokenUrl, scope: 'openid, api' } },
        },
      }),
    ).createSite;
    sites.oauth2 = code.id;
    op.addClient(op.authCodeClient('web-client', M.consumerSecret, code.redirectUrl, 'basic'));

    op.addClient(op.clientCredentialsClient('machine-basic', M.clientSecret));
    sites.clientCredentials = await createSite('cc basic', '/ok/cc', { oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'machine-basic', clientSecret: M.clientSecret, scope: 'api' } });
    op.addClient(op.clientCredentialsClient('machine-json', M.clientSecretJson, 'post'));
    sites.clientCredentialsJson = await createSite('cc json', '/ok/cc-json', {
      oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'machine-json', clientSecret: M.clientSecretJson, contentType: 'application/json', clientAuthentication: 'BODY', scope: 'api' },
    });

    op.addClient(op.jwtBearerClient('bearer-rsa', { ...rsaBearerKey.publicKey.export({ format: 'jwk' }), kid: 'b1' }, 'RS256'));
    sites.jwtBearer = await createSite('jwt bearer', '/ok/jwt-bearer', {
      oauth2JwtBearer: { tokenUrl: op.tokenUrl, clientId: 'bearer-rsa', privateKey: pem(rsaBearerKey), keyId: 'b1', signAlgorithm: 'RS256', grant: 'JWT_BEARER', scope: 'api' },
    });
    op.addClient(op.privateKeyJwtClient('assertion-ec', ecAssertionKey.publicKey.export({ format: 'jwk' }), 'ES256'));
    sites.clientAssertion = await createSite('client assertion', '/echo/assertion', {
      oauth2JwtBearer: { tokenUrl: op.tokenUrl, clientId: 'assertion-ec', privateKey: pem(ecAssertionKey), signAlgorithm: 'ES256', grant: 'CLIENT_ASSERTION', scope: 'api' },
    });
    // Receivers that answer 500 with every header they got (the signed ones included).
    sites.basicEcho = await createSite('basic echo', '/echo/basic', { basic: { username: 'alice', password: M.password } });
    sites.awsEcho = await createSite('aws echo', '/echo/aws', {
      aws: { region: 'eu-west-1', service: 'execute-api', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: M.awsSecret, sessionToken: M.awsSession },
    });
    // The API key in a header (with a secret static header) and in the query; and a receiver echoing them.
    const partnerHeaders = [{ name: 'X-Partner-Token', value: M.staticHeader, secret: true }, { name: 'x-tenant', value: 'acme' }];
    sites.apiKey = await createSite('api key', '/ok/api-key', { apiKey: { name: 'X-Partner-Key', key: M.apiKeyHeader } }, partnerHeaders);
    sites.apiKeyQuery = await createSite('api key query', '/ok/api-key-query?api_key=placeholder', { apiKey: { placement: 'QUERY', name: 'api_key', key: M.apiKeyQuery } });
    sites.apiKeyEcho = await createSite('api key echo', '/echo/api-key', { apiKey: { name: 'X-Partner-Key', key: M.apiKeyHeader } }, partnerHeaders);
    expect(Object.keys(sites)).toHaveLength(15);
    // Every registered method is among them: a method added later fails here until it is added above.
    const methods = new Set<string>();
    for (const id of Object.values(sites)) methods.add(ok(await app.gql('query ($id: ID!) { site(id: $id) { authMethod } }', { id })).site.authMethod);
    expect([...methods].sort()).toEqual(AUTH_METHOD_LIST.map((d) => d.method).sort());
  });

  it('connects the authorization-code site through the provider (code exchange on the callback)', async () => {
    const { startOAuthConnect } = ok(await app.gql('mutation ($id: ID!) { startOAuthConnect(siteId: $id) { authorizationUrl } }', { id: sites.oauth2 }));
    const result = await op.authorize(startOAuthConnect.authorizationUrl, { followCallback: true });
    forbid('authorization code', result.callbackUrl.searchParams.get('code')!);
    expect(result.finalLocation).toContain('oauth=connected');
  });

  it('gets and refreshes tokens by hand for every OAuth2 site', async () => {
    for (const key of ['oauth2', 'clientCredentials', 'clientCredentialsJson', 'jwtBearer', 'clientAssertion']) {
      const state = ok(await app.gql('mutation ($id: ID!) { refreshAccessToken(siteId: $id) { status lastError } }', { id: sites[key] })).refreshAccessToken;
      expect(state, key).toMatchObject({ status: 'VALID', lastError: null });
    }
  });

  it('tests every site against the receiver, and previews its signed request', async () => {
    for (const [key, id] of Object.entries(sites)) {
      const { testSite } = ok(await app.gql('mutation ($id: ID!) { testSite(id: $id, payload: {probe: true}) { ok error } }', { id }));
      expect(testSite.ok, `${key}: ${testSite.error}`).toBe(!key.endsWith('Echo') && key !== 'clientAssertion');
      ok(await app.gql('query ($id: ID!) { previewSignedRequest(siteId: $id, payload: {a: 1}) { url } }', { id }));
    }
  });

  it('sends webhooks (one with a secret in a caller header) and lets them be delivered or fail', async () => {
    const ids: Array<{ key: string; id: string }> = [];
    for (const [key, siteId] of Object.entries(sites)) {
      ok(await app.gql('mutation ($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { status } }', { id: siteId }));
      const { sendWebhook } = ok(
        await app.gql('mutation ($input: WebhookInput!) { sendWebhook(input: $input) { id } }', {
          input: { siteId, payload: { order: key }, headers: [{ name: 'x-api-key', value: M.callerHeader }] },
        }),
      );
      ids.push({ key, id: sendWebhook.id });
    }
    await vi.waitFor(
      async () => {
        for (const { key, id } of ids) expect(await deliveryStatus(id), key).toBe(key.endsWith('Echo') || key === 'clientAssertion' ? 'FAILED' : 'SUCCEEDED');
      },
      { timeout: 30_000, interval: 200 },
    );
  });

  it('refuses bad input with a secret in it, a malformed body and a broken document, and token requests the provider refuses', async () => {
    const createWith = (auth: Record<string, unknown>, url = `${receiverUrl}/ok/x`) =>
      app.gql('mutation ($input: SiteInput!) { createSite(input: $input) { id } }', { input: { name: `bad ${Math.random()}`, url, auth } });
    expect((await createWith({ jwt: { algorithm: 'HS256', secret: M.tooShortJwt, timeToLive: '5 minutes' } })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await createWith({ aws: { region: 'eu-west-1', service: 'execute-api', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: M.awsSecret, sessionToken: `${M.badSession}\u0001` } })).errors).toBeDefined();
    expect((await createWith({ basic: { username: 'alice', password: M.badUrlPassword } }, 'not a url')).errors).toBeDefined();
    expect((await createWith({ basic: { username: 'alice', password: { nested: M.variable } } })).errors).toBeDefined();
    expect((await createWith({ apiKey: { key: `${M.badApiKey}\n` } })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badHeader = await app.gql('mutation ($input: SiteInput!) { createSite(input: $input) { id } }', {
      input: { name: 'bad header', url: `${receiverUrl}/ok/x`, auth: { basic: { username: 'u', password: 'p' } }, headers: [{ name: 'authorization', value: `Bearer ${M.badStaticHeader}`, secret: true }] },
    });
    expect(badHeader.errors?.[0]?.extensions?.fieldErrors).toEqual([{ path: 'headers.0.name', message: "The site's authentication sets authorization" }]);
    const missing = await app.gql('mutation ($id: ID!, $input: SiteUpdateInput!) { updateSite(id: $id, input: $input) { id } }', {
      id: '00000000-0000-4000-8000-000000000000',
      input: { auth: { basic: { username: 'alice', password: M.notFound } } },
    });
    expect(missing.errors).toBeDefined();

    const raw = (body: string) =>
      fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, body });
    expect((await raw(`{"query": "mutation { createSite(input: {auth: {basic: {password: \\"${M.malformed}\\"`)).status).toBe(400);
    const broken = await raw(JSON.stringify({ query: `mutation { createSite(input: {name: "x", url: "https://x.example", auth: {basic: {username: "u", password: "${M.syntax}"}}}) { id ` }));
    expect(broken.status).toBe(400);

    // The provider refuses the client (invalid_client), and one echoes the request (the secret) in its error.
    op.addClient(op.clientCredentialsClient('machine-wrong', 'the-right-secret-is-another-one'));
    const wrong = await createSite('cc wrong', '/ok/wrong', { oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'machine-wrong', clientSecret: M.wrongClientSecret } });
    const echo = await createSite('cc echo', '/ok/echo', { oauth2ClientCredentials: { tokenUrl: echoTokenUrl, clientId: 'machine-echo', clientSecret: M.echoedClientSecret } });
    for (const id of [wrong, echo]) {
      const state = ok(await app.gql('mutation ($id: ID!) { refreshAccessToken(siteId: $id) { status lastError } }', { id })).refreshAccessToken;
      expect(state.status).toBe('FAILED');
      ok(await app.gql('mutation ($id: ID!) { testSite(id: $id) { ok } }', { id }));
    }
  });

  it('signs payloads (Standard Webhooks) with a generated and a supplied secret, rotates, and refuses a malformed one', async () => {
    const enable = 'mutation ($id: ID!, $secret: String) { enableSigning(siteId: $id, secret: $secret) { secret } }';
    const generated = ok(await app.gql(enable, { id: sites.basic })).enableSigning.secret as string;
    const suppliedSecret = `whsec_${Buffer.from(marker('signingSecretSupplied')).toString('base64')}`;
    ok(await app.gql(enable, { id: sites.basicEcho, secret: suppliedSecret }));
    const rotated = ok(await app.gql('mutation ($id: ID!) { rotateSigningSecret(siteId: $id, overlapMinutes: 5) { secret } }', { id: sites.basicEcho })).rotateSigningSecret.secret as string;
    const refused = `whsec_${marker('refusedSigningSecret')}!`;
    expect((await app.gql(enable, { id: sites.aws, secret: refused })).errors?.[0]?.extensions?.fieldErrors).toEqual([{ path: 'secret', message: expect.any(String) }]);
    for (const [what, secret] of [['generated signing secret', generated], ['supplied signing secret', suppliedSecret], ['rotated signing secret', rotated], ['refused signing secret', refused]] as const) {
      forbid(what, secret);
      forbid(`${what} (its base64)`, secret.slice('whsec_'.length));
    }
    // Signed requests go out (and the echo receiver answers 500 with every header it got).
    for (const id of [sites.basic, sites.basicEcho]) {
      ok(await app.gql('mutation ($id: ID!) { testSite(id: $id) { ok } }', { id }));
      const { sendWebhook } = ok(await app.gql('mutation ($input: WebhookInput!) { sendWebhook(input: $input) { id } }', { input: { siteId: id, payload: { signed: true } } }));
      await vi.waitFor(async () => expect(['SUCCEEDED', 'FAILED']).toContain(await deliveryStatus(sendWebhook.id)), { timeout: 30_000, interval: 200 });
    }
  });

  it('presents a client certificate (mutual TLS): set, replaced keeping its key, refused with a wrong or unreadable key, and one the receiver refuses', async () => {
    const SET = 'mutation ($id: ID!, $c: ClientCertificateInput!) { setClientCertificate(siteId: $id, clientCertificate: $c) { id } }';
    const create = async (name: string, path: string) =>
      ok(await app.gql('mutation ($input: SiteInput!) { createSite(input: $input) { id } }', { input: { name, url: `${mtlsUrl}${path}`, auth: { basic: { username: 'alice', password: M.password } } } })).createSite.id as string;
    sites.mtls = await create('mtls', '/ok/mtls');
    sites.mtlsStranger = await create('mtls stranger', '/echo/mtls');
    ok(await app.gql(SET, { id: sites.mtls, c: { certificate: clientCert.cert, privateKey: clientCert.key, ca: serverCa.cert } }));
    ok(await app.gql(SET, { id: sites.mtls, c: { certificate: clientCert.cert, ca: serverCa.cert } }));
    ok(await app.gql(SET, { id: sites.mtlsStranger, c: { certificate: strangerCert.cert, privateKey: strangerCert.key, ca: serverCa.cert } }));
    const unreadable = `-----BEGIN PRIVATE KEY-----\n${M.clientKeyGarbage}\n-----END PRIVATE KEY-----\n`;
    for (const privateKey of [mismatchedKey, unreadable]) {
      const refused = await app.gql(SET, { id: sites.mtls, c: { certificate: clientCert.cert, privateKey, ca: serverCa.cert } });
      expect(refused.errors?.[0]?.extensions?.fieldErrors).toEqual([{ path: 'clientCertificate.privateKey', message: expect.any(String) }]);
    }
    for (const id of [sites.mtls, sites.mtlsStranger]) {
      ok(await app.gql('mutation ($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }', { id }));
      ok(await app.gql('mutation ($id: ID!) { testSite(id: $id) { ok } }', { id }));
      const { sendWebhook } = ok(await app.gql('mutation ($input: WebhookInput!) { sendWebhook(input: $input) { id } }', { input: { siteId: id, payload: { mtls: true } } }));
      await vi.waitFor(async () => expect(['SUCCEEDED', 'FAILED']).toContain(await deliveryStatus(sendWebhook.id)), { timeout: 30_000, interval: 200 });
    }
    expect(await deliveryStatus((ok(await app.gql('query ($id: ID!) { deliveries(siteId: $id) { edges { node { id } } } }', { id: sites.mtls })).deliveries.edges[0].node.id))).toBe('SUCCEEDED');
  });

  it('none of it reached the log', async () => {
    // The credentials receivers were sent: bearer tokens from the provider, JWTs, Basic values, the session token.
    for (const value of credentialsSeen) forbidden.set(value, 'a credential the receiver got');
    expect(credentialsSeen.size).toBeGreaterThanOrEqual(8);
    for (const secret of [M.apiKeyHeader, M.apiKeyQuery, M.staticHeader]) expect(credentialsSeen, 'the receiver got the API keys and the static header').toContain(secret);
    const text = logged.join('');
    // The capture saw the flows: debug lines for the attempts of every site, the token failures.
    for (const id of Object.values(sites)) expect(text).toContain(`"siteId":"${id}"`);
    expect(text).toContain('"msg":"token request failed"');
    expect(text).toContain('refused request: malformed JSON');
    const leaks = [...forbidden].filter(([secret]) => secret.length >= 8 && text.includes(secret)).map(([secret, what]) => `${what}: ${secret.slice(0, 24)}…`);
    expect(leaks).toEqual([]);
    // And every line of ours is JSON (other libraries' warnings, e.g. oidc-provider's, are not ours).
    const ours = text.split('\n').filter((line) => line.startsWith('{"level"'));
    expect(ours.length).toBeGreaterThan(50);
    for (const line of ours) expect(() => JSON.parse(line)).not.toThrow();
  });
});

