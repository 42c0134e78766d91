import { GraphQLDateTime } from 'graphql-scalars';
import { ArgsType, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../graphql/connection.js';
import { JsonScalar } from '../graphql/json-scalar.js';

/** What was done; the values are the strings stored in audit_event.operation. */
export enum AuditOperation {
  SITE_CREATED = 'SITE_CREATED',
  SITE_UPDATED = 'SITE_UPDATED',
  SITE_DELETED = 'SITE_DELETED',
  SITE_STATUS_CHANGED = 'SITE_STATUS_CHANGED',
  SITE_TESTED = 'SITE_TESTED',
  OAUTH_CONNECT_STARTED = 'OAUTH_CONNECT_STARTED',
  OAUTH_CONNECT_COMPLETED = 'OAUTH_CONNECT_COMPLETED',
  ACCESS_TOKEN_REFRESHED = 'ACCESS_TOKEN_REFRESHED',
  API_TOKEN_CREATED = 'API_TOKEN_CREATED',
  API_TOKEN_REVOKED = 'API_TOKEN_REVOKED',
  DELIVERY_RETRIED = 'DELIVERY_RETRIED',
  DELIVERIES_RETRIED = 'DELIVERIES_RETRIED',
  BREAKER_RESET = 'BREAKER_RESET',
  OPERATIONAL_WEBHOOK_SET = 'OPERATIONAL_WEBHOOK_SET',
  OPERATIONAL_WEBHOOK_CLEARED = 'OPERATIONAL_WEBHOOK_CLEARED',
}
registerEnumType(AuditOperation, {
  name: 'AuditOperation',
  valuesConfig: {
    SITE_TESTED: { description: 'testSite: a probe request was sent; nothing stored changed.' },
    OAUTH_CONNECT_COMPLETED: { description: 'The provider sent the browser back and a token was obtained; recorded against the token that started the connect.' },
    ACCESS_TOKEN_REFRESHED: { description: 'refreshAccessToken (the Refresh button): a token request by hand, whatever its outcome.' },
    DELIVERY_RETRIED: { description: 'retryDelivery: a FAILED delivery sent again.' },
    DELIVERIES_RETRIED: { description: 'retryDeliveries: the FAILED deliveries of a site sent again; details holds the filter and how many.' },
    BREAKER_RESET: { description: 'resetBreaker: the site\'s circuit breaker closed by hand.' },
    OPERATIONAL_WEBHOOK_SET: { description: 'setOperationalWebhookSite: site events are sent to this site from now on.' },
    OPERATIONAL_WEBHOOK_CLEARED: { description: 'clearOperationalWebhookSite: site events are no longer sent to this site.' },
  },
});

export enum AuditTargetType {
  SITE = 'SITE',
  API_TOKEN = 'API_TOKEN',
  DELIVERY = 'DELIVERY',
}
registerEnumType(AuditTargetType, { name: 'AuditTargetType' });

@ObjectType('AuditEvent', { description: 'One change made through the API. Field paths only: never a value, so never a secret.' })
export class AuditEvent {
  @Field(() => ID) id!: string;
  @Field(() => GraphQLDateTime) at!: Date;
  @Field(() => ID, { nullable: true, description: 'The API token of the request; null for TRUSTED_SITES_ADMIN_TOKEN (it has no id).' })
  tokenId!: string | null;
  @Field(() => String, { description: 'Its name when the change was made.' }) tokenName!: string;
  @Field(() => AuditOperation) operation!: AuditOperation;
  @Field(() => AuditTargetType) targetType!: AuditTargetType;
  @Field(() => ID) targetId!: string;
  @Field(() => String, { nullable: true, description: 'The site\'s or API token\'s name at the time.' }) targetName!: string | null;
  @Field(() => ID, { nullable: true, description: 'The site concerned (a delivery\'s site too); kept after the site is deleted.' })
  siteId!: string | null;
  @Field(() => String, { nullable: true, description: 'Its name at the time.' }) siteName!: string | null;
  @Field(() => [String], {
    description: 'The input paths that changed, e.g. url, performance.maxRps, auth.basic.password (for a secret: only that it changed).',
  })
  changed!: string[];
  @Field(() => JsonScalar, {
    nullable: true,
    description: 'For DELIVERIES_RETRIED: { status, since, until, count } (the filter and how many were sent again); null for the others. Never a payload or a secret.',
  })
  details!: Record<string, unknown> | null;
}

@ArgsType()
export class AuditEventsArgs {
  @Field(() => Int, { nullable: true, description: '1–100, default 20.' }) first?: number | null;
  @Field(() => String, { nullable: true }) after?: string | null;
  @Field(() => ID, { nullable: true }) siteId?: string | null;
  @Field(() => ID, { nullable: true, description: 'Changes made with this API token.' }) tokenId?: string | null;
  @Field(() => AuditOperation, { nullable: true }) operation?: AuditOperation | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: 'At or after this time.' }) since?: Date | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: 'Before this time.' }) until?: Date | null;
}

@ObjectType('AuditEventEdge')
export class AuditEventEdge {
  @Field(() => String) cursor!: string;
  @Field(() => AuditEvent) node!: AuditEvent;
}

@ObjectType('AuditEventConnection')
export class AuditEventConnection {
  @Field(() => [AuditEventEdge]) edges!: AuditEventEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}
