import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { ProxyTracerProvider, isSpanContextValid, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { TEST_ADMIN_TOKEN, type TestApp, createTestDatabase, ok, startTestApp } from '../../test/support.js';
import { type Receiver, startReceiver, waitFor } from '../dispatch/testkit.js';
import { ATTEMPT_SPAN_NAME } from './attempts.js';
import { tracingActive } from './tracing.js';

/**
 * Traces across processes and restarts, the real OTLP/HTTP export, and tracing off. One app at a
 * time: a process has one tracer provider.
 */
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver?.close();
});

async function site(app: TestApp, sendTraceparent: boolean): Promise<string> {
  const { id } = ok(
    await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
      input: { name: `Site ${randomBytes(3).toString('hex')}`, url: `${receiver.url}/hook`, auth: { basic: { username: 'u', password: 'p' } }, sendTraceparent },
    }),
  ).createSite;
  ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id }));
  return id;
}

async function send(app: TestApp, siteId: string, traceparent: string): Promise<string> {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}`, traceparent },
    body: JSON.stringify({ query: 'mutation Send($input: WebhookInput!) { sendWebhook(input: $input) { id } }', variables: { input: { siteId, payload: { hello: 1 } } } }),
  });
  const body = (await response.json()) as { data: { sendWebhook: { id: string } } };
  return body.data.sendWebhook.id;
}

async function storedTraceParent(databaseUrl: string, deliveryId: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<{ trace_parent: string | null }>('SELECT trace_parent FROM delivery WHERE id = $1', [deliveryId])).rows[0]!.trace_parent;
  } finally {
    await client.end();
  }
}

describe('traces across processes', () => {
  it('an attempt sent by another process, after the accepting one stopped, is a child of the stored operation span', async () => {
    const databaseUrl = await createTestDatabase();
    const traceId = randomBytes(16).toString('hex');
    const apiSpans = new InMemorySpanExporter();
    // Accepts, never sends.
    const api = await startTestApp({ DATABASE_URL: databaseUrl, TRUSTED_SITES_ROLE: 'api' }, { traceExporter: apiSpans });
    let deliveryId: string;
    let operationSpanId: string;
    try {
      const siteId = await site(api, true);
      deliveryId = await send(api, siteId, `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
      const operation = await waitFor(() => apiSpans.getFinishedSpans().find((s) => s.name === 'mutation Send'), 5000, 'the operation span');
      operationSpanId = operation.spanContext().spanId;
      expect(operation.spanContext().traceId).toBe(traceId);
      expect(await storedTraceParent(databaseUrl, deliveryId)).toBe(`00-${traceId}-${operationSpanId}-01`);
      expect(apiSpans.getFinishedSpans().filter((s) => s.name === ATTEMPT_SPAN_NAME)).toHaveLength(0);
    } finally {
      await api.stop();
    }
    expect(tracingActive()).toBe(false);

    const dispatcherSpans = new InMemorySpanExporter();
    const dispatcher = await startTestApp({ DATABASE_URL: databaseUrl, TRUSTED_SITES_ROLE: 'dispatcher', DISPATCH_POLL_MS: '100' }, { traceExporter: dispatcherSpans });
    try {
      const attempt = await waitFor(() => dispatcherSpans.getFinishedSpans().find((s) => s.name === ATTEMPT_SPAN_NAME), 20_000, 'the attempt span');
      expect(attempt.spanContext().traceId).toBe(traceId);
      expect(attempt.parentSpanContext?.spanId).toBe(operationSpanId);
      expect(attempt.parentSpanContext?.isRemote).toBe(true);
      expect(attempt.attributes).toMatchObject({ 'trusted_sites.delivery.id': deliveryId, 'trusted_sites.delivery.outcome': 'SUCCEEDED' });
      expect(attempt.resource.attributes['trusted_sites.process.role']).toBe('dispatcher');
      const got = receiver.requests.find((r) => r.headers['x-delivery-id'] === deliveryId)!;
      expect(got.headers.traceparent).toBe(`00-${traceId}-${attempt.spanContext().spanId}-01`);
    } finally {
      await dispatcher.stop();
    }
  });

  it('with OTEL_EXPORTER_OTLP_ENDPOINT set, spans reach a collector over OTLP/HTTP, flushed when the app stops', async () => {
    const posts: Array<{ path: string; contentType: string | undefined; body: string }> = [];
    const collector = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk)).on('end', () => {
        posts.push({ path: req.url!, contentType: req.headers['content-type'], body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    try {
      const app = await startTestApp({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'trusted-sites-test' });
      try {
        expect(tracingActive()).toBe(true);
        ok(await app.gql('query Collected { viewer { role } }'));
      } finally {
        // The batch processor holds spans up to 5 s: the stop exports them.
        await app.stop();
      }
      expect(tracingActive()).toBe(false);
      const post = posts.find((p) => p.body.includes('query Collected'));
      expect(post).toBeDefined();
      expect(post!.path).toBe('/v1/traces');
      expect(post!.contentType).toContain('application/json');
      expect(post!.body).toContain('trusted-sites-test');
      expect(post!.body).toContain('trusted_sites.process.role');
    } finally {
      await new Promise<void>((resolve) => collector.close(() => resolve()));
    }
  });

  it('off without an endpoint: no provider is registered, nothing is stored, no header is sent', async () => {
    const databaseUrl = await createTestDatabase();
    const app = await startTestApp({ DATABASE_URL: databaseUrl, DISPATCH_POLL_MS: '100' });
    try {
      expect(tracingActive()).toBe(false);
      const provider = trace.getTracerProvider();
      expect(provider).toBeInstanceOf(ProxyTracerProvider);
      // The API's no-op: spans are non-recording with an invalid context.
      const probe = provider.getTracer('probe').startSpan('probe');
      expect(probe.isRecording()).toBe(false);
      expect(isSpanContextValid(probe.spanContext())).toBe(false);

      const siteId = await site(app, true);
      const traceId = randomBytes(16).toString('hex');
      const deliveryId = await send(app, siteId, `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
      const got = await waitFor(() => receiver.requests.find((r) => r.headers['x-delivery-id'] === deliveryId), 20_000, 'the webhook');
      expect(got.headers.traceparent).toBeUndefined();
      expect(await storedTraceParent(databaseUrl, deliveryId)).toBeNull();
    } finally {
      await app.stop();
    }
  });
});

describe('tracing settings', () => {
  const base = { TRUSTED_SITES_MASTER_KEY: '00'.repeat(32) };
  it('reads the endpoint as the OTLP exporter does, and is off without one or with OTEL_SDK_DISABLED', () => {
    expect(loadConfig(base).tracing).toEqual({ endpoint: undefined, serviceName: 'trusted-sites' });
    expect(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing.endpoint).toBe('http://collector:4318/v1/traces');
    expect(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c.example/otlp/' }).tracing.endpoint).toBe('https://c.example/otlp/v1/traces');
    expect(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' }).tracing.endpoint).toBe('http://b:4318/custom');
    expect(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_SDK_DISABLED: 'true' }).tracing.endpoint).toBeUndefined();
    expect(loadConfig({ ...base, OTEL_SERVICE_NAME: 'webhooks-eu' }).tracing.serviceName).toBe('webhooks-eu');
  });

  it('refuses an endpoint that is not an http(s) URL, without quoting it (it may hold credentials)', () => {
    expect(() => loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://user:hunter2@c:4317' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute http\(s\) URL/);
    expect(() => loadConfig({ ...base, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url hunter2' })).toThrow(/^(?!.*hunter2).*OTEL_EXPORTER_OTLP_TRACES_ENDPOINT/);
  });
});
