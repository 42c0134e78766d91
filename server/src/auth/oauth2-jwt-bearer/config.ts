import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Sealed } from '../../crypto/secrets.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { type TokenRequestContentType, checkPrivateKey, checkScope, checkTokenRequestContentType, normaliseScope } from '../common.js';
import { checkHttpUrl, checkIntegerRange, checkMaxLength, checkStorableText, optionalTrimmed, required } from '../../validation/checks.js';
import type { PlainFields } from '../definition.js';
import { CLIENT_ID_MAX_CHARS } from '../oauth2-shared.js';
import type { Secrets } from '../types.js';
import { TokenParam, TokenParamInput, parseTokenParams } from '../token-params.js';
import { AuthMethod } from '../types.js';

export enum JwtBearerSignAlgorithm {
  RS256 = 'RS256',
  ES256 = 'ES256',
}
registerEnumType(JwtBearerSignAlgorithm, { name: 'JwtBearerSignAlgorithm' });

/** Which of RFC 7523's two uses of a signed assertion the token request makes. */
export enum JwtBearerGrant {
  /** RFC 7523 §2.1: `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=…`. The default. */
  JWT_BEARER = 'JWT_BEARER',
  /** RFC 7523 §2.2 ("private_key_jwt"): `grant_type=client_credentials` with a `client_assertion`. */
  CLIENT_ASSERTION = 'CLIENT_ASSERTION',
}
registerEnumType(JwtBearerGrant, { name: 'JwtBearerGrant' });

export type OAuth2JwtBearerSecret = 'privateKey';

/** Bounds of `tokenExpirationMinutes` (docs/specification.md §3: up to two hours). */
export const JB_TOKEN_EXPIRATION_MINUTES = { min: 1, max: 120 } as const;
/** Longest key id (`kid`) accepted. */
export const KEY_ID_MAX_CHARS = 256;

@ObjectType('OAuth2JwtBearerAuth', { description: 'OAuth2 with a JWT signed by a private key (RFC 7523).' })
export class OAuth2JwtBearerAuth {
  method!: AuthMethod.OAUTH2_JWT_BEARER;
  sealed!: Partial<Record<OAuth2JwtBearerSecret, Sealed>>;

  @Field(() => String) tokenUrl!: string;
  @Field(() => String) contentType!: TokenRequestContentType;
  @Field(() => Int, { description: '1–120 minutes.' }) tokenExpirationMinutes!: number;
  @Field(() => String) clientId!: string;
  @Field(() => String, { nullable: true }) keyId?: string;
  @Field(() => JwtBearerSignAlgorithm) signAlgorithm!: JwtBearerSignAlgorithm;
  @Field(() => String, { nullable: true }) scope?: string;
  @Field(() => JwtBearerGrant) grant!: JwtBearerGrant;

  @Field(() => String, { nullable: true, description: 'Sent as `audience` with every token request.' }) audience?: string;
  @Field(() => [String], { description: 'RFC 8707 resource indicators, sent as `resource` with every token request.' }) resource: string[] = [];
  @Field(() => [TokenParam], { description: 'Extra parameters sent with every token request.' }) extraParams: TokenParam[] = [];

  @Field(() => Boolean) get privateKeySet(): boolean {
    return Boolean(this.sealed?.privateKey);
  }
}

@InputType('OAuth2JwtBearerAuthInput')
export class OAuth2JwtBearerAuthInput {
  @Field(() => String, { nullable: true }) tokenUrl?: string | null;
  @Field(() => String, { nullable: true, description: 'Default application/x-www-form-urlencoded.' }) contentType?: string | null;
  @Field(() => Int, { nullable: true, description: '1–120; default 60.' }) tokenExpirationMinutes?: number | null;
  @Field(() => String, { nullable: true }) clientId?: string | null;
  @Field(() => String, { nullable: true, description: 'PEM. Write-only; omit to keep the stored one.' }) privateKey?: string | null;
  @Field(() => String, { nullable: true }) keyId?: string | null;
  @Field(() => JwtBearerSignAlgorithm, { nullable: true }) signAlgorithm?: JwtBearerSignAlgorithm | null;
  @Field(() => String, { nullable: true }) scope?: string | null;
  @Field(() => JwtBearerGrant, { nullable: true, description: 'Default JWT_BEARER.' }) grant?: JwtBearerGrant | null;
  @Field(() => String, { nullable: true, description: 'Optional; "" clears it.' }) audience?: string | null;
  @Field(() => [String], { nullable: true, description: 'Absolute URIs without fragment (RFC 8707), at most 10. On update omit to keep; [] clears.' })
  resource?: string[] | null;
  @Field(() => [TokenParamInput], { nullable: true, description: 'At most 20; names the grant sets itself are refused. On update omit to keep; [] clears.' })
  extraParams?: TokenParamInput[] | null;
}

export function parseOAuth2JwtBearer(input: OAuth2JwtBearerAuthInput, errors: FieldErrors): PlainFields<OAuth2JwtBearerAuth> {
  const tokenUrl = checkHttpUrl(errors, 'tokenUrl', input.tokenUrl) ?? '';
  checkTokenRequestContentType(errors, 'contentType', input.contentType);
  const tokenExpirationMinutes = input.tokenExpirationMinutes ?? 60;
  checkIntegerRange(errors, 'tokenExpirationMinutes', tokenExpirationMinutes, JB_TOKEN_EXPIRATION_MINUTES.min, JB_TOKEN_EXPIRATION_MINUTES.max, 'minutes');
  const clientId = (input.clientId ?? '').trim();
  required(errors, 'clientId', clientId, 'Client ID');
  checkMaxLength(errors, 'clientId', clientId, CLIENT_ID_MAX_CHARS);
  checkStorableText(errors, 'clientId', clientId);
  checkScope(errors, 'scope', input.scope);
  const signAlgorithm = input.signAlgorithm ?? undefined;
  if (!signAlgorithm) errors.add('signAlgorithm', 'Sign algorithm is required: RS256 or ES256');
  const keyId = optionalTrimmed(input.keyId);
  checkMaxLength(errors, 'keyId', keyId, KEY_ID_MAX_CHARS);
  checkStorableText(errors, 'keyId', keyId);
  return {
    tokenUrl,
    contentType: (input.contentType?.trim() || 'application/x-www-form-urlencoded') as TokenRequestContentType,
    tokenExpirationMinutes,
    clientId,
    keyId,
    signAlgorithm: signAlgorithm as JwtBearerSignAlgorithm,
    scope: normaliseScope(input.scope),
    grant: input.grant ?? JwtBearerGrant.JWT_BEARER,
    ...parseTokenParams(input, errors),
  };
}

export function checkJwtBearerSecrets(
  plain: PlainFields<OAuth2JwtBearerAuth>,
  secrets: Secrets<OAuth2JwtBearerSecret>,
  errors: FieldErrors,
): void {
  if (plain.signAlgorithm && secrets.privateKey !== undefined) {
    const problem = checkPrivateKey(secrets.privateKey, plain.signAlgorithm);
    if (problem) errors.add('privateKey', problem);
  }
}
