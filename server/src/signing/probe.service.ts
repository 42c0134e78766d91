import { randomUUID } from 'node:crypto';
import type { OutgoingRequest } from '../auth/types.js';
import { hasTokens } from '../auth/registry.js';
import type { Config } from '../config.js';
import { FieldErrors } from '../validation/field-errors.js';
import { badInput } from '../graphql/errors.js';
import { createOutgoingHttp } from '../net/http-clients.js';
import { OutgoingError, type OutgoingHttp } from '../net/outgoing.js';
import type { Site } from '../sites/site.entity.js';
import type { SiteService } from '../sites/site.service.js';
import type { AccessTokenProvider } from '../oauth/provider.js';
import { maskHeader, maskSecrets, secretsOf } from './mask.js';
import type { SignedRequestPreview, SiteTestResult } from './probe.types.js';
import { encodeBody, signWebhook } from './signed-request.js';
import { PROBE_HEADER } from '../validation/reserved-headers.js';

export const PREVIEW_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'] as const;

const BODY_PREVIEW_BYTES = 4096;
const RESPONSE_EXCERPT_BYTES = 2048;
/** A stand-in for the OAuth2 access token in previews: a preview never makes a token request. */
const PREVIEW_ACCESS_TOKEN = 'preview-access-token-not-sent';

export interface ProbeDeps {
  config: Config;
  sites: SiteService;
  tokens: AccessTokenProvider;
}

function probePayload(site: Site, now: Date) {
  return { type: 'trusted-sites.test', siteId: site.id, siteName: site.name, sentAt: now.toISOString() };
}

function utf8Excerpt(body: Buffer, limit: number): { text: string; truncated: boolean } {
  const slice = body.subarray(0, limit);
  // Drop a multi-byte character cut in half at the end rather than show a replacement mark.
  return { text: slice.toString('utf8').replace(/\uFFFD+$/, ''), truncated: body.length > limit };
}

/**
 * "Test connection" and "preview": one signed request to a site, built exactly as the dispatcher
 * builds a webhook (`signWebhook`), shown with credentials masked.
 */
export class ProbeService {
  private readonly http: OutgoingHttp;

  constructor(private readonly deps: ProbeDeps) {
    this.http = createOutgoingHttp(deps.config, 'probes');
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  async preview(siteId: string, payload: unknown, method: string | null | undefined): Promise<SignedRequestPreview> {
    const site = await this.deps.sites.require(siteId);
    const verb = this.checkMethod(method);
    const now = new Date();
    const secrets = this.deps.sites.openSecrets(site);
    const accessToken = hasTokens(site.authMethod) ? PREVIEW_ACCESS_TOKEN : undefined;
    const body = verb === 'GET' ? Buffer.alloc(0) : encodeBody(payload === undefined || payload === null ? probePayload(site, now) : payload, site.contentType);
    const request = await signWebhook(site, secrets, { method: verb, headers: [], body, deliveryId: randomUUID(), accessToken, now });
    return this.describe(request, secretsOf(secrets, request.headers, accessToken));
  }

  async test(siteId: string, payload: unknown): Promise<SiteTestResult> {
    const site = await this.deps.sites.require(siteId);
    const now = new Date();
    const secrets = this.deps.sites.openSecrets(site);
    const failed = (error: string, request: SignedRequestPreview | null, latencyMs = 0): SiteTestResult => ({
      ok: false,
      statusCode: null,
      latencyMs,
      request,
      responseHeaders: [],
      responseExcerpt: null,
      responseTruncated: false,
      error,
    });
    let accessToken: string | undefined;
    if (hasTokens(site.authMethod)) {
      try {
        accessToken = await this.deps.tokens.accessTokenFor(site, { retryFailure: true });
      } catch (error) {
        return failed(`No access token: ${(error as Error).message}`, null);
      }
    }
    const body = encodeBody(payload === undefined || payload === null ? probePayload(site, now) : payload, site.contentType);
    let request: OutgoingRequest;
    try {
      request = await signWebhook(site, secrets, { method: 'POST', headers: [[PROBE_HEADER, 'true']], body, deliveryId: randomUUID(), accessToken, now });
    } catch (error) {
      return failed(`Could not sign the request: ${(error as Error).message}`, null);
    }
    const mask = secretsOf(secrets, request.headers, accessToken);
    const sent = this.describe(request, mask);
    try {
      const tls = { siteId: site.id, certificate: this.deps.sites.openClientCertificate(site) };
      const response = await this.http.send({ method: request.method, url: request.url, headers: request.headers, body: request.body, tls });
      const excerpt = utf8Excerpt(response.body, RESPONSE_EXCERPT_BYTES);
      return {
        ok: response.status >= 200 && response.status < 300,
        statusCode: response.status,
        latencyMs: Math.round(response.durationMs * 10) / 10,
        request: sent,
        responseHeaders: Object.entries(response.headers).map(([name, value]) => ({ name, value: maskHeader(name, value, mask) })),
        // A receiver that echoes the request (many test endpoints do) must not echo credentials to the dashboard.
        responseExcerpt: maskSecrets(excerpt.text, mask),
        responseTruncated: excerpt.truncated || response.truncated,
        error: null,
      };
    } catch (error) {
      const message = error instanceof OutgoingError ? error.message : 'the request failed';
      return failed(message, sent, error instanceof OutgoingError ? Math.round(error.durationMs * 10) / 10 : 0);
    }
  }

  private checkMethod(method: string | null | undefined): string {
    const verb = (method ?? 'POST').trim().toUpperCase();
    if (!(PREVIEW_METHODS as readonly string[]).includes(verb)) {
      const errors = new FieldErrors();
      errors.add('method', `Must be one of ${PREVIEW_METHODS.join(', ')}`);
      throw badInput(errors.list);
    }
    return verb;
  }

  private describe(request: OutgoingRequest, secrets: string[]): SignedRequestPreview {
    const excerpt = utf8Excerpt(request.body, BODY_PREVIEW_BYTES);
    return {
      method: request.method,
      url: maskSecrets(request.url, secrets),
      headers: Object.entries(request.headers).map(([name, value]) => ({ name, value: maskHeader(name, value, secrets) })),
      body: maskSecrets(excerpt.text, secrets),
      bodyBytes: request.body.length,
      bodyTruncated: excerpt.truncated,
    };
  }
}

