import { GraphQLDateTime } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../graphql/connection.js';
import { JsonScalar } from '../graphql/json-scalar.js';
import { BreakerState, SiteEventKind } from './breaker-states.js';

export { BreakerState, SiteEventKind };

registerEnumType(BreakerState, {
  name: 'BreakerState',
  description: 'Whether the site is being sent to (circuit breaker).',
  valuesConfig: {
    CLOSED: { description: 'Sending as usual.' },
    OPEN: { description: 'Paused after a run of failed attempts: deliveries are held (not sent, not failed, no attempts used) until nextProbeAt.' },
    HALF_OPEN: { description: 'One probe delivery is being sent: success closes the breaker, failure opens it again with a longer pause.' },
  },
});

registerEnumType(SiteEventKind, {
  name: 'SiteEventKind',
  valuesConfig: {
    BREAKER_OPENED: { description: 'Sending paused: a run of failed attempts (or a failed probe). toState OPEN; details { consecutiveFailures, failingSince, nextProbeAt, pauseMs, opens }.' },
    BREAKER_HALF_OPEN: { description: 'The pause is over: one probe delivery is sent. details { deliveryId }.' },
    BREAKER_CLOSED: { description: 'Sending resumed: a probe (or any attempt) succeeded, resetBreaker, or the site was set ACTIVE. details { by: "probe" | "attempt" | "hand" | "reactivated" }.' },
    SITE_AUTO_DISABLED: { description: 'Every attempt failed for autoDisableAfterSeconds: the site was set INACTIVE (statusReason says why) and its breaker reset. details { failingSince }.' },
    TOKEN_NEEDS_RECONNECT: { description: 'The OAuth2 token can only be fixed by a person (Connect again, or correct the credentials). details { error }.' },
    CERTIFICATE_EXPIRING: { description: 'The site\'s client certificate expires within 30 days. details { expiresAt }.' },
  },
});

@ObjectType('BreakerSettings', { description: 'A site\'s own circuit-breaker settings; null means the deployment default (see effective).' })
export class BreakerSettings {
  @Field(() => Int, { nullable: true, description: 'Consecutive failed attempts that open the breaker (1–10,000).' })
  failureThreshold!: number | null;
  @Field(() => Int, { nullable: true, description: 'Open also when every attempt has failed for this many seconds (at least 2 attempts); 0 turns this rule off (0–604,800).' })
  failureWindowSeconds!: number | null;
  @Field(() => Int, { nullable: true, description: 'Set the site INACTIVE after failing continuously for this many seconds; 0 never (0–7,776,000, 90 days).' })
  autoDisableAfterSeconds!: number | null;
}

@ObjectType('EffectiveBreakerSettings', { description: 'The settings in force: the site\'s own, else the deployment\'s defaults.' })
export class EffectiveBreakerSettings {
  @Field(() => Int) failureThreshold!: number;
  @Field(() => Int) failureWindowSeconds!: number;
  @Field(() => Int) autoDisableAfterSeconds!: number;
  @Field(() => Int, { description: 'The first pause after opening, ms (deployment setting BREAKER_PAUSE_BASE_MS); each further opening doubles it.' })
  pauseBaseMs!: number;
  @Field(() => Int, { description: 'The longest pause, ms (BREAKER_PAUSE_MAX_MS).' })
  pauseMaxMs!: number;
}

@ObjectType('SiteBreaker', { description: 'A site\'s circuit breaker: whether it is sent to, and why not.' })
export class SiteBreaker {
  @Field(() => BreakerState) state!: BreakerState;
  @Field(() => Int, { description: 'Failed attempts in a row (reset by any success).' })
  consecutiveFailures!: number;
  @Field(() => GraphQLDateTime, { nullable: true, description: 'When the current run of failures began (null when the last attempt succeeded).' })
  failingSince!: Date | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: 'When it last opened (null while CLOSED).' })
  openedAt!: Date | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: 'OPEN: when the probe delivery will be sent (null otherwise).' })
  nextProbeAt!: Date | null;
  @Field(() => Int, { description: 'How many times it has opened since it was last CLOSED: each pause doubles (capped).' })
  opens!: number;
  @Field(() => String, { nullable: true, description: 'Why it opened: the count and the last failure (e.g. "20 failed attempts in a row; last: HTTP 503"). Null while CLOSED.' })
  reason!: string | null;
  @Field(() => BreakerSettings) settings!: BreakerSettings;
  @Field(() => EffectiveBreakerSettings) effective!: EffectiveBreakerSettings;
}

@InputType('BreakerSettingsInput', { description: 'Each field: a value, or null for the deployment default. Fields left out are unchanged.' })
export class BreakerSettingsInput {
  @Field(() => Int, { nullable: true, description: '1–10,000.' }) failureThreshold?: number | null;
  @Field(() => Int, { nullable: true, description: '0 (off) – 604,800.' }) failureWindowSeconds?: number | null;
  @Field(() => Int, { nullable: true, description: '0 (never) – 7,776,000.' }) autoDisableAfterSeconds?: number | null;
}

@ObjectType('SiteEvent', { description: 'A change of a site\'s sending state (circuit breaker, automatic disabling) or something only a person can fix. Never a secret.' })
export class SiteEvent {
  @Field(() => ID) id!: string;
  @Field(() => ID) siteId!: string;
  @Field(() => String, { description: 'The site\'s name when it happened.' }) siteName!: string;
  @Field(() => SiteEventKind) kind!: SiteEventKind;
  @Field(() => String, { nullable: true, description: 'For breaker events the BreakerState left, for SITE_AUTO_DISABLED the SiteStatus left; else null.' })
  fromState!: string | null;
  @Field(() => String, { nullable: true, description: 'The state entered (as fromState).' })
  toState!: string | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => JsonScalar, { description: 'Per kind (see SiteEventKind); {} when nothing more.' })
  details!: Record<string, unknown>;
  @Field(() => GraphQLDateTime) createdAt!: Date;
}

@ObjectType('SiteEventEdge')
export class SiteEventEdge {
  @Field(() => String) cursor!: string;
  @Field(() => SiteEvent) node!: SiteEvent;
}

@ObjectType('SiteEventConnection')
export class SiteEventConnection {
  @Field(() => [SiteEventEdge]) edges!: SiteEventEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@ArgsType()
export class SiteEventsArgs {
  @Field(() => ID, { nullable: true, description: 'One site; every site when left out.' }) siteId?: string | null;
  @Field(() => SiteEventKind, { nullable: true }) kind?: SiteEventKind | null;
  @Field(() => Int, { nullable: true, description: '1–100, default 20.' }) first?: number | null;
  @Field(() => String, { nullable: true }) after?: string | null;
}

@ObjectType('OperationalWebhook', { description: 'The site every site event is sent to as a webhook (a normal, durable, signed delivery).' })
export class OperationalWebhook {
  @Field(() => ID) siteId!: string;
  @Field(() => GraphQLDateTime) setAt!: Date;
  @Field(() => String, { description: 'The name of the API token that chose it.' }) setBy!: string;
}
