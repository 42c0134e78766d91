import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The published test vectors (AWS SigV4 suites, RFC 7515/7520/8037 JWS examples, RFC 7617 Basic),
 * kept in the repository so `npm test` runs on a fresh clone; each folder's PROVENANCE.md says
 * where its files come from.
 */
export function vectorPath(...parts: string[]): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'vectors', ...parts);
}
