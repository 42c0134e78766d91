import type { OutgoingRequest, Secrets, SignContext } from '../types.js';
import type { AwsAuth, AwsSecret } from './config.js';

export async function signAws(
  _config: AwsAuth,
  _secrets: Secrets<AwsSecret>,
  _request: OutgoingRequest,
  _context: SignContext,
): Promise<OutgoingRequest> {
  throw new Error('AWS (SigV4) signing is not built yet');
}
