import type { OutgoingRequest, Secrets, SignContext } from '../types.js';
import type { OAuth2JwtBearerAuth, OAuth2JwtBearerSecret } from './config.js';

export async function signOAuth2JwtBearer(
  _config: OAuth2JwtBearerAuth,
  _secrets: Secrets<OAuth2JwtBearerSecret>,
  _request: OutgoingRequest,
  _context: SignContext,
): Promise<OutgoingRequest> {
  throw new Error('OAuth2 JWT private key signing is not built yet');
}
