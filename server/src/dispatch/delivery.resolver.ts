import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { type Context, clearLoaders } from '../graphql/context.js';
import { connectionOf } from '../graphql/connection.js';
import { MAX_CURSOR_LENGTH, checkTextLengths } from '../http/text-limits.js';
import { Site } from '../sites/site.entity.js';
import { DELIVERY_UPDATED } from '../db/pubsub.js';
import type { DeliveryUpdatedEvent } from './delivery-events.js';
import type { DeliveryService } from './delivery.service.js';
import { DeliveriesArgs, Delivery, DeliveryAttempt, DeliveryConnection, DeliveryStatsBucket, RetryDeliveriesArgs, WebhookInput } from './delivery.types.js';

function deliveriesOf(context: Context): DeliveryService {
  return context.services.deliveries;
}

/**
 * Events carry ids; each subscriber loads the deliveries it is shown, so one NOTIFY fans out to
 * any number of WebSocket subscribers on any process.
 */
async function* deliveryUpdates(context: Context, siteId: string | null | undefined): AsyncGenerator<Delivery> {
  const events = context.services.pubsub.subscribe(DELIVERY_UPDATED)[Symbol.asyncIterator]();
  try {
    while (true) {
      const next = await events.next();
      if (next.done) return;
      const event = next.value as DeliveryUpdatedEvent;
      if (siteId && event.siteId !== siteId) continue;
      const deliveries = await deliveriesOf(context).getMany(event.ids);
      // This operation lives as long as the subscription: each event shows its site and attempts
      // as they are now. An event's deliveries share one site, so the event costs one site query at most.
      clearLoaders(context.loaders);
      // Each delivery yielded is executed on its own, after the previous one is sent, so the
      // loaders could not batch across them: ask for the event's site and attempts together now
      // (one query each, whatever the event's size), and the field resolvers find them loaded.
      void context.loaders.sites.load(event.siteId);
      for (const delivery of deliveries) void context.loaders.attempts.load(delivery.id);
      for (const delivery of deliveries) yield delivery;
    }
  } finally {
    await events.return?.();
  }
}

@Resolver(() => Delivery)
export class DeliveryResolver {
  @Query(() => DeliveryConnection, { description: 'Deliveries, newest first; filter by site and status.' })
  async deliveries(@Args(() => DeliveriesArgs) args: DeliveriesArgs, @Ctx() context: Context): Promise<DeliveryConnection> {
    checkTextLengths(['after', args.after, MAX_CURSOR_LENGTH]);
    const page = await deliveriesOf(context).list(args);
    return connectionOf(page.deliveries, page.cursorOf, page.hasNextPage, page.totalCount);
  }

  @Query(() => Delivery, { nullable: true })
  async delivery(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<Delivery | null> {
    return deliveriesOf(context).get(id);
  }

  @Query(() => [DeliveryStatsBucket], {
    description: 'Attempts per second over the last `minutes` (1–60, default 5), for a chart: counts by outcome and latency. Seconds without attempts are left out.',
  })
  async deliveryStats(
    @Arg('siteId', () => ID, { nullable: true }) siteId: string | null,
    @Arg('minutes', () => Int, { nullable: true }) minutes: number | null,
    @Ctx() context: Context,
  ): Promise<DeliveryStatsBucket[]> {
    return deliveriesOf(context).stats(siteId, minutes);
  }

  @Authorized('EDITOR')
  @Mutation(() => Delivery, { description: 'Queues one webhook to an ACTIVE site; answers once it is stored.' })
  async sendWebhook(@Arg('input', () => WebhookInput) input: WebhookInput, @Ctx() context: Context): Promise<Delivery> {
    const [delivery] = await deliveriesOf(context).send([input], 'input');
    return delivery!;
  }

  @Authorized('EDITOR')
  @Mutation(() => [Delivery], { description: 'Queues up to 1,000 webhooks in one transaction; all or none (field errors name inputs.N).' })
  async sendWebhooks(@Arg('inputs', () => [WebhookInput]) inputs: WebhookInput[], @Ctx() context: Context): Promise<Delivery[]> {
    return deliveriesOf(context).send(inputs, 'inputs');
  }

  @Authorized('EDITOR')
  @Mutation(() => Delivery, { description: 'Sends a FAILED delivery again, with a fresh set of attempts (same delivery id).' })
  async retryDelivery(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<Delivery> {
    const delivery = await deliveriesOf(context).retry(id);
    await context.services.audit.deliveryRetried(context.principal, delivery);
    return delivery;
  }

  @Authorized('EDITOR')
  @Mutation(() => Int, {
    description:
      'Sends every FAILED delivery of a site created in [since, until) again, each with a fresh set of attempts (same ids); returns how many. ' +
      'Only FAILED may be replayed (another status is refused at `status`). Deliveries of a site that is not ACTIVE are held until it is. A second call finds none left and returns 0.',
  })
  async retryDeliveries(@Args(() => RetryDeliveriesArgs) args: RetryDeliveriesArgs, @Ctx() context: Context): Promise<number> {
    const replay = await deliveriesOf(context).retryMany(args);
    await context.services.audit.deliveriesRetried(context.principal, replay);
    return replay.count;
  }

  @Subscription(() => Delivery, {
    description:
      'Every change of a delivery (accepted, claimed, each attempt, retried), from any process. Each event carries the delivery as it is when the event reaches this server, so a fast delivery may show a later status than the change that raised it.',
    subscribe: ({ args, context }) => deliveryUpdates(context as Context, (args as { siteId?: string | null }).siteId),
  })
  deliveryUpdated(@Arg('siteId', () => ID, { nullable: true }) _siteId: string | null, @Root() delivery: Delivery): Delivery {
    return delivery;
  }

  @FieldResolver(() => [DeliveryAttempt], { description: 'Oldest first.' })
  async attempts(@Root() delivery: Delivery, @Ctx() { loaders }: Context): Promise<DeliveryAttempt[]> {
    // Batched: a page of deliveries asks for its attempts in one query, not one per row.
    return loaders.attempts.load(delivery.id);
  }

  @FieldResolver(() => Site, { nullable: true, description: 'Null once the site is deleted.' })
  async site(@Root() delivery: Delivery, @Ctx() { loaders }: Context): Promise<Site | null> {
    // Batched: a page of deliveries asks for its sites in one query, not one per row.
    return loaders.sites.load(delivery.siteId);
  }
}
