import { defineAuthMethod } from '../definition.js';
import { AuthMethod } from '../types.js';
import { JwtAlgorithm, JwtAuth, JwtAuthInput, type JwtSecret, checkJwtSecrets, parseJwt } from './config.js';
import { signJwtCached } from './token-cache.js';

export const jwt = defineAuthMethod<AuthMethod.JWT, JwtAuth, JwtAuthInput, JwtSecret>({
  method: AuthMethod.JWT,
  inputKey: 'jwt',
  label: 'JWT',
  summary: 'Signs a JWT per request and sends it as Authorization: Bearer.',
  fields: [
    {
      name: 'algorithm',
      label: 'Algorithm',
      kind: 'select',
      required: true,
      initial: JwtAlgorithm.HS256,
      options: [
        { value: JwtAlgorithm.HS256, label: 'HS256 (shared secret)' },
        { value: JwtAlgorithm.RS256, label: 'RS256 (RSA private key)' },
      ],
    },
    {
      name: 'secret',
      label: 'Shared secret',
      kind: 'secret',
      required: true,
      when: { field: 'algorithm', equals: JwtAlgorithm.HS256 },
      help: 'At least 32 bytes (256 bits), as RFC 7518 §3.2 requires for HS256; a random 32-byte value, base64-encoded, is 44 characters.',
      check: 'hs256Secret',
    },
    {
      name: 'privateKey',
      label: 'Private key (PEM)',
      kind: 'pem',
      required: true,
      when: { field: 'algorithm', equals: JwtAlgorithm.RS256 },
      help: 'An RSA key of at least 2048 bits.',
    },
    {
      name: 'timeToLive',
      label: 'Time-to-live',
      kind: 'text',
      required: true,
      initial: '5 minutes',
      placeholder: '5 minutes',
      help: 'A number and a unit: minute(s), hour(s), day(s), month(s) or year(s); at most 10 years. Sets iat and exp.',
      liveHint: 'timeToLive',
      check: 'timeToLive',
    },
    { name: 'payload', label: 'Payload claims', kind: 'payload', help: 'Each value is JSON: "text" in quotes, 42, true, ["a","b"], {"k":1}.' },
  ],
  configClass: JwtAuth,
  inputClass: JwtAuthInput,
  parse: parseJwt,
  checkSecrets: checkJwtSecrets,
  // Reuses a token until shortly before it expires (token-cache.ts); `signJwt` is the pure signer underneath.
  sign: signJwtCached,
});
