import { GraphQLDateTime } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import type { Role } from './tokens.js';

/** The roles as a GraphQL enum; the values are the strings stored in api_token.role. */
export const RoleEnum: { [R in Role]: R } = { VIEWER: 'VIEWER', EDITOR: 'EDITOR', ADMIN: 'ADMIN' };
registerEnumType(RoleEnum, {
  name: 'Role',
  description: 'What an API token may do: VIEWER < EDITOR < ADMIN, each allowed everything the lower ones are.',
  valuesConfig: {
    VIEWER: { description: 'Reads sites, token states and deliveries; changes nothing.' },
    EDITOR: { description: 'Also creates, changes, tests, activates and deletes sites, connects OAuth2 and sends webhooks.' },
    ADMIN: { description: 'Also lists, creates and revokes API tokens.' },
  },
});

@ObjectType('ApiToken', { description: 'A token for the API. Never carries the token itself: only its hash is stored.' })
export class ApiToken {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => RoleEnum) role!: Role;
  @Field(() => GraphQLDateTime) createdAt!: Date;
  @Field(() => GraphQLDateTime, { nullable: true, description: 'When a request last authenticated with it; updated at most once a minute.' })
  lastUsedAt!: Date | null;
}

@InputType('ApiTokenInput')
export class ApiTokenInput {
  @Field(() => String, { description: '1–100 characters, unique among tokens (without case); says who or what uses it.' }) name!: string;
  @Field(() => RoleEnum) role!: Role;
}

@ObjectType('CreatedApiToken')
export class CreatedApiToken {
  @Field(() => ApiToken) token!: ApiToken;
  @Field(() => String, { description: 'The token to send as `Authorization: Bearer <secret>`. Shown in this answer only: it cannot be read again.' })
  secret!: string;
}

@ObjectType('Viewer', { description: 'Who the request authenticated as.' })
export class Viewer {
  @Field(() => String, { description: 'The token\'s name.' }) name!: string;
  @Field(() => RoleEnum) role!: Role;
  @Field(() => ID, { nullable: true, description: 'The token\'s id; null for the TRUSTED_SITES_ADMIN_TOKEN setting, which is not a stored token.' })
  tokenId!: string | null;
}
