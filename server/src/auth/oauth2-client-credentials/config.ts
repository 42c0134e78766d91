import { Field, InputType, Int, ObjectType } from 'type-graphql';
import type { Sealed } from '../../crypto/secrets.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { type TokenRequestContentType, checkScope, checkTokenRequestContentType, normaliseScope } from '../common.js';
import { checkHttpUrl, checkIntegerRange, checkMaxLength, checkStorableText, required } from '../../validation/checks.js';
import type { PlainFields } from '../definition.js';
import { CLIENT_ID_MAX_CHARS, ClientAuthentication } from '../oauth2-shared.js';
import { TokenParam, TokenParamInput, parseTokenParams } from '../token-params.js';
import { AuthMethod } from '../types.js';

export type OAuth2ClientCredentialsSecret = 'clientSecret';

/** Bounds of `tokenExpirationMinutes` (docs/specification.md §3: up to one day). */
export const CC_TOKEN_EXPIRATION_MINUTES = { min: 1, max: 1440 } as const;

@ObjectType('OAuth2ClientCredentialsAuth', { description: 'OAuth2 client credentials (RFC 6749 §4.4): tokens fetched and renewed here.' })
export class OAuth2ClientCredentialsAuth {
  method!: AuthMethod.OAUTH2_CLIENT_CREDENTIALS;
  sealed!: Partial<Record<OAuth2ClientCredentialsSecret, Sealed>>;

  @Field(() => String) tokenUrl!: string;
  @Field(() => String, { description: 'Body of the token request: application/x-www-form-urlencoded or application/json.' })
  contentType!: TokenRequestContentType;
  @Field(() => Int, { description: 'A token is used at most this long (1–1440), or less if the provider says so.' })
  tokenExpirationMinutes!: number;
  @Field(() => String) clientId!: string;
  @Field(() => String, { nullable: true, description: 'Space-separated.' }) scope?: string;
  @Field(() => ClientAuthentication) clientAuthentication!: ClientAuthentication;

  @Field(() => String, { nullable: true, description: 'Sent as `audience` with every token request.' }) audience?: string;
  @Field(() => [String], { description: 'RFC 8707 resource indicators, sent as `resource` with every token request.' }) resource: string[] = [];
  @Field(() => [TokenParam], { description: 'Extra parameters sent with every token request.' }) extraParams: TokenParam[] = [];

  @Field(() => Boolean) get clientSecretSet(): boolean {
    return Boolean(this.sealed?.clientSecret);
  }
}

@InputType('OAuth2ClientCredentialsAuthInput')
export class OAuth2ClientCredentialsAuthInput {
  @Field(() => String, { nullable: true }) tokenUrl?: string | null;
  @Field(() => String, { nullable: true, description: 'Default application/x-www-form-urlencoded.' }) contentType?: string | null;
  @Field(() => Int, { nullable: true, description: '1–1440; default 60.' }) tokenExpirationMinutes?: number | null;
  @Field(() => String, { nullable: true }) clientId?: string | null;
  @Field(() => String, { nullable: true, description: 'Write-only. Omit to keep the stored one.' }) clientSecret?: string | null;
  @Field(() => String, { nullable: true, description: 'Space- or comma-separated.' }) scope?: string | null;
  @Field(() => ClientAuthentication, { nullable: true, description: 'Default BASIC.' }) clientAuthentication?: ClientAuthentication | null;
  @Field(() => String, { nullable: true, description: 'Optional; "" clears it.' }) audience?: string | null;
  @Field(() => [String], { nullable: true, description: 'Absolute URIs without fragment (RFC 8707), at most 10. On update omit to keep; [] clears.' })
  resource?: string[] | null;
  @Field(() => [TokenParamInput], { nullable: true, description: 'At most 20; names the grant sets itself are refused. On update omit to keep; [] clears.' })
  extraParams?: TokenParamInput[] | null;
}

export function parseOAuth2ClientCredentials(
  input: OAuth2ClientCredentialsAuthInput,
  errors: FieldErrors,
): PlainFields<OAuth2ClientCredentialsAuth> {
  const tokenUrl = checkHttpUrl(errors, 'tokenUrl', input.tokenUrl) ?? '';
  checkTokenRequestContentType(errors, 'contentType', input.contentType);
  const tokenExpirationMinutes = input.tokenExpirationMinutes ?? 60;
  checkIntegerRange(errors, 'tokenExpirationMinutes', tokenExpirationMinutes, CC_TOKEN_EXPIRATION_MINUTES.min, CC_TOKEN_EXPIRATION_MINUTES.max, 'minutes');
  const clientId = (input.clientId ?? '').trim();
  required(errors, 'clientId', clientId, 'Client ID');
  checkMaxLength(errors, 'clientId', clientId, CLIENT_ID_MAX_CHARS);
  checkStorableText(errors, 'clientId', clientId);
  checkScope(errors, 'scope', input.scope);
  return {
    tokenUrl,
    contentType: (input.contentType?.trim() || 'application/x-www-form-urlencoded') as TokenRequestContentType,
    tokenExpirationMinutes,
    clientId,
    scope: normaliseScope(input.scope),
    clientAuthentication: input.clientAuthentication ?? ClientAuthentication.BASIC,
    ...parseTokenParams(input, errors),
  };
}
