import { GraphQLDateTime } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum TokenStatus {
  NONE = 'NONE',
  VALID = 'VALID',
  EXPIRING = 'EXPIRING',
  EXPIRED = 'EXPIRED',
  REFRESHING = 'REFRESHING',
  FAILED = 'FAILED',
}
registerEnumType(TokenStatus, {
  name: 'TokenStatus',
  description:
    'NONE: no token yet (OAUTH2: Connect). VALID: usable until expiresAt. EXPIRING: usable, renewal due. EXPIRED: Connect or Refresh again. ' +
    'REFRESHING: a token request is in flight. FAILED: the last token request failed (lastError); a still-valid token keeps being used.',
});

@ObjectType('TokenState', { description: 'The OAuth2 token of a site as it is now. Never contains the token itself.' })
export class TokenState {
  @Field(() => ID) siteId!: string;
  @Field(() => TokenStatus) status!: TokenStatus;
  @Field(() => GraphQLDateTime, { nullable: true }) expiresAt!: Date | null;
  @Field(() => Boolean) hasRefreshToken!: boolean;
  @Field(() => String, { nullable: true, description: 'Why the last token request failed, with the provider error code when it sent one.' })
  lastError!: string | null;
  @Field(() => Boolean, { description: 'True when only a person can fix it: Connect again (OAUTH2) or correct the site\'s credentials.' })
  needsReconnect!: boolean;
  @Field(() => GraphQLDateTime) updatedAt!: Date;
}

@ObjectType('OAuthConnect')
export class OAuthConnect {
  @Field(() => String, { description: 'Send the browser here; the provider returns to the site\'s redirectUrl.' })
  authorizationUrl!: string;
  @Field(() => GraphQLDateTime, { description: 'The connect attempt (its state) is accepted until then.' })
  expiresAt!: Date;
}

@ObjectType('TokenHistoryEntry', { description: 'One token request: never contains a token, secret or assertion.' })
export class TokenHistoryEntry {
  @Field(() => ID) id!: string;
  @Field(() => ID) siteId!: string;
  @Field(() => GraphQLDateTime) at!: Date;
  @Field(() => String, { description: 'authorization_code, refresh_token, client_credentials, "client_credentials (private_key_jwt)" or urn:ietf:params:oauth:grant-type:jwt-bearer.' })
  grantType!: string;
  @Field(() => String, { description: 'CONNECT (callback), MANUAL (refreshAccessToken), ON_DEMAND (a sender needed it), AUTO (renewed ahead of expiry), FORCED (a receiver answered 401).' })
  trigger!: string;
  @Field(() => String, { description: 'SUCCEEDED or FAILED.' }) outcome!: string;
  @Field(() => Int, { nullable: true }) httpStatus!: number | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => GraphQLDateTime, { nullable: true }) expiresAt!: Date | null;
  @Field(() => Boolean, { description: 'The provider sent a new refresh token (rotation).' }) refreshTokenRotated!: boolean;
  @Field(() => Int, { nullable: true }) durationMs!: number | null;
}

/** What goes through PgPubSub: small, no secrets, dates as ISO strings (it crosses JSON). */
export interface TokenStateEvent {
  siteId: string;
  status: TokenStatus;
  expiresAt: string | null;
  hasRefreshToken: boolean;
  lastError: string | null;
  needsReconnect: boolean;
  updatedAt: string;
}
