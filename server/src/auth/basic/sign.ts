import type { OutgoingRequest, Secrets, SignContext } from '../types.js';
import type { BasicAuth } from './config.js';

/**
 * RFC 7617 §2 with charset UTF-8 (§2.1): base64 of the UTF-8 bytes of `user-id ":" password`.
 * §2.1 prepares both with PRECIS profiles (RFC 8265) whose core is Unicode NFC, so a name typed as
 * "e + combining acute" matches the server's "é"; the profiles' other rules are not applied.
 */
export function basicCredentials(username: string, password: string): string {
  return Buffer.from(`${username.normalize('NFC')}:${password.normalize('NFC')}`, 'utf8').toString('base64');
}

/**
 * The header of the last credentials signed with, per secrets object (a site's secrets are opened
 * once and reused for every webhook), so a delivery does not repeat the NFC and base64 work.
 */
const headerCache = new WeakMap<object, { username: string; password: string; header: string }>();

function authorizationFor(username: string, password: string, secrets: object): string {
  const cached = headerCache.get(secrets);
  if (cached && cached.username === username && cached.password === password) return cached.header;
  const header = `Basic ${basicCredentials(username, password)}`;
  headerCache.set(secrets, { username, password, header });
  return header;
}

export async function signBasic(
  config: BasicAuth,
  secrets: Secrets<'password'>,
  request: OutgoingRequest,
  _context: SignContext,
): Promise<OutgoingRequest> {
  const authorization = authorizationFor(config.username, secrets.password ?? '', secrets);
  return { method: request.method, url: request.url, headers: { ...request.headers, authorization }, body: request.body };
}
