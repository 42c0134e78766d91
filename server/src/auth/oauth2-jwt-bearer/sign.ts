import { signWithAccessToken } from '../bearer.js';
import type { OutgoingRequest, Secrets, SignContext } from '../types.js';
import type { OAuth2JwtBearerAuth, OAuth2JwtBearerSecret } from './config.js';

/** Adds the access token the dispatcher fetched (SignContext.accessToken); the token lifecycle lives in oauth/. */
export async function signOAuth2JwtBearer(
  _config: OAuth2JwtBearerAuth,
  _secrets: Secrets<OAuth2JwtBearerSecret>,
  request: OutgoingRequest,
  context: SignContext,
): Promise<OutgoingRequest> {
  return signWithAccessToken('OAuth2 JWT private key', request, context);
}
