import { createPrivateKey, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { TokenRequestContentType } from './common.js';
import type { ClientAuthentication } from './oauth2-shared.js';

/*
 * What an OAuth2 method's definition builds (definition.ts `TokenSupport`): the token request of
 * each grant, and the RFC 7523 assertion. No I/O: the clock comes in (the assertion draws only its
 * jti); oauth/token-endpoint.ts sends the request and reads the answer.
 */

export const GRANT_AUTHORIZATION_CODE = 'authorization_code';
export const GRANT_REFRESH_TOKEN = 'refresh_token';
export const GRANT_CLIENT_CREDENTIALS = 'client_credentials';
export const GRANT_JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** How long a signed assertion is valid: RFC 7523 wants it short; it is used once, right away. */
const ASSERTION_LIFETIME_SECONDS = 300;

export type ClientAuth =
  | { kind: 'secret'; method: ClientAuthentication; clientId: string; clientSecret: string }
  | { kind: 'none' };

export interface TokenRequest {
  tokenUrl: string;
  contentType: TokenRequestContentType;
  /** Which grant, for history; the same as params.grant_type. */
  grantType: string;
  /**
   * In the order sent; undefined and "" are left out. A list (`resource`, RFC 8707) is sent as the
   * same form field repeated, or as a JSON array.
   */
  params: Record<string, string | readonly string[] | undefined>;
  clientAuth: ClientAuth;
}

export interface AssertionInput {
  clientId: string;
  tokenUrl: string;
  privateKeyPem: string;
  algorithm: 'RS256' | 'ES256';
  keyId: string | undefined;
  scope: string | undefined;
  now: Date;
}

/**
 * An RFC 7523 assertion: `iss` = `sub` = client id, `aud` = token URL, short `exp`, a fresh `jti`
 * so the provider can refuse a replay. `scope` rides along for providers that read it there
 * (Google service accounts); the rest read the request's `scope` parameter.
 */
export async function signAssertion(input: AssertionInput, options: { withScope: boolean }): Promise<string> {
  // node parses every PEM form people paste (PKCS#8, PKCS#1, SEC1); jose signs with the KeyObject.
  const key = createPrivateKey(input.privateKeyPem);
  const iat = Math.floor(input.now.getTime() / 1000);
  const claims: Record<string, unknown> = {};
  if (options.withScope && input.scope) claims.scope = input.scope;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: input.algorithm, typ: 'JWT', ...(input.keyId ? { kid: input.keyId } : {}) })
    .setIssuer(input.clientId)
    .setSubject(input.clientId)
    .setAudience(input.tokenUrl)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ASSERTION_LIFETIME_SECONDS)
    .setJti(randomUUID())
    .sign(key);
}
