import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { MissingSecretError } from '../errors.js';
import type { OutgoingRequest, Secrets, SignContext } from '../types.js';
import { JwtAlgorithm, type JwtAuth, type JwtSecret } from './config.js';
import { expiresAt, parseTimeToLive } from './ttl.js';

export interface SignedToken {
  token: string;
  /** Seconds since the epoch, as in the claims. */
  iat: number;
  exp: number;
}

// PEM parsing costs more than an HS256 signature; the parsed key depends only on the PEM text.
const parsedKeys = new Map<string, KeyObject>();
const PARSED_KEY_CACHE_SIZE = 64;

/** The parsed private key, memoised by its PEM text. */
export function privateKeyFromPem(pem: string): KeyObject {
  let key = parsedKeys.get(pem);
  if (!key) {
    key = createPrivateKey({ key: pem, format: 'pem' });
    if (parsedKeys.size >= PARSED_KEY_CACHE_SIZE) parsedKeys.delete(parsedKeys.keys().next().value!);
    parsedKeys.set(pem, key);
  }
  return key;
}

function signingKey(config: JwtAuth, secrets: Secrets<JwtSecret>): KeyObject | Uint8Array {
  switch (config.algorithm) {
    case JwtAlgorithm.HS256:
      if (!secrets.secret) throw new MissingSecretError('JWT', 'HS256 shared secret');
      return new TextEncoder().encode(secrets.secret);
    case JwtAlgorithm.RS256:
      if (!secrets.privateKey) throw new MissingSecretError('JWT', 'RS256 private key');
      return privateKeyFromPem(secrets.privateKey);
    default: {
      const unknown: never = config.algorithm;
      throw new Error(`unknown JWT algorithm ${String(unknown)}`);
    }
  }
}

/** A token for `now`: the configured claims plus `iat` (whole seconds) and `exp` = `iat` + time-to-live (see ttl.ts). */
export async function mintJwt(config: JwtAuth, secrets: Secrets<JwtSecret>, now: Date): Promise<SignedToken> {
  const ttl = parseTimeToLive(config.timeToLive);
  if ('error' in ttl) throw new Error(`JWT: stored time-to-live "${config.timeToLive}" is invalid: ${ttl.error}`);
  const iat = Math.floor(now.getTime() / 1000);
  const exp = Math.floor(expiresAt(new Date(iat * 1000), ttl).getTime() / 1000);
  const token = await new SignJWT({ ...config.payload, iat, exp })
    .setProtectedHeader({ alg: config.algorithm, typ: 'JWT' })
    .sign(signingKey(config, secrets));
  return { token, iat, exp };
}

export function withBearer(request: OutgoingRequest, token: string): OutgoingRequest {
  return { method: request.method, url: request.url, headers: { ...request.headers, authorization: `Bearer ${token}` }, body: request.body };
}

/** Pure: signs a fresh token on every call. The registry uses the caching wrapper in token-cache.ts. */
export async function signJwt(
  config: JwtAuth,
  secrets: Secrets<JwtSecret>,
  request: OutgoingRequest,
  context: SignContext,
): Promise<OutgoingRequest> {
  const { token } = await mintJwt(config, secrets, context.now);
  return withBearer(request, token);
}
