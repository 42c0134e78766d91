import type { OutgoingRequest, Secrets, SignContext } from '../types.js';
import type { JwtAuth, JwtSecret } from './config.js';

export async function signJwt(
  _config: JwtAuth,
  _secrets: Secrets<JwtSecret>,
  _request: OutgoingRequest,
  _context: SignContext,
): Promise<OutgoingRequest> {
  throw new Error('JWT signing is not built yet');
}
