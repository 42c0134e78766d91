import type { AuthMethodDefinition } from '../definition.js';
import { AuthMethod } from '../types.js';
import { JwtAlgorithm, JwtAuth, JwtAuthInput, type JwtSecret, checkJwtSecrets, parseJwt } from './config.js';
import { signJwtCached } from './token-cache.js';

export const jwt: AuthMethodDefinition<AuthMethod.JWT, JwtAuth, JwtAuthInput, JwtSecret> = {
  method: AuthMethod.JWT,
  inputKey: 'jwt',
  label: 'JWT',
  configClass: JwtAuth,
  inputClass: JwtAuthInput,
  secrets: [
    { name: 'secret', required: (plain) => plain.algorithm === JwtAlgorithm.HS256, applies: (plain) => plain.algorithm === JwtAlgorithm.HS256 },
    { name: 'privateKey', required: (plain) => plain.algorithm === JwtAlgorithm.RS256, applies: (plain) => plain.algorithm === JwtAlgorithm.RS256 },
  ],
  parse: parseJwt,
  checkSecrets: checkJwtSecrets,
  // Reuses a token until shortly before it expires (token-cache.ts); `signJwt` is the pure signer underneath.
  sign: signJwtCached,
};
