import { DELIVERY_UPDATED, type PgPubSub } from '../db/pubsub.js';
import { log } from '../log.js';

/*
 * The delivery.updated event, published from TypeScript by the API (a requeued delivery) and by
 * the dispatcher; the transitions that publish it from their own SQL are in transitions.sql.ts.
 * Below both, so the dispatcher needs nothing of the API's service.
 */

/** The payload of `DELIVERY_UPDATED`: ids only; subscribers load what they show. */
export interface DeliveryUpdatedEvent {
  siteId: string;
  ids: string[];
}

/** NOTIFY payloads are small: ids grouped by site, a few hundred per event. */
export function publishUpdates(pubsub: PgPubSub, rows: Array<{ id: string; site_id: string }>): void {
  const bySite = new Map<string, string[]>();
  for (const row of rows) {
    let ids = bySite.get(row.site_id);
    if (!ids) bySite.set(row.site_id, (ids = []));
    ids.push(row.id);
  }
  for (const [siteId, ids] of bySite) {
    for (let i = 0; i < ids.length; i += 180) {
      const event: DeliveryUpdatedEvent = { siteId, ids: ids.slice(i, i + 180) };
      pubsub.publishAsync(DELIVERY_UPDATED, event).catch((error) => log.error('could not publish delivery updates', { error: String(error) }));
    }
  }
}
