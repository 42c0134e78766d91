import { randomBytes } from 'node:crypto';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smithyAuthorization } from '../auth/aws/smithy-oracle.testkit.js';
import { SECRET_VALUES } from '../../test/fixtures.js';
import { type TestOidc, startTestOidc } from '../../test/oidc.js';
import { TEST_ADMIN_TOKEN, type TestApp, ok, startTestApp } from '../../test/support.js';
import { type Answer, type Receiver, type ReceivedRequest, startReceiver, waitFor } from '../dispatch/testkit.js';
import { ATTEMPT_SPAN_NAME } from './attempts.js';
import { TOKEN_SPAN_NAME } from './token-requests.js';
import { ATTR_PROCESS_ROLE, tracingActive } from './tracing.js';

/**
 * Traces end to end with the SDK's in-memory exporter: the real app (startApp's traceExporter, the
 * same provider and hooks as with an OTLP endpoint), a real receiver, a real oidc-provider.
 */
let app: TestApp;
let receiver: Receiver;
let op: TestOidc;
const exporter = new InMemorySpanExporter();
const routes = new Map<string, (request: ReceivedRequest, index: number) => Answer>();
/** Values no span may carry: secrets of every site here, the receiver's query key, tokens sent. */
const markers: string[] = [];
let counter = 0;

beforeAll(async () => {
  receiver = await startReceiver((request) => {
    const path = request.url.split('?')[0]!;
    const route = routes.get(path);
    return route ? route(request, receiver.requests.filter((r) => r.url.split('?')[0] === path).length - 1) : { status: 200 };
  });
  op = await startTestOidc();
  app = await startTestApp({ DISPATCH_RETRY_BASE_MS: '5', DISPATCH_RETRY_MAX_MS: '20', DISPATCH_POLL_MS: '100' }, { traceExporter: exporter });
});

afterAll(async () => {
  await app?.stop();
  await op?.close();
  await receiver?.close();
});

function traceIds() {
  return { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') };
}

/** A GraphQL call with the workflow engine's traceparent. */
async function tracedGql(query: string, variables: Record<string, unknown>, traceparent: string) {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}`, traceparent },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: unknown[] };
}

async function activeSite(path: string, auth: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  counter += 1;
  const { id } = ok(
    await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id sendTraceparent } }`, {
      input: { name: `Traced ${counter}`, url: `${receiver.url}${path}`, auth, ...extra },
    }),
  ).createSite;
  ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id }));
  return id as string;
}

async function finished(id: string) {
  return waitFor(async () => {
    const d = ok(await app.gql(`query($id: ID!) { delivery(id: $id) { id status attemptCount } }`, { id })).delivery;
    return d.status === 'SUCCEEDED' || d.status === 'FAILED' ? d : undefined;
  }, 20_000, 'the delivery');
}

function spans(): ReadableSpan[] {
  return exporter.getFinishedSpans();
}

function attemptSpansOf(deliveryId: string): ReadableSpan[] {
  return spans()
    .filter((s) => s.name === ATTEMPT_SPAN_NAME && s.attributes['trusted_sites.delivery.id'] === deliveryId)
    .sort((a, b) => Number(a.attributes['trusted_sites.delivery.attempt']) - Number(b.attributes['trusted_sites.delivery.attempt']));
}

const SEND = `mutation Send($input: WebhookInput!) { sendWebhook(input: $input) { id } }`;

