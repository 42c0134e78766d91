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

export async function signBasic(
  config: BasicAuth,
  secrets: Secrets<'password'>,
  request: OutgoingRequest,
  _context: SignContext,
): Promise<OutgoingRequest> {
  const authorization = `Basic ${basicCredentials(config.username, secrets.password ?? '')}`;
  return { method: request.method, url: request.url, headers: { ...request.headers, authorization }, body: request.body };
}
