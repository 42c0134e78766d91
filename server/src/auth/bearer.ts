import { AccessTokenMissingError } from './errors.js';
import type { OutgoingRequest, SignContext } from './types.js';

/** What the three OAuth2 methods add to a request: `Authorization: Bearer <access token>` (RFC 6750 §2.1). */
export function signWithAccessToken(methodLabel: string, request: OutgoingRequest, context: SignContext): OutgoingRequest {
  const token = context.accessToken;
  if (!token) throw new AccessTokenMissingError(methodLabel);
  return { method: request.method, url: request.url, headers: { ...request.headers, authorization: `Bearer ${token}` }, body: request.body };
}
