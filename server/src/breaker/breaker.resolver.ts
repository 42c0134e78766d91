import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { AuditOperation } from '../audit/audit.types.js';
import { SITE_EVENT } from '../db/pubsub.js';
import { type Context, clearLoaders } from '../graphql/context.js';
import { connectionOf } from '../graphql/connection.js';
import { MAX_CURSOR_LENGTH, checkTextLengths } from '../http/text-limits.js';
import { Site } from '../sites/site.entity.js';
import type { SiteEventPublished } from './breaker.sql.js';
import { BreakerSettingsInput, OperationalWebhook, SiteBreaker, SiteEvent, SiteEventConnection, SiteEventsArgs } from './breaker.types.js';

/** Events carry ids; each subscriber loads the event it is shown (as deliveryUpdated does). */
async function* siteEventStream(context: Context, siteId: string | null | undefined): AsyncGenerator<SiteEvent> {
  const events = context.services.pubsub.subscribe(SITE_EVENT)[Symbol.asyncIterator]();
  try {
    while (true) {
      const next = await events.next();
      if (next.done) return;
      const published = next.value as SiteEventPublished;
      if (siteId && published.siteId !== siteId) continue;
      const event = await context.services.breaker.event(published.id);
      clearLoaders(context.loaders);
      if (event) yield event;
    }
  } finally {
    await events.return?.();
  }
}

/** Circuit breaker, site events and the operational webhook (README.md here). */
@Resolver(() => Site)
export class BreakerResolver {
  @FieldResolver(() => SiteBreaker, { description: 'The circuit breaker: CLOSED (sending), OPEN (paused, deliveries held) or HALF_OPEN (one probe in flight).' })
  async breaker(@Root() site: Site, @Ctx() { loaders }: Context): Promise<SiteBreaker> {
    // Batched: a page of sites reads its breakers in one query.
    return loaders.breakers.load(site.id);
  }

  @FieldResolver(() => SiteEventConnection, { description: 'The site\'s events, newest first.' })
  async events(
    @Root() site: Site,
    @Arg('first', () => Int, { nullable: true, description: '1–100, default 20.' }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() { services }: Context,
  ): Promise<SiteEventConnection> {
    checkTextLengths(['after', after, MAX_CURSOR_LENGTH]);
    const page = await services.breaker.events({ siteId: site.id, first, after });
    return connectionOf(page.events, page.cursorOf, page.hasNextPage, page.totalCount);
  }

  @Query(() => SiteEventConnection, { description: 'Site events (circuit breaker, automatic disabling, tokens and certificates needing a person), newest first; one site or all.' })
  async siteEvents(@Args(() => SiteEventsArgs) args: SiteEventsArgs, @Ctx() { services }: Context): Promise<SiteEventConnection> {
    checkTextLengths(['after', args.after, MAX_CURSOR_LENGTH]);
    const page = await services.breaker.events(args);
    return connectionOf(page.events, page.cursorOf, page.hasNextPage, page.totalCount);
  }

  @Authorized('EDITOR')
  @Mutation(() => Site, {
    description: 'Closes the site\'s circuit breaker by hand: held deliveries are sent at once and the failure count starts again. A breaker already CLOSED only has its count reset (no event).',
  })
  async resetBreaker(@Arg('siteId', () => ID) siteId: string, @Ctx() { services, principal }: Context): Promise<Site> {
    const site = await services.breaker.reset(siteId);
    await services.audit.siteEvent(principal, AuditOperation.BREAKER_RESET, site, { paths: ['breaker.state'] });
    return site;
  }

  @Authorized('EDITOR')
  @Mutation(() => Site, { description: 'Sets the site\'s own circuit-breaker settings (null: the deployment default; left out: unchanged). Bad values are field errors at input.<field> and change nothing.' })
  async updateBreakerSettings(
    @Arg('siteId', () => ID) siteId: string,
    @Arg('input', () => BreakerSettingsInput) input: BreakerSettingsInput,
    @Ctx() { services, principal }: Context,
  ): Promise<Site> {
    const { site, changed } = await services.breaker.updateSettings(siteId, input);
    if (changed.length) await services.audit.siteEvent(principal, AuditOperation.SITE_UPDATED, site, { paths: changed });
    return site;
  }

  @Subscription(() => SiteEvent, {
    name: 'siteEvents',
    description: 'Every site event as it is stored, from any process; one site, or every site when siteId is left out.',
    subscribe: ({ args, context }) => siteEventStream(context as Context, (args as { siteId?: string | null }).siteId),
  })
  siteEventAdded(@Arg('siteId', () => ID, { nullable: true }) _siteId: string | null, @Root() event: SiteEvent): SiteEvent {
    return event;
  }
}

@Resolver(() => OperationalWebhook)
export class OperationalWebhookResolver {
  @Query(() => OperationalWebhook, { nullable: true, description: 'The site every site event is sent to; null when none is chosen.' })
  async operationalWebhook(@Ctx() { services }: Context): Promise<OperationalWebhook | null> {
    return services.breaker.operationalWebhook();
  }

  @Authorized('ADMIN')
  @Mutation(() => OperationalWebhook, {
    description:
      'Sends every site event, from now on, to this site as a webhook {type, siteId, siteName, occurredAt, data} through the normal dispatcher (its auth, headers and payload signing apply). The site must be ACTIVE and have a JSON content type. Events about that site itself are not sent to it.',
  })
  async setOperationalWebhookSite(@Arg('siteId', () => ID) siteId: string, @Ctx() { services, principal }: Context): Promise<OperationalWebhook> {
    const { setting, site } = await services.breaker.setOperationalWebhook(siteId, principal.name);
    await services.audit.siteEvent(principal, AuditOperation.OPERATIONAL_WEBHOOK_SET, site, { paths: ['operationalWebhook.siteId'] });
    return setting;
  }

  @Authorized('ADMIN')
  @Mutation(() => Boolean, { description: 'Stops sending site events as webhooks; true when one was set. Deliveries already queued are still sent.' })
  async clearOperationalWebhookSite(@Ctx() { services, principal }: Context): Promise<boolean> {
    const site = await services.breaker.clearOperationalWebhook();
    if (site) await services.audit.siteEvent(principal, AuditOperation.OPERATIONAL_WEBHOOK_CLEARED, site, { paths: ['operationalWebhook.siteId'] });
    return site !== null;
  }

  @FieldResolver(() => Site, { nullable: true })
  async site(@Root() setting: OperationalWebhook, @Ctx() { loaders }: Context): Promise<Site | null> {
    return loaders.sites.load(setting.siteId);
  }
}
