import { GraphQLDateTime } from 'graphql-scalars';
import { JsonScalar } from '../graphql/json-scalar.js';
import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../graphql/connection.js';

export enum DeliveryStatus {
  PENDING = 'PENDING',
  IN_FLIGHT = 'IN_FLIGHT',
  RETRYING = 'RETRYING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(DeliveryStatus, {
  name: 'DeliveryStatus',
  description:
    'PENDING: accepted, not tried yet (also while its site is not ACTIVE: held, neither sent nor failed). IN_FLIGHT: claimed by a dispatcher. ' +
    'RETRYING: an attempt failed in a way worth retrying; see nextAttemptAt. SUCCEEDED: a 2xx answer. FAILED: see lastError.',
});

@ObjectType('DeliveryAttempt', { description: 'One try at sending a delivery.' })
export class DeliveryAttempt {
  @Field(() => Int, { description: '1 for the first attempt.' }) number!: number;
  @Field(() => GraphQLDateTime) startedAt!: Date;
  @Field(() => Float, { nullable: true, description: 'From the start of the request to the end of the (capped) response body.' })
  durationMs!: number | null;
  @Field(() => Int, { nullable: true, description: 'The HTTP status; null when no response came (see error).' }) statusCode!: number | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => String, { nullable: true, description: 'The start of the response body (bounded by DISPATCH_RESPONSE_EXCERPT_BYTES).' })
  responseExcerpt!: string | null;
  @Field(() => Boolean, { description: 'Whether the response was longer than what was kept.' }) responseTruncated!: boolean;
  @Field(() => DeliveryStatus, { description: 'What this attempt left the delivery as: SUCCEEDED, RETRYING or FAILED.' })
  outcome!: DeliveryStatus;
  @Field(() => GraphQLDateTime, { nullable: true, description: 'When the next attempt is due, if this one is retried.' })
  nextAttemptAt!: Date | null;
}

@ObjectType('Delivery', {
  description: 'One webhook to one site. Every request for it carries the header `x-delivery-id: <id>`, the same across retries, so a receiver can drop duplicates.',
})
export class Delivery {
  @Field(() => ID) id!: string;
  @Field(() => ID) siteId!: string;
  @Field(() => DeliveryStatus) status!: DeliveryStatus;
  @Field(() => String) method!: string;
  @Field(() => String, { nullable: true }) idempotencyKey!: string | null;
  @Field(() => Int, { description: 'Attempts made so far (including one in flight).' }) attemptCount!: number;
  @Field(() => String, { nullable: true, description: 'Why the last attempt failed, or why the delivery FAILED.' }) lastError!: string | null;
  @Field(() => Int, { nullable: true }) lastStatusCode!: number | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: 'When a PENDING or RETRYING delivery is due.' }) nextAttemptAt!: Date | null;
  @Field(() => GraphQLDateTime) createdAt!: Date;
  @Field(() => GraphQLDateTime) updatedAt!: Date;
  @Field(() => GraphQLDateTime, { nullable: true }) deliveredAt!: Date | null;
}

@InputType('HeaderInput')
export class HeaderInput {
  @Field(() => String) name!: string;
  @Field(() => String) value!: string;
}

@InputType('WebhookInput')
export class WebhookInput {
  @Field(() => ID) siteId!: string;
  @Field(() => JsonScalar, {
    description: 'The body. Sent as JSON for JSON content types; a string is sent as it is for other content types, an object as a form for application/x-www-form-urlencoded.',
  })
  payload!: unknown;
  @Field(() => String, { nullable: true, description: 'POST (default), PUT, PATCH, DELETE or GET.' }) method?: string | null;
  @Field(() => [HeaderInput], { nullable: true, description: 'Extra headers; the site sets content-type and authentication.' })
  headers?: HeaderInput[] | null;
  @Field(() => String, { nullable: true, description: 'Sending again with a key already used for the same site returns the delivery made the first time.' })
  idempotencyKey?: string | null;
}

@ArgsType()
export class DeliveriesArgs {
  @Field(() => ID, { nullable: true }) siteId?: string | null;
  @Field(() => DeliveryStatus, { nullable: true }) status?: DeliveryStatus | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: 'Created at or after this time.' }) since?: Date | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: 'Created before this time (not before since).' }) until?: Date | null;
  @Field(() => Int, { nullable: true, description: '1–100, default 20.' }) first?: number | null;
  @Field(() => String, { nullable: true }) after?: string | null;
}

@ArgsType()
export class RetryDeliveriesArgs {
  @Field(() => ID) siteId!: string;
  @Field(() => DeliveryStatus, { nullable: true, defaultValue: DeliveryStatus.FAILED, description: 'Only FAILED may be replayed.' }) status?: DeliveryStatus | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: 'Deliveries created at or after this time.' }) since?: Date | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: 'Deliveries created before this time (not before since).' }) until?: Date | null;
}

@ObjectType('DeliveryEdge')
export class DeliveryEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Delivery) node!: Delivery;
}

@ObjectType('DeliveryConnection')
export class DeliveryConnection {
  @Field(() => [DeliveryEdge]) edges!: DeliveryEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@ObjectType('DeliveryStatsBucket', { description: 'Attempts started in one second.' })
export class DeliveryStatsBucket {
  @Field(() => GraphQLDateTime, { description: 'The start of the second.' }) at!: Date;
  @Field(() => Int, { description: 'Attempts started.' }) sent!: number;
  @Field(() => Int, { description: 'Of those, answered with 2xx.' }) succeeded!: number;
  @Field(() => Int, { description: 'Of those, that left their delivery FAILED.' }) failed!: number;
  @Field(() => Int, { description: 'Of those, to be retried.' }) retried!: number;
  @Field(() => Float, { nullable: true, description: 'Median attempt duration, ms.' }) p50LatencyMs!: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean attempt duration, ms.' }) avgLatencyMs!: number | null;
}