describe('traces', () => {
  it('is on: a provider is registered, with the service name and the process role', async () => {
    expect(tracingActive()).toBe(true);
    ok(await app.gql('query Ping { viewer { role } }'));
    const ping = await waitFor(() => spans().find((s) => s.name === 'query Ping'), 5000, 'the query span');
    expect(ping.resource.attributes['service.name']).toBe('trusted-sites');
    expect(ping.resource.attributes[ATTR_PROCESS_ROLE]).toBe('all');
  });

  it("continues the workflow's trace: operation span, then each attempt as its child, with the traceparent sent only where the site asks", async () => {
    markers.push('query-key-marker-7f3a');
    const password = `${SECRET_VALUES.password}-traced`;
    markers.push(password);
    const withHeader = await activeSite('/with', { basic: { username: 'u', password } }, { sendTraceparent: true });
    const without = await activeSite('/without', { basic: { username: 'u', password } });
    // The first attempt is refused (503), the second succeeds: two attempts, both in the trace.
    routes.set('/flaky', (_r, index) => (index === 0 ? { status: 503 } : { status: 200 }));
    const flaky = await activeSite('/flaky?key=query-key-marker-7f3a', { basic: { username: 'u', password } }, { sendTraceparent: true });

    const incoming = traceIds();
    const traceparent = `00-${incoming.traceId}-${incoming.spanId}-01`;
    const ids: Record<string, string> = {};
    for (const [name, siteId] of Object.entries({ withHeader, without, flaky })) {
      const answer = await tracedGql(SEND, { input: { siteId, payload: { n: name } } }, traceparent);
      expect(answer.errors).toBeUndefined();
      ids[name] = answer.data.sendWebhook.id;
    }
    for (const id of Object.values(ids)) expect((await finished(id)).status).toBe('SUCCEEDED');

    const operations = spans().filter((s) => s.name === 'mutation Send' && s.spanContext().traceId === incoming.traceId);
    expect(operations).toHaveLength(3);
    for (const operation of operations) {
      expect(operation.kind).toBe(SpanKind.SERVER);
      expect(operation.parentSpanContext?.spanId).toBe(incoming.spanId);
      expect(operation.attributes).toMatchObject({ 'graphql.operation.type': 'mutation', 'graphql.operation.name': 'Send', 'http.response.status_code': 200 });
      expect(operation.status.code).not.toBe(SpanStatusCode.ERROR);
    }
    const operationIds = new Set(operations.map((s) => s.spanContext().spanId));

    const [attempt] = await waitFor(() => (attemptSpansOf(ids.withHeader!).length === 1 ? attemptSpansOf(ids.withHeader!) : undefined), 5000, 'the attempt span');
    expect(attempt!.kind).toBe(SpanKind.CLIENT);
    expect(attempt!.spanContext().traceId).toBe(incoming.traceId);
    expect(operationIds.has(attempt!.parentSpanContext!.spanId)).toBe(true);
    expect(attempt!.attributes).toMatchObject({
      'trusted_sites.delivery.id': ids.withHeader,
      'trusted_sites.site.id': withHeader,
      'trusted_sites.delivery.attempt': 1,
      'trusted_sites.delivery.outcome': 'SUCCEEDED',
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'url.full': `${receiver.url}/with`,
    });

    // The receiver that asked got the attempt's own context (its parent is our CLIENT span).
    const got = receiver.requests.find((r) => r.headers['x-delivery-id'] === ids.withHeader)!;
    expect(got.headers.traceparent).toBe(`00-${incoming.traceId}-${attempt!.spanContext().spanId}-01`);
    // The one that did not, got none — although its attempt is traced as well.
    expect(receiver.requests.find((r) => r.headers['x-delivery-id'] === ids.without)!.headers.traceparent).toBeUndefined();
    expect(attemptSpansOf(ids.without!)).toHaveLength(1);
    expect(attemptSpansOf(ids.without!)[0]!.spanContext().traceId).toBe(incoming.traceId);

    // Retried: one span per attempt, the refused one an error, the query string left out of url.full.
    const flakySpans = await waitFor(() => (attemptSpansOf(ids.flaky!).length === 2 ? attemptSpansOf(ids.flaky!) : undefined), 5000, 'two attempt spans');
    expect(flakySpans.map((s) => s.attributes['trusted_sites.delivery.attempt'])).toEqual([1, 2]);
    expect(flakySpans[0]!.attributes).toMatchObject({ 'trusted_sites.delivery.outcome': 'RETRYING', 'http.response.status_code': 503, 'error.type': '503', 'url.full': `${receiver.url}/flaky` });
    expect(flakySpans[0]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(flakySpans[1]!.attributes).toMatchObject({ 'trusted_sites.delivery.outcome': 'SUCCEEDED', 'http.response.status_code': 200, 'http.request.resend_count': 1 });
    for (const span of flakySpans) {
      expect(span.spanContext().traceId).toBe(incoming.traceId);
      expect(operationIds.has(span.parentSpanContext!.spanId)).toBe(true);
    }
    // Each attempt sent its own span id.
    const flakyHeaders = receiver.requests.filter((r) => r.headers['x-delivery-id'] === ids.flaky).map((r) => r.headers.traceparent);
    expect(flakyHeaders).toEqual(flakySpans.map((s) => `00-${incoming.traceId}-${s.spanContext().spanId}-01`));
  });

  it('sendWebhooks: every delivery of the batch is in the one operation trace; without a traceparent the operation starts a trace', async () => {
    const siteId = await activeSite('/batch', { basic: { username: 'u', password: 'p' } });
    const answer = ok(await app.gql(`mutation Batch($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }`, { inputs: [{ siteId, payload: 1 }, { siteId, payload: 2 }] }));
    const ids: string[] = answer.sendWebhooks.map((d: { id: string }) => d.id);
    for (const id of ids) await finished(id);
    const operation = spans().find((s) => s.name === 'mutation Batch')!;
    expect(operation.parentSpanContext).toBeUndefined();
    for (const id of ids) {
      const [attempt] = await waitFor(() => (attemptSpansOf(id).length ? attemptSpansOf(id) : undefined), 5000, 'the attempt span');
      expect(attempt!.spanContext().traceId).toBe(operation.spanContext().traceId);
      expect(attempt!.parentSpanContext!.spanId).toBe(operation.spanContext().spanId);
    }
  });

  it('AWS SigV4 with the switch on: the traceparent is sent unsigned, and the signature a receiver recomputes still matches', async () => {
    const auth = { region: 'eu-west-1', service: 'execute-api', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: `${SECRET_VALUES.secretAccessKey}x`, sessionToken: `${SECRET_VALUES.sessionToken}y` };
    markers.push(auth.secretAccessKey, auth.sessionToken);
    const siteId = await activeSite('/aws', { aws: auth }, { sendTraceparent: true });
    const { id } = ok(await app.gql(SEND, { input: { siteId, payload: { signed: true } } })).sendWebhook;
    expect((await finished(id)).status).toBe('SUCCEEDED');
    const request = receiver.requests.find((r) => r.headers['x-delivery-id'] === id)!;
    expect(request.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(String(request.headers.authorization))![1]!.split(';');
    expect(signedHeaders).toContain('x-delivery-id');
    expect(signedHeaders).not.toContain('traceparent');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers)) if (typeof v === 'string') headers[k] = v;
    const expected = await smithyAuthorization({ method: request.method, target: request.url, headers, body: request.body }, { ...auth, s3: false });
    expect(request.headers.authorization).toBe(expected);
  });

  it("a switched-on site's form value reads back, and an update without it keeps it", async () => {
    const siteId = await activeSite('/switch', { basic: { username: 'u', password: 'p' } }, { sendTraceparent: true });
    const read = async () => ok(await app.gql(`query($id: ID!) { site(id: $id) { sendTraceparent } }`, { id: siteId })).site.sendTraceparent;
    expect(await read()).toBe(true);
    ok(await app.gql(`mutation($id: ID!) { updateSite(id: $id, input: { contentType: "application/json" }) { id } }`, { id: siteId }));
    expect(await read()).toBe(true);
    ok(await app.gql(`mutation($id: ID!) { updateSite(id: $id, input: { sendTraceparent: false }) { id } }`, { id: siteId }));
    expect(await read()).toBe(false);
    const bad = await app.gql(`mutation($id: ID!) { updateSite(id: $id, input: { sendTraceparent: "yes" }) { id } }`, { id: siteId });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await read()).toBe(false);
  });

  it('a token request (client credentials, oidc-provider) has its span, inside the operation that asked, and a refused one says why in a word', async () => {
    const clientSecret = `${SECRET_VALUES.clientSecret}-traced`;
    markers.push(clientSecret);
    op.addClient(op.clientCredentialsClient('traced-machine', clientSecret, 'basic'));
    const siteId = await activeSite('/oauth', { oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'traced-machine', clientSecret, tokenExpirationMinutes: 60 } });
    const incoming = traceIds();
    const refreshed = await tracedGql(`mutation Refresh($id: ID!) { refreshAccessToken(siteId: $id) { status } }`, { id: siteId }, `00-${incoming.traceId}-${incoming.spanId}-01`);
    expect(refreshed.data.refreshAccessToken.status).toBe('VALID');
    const operation = spans().find((s) => s.name === 'mutation Refresh')!;
    const tokenSpan = spans().find((s) => s.name === TOKEN_SPAN_NAME && s.attributes['trusted_sites.site.id'] === siteId)!;
    expect(tokenSpan.kind).toBe(SpanKind.CLIENT);
    expect(tokenSpan.spanContext().traceId).toBe(incoming.traceId);
    expect(tokenSpan.parentSpanContext!.spanId).toBe(operation.spanContext().spanId);
    expect(tokenSpan.attributes).toMatchObject({
      'trusted_sites.oauth.grant_type': 'client_credentials',
      'trusted_sites.oauth.outcome': 'SUCCEEDED',
      'http.response.status_code': 200,
      'url.full': op.tokenUrl.split('?')[0],
    });

    // The access token it got reaches the receiver, never a span.
    const { id } = ok(await app.gql(SEND, { input: { siteId, payload: 1 } })).sendWebhook;
    await finished(id);
    const bearer = String(receiver.requests.find((r) => r.headers['x-delivery-id'] === id)!.headers.authorization).replace(/^Bearer /, '');
    expect(bearer.length).toBeGreaterThan(10);
    markers.push(bearer);

    // A wrong secret: FAILED with the RFC 6749 code, and an error status.
    const wrong = await activeSite('/oauth-wrong', { oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'traced-machine', clientSecret: 'wrong-secret-marker-91', tokenExpirationMinutes: 60 } });
    markers.push('wrong-secret-marker-91');
    await app.gql(`mutation RefreshWrong($id: ID!) { refreshAccessToken(siteId: $id) { status } }`, { id: wrong });
    const refused = spans().find((s) => s.name === TOKEN_SPAN_NAME && s.attributes['trusted_sites.site.id'] === wrong)!;
    expect(refused.attributes).toMatchObject({ 'trusted_sites.oauth.outcome': 'FAILED', 'trusted_sites.oauth.error': 'invalid_client', 'error.type': 'invalid_client', 'http.response.status_code': 401 });
    expect(refused.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("a provider's own error text never reaches a span: only RFC 6749's codes, else 'other'", async () => {
    const marker = 'provider-words-marker-55';
    markers.push(marker);
    routes.set('/odd-token', () => ({ status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: marker, error_description: marker }) }));
    const siteId = await activeSite('/odd', { oauth2ClientCredentials: { tokenUrl: `${receiver.url}/odd-token`, clientId: 'odd', clientSecret: 'odd-secret-marker-3', tokenExpirationMinutes: 60 } });
    markers.push('odd-secret-marker-3');
    const answer = await app.gql(`mutation($id: ID!) { refreshAccessToken(siteId: $id) { status lastError } }`, { id: siteId });
    // People still see what the provider said.
    expect(ok(answer).refreshAccessToken.lastError).toContain(marker);
    const span = spans().find((s) => s.name === TOKEN_SPAN_NAME && s.attributes['trusted_sites.site.id'] === siteId)!;
    expect(span.attributes).toMatchObject({ 'trusted_sites.oauth.error': 'other', 'http.response.status_code': 400 });
  });

  it('an operation that fails is an error span with its code; a refused request (401) too', async () => {
    await app.gql(`mutation Bad($input: WebhookInput!) { sendWebhook(input: $input) { id } }`, { input: { siteId: 'not-a-uuid', payload: 1 } });
    const bad = await waitFor(() => spans().find((s) => s.name === 'mutation Bad'), 5000, 'the span');
    expect(bad.status.code).toBe(SpanStatusCode.ERROR);
    expect(bad.attributes['error.type']).toBe('BAD_USER_INPUT');
    await app.gql('query Who { viewer { role } }', {}, 'not-a-token');
    const refused = await waitFor(() => spans().find((s) => s.name === 'POST /graphql' && s.attributes['http.response.status_code'] === 401), 5000, 'the 401 span');
    expect(refused.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('no span carries a secret: names, attributes, status messages and events of every span of this file', async () => {
    const all = spans();
    expect(all.length).toBeGreaterThan(20);
    expect(markers.length).toBeGreaterThan(6);
    const text = JSON.stringify(all.map((s) => ({ name: s.name, attributes: s.attributes, status: s.status, events: s.events, resource: s.resource.attributes })));
    for (const marker of markers) expect(text).not.toContain(marker);
    // Nor the admin token, nor any authorization value.
    expect(text).not.toContain(TEST_ADMIN_TOKEN);
    expect(text).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}|AWS4-HMAC-SHA256 Credential/);
  });
});
