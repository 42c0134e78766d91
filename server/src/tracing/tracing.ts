import { type Context, DiagLogLevel, ROOT_CONTEXT, type Tracer, context, diag, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { ProcessRole, TracingConfig } from '../config.js';
import { log } from '../log.js';

/**
 * OpenTelemetry traces (issue 13 part 3). Off unless an OTLP endpoint is configured (or a test
 * hands in an exporter): then one NodeTracerProvider for the process, registered with the
 * OpenTelemetry API, exporting in batches over OTLP/HTTP. Off means nothing is registered, so
 * every `@opentelemetry/api` call is the API's no-op, and this module's own helpers answer
 * `undefined`/`null` after one check of `active` — the hot paths pay nothing else.
 */

export const TRACER_NAME = 'trusted-sites';
/** The resource attribute naming the process role (TRUSTED_SITES_ROLE): api, dispatcher or all. */
export const ATTR_PROCESS_ROLE = 'trusted_sites.process.role';
/** How long a stop waits for the last spans to be exported; a collector that does not answer costs no more. */
export const TRACING_STOP_MS = 2000;

const VERSION = '0.1.0';

interface ActiveTracing {
  provider: NodeTracerProvider;
  tracer: Tracer;
}

let active: ActiveTracing | undefined;

/** The one propagator for traceparent in and out: W3C Trace Context, whatever is registered globally. */
export const traceContext = new W3CTraceContextPropagator();

export interface StartTracingOptions {
  config: TracingConfig;
  role: ProcessRole;
  /**
   * For tests: spans go to this exporter, one at a time as they end (SimpleSpanProcessor), instead
   * of in batches to the OTLP endpoint.
   */
  exporter?: SpanExporter;
}

export interface Tracing {
  /** Exports what is left (bounded by TRACING_STOP_MS) and unregisters everything it registered. */
  stop(): Promise<void>;
}

/**
 * Starts tracing for this process when an endpoint is configured or an exporter is given;
 * otherwise does nothing and answers undefined. One provider per process: a second start while
 * one runs is a mistake (two apps in one process would share it), so it throws.
 */
export function startTracing(options: StartTracingOptions): Tracing | undefined {
  const { config, role, exporter } = options;
  if (!exporter && !config.endpoint) return undefined;
  if (active) throw new Error('tracing is already started in this process');
  // Ours first, then OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME over them (the SDK's rule: the
  // environment names the service when it says so).
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName, [ATTR_SERVICE_VERSION]: VERSION, [ATTR_PROCESS_ROLE]: role }))
    .merge(detectResources({ detectors: [envDetector] }));
  const processor: SpanProcessor = exporter
    ? new SimpleSpanProcessor(exporter)
    : // Batches (OTEL_BSP_* tune them): a span costs a push onto a queue, the export runs off the request path.
      new BatchSpanProcessor(new OTLPTraceExporter({ url: config.endpoint }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // The API's context manager (AsyncLocalStorage) and W3C propagators, so spans started inside an
  // operation are its children without passing it along.
  provider.register();
  diag.setLogger(diagToLog, DiagLogLevel.WARN);
  active = { provider, tracer: provider.getTracer(TRACER_NAME, VERSION) };
  const current = active;
  log.info('tracing is on', { endpoint: exporter ? 'in-memory (test)' : redactEndpoint(config.endpoint!), serviceName: config.serviceName });
  return {
    async stop() {
      if (active !== current) return;
      active = undefined;
      const done = current.provider.shutdown().then(
        () => true,
        (error: unknown) => {
          log.warn('tracing: could not export the last spans', { error: String((error as Error)?.message ?? error).slice(0, 200) });
          return true;
        },
      );
      let timer: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([done, new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), TRACING_STOP_MS)))]);
      clearTimeout(timer);
      if (!inTime) log.warn(`tracing: the collector did not take the last spans within ${TRACING_STOP_MS} ms; they are dropped`);
      // A later start (a test's next app) registers afresh.
      trace.disable();
      context.disable();
      propagation.disable();
      diag.disable();
    },
  };
}

/** The tracer when tracing is on; undefined when off (callers then do nothing at all). */
export function activeTracer(): Tracer | undefined {
  return active?.tracer;
}

/** Whether a provider is started in this process (tests, /readyz-like checks). */
export function tracingActive(): boolean {
  return active !== undefined;
}

/**
 * The W3C traceparent of the current span (a GraphQL operation's, during its resolvers), to store
 * with work done later; null when tracing is off or nothing is being traced.
 */
export function currentTraceParent(): string | null {
  if (!active) return null;
  const carrier: Record<string, string> = {};
  traceContext.inject(context.active(), carrier, defaultSetter);
  return carrier.traceparent ?? null;
}

/** The context a stored traceparent names (its span as a remote parent); the root context for null or junk. */
export function contextFromTraceParent(traceParent: string | null | undefined): Context {
  if (!traceParent) return ROOT_CONTEXT;
  return traceContext.extract(ROOT_CONTEXT, { traceparent: traceParent }, defaultGetter);
}

/** Headers for `ctx`'s span: traceparent (and tracestate when there is one). */
export function traceHeaders(ctx: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  traceContext.inject(ctx, carrier, defaultSetter);
  return carrier;
}

const defaultSetter = {
  set(carrier: Record<string, string>, key: string, value: string) {
    carrier[key] = value;
  },
};

export const defaultGetter = {
  keys: (carrier: Record<string, unknown>) => Object.keys(carrier),
  get(carrier: Record<string, unknown>, key: string): string | string[] | undefined {
    const value = carrier[key];
    return typeof value === 'string' || Array.isArray(value) ? (value as string | string[]) : undefined;
  },
};

/** The collector's address for the start line: scheme, host and path, never user:password or a query. */
function redactEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

/**
 * The SDK reports export failures through its diag logger: one warn line a minute at most (a
 * collector that is down would otherwise write one every few seconds), the message cut short.
 */
let lastDiagAt = 0;
function diagLine(level: 'warn' | 'error', message: string): void {
  const now = Date.now();
  if (now - lastDiagAt < 60_000) return;
  lastDiagAt = now;
  log.warn('tracing: the OpenTelemetry SDK reported a problem', { sdkLevel: level, detail: String(message).slice(0, 200) });
}
const diagToLog = {
  error: (message: string) => diagLine('error', message),
  warn: (message: string) => diagLine('warn', message),
  info: () => undefined,
  debug: () => undefined,
  verbose: () => undefined,
};
