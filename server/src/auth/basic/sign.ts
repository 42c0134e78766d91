import type { OutgoingRequest, Secrets, SignContext } from '../types.js';
import type { BasicAuth } from './config.js';

/** RFC 7617 §2 with charset UTF-8 (§2.1): base64 of the UTF-8 bytes of `user-id ":" password`. */
export function basicCredentials(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
}

export async function signBasic(
  config: BasicAuth,
  secrets: Secrets<'password'>,
  request: OutgoingRequest,
  _context: SignContext,
): Promise<OutgoingRequest> {
  return {
    ...request,
    headers: { ...request.headers, authorization: `Basic ${basicCredentials(config.username, secrets.password ?? '')}` },
  };
}
