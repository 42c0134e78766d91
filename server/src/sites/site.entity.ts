import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { GraphQLDateTime } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AuthConfigUnion } from '../auth/graphql-types.js';
import type { AuthConfig } from '../auth/registry.js';
import { AuthMethod } from '../auth/types.js';
import { AuthConfigType } from './auth-config-type.js';
import { ClientCertificate, type StoredClientCertificate, toClientCertificate } from './client-certificate.js';
import { PayloadSigning, SIGNING_OFF, type StoredSigning, toPayloadSigning } from './payload-signing.js';
import { StaticHeader, type StoredHeader, toStaticHeader } from './static-headers.js';

export enum SiteStatus {
  DRAFT = 'DRAFT',
  ACTIVE = 'ACTIVE',
  INACTIVE = 'INACTIVE',
}
registerEnumType(SiteStatus, {
  name: 'SiteStatus',
  description: 'DRAFT when created; ACTIVE sites are offered to workflows and may be sent to.',
});

/** docs/specification.md §5 bounds and defaults. */
export const PERFORMANCE_LIMITS = {
  maxRps: { min: 0.1, max: 10_000, default: 10 },
  threads: { min: 1, max: 256, default: 4 },
} as const;

@ObjectType('Performance', { description: 'Sending limits: both apply together.' })
export class Performance {
  @Field(() => Float, { description: 'Most requests per second to this site across the whole deployment (0.1–10,000).' })
  maxRps!: number;
  @Field(() => Int, { description: 'Most requests in flight at once (1–256). Does not set the rate.' })
  threads!: number;
}

@Entity({ tableName: 'site' })
@ObjectType('Site')
export class Site {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id!: string;

  @Property({ type: 'string', columnType: 'text' })
  @Field(() => String)
  name!: string;

  /** lower(name): the unique key and the sort key. */
  @Property({ type: 'string', columnType: 'text' })
  @Index()
  nameKey!: string;

  @Property({ type: 'string', columnType: 'text' })
  @Field(() => String)
  url!: string;

  @Property({ type: 'string', columnType: 'text' })
  @Field(() => String)
  contentType!: string;

  @Property({ type: 'string', columnType: 'text' })
  @Field(() => SiteStatus)
  status!: SiteStatus;

  /** Why the service changed the status (automatic disabling, breaker/); a status set by hand clears it. Column of Migration0013. */
  @Property({ type: 'string', columnType: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why the service set this status (e.g. disabled automatically after failing for 3 days); null when it was set by hand.' })
  statusReason: string | null = null;

  @Property({ type: 'string', columnType: 'text' })
  @Field(() => AuthMethod)
  authMethod!: AuthMethod;

  @Property({ type: AuthConfigType, columnType: 'jsonb' })
  @Field(() => AuthConfigUnion)
  auth!: AuthConfig;

  @Property({ type: 'double', columnType: 'double precision' })
  maxRps!: number;

  @Property({ type: 'integer' })
  threads!: number;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, {
    description:
      'Send a W3C traceparent header naming the delivery attempt, so the receiver can continue the trace. Only while tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT); not covered by the signature.',
  })
  sendTraceparent!: boolean;

  /** Sent on every request to the site (static-headers.ts); secret values sealed. Column `headers` (Migration0009). */
  @Property({ type: 'json', columnType: 'jsonb', fieldName: 'headers' })
  storedHeaders: StoredHeader[] = [];

  /** Standard Webhooks signatures (payload-signing.ts); secrets sealed. Column `signing` (Migration0010). */
  @Property({ type: 'json', columnType: 'jsonb', fieldName: 'signing' })
  storedSigning: StoredSigning = { ...SIGNING_OFF, secrets: [] };

  /** Mutual TLS (client-certificate.ts); the key sealed. Column `client_certificate` (Migration0012). */
  @Property({ type: 'json', columnType: 'jsonb', fieldName: 'client_certificate', nullable: true })
  storedClientCertificate: StoredClientCertificate | null = null;

  /** The leaf's notAfter, in its own column for expiry queries; null without a certificate. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  clientCertificateExpiresAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  @Field(() => GraphQLDateTime)
  createdAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  @Field(() => GraphQLDateTime)
  updatedAt!: Date;

  @Field(() => [StaticHeader], { description: 'Sent on every webhook, test and preview, before signing. Secret values are never returned.' })
  get headers(): StaticHeader[] {
    return (this.storedHeaders ?? []).map(toStaticHeader);
  }

  @Field(() => PayloadSigning, { description: 'Standard Webhooks payload signatures: whether on, and the secrets signing now (never their values).' })
  get signing(): PayloadSigning {
    return toPayloadSigning(this.storedSigning);
  }

  @Field(() => ClientCertificate, {
    nullable: true,
    description: 'The client certificate presented on every connection to the site (webhooks, test connection, its token requests); null without one. Never the key.',
  })
  get clientCertificate(): ClientCertificate | null {
    return toClientCertificate(this.storedClientCertificate);
  }

  @Field(() => Performance)
  get performance(): Performance {
    return { maxRps: this.maxRps, threads: this.threads };
  }
}
