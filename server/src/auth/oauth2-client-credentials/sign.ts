import type { OutgoingRequest, Secrets, SignContext } from '../types.js';
import type { OAuth2ClientCredentialsAuth, OAuth2ClientCredentialsSecret } from './config.js';

export async function signOAuth2ClientCredentials(
  _config: OAuth2ClientCredentialsAuth,
  _secrets: Secrets<OAuth2ClientCredentialsSecret>,
  _request: OutgoingRequest,
  _context: SignContext,
): Promise<OutgoingRequest> {
  throw new Error('OAuth2 client credentials signing is not built yet');
}
