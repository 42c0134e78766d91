import { apiKey } from './api-key/index.js';
import { aws } from './aws/index.js';
import { awsS3 } from './aws-s3/index.js';
import { basic } from './basic/index.js';
import type { AuthMethodDefinition, TokenDefinition } from './definition.js';
import { jwt } from './jwt/index.js';
import { oauth2 } from './oauth2/index.js';
import { oauth2ClientCredentials } from './oauth2-client-credentials/index.js';
import { oauth2JwtBearer } from './oauth2-jwt-bearer/index.js';
import { AuthMethod } from './types.js';

/**
 * One row per auth method. The `satisfies` clause makes this exhaustive: a method added to the
 * enum without a row here (or a row for a method that does not exist) fails to compile.
 */
export const AUTH_METHODS = {
  [AuthMethod.BASIC]: basic,
  [AuthMethod.AWS]: aws,
  [AuthMethod.AWS_S3]: awsS3,
  [AuthMethod.JWT]: jwt,
  [AuthMethod.OAUTH2]: oauth2,
  [AuthMethod.OAUTH2_CLIENT_CREDENTIALS]: oauth2ClientCredentials,
  [AuthMethod.OAUTH2_JWT_BEARER]: oauth2JwtBearer,
  [AuthMethod.API_KEY]: apiKey,
} as const satisfies { [M in AuthMethod]: AuthMethodDefinition<M> };

export type AuthConfig = InstanceType<(typeof AUTH_METHODS)[AuthMethod]['configClass']>;

export const AUTH_METHOD_LIST: readonly AuthMethodDefinition[] = Object.values(AUTH_METHODS);

export function definitionOf(method: AuthMethod): AuthMethodDefinition {
  const definition = (AUTH_METHODS as Record<AuthMethod, AuthMethodDefinition | undefined>)[method];
  if (!definition) throw new Error(`unknown auth method ${method}`);
  return definition;
}

/** The methods that send an OAuth2 access token (they have `tokens`): the token store serves these and no others. */
export const TOKEN_METHODS: readonly AuthMethod[] = AUTH_METHOD_LIST.filter((d) => d.tokens).map((d) => d.method);

export function hasTokens(method: AuthMethod): boolean {
  return TOKEN_METHODS.includes(method);
}

/** The token side of a method's definition, or undefined for a method without tokens. */
export function tokensOf(method: AuthMethod): TokenDefinition | undefined {
  return definitionOf(method).tokens as TokenDefinition | undefined;
}

/** Token methods a person connects in a browser: renewed by the service only with a refresh token. */
export const CONNECT_METHODS: readonly AuthMethod[] = AUTH_METHOD_LIST.filter((d) => d.tokens?.connect).map((d) => d.method);
