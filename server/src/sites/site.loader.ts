import { BatchLoader } from '../graphql/batch-loader.js';
import type { Site } from './site.entity.js';
import type { SiteService } from './site.service.js';

/** Sites by id for `Delivery.site`, one query per batch (see BatchLoader); null when there is none (deleted, or not an id). */
export class SiteLoader extends BatchLoader<Site | null> {
  constructor(sites: Pick<SiteService, 'getMany'>) {
    super(
      async (ids) => new Map((await sites.getMany(ids)).map((site) => [site.id.toLowerCase(), site])),
      () => null,
    );
  }
}
