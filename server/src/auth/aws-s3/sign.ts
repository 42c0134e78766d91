import type { OutgoingRequest, Secrets, SignContext } from '../types.js';
import type { AwsS3Auth, AwsS3Secret } from './config.js';

export async function signAwsS3(
  _config: AwsS3Auth,
  _secrets: Secrets<AwsS3Secret>,
  _request: OutgoingRequest,
  _context: SignContext,
): Promise<OutgoingRequest> {
  throw new Error('AWS-S3 upload signing is not built yet');
}
