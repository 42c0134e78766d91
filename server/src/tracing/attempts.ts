import { type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
import type { AttemptOutcome } from '../dispatch/delivery-states.js';
import type { AttemptResult } from '../dispatch/retry-policy.js';
import { activeTracer, contextFromTraceParent, traceHeaders } from './tracing.js';

/** Span attributes of ours (the rest are OpenTelemetry's semantic conventions). */
export const ATTR_DELIVERY_ID = 'trusted_sites.delivery.id';
export const ATTR_SITE_ID = 'trusted_sites.site.id';
export const ATTR_ATTEMPT = 'trusted_sites.delivery.attempt';
export const ATTR_OUTCOME = 'trusted_sites.delivery.outcome';

export const ATTEMPT_SPAN_NAME = 'delivery attempt';

export interface AttemptStart {
  /** The traceparent stored with the delivery (the sendWebhook operation's), or null. */
  traceParent: string | null;
  deliveryId: string;
  siteId: string;
  /** 1 for the first attempt. */
  attempt: number;
  method: string;
  url: string;
}

/** One delivery attempt's span (kind CLIENT), as the dispatcher sees it. */
export interface AttemptSpan {
  /** traceparent (and tracestate) naming this attempt, for receivers whose site asks for it. */
  headers(): Record<string, string>;
  /** Ends the span with the attempt's outcome; the status code when the receiver answered. */
  end(outcome: AttemptOutcome, statusCode: number | null, result: AttemptResult): void;
}

/** What main.ts hands to the dispatcher when tracing is on (like the metrics hooks). */
export interface AttemptTracer {
  attemptStarted(start: AttemptStart): AttemptSpan | undefined;
}

/**
 * Each attempt's span is a child of the context stored with its delivery, so it lands in the trace
 * of the workflow's sendWebhook call — whichever process sends it, however much later.
 */
export const attemptTracer: AttemptTracer = {
  attemptStarted(start) {
    const tracer = activeTracer();
    if (!tracer) return undefined;
    const target = safeUrl(start.url);
    const span = tracer.startSpan(
      ATTEMPT_SPAN_NAME,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_DELIVERY_ID]: start.deliveryId,
          [ATTR_SITE_ID]: start.siteId,
          [ATTR_ATTEMPT]: start.attempt,
          [ATTR_HTTP_REQUEST_RESEND_COUNT]: start.attempt - 1,
          [ATTR_HTTP_REQUEST_METHOD]: start.method,
          ...(target ? { [ATTR_URL_FULL]: target.full, [ATTR_SERVER_ADDRESS]: target.host, [ATTR_SERVER_PORT]: target.port } : {}),
        },
      },
      contextFromTraceParent(start.traceParent),
    );
    return {
      headers: () => traceHeaders(trace.setSpan(contextFromTraceParent(null), span)),
      end: (outcome, statusCode, result) => endAttempt(span, outcome, statusCode, result),
    };
  },
};

function endAttempt(span: Span, outcome: AttemptOutcome, statusCode: number | null, result: AttemptResult): void {
  span.setAttribute(ATTR_OUTCOME, outcome);
  if (statusCode !== null) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
  if (outcome !== 'SUCCEEDED') {
    // The kind of failure only: the attempt row keeps the error text, which may quote a receiver.
    const type = result.kind === 'response' ? String(result.status) : result.kind === 'network' ? result.errorKind : result.retryable ? 'prepare' : 'prepare_permanent';
    span.setAttribute(ATTR_ERROR_TYPE, type);
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome === 'RETRYING' ? `${type}; will retry` : type });
  }
  span.end();
}

/**
 * url.full without query string, fragment or user:password (a query may carry a receiver's key,
 * and the semantic conventions want credentials out); host and port for server.*.
 */
export function safeUrl(url: string): { full: string; host: string; port: number } | undefined {
  try {
    const u = new URL(url);
    u.search = '';
    u.hash = '';
    u.username = '';
    u.password = '';
    const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
    return { full: u.toString(), host: u.hostname, port };
  } catch {
    return undefined;
  }
}
