import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT, ATTR_URL_FULL } from '@opentelemetry/semantic-conventions';
import { ATTR_SITE_ID, safeUrl } from './attempts.js';
import { activeTracer } from './tracing.js';

export const TOKEN_SPAN_NAME = 'oauth2 token request';
export const ATTR_GRANT_TYPE = 'trusted_sites.oauth.grant_type';
export const ATTR_TOKEN_OUTCOME = 'trusted_sites.oauth.outcome';
/** The provider's RFC 6749 §5.2 error code, or "other": never its own text. */
export const ATTR_PROVIDER_ERROR = 'trusted_sites.oauth.error';

export interface TokenSpan {
  succeeded(httpStatus: number): void;
  failed(detail: { httpStatus: number | undefined; providerError: string | undefined; errorType: string }): void;
}

/**
 * A span (kind CLIENT) around one request to a token endpoint: grant type, site id, endpoint
 * (without its query), status and outcome. Never a parameter, header or answer: those are the
 * client secret, the assertion, the code and the tokens. Undefined when tracing is off. A child of
 * whatever is active: the operation that asked (refreshAccessToken, testSite), else a trace of its own.
 */
export function startTokenSpan(start: { tokenUrl: string; grantType: string; siteId: string | undefined }): TokenSpan | undefined {
  const tracer = activeTracer();
  if (!tracer) return undefined;
  const target = safeUrl(start.tokenUrl);
  const span = tracer.startSpan(TOKEN_SPAN_NAME, {
    kind: SpanKind.CLIENT,
    attributes: {
      [ATTR_GRANT_TYPE]: start.grantType,
      [ATTR_HTTP_REQUEST_METHOD]: 'POST',
      ...(start.siteId ? { [ATTR_SITE_ID]: start.siteId } : {}),
      ...(target ? { [ATTR_URL_FULL]: target.full, [ATTR_SERVER_ADDRESS]: target.host, [ATTR_SERVER_PORT]: target.port } : {}),
    },
  });
  return {
    succeeded(httpStatus) {
      span.setAttributes({ [ATTR_TOKEN_OUTCOME]: 'SUCCEEDED', [ATTR_HTTP_RESPONSE_STATUS_CODE]: httpStatus });
      span.end();
    },
    failed({ httpStatus, providerError, errorType }) {
      span.setAttributes({
        [ATTR_TOKEN_OUTCOME]: 'FAILED',
        [ATTR_ERROR_TYPE]: errorType,
        ...(httpStatus !== undefined ? { [ATTR_HTTP_RESPONSE_STATUS_CODE]: httpStatus } : {}),
        ...(providerError ? { [ATTR_PROVIDER_ERROR]: providerError } : {}),
      });
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
      span.end();
    },
  };
}
