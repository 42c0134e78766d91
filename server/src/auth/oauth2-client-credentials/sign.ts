import { signWithAccessToken } from '../bearer.js';
import type { OutgoingRequest, Secrets, SignContext } from '../types.js';
import type { OAuth2ClientCredentialsAuth, OAuth2ClientCredentialsSecret } from './config.js';

/** Adds the access token the dispatcher fetched (SignContext.accessToken); the token lifecycle lives in oauth/. */
export async function signOAuth2ClientCredentials(
  _config: OAuth2ClientCredentialsAuth,
  _secrets: Secrets<OAuth2ClientCredentialsSecret>,
  request: OutgoingRequest,
  context: SignContext,
): Promise<OutgoingRequest> {
  return signWithAccessToken('OAuth2 client credentials', request, context);
}
