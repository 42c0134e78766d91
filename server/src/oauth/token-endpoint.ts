import { ClientAuthentication } from '../auth/oauth2-shared.js';
import type { TokenRequest } from '../auth/oauth2-requests.js';
import { OutgoingError, type OutgoingHttp, type SiteTls } from '../net/outgoing.js';
import { startTokenSpan } from '../tracing/token-requests.js';

/**
 * Token endpoint requests for every grant this service makes, and the reading of their answers.
 * Nothing here stores or logs anything; errors carry the provider's error code and description,
 * never a secret we sent.
 */

export interface TokenResponse {
  accessToken: string;
  refreshToken: string | undefined;
  tokenType: string | null;
  /** Seconds, as the provider said; undefined when it did not. */
  expiresIn: number | undefined;
  httpStatus: number;
}

/**
 * A token request that did not produce a token. `message` is what people see (FAILED state,
 * history), with the provider's words; `providerError` is the RFC 6749 §5.2 code when the provider
 * sent one of them (or RFC 8707's invalid_target), `other` when it sent anything else — so what goes
 * into logs and spans is one of eight words, never text a provider chose.
 */
export class TokenRequestError extends Error {
  constructor(
    message: string,
    readonly providerError: string | undefined,
    readonly httpStatus: number | undefined,
    /** True when retrying as is cannot help: a person must reconnect or fix the credentials. */
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** RFC 6749 §2.3.1: the client id and secret are form-encoded before they go into Basic. */
function basicCredentials(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`, 'utf8').toString('base64');
}

function printable(text: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * RFC 6749 §5.2 answers about the client, its credentials or its grant: asking again as is gets
 * the same answer, so they wait for a person (new credentials, Connect again, a site edit).
 */
/** RFC 6749 §5.2: the error codes a token endpoint answers with; and RFC 8707 §2's, for a resource it will not serve. */
export const TOKEN_ENDPOINT_ERRORS: ReadonlySet<string> = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
]);

/** The provider's `error` as one of RFC 6749 §5.2's codes, or `other`. */
export function providerErrorCode(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  return TOKEN_ENDPOINT_ERRORS.has(code) ? code : 'other';
}

// invalid_target: the site names a resource the provider does not serve; only an edit fixes it.
const PERSON_ERRORS = new Set(['invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'invalid_target', 'access_denied']);

/**
 * Whether only a person can make a refused token request succeed. Only the provider saying no to
 * the credentials does that: a named credentials error, or 401/403 without one. Anything else —
 * an unreachable endpoint, 5xx, 404 from a proxy, an error code we do not know — may pass by
 * itself and is asked again after the retry pause; marking it for a person would leave the site
 * failed (and its deliveries failed at once) after the cause went away.
 */
function needsPerson(status: number, code: string | undefined): boolean {
  if (code !== undefined) return PERSON_ERRORS.has(code);
  return status === 401 || status === 403;
}

/**
 * Sends one token request and reads its answer; inside a span when tracing is on (tracing/:
 * grant, site, endpoint without query, status, outcome — no parameter, header or answer).
 */
export async function requestToken(http: OutgoingHttp, request: TokenRequest, options: { siteId?: string; tls?: SiteTls } = {}): Promise<TokenResponse> {
  const span = startTokenSpan({ tokenUrl: request.tokenUrl, grantType: request.grantType, siteId: options.siteId });
  if (!span) return exchange(http, request, options.tls);
  try {
    const response = await exchange(http, request, options.tls);
    span.succeeded(response.httpStatus);
    return response;
  } catch (error) {
    if (error instanceof TokenRequestError) {
      const { httpStatus, providerError } = error;
      const errorType = providerError ?? (httpStatus === undefined ? 'unreachable' : httpStatus >= 200 && httpStatus < 300 ? 'invalid_response' : String(httpStatus));
      span.failed({ httpStatus, providerError, errorType });
    } else span.failed({ httpStatus: undefined, providerError: undefined, errorType: 'internal' });
    throw error;
  }
}

/** application/x-www-form-urlencoded, a list as its field repeated (RFC 8707 §2: `resource=a&resource=b`). */
function formEncode(params: Record<string, string | readonly string[]>): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) for (const one of typeof value === 'string' ? [value] : value) form.append(key, one);
  return form.toString();
}

/** `tls`: the site's client certificate, presented to the token endpoint as to the site (mutual TLS). */
async function exchange(http: OutgoingHttp, request: TokenRequest, tls: SiteTls | undefined): Promise<TokenResponse> {
  const params: Record<string, string | readonly string[]> = {};
  for (const [key, value] of Object.entries(request.params)) {
    if (value !== undefined && value.length > 0) params[key] = value;
  }
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': request.contentType };
  if (request.clientAuth.kind === 'secret') {
    if (request.clientAuth.method === ClientAuthentication.BASIC) {
      headers.authorization = `Basic ${basicCredentials(request.clientAuth.clientId, request.clientAuth.clientSecret)}`;
    } else {
      params.client_id = request.clientAuth.clientId;
      params.client_secret = request.clientAuth.clientSecret;
    }
  }
  const body = request.contentType === 'application/json' ? JSON.stringify(params) : formEncode(params);

  let response;
  try {
    response = await http.send({ method: 'POST', url: request.tokenUrl, headers, body, maxResponseBytes: 262_144, tls });
  } catch (error) {
    if (error instanceof OutgoingError) {
      // Refused targets are a configuration problem; the rest may pass.
      throw new TokenRequestError(`The token endpoint could not be reached: ${error.message}`, undefined, undefined, error.kind === 'blocked');
    }
    throw error;
  }

  const status = response.status;
  const text = response.body.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const object = json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;

  if (status < 200 || status >= 300) {
    const code = typeof object?.error === 'string' ? printable(object.error, 80) : undefined;
    const description = typeof object?.error_description === 'string' ? printable(object.error_description) : undefined;
    const message = code
      ? `The token endpoint refused the request: ${code}${description ? ` (${description})` : ''} [HTTP ${status}]`
      : `The token endpoint answered HTTP ${status}${object ? '' : ' without a JSON error'}`;
    throw new TokenRequestError(message, providerErrorCode(code), status, needsPerson(status, code));
  }
  if (!object) {
    const type = response.headers['content-type'] ?? 'no content type';
    throw new TokenRequestError(`The token endpoint answered HTTP ${status} with ${printable(type, 80)}, not a JSON token response`, undefined, status, false);
  }
  if (typeof object.error === 'string') {
    const code = printable(object.error, 80);
    throw new TokenRequestError(`The token endpoint refused the request: ${code}`, providerErrorCode(code), status, needsPerson(status, code));
  }
  if (typeof object.access_token !== 'string' || object.access_token === '') {
    throw new TokenRequestError('The token response has no access_token', undefined, status, false);
  }
  const tokenType = typeof object.token_type === 'string' ? object.token_type : null;
  if (tokenType && tokenType.toLowerCase() !== 'bearer') {
    throw new TokenRequestError(`The token endpoint issued a "${printable(tokenType, 40)}" token; only Bearer tokens can be sent`, undefined, status, true);
  }
  const rawExpiresIn = typeof object.expires_in === 'string' ? Number(object.expires_in) : object.expires_in;
  const expiresIn = typeof rawExpiresIn === 'number' && Number.isFinite(rawExpiresIn) && rawExpiresIn > 0 ? rawExpiresIn : undefined;
  return {
    accessToken: object.access_token,
    refreshToken: typeof object.refresh_token === 'string' && object.refresh_token !== '' ? object.refresh_token : undefined,
    tokenType,
    expiresIn,
    httpStatus: status,
  };
}
