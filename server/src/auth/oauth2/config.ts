import { Field, InputType, ObjectType } from 'type-graphql';
import type { Sealed } from '../../crypto/secrets.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { checkHttpUrl, checkMaxLength, checkStorableText, optionalTrimmed, required } from '../../validation/checks.js';
import { checkScope, normaliseScope } from '../common.js';
import type { PlainFields } from '../definition.js';
import { CLIENT_ID_MAX_CHARS, ClientAuthentication } from '../oauth2-shared.js';
import { TokenParam, TokenParamInput, parseTokenParams } from '../token-params.js';
import { AuthMethod } from '../types.js';

export type OAuth2Secret = 'consumerSecret';

@ObjectType('OAuth2Auth', { description: 'OAuth2 authorization code: an administrator connects once; tokens are refreshed here.' })
export class OAuth2Auth {
  method!: AuthMethod.OAUTH2;
  sealed!: Partial<Record<OAuth2Secret, Sealed>>;

  @Field(() => String, { description: 'The client id.' }) consumerKey!: string;
  @Field(() => String) authorizationUrl!: string;
  @Field(() => String) tokenUrl!: string;
  @Field(() => String, { nullable: true, description: 'Space-separated.' }) scope?: string;
  @Field(() => String) responseType!: string;
  @Field(() => ClientAuthentication) clientAuthentication!: ClientAuthentication;

  @Field(() => String, { nullable: true, description: 'Sent as `audience` with every token request.' }) audience?: string;
  @Field(() => [String], { description: 'RFC 8707 resource indicators, sent as `resource` in the authorization URL and every token request.' }) resource: string[] = [];
  @Field(() => [TokenParam], { description: 'Extra parameters sent in the authorization URL and every token request.' }) extraParams: TokenParam[] = [];

  @Field(() => Boolean) get consumerSecretSet(): boolean {
    return Boolean(this.sealed?.consumerSecret);
  }
}

@InputType('OAuth2AuthInput')
export class OAuth2AuthInput {
  @Field(() => String, { nullable: true }) consumerKey?: string | null;
  @Field(() => String, { nullable: true, description: 'Write-only. Omit to keep the stored one.' }) consumerSecret?: string | null;
  @Field(() => String, { nullable: true }) authorizationUrl?: string | null;
  @Field(() => String, { nullable: true }) tokenUrl?: string | null;
  @Field(() => String, { nullable: true, description: 'Space- or comma-separated.' }) scope?: string | null;
  @Field(() => String, { nullable: true, description: 'Default code.' }) responseType?: string | null;
  @Field(() => ClientAuthentication, { nullable: true, description: 'Default BASIC.' }) clientAuthentication?: ClientAuthentication | null;
  @Field(() => String, { nullable: true, description: 'Optional; "" clears it.' }) audience?: string | null;
  @Field(() => [String], { nullable: true, description: 'Absolute URIs without fragment (RFC 8707), at most 10. On update omit to keep; [] clears.' })
  resource?: string[] | null;
  @Field(() => [TokenParamInput], { nullable: true, description: 'At most 20; names the grant sets itself are refused. On update omit to keep; [] clears.' })
  extraParams?: TokenParamInput[] | null;
}

export function parseOAuth2(input: OAuth2AuthInput, errors: FieldErrors): PlainFields<OAuth2Auth> {
  const consumerKey = (input.consumerKey ?? '').trim();
  required(errors, 'consumerKey', consumerKey, 'Consumer key');
  checkMaxLength(errors, 'consumerKey', consumerKey, CLIENT_ID_MAX_CHARS);
  checkStorableText(errors, 'consumerKey', consumerKey);
  const authorizationUrl = checkHttpUrl(errors, 'authorizationUrl', input.authorizationUrl) ?? '';
  const tokenUrl = checkHttpUrl(errors, 'tokenUrl', input.tokenUrl) ?? '';
  checkScope(errors, 'scope', input.scope);
  const responseType = optionalTrimmed(input.responseType) ?? 'code';
  if (!/^[a-z_]+( [a-z_]+)*$/.test(responseType)) errors.add('responseType', 'Must be a response type such as "code"');
  return {
    consumerKey,
    authorizationUrl,
    tokenUrl,
    scope: normaliseScope(input.scope),
    responseType,
    clientAuthentication: input.clientAuthentication ?? ClientAuthentication.BASIC,
    ...parseTokenParams(input, errors),
  };
}
