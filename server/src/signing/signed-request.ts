import { randomUUID } from 'node:crypto';
import { definitionOf } from '../auth/registry.js';
import type { OutgoingRequest, Secrets } from '../auth/types.js';
import type { Site } from '../sites/site.entity.js';
import { signatureHeaders } from '../sites/payload-signing.js';
import { headersToSend } from '../sites/static-headers.js';
import { DELIVERY_ID_HEADER } from '../validation/reserved-headers.js';

export const USER_AGENT = 'trusted-sites/0.1';

export interface UnsignedWebhook {
  method: string;
  /** Lower-case names; the caller's extra headers. */
  headers: Iterable<readonly [string, string]>;
  body: Buffer;
  deliveryId: string;
  /** For the OAuth2 methods. */
  accessToken?: string;
  now?: Date;
}

/**
 * The one place a request to a site is put together: the caller's headers, then the site's static
 * headers (the administrator's word wins over a workflow's header of the same name), the site's
 * content type and the delivery id, the Standard Webhooks signature when the site has it on (over
 * the exact body sent; before the auth method, so SigV4 covers the webhook-* headers too), then the
 * site's auth method signs it — last, because it may cover every header and the body. `secrets` are
 * SiteService.openSecrets (the secret static headers' and the signing secrets' values among them).
 * The dispatcher, `testSite` and the preview all use this.
 */
export function signWebhook(site: Site, secrets: Secrets<string>, webhook: UnsignedWebhook): Promise<OutgoingRequest> {
  const headers: Record<string, string> = { 'user-agent': USER_AGENT };
  for (const [name, value] of webhook.headers) headers[name] = value;
  for (const [name, value] of headersToSend(site.storedHeaders ?? [], secrets)) headers[name] = value;
  headers['content-type'] = site.contentType;
  headers[DELIVERY_ID_HEADER] = webhook.deliveryId;
  const now = webhook.now ?? new Date();
  if (site.storedSigning?.enabled) {
    for (const [name, value] of signatureHeaders(site.storedSigning, secrets, webhook.deliveryId, webhook.body, now)) headers[name] = value;
  }
  const request: OutgoingRequest = { method: webhook.method, url: site.url, headers, body: webhook.body };
  // Drawn only if the method reads it (an S3 object key may; every request used to draw one).
  let uuid: string | undefined;
  return definitionOf(site.authMethod).sign(site.auth as never, secrets, request, {
    now,
    siteId: site.id,
    deliveryId: webhook.deliveryId,
    get uuid() {
      return (uuid ??= randomUUID());
    },
    accessToken: webhook.accessToken,
  });
}

/** Turns a payload into the bytes sent, by the site's content type. */
export function encodeBody(payload: unknown, contentType: string): Buffer {
  const media = contentType.split(';')[0]!.trim().toLowerCase();
  const isJson = media === 'application/json' || media.endsWith('+json');
  if (!isJson && typeof payload === 'string') return Buffer.from(payload, 'utf8');
  if (media === 'application/x-www-form-urlencoded' && payload && typeof payload === 'object' && !Array.isArray(payload)) {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(payload as Record<string, unknown>)) {
      form.append(key, typeof value === 'string' ? value : JSON.stringify(value));
    }
    return Buffer.from(form.toString(), 'utf8');
  }
  return Buffer.from(JSON.stringify(payload ?? null), 'utf8');
}
