import { signWithAccessToken } from '../bearer.js';
import type { OutgoingRequest, Secrets, SignContext } from '../types.js';
import type { OAuth2Auth, OAuth2Secret } from './config.js';

/** Adds the access token the dispatcher fetched (SignContext.accessToken); the token lifecycle lives in oauth/. */
export async function signOAuth2(
  _config: OAuth2Auth,
  _secrets: Secrets<OAuth2Secret>,
  request: OutgoingRequest,
  context: SignContext,
): Promise<OutgoingRequest> {
  return signWithAccessToken('OAuth2 (authorization code)', request, context);
}
