import { isUuid } from '../graphql/errors.js';
import type { Site } from './site.entity.js';
import type { SiteService } from './site.service.js';

interface Batch {
  ids: Set<string>;
  sites: Promise<Map<string, Site>>;
}

/**
 * Sites for field resolvers that ask one row at a time (`Delivery.site` on every row of a
 * page): the ids asked for until the event loop's next turn go out as one query.
 *
 * A loader belongs to one GraphQL operation (see graphql/context.ts) and remembers what it
 * loaded for that operation's life, so a page naming one site twenty times asks once. A
 * subscription's operation lives as long as the subscription: its events call `clear()`, or a
 * renamed or deleted site would be shown as it was when the subscription started.
 */
export class SiteLoader {
  private readonly loaded = new Map<string, Promise<Site | null>>();
  private batch: Batch | null = null;

  constructor(private readonly sites: Pick<SiteService, 'getMany'>) {}

  /** The site, or null when there is none (deleted, or not an id). */
  load(id: string): Promise<Site | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    const key = id.toLowerCase();
    const known = this.loaded.get(key);
    if (known) return known;
    return this.enqueue(this.openBatch(), key);
  }

  /** Forgets what was loaded, so the next loads read the database again. */
  clear(): void {
    this.loaded.clear();
  }

  private enqueue(batch: Batch, key: string): Promise<Site | null> {
    batch.ids.add(key);
    const site = batch.sites.then((found) => found.get(key) ?? null);
    this.loaded.set(key, site);
    // A failed query is not remembered: a later load tries again.
    site.catch(() => {
      if (this.loaded.get(key) === site) this.loaded.delete(key);
    });
    return site;
  }

  private openBatch(): Batch {
    if (this.batch) return this.batch;
    const ids = new Set<string>();
    const sites = new Promise<Map<string, Site>>((resolve, reject) => {
      // setImmediate rather than a microtask: the resolvers of one list are reached through
      // differing numbers of awaits, and all of them have run before the next turn.
      setImmediate(() => {
        this.batch = null;
        this.sites.getMany([...ids]).then((list) => resolve(new Map(list.map((site) => [site.id.toLowerCase(), site]))), reject);
      });
    });
    this.batch = { ids, sites };
    return this.batch;
  }
}
