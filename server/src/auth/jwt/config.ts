import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import type { Sealed } from '../../crypto/secrets.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { checkJson, required } from '../../validation/checks.js';
import { checkPrivateKey } from '../common.js';
import type { PlainFields } from '../definition.js';
import type { Secrets } from '../types.js';
import { AuthMethod } from '../types.js';
import { parseTimeToLive } from './ttl.js';
import { JsonScalar } from '../../graphql/json-scalar.js';

export enum JwtAlgorithm {
  HS256 = 'HS256',
  RS256 = 'RS256',
}
registerEnumType(JwtAlgorithm, { name: 'JwtAlgorithm' });

export type JwtSecret = 'secret' | 'privateKey';

@ObjectType('JwtAuth', { description: 'A JWT signed here and sent as Authorization: Bearer.' })
export class JwtAuth {
  method!: AuthMethod.JWT;
  sealed!: Partial<Record<JwtSecret, Sealed>>;

  @Field(() => JwtAlgorithm) algorithm!: JwtAlgorithm;
  @Field(() => JsonScalar, { description: 'Claims merged into every token; iat and exp are set from timeToLive.' })
  payload!: Record<string, unknown>;
  @Field(() => String, { description: 'e.g. "5 minutes", "1 day", "6 months".' }) timeToLive!: string;

  @Field(() => Boolean, { description: 'Whether an HS256 shared secret is stored.' }) get secretSet(): boolean {
    return Boolean(this.sealed?.secret);
  }
  @Field(() => Boolean, { description: 'Whether an RS256 private key is stored.' }) get privateKeySet(): boolean {
    return Boolean(this.sealed?.privateKey);
  }
}

@InputType('JwtAuthInput')
export class JwtAuthInput {
  @Field(() => JwtAlgorithm, { nullable: true }) algorithm?: JwtAlgorithm | null;
  @Field(() => String, { nullable: true, description: 'HS256 shared secret. Write-only; omit to keep.' }) secret?: string | null;
  @Field(() => String, { nullable: true, description: 'RS256 PEM private key. Write-only; omit to keep.' }) privateKey?: string | null;
  @Field(() => JsonScalar, { nullable: true, description: 'A JSON object; default {}.' }) payload?: unknown;
  @Field(() => String, { nullable: true }) timeToLive?: string | null;
}

/** RFC 7518 §3.2: an HMAC key at least as long as the hash output, 256 bits for HS256. */
export const HS256_MIN_SECRET_BYTES = 32;

/**
 * The token travels in the Authorization header (base64url adds a third): 4 KiB of claims keeps it
 * under the 8 KiB header lines common servers accept. Deeper claims than this are no claim set anyone reads.
 */
export const JWT_PAYLOAD_LIMITS = { maxDepth: 16, maxBytes: 4096 } as const;

/** Claims this service sets itself; a payload may not override them. */
const RESERVED_CLAIMS = ['iat', 'exp'];

export function parseJwt(input: JwtAuthInput, errors: FieldErrors): PlainFields<JwtAuth> {
  const algorithm = input.algorithm ?? undefined;
  if (!algorithm) errors.add('algorithm', 'Algorithm is required: HS256 or RS256');
  else if (!Object.values(JwtAlgorithm).includes(algorithm)) errors.add('algorithm', 'Must be HS256 or RS256');
  const payload = input.payload ?? {};
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    errors.add('payload', 'Must be a JSON object of claims, e.g. {"iss": "loyalty"}');
  } else if (checkJson(errors, 'payload', payload, JWT_PAYLOAD_LIMITS)) {
    for (const key of Object.keys(payload)) {
      if (RESERVED_CLAIMS.includes(key)) errors.add(`payload.${key}`, `"${key}" is set from the time-to-live and cannot be given`);
      else if (key.trim() === '') errors.add('payload', 'Claim names must not be empty');
    }
  }
  const timeToLive = (input.timeToLive ?? '').trim();
  if (required(errors, 'timeToLive', timeToLive, 'Time-to-live')) {
    const parsed = parseTimeToLive(timeToLive);
    if ('error' in parsed) errors.add('timeToLive', parsed.error);
  }
  return { algorithm: algorithm as JwtAlgorithm, payload: payload as Record<string, unknown>, timeToLive };
}

export function checkJwtSecrets(plain: PlainFields<JwtAuth>, secrets: Secrets<JwtSecret>, errors: FieldErrors): void {
  if (plain.algorithm === JwtAlgorithm.HS256 && secrets.secret !== undefined) {
    const bytes = Buffer.byteLength(secrets.secret, 'utf8');
    if (bytes < HS256_MIN_SECRET_BYTES) {
      errors.add('secret', `Must be at least ${HS256_MIN_SECRET_BYTES} bytes (256 bits) for HS256 (RFC 7518 §3.2); this one is ${bytes}`);
    }
  }
  if (plain.algorithm === JwtAlgorithm.RS256 && secrets.privateKey !== undefined) {
    const problem = checkPrivateKey(secrets.privateKey, 'RS256');
    if (problem) errors.add('privateKey', problem);
  }
}
