import type { OutgoingRequest, Secrets, SignContext } from '../types.js';
import type { OAuth2Auth, OAuth2Secret } from './config.js';

export async function signOAuth2(
  _config: OAuth2Auth,
  _secrets: Secrets<OAuth2Secret>,
  _request: OutgoingRequest,
  _context: SignContext,
): Promise<OutgoingRequest> {
  throw new Error('OAuth2 (authorization code) signing is not built yet');
}
