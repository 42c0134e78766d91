import type { ApolloServerPlugin } from '@apollo/server';
import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';
import type express from 'express';
import { activeTracer, defaultGetter, traceContext } from './tracing.js';

/** The semantic conventions' GraphQL attributes (still "development" there, so spelled out here). */
export const ATTR_GRAPHQL_OPERATION_TYPE = 'graphql.operation.type';
export const ATTR_GRAPHQL_OPERATION_NAME = 'graphql.operation.name';

/**
 * One span per GraphQL request over HTTP (kind SERVER). It continues the caller's W3C traceparent —
 * the workflow engine's — so a workflow's trace goes on through our operation and, from the
 * delivery stored with it, into every attempt. Started here, around the rest of the request, so
 * everything the operation runs (resolvers, services, token requests) sees it as the active span;
 * the Apollo plugin below names it once the operation is known. Ends when the response does.
 * With tracing off this is one check and `next()`.
 */
export function traceGraphqlRequests(): express.RequestHandler {
  return (req, res, next) => {
    const tracer = activeTracer();
    if (!tracer) {
      next();
      return;
    }
    const parent = traceContext.extract(ROOT_CONTEXT, req.headers, defaultGetter);
    const span = tracer.startSpan(
      `${req.method} /graphql`,
      { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: req.method, [ATTR_URL_PATH]: '/graphql' } },
      parent,
    );
    res.once('close', () => {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      // Refused before GraphQL ran (401, 413, 503): the status says why; GraphQL errors are set by the plugin.
      if (res.statusCode >= 400 && !spansWithErrors.has(span)) {
        span.setAttribute(ATTR_ERROR_TYPE, String(res.statusCode));
        span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${res.statusCode}` });
      }
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

/** Spans whose status the plugin has set from GraphQL errors. */
const spansWithErrors = new WeakSet<Span>();

/**
 * Names the request's span `<type> <operationName>` (`mutation sendWebhook`) with the GraphQL
 * attributes, and marks it failed with the errors' codes. Never the document or the variables:
 * a createSite's variables hold secrets.
 */
export function graphqlTracingPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const span = activeTracer() ? trace.getActiveSpan() : undefined;
      if (!span) return;
      return {
        async didResolveOperation({ operation, operationName }) {
          if (!operation) return;
          const type = operation.operation;
          span.updateName(operationName ? `${type} ${operationName}` : type);
          span.setAttribute(ATTR_GRAPHQL_OPERATION_TYPE, type);
          if (operationName) span.setAttribute(ATTR_GRAPHQL_OPERATION_NAME, operationName);
        },
        async didEncounterErrors({ errors }) {
          // Codes, not messages: a message may quote what the caller sent.
          const codes = [...new Set(errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
          spansWithErrors.add(span);
          span.setAttribute(ATTR_ERROR_TYPE, codes[0]!);
          span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(', ') });
        },
      };
    },
  };
}
