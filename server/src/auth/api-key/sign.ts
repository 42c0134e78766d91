import { MissingSecretError } from '../errors.js';
import type { OutgoingRequest, Secrets, SignContext } from '../types.js';
import { type ApiKeyAuth, ApiKeyPlacement, type ApiKeySecret } from './config.js';

/**
 * `url` with the query parameter `name` set to `value`, percent-encoded as RFC 3986 asks
 * (`encodeURIComponent`, spaces as %20). Every parameter already named `name` goes (the key takes
 * the place of the first); the others keep their bytes exactly as the site URL has them, so what
 * the administrator typed is what is sent.
 */
export function withQueryParameter(url: string, name: string, value: string): string {
  const parsed = new URL(url);
  const pair = `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
  const parts = parsed.search.length > 1 ? parsed.search.slice(1).split('&') : [];
  const kept: string[] = [];
  let placed = false;
  for (const part of parts) {
    if (parameterName(part) === name) {
      if (!placed) kept.push(pair);
      placed = true;
    } else kept.push(part);
  }
  if (!placed) kept.push(pair);
  parsed.search = `?${kept.join('&')}`;
  return parsed.href;
}

/** The decoded name of one `name=value` part (form rules: `+` is a space), or undefined if it does not decode. */
function parameterName(part: string): string | undefined {
  const raw = part.split('=', 1)[0]!;
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

export async function signApiKey(config: ApiKeyAuth, secrets: Secrets<ApiKeySecret>, request: OutgoingRequest, _context: SignContext): Promise<OutgoingRequest> {
  const key = secrets.key;
  if (key === undefined) throw new MissingSecretError('API key', 'key');
  if (config.placement === ApiKeyPlacement.QUERY) {
    return { method: request.method, url: withQueryParameter(request.url, config.name, key), headers: request.headers, body: request.body };
  }
  return { method: request.method, url: request.url, headers: { ...request.headers, [config.name]: key }, body: request.body };
}
