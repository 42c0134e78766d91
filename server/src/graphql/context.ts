import type { Config } from '../config.js';
import type { Principal } from '../access/tokens.js';
import type { Services } from '../services.js';
import type { DeliveryAttempt } from '../dispatch/delivery.types.js';
import { SiteLoader } from '../sites/site.loader.js';
import { BatchLoader } from './batch-loader.js';

export interface Context {
  principal: Principal;
  services: Services;
  config: Config;
  /** Batching loaders for field resolvers; new for every operation, so nothing cached outlives it. */
  loaders: Loaders;
  /** Aborted when the HTTP client has gone before its answer: long work may stop early. */
  signal?: AbortSignal;
  /** The HTTP request's id (x-request-id), also on every log line of the operation. */
  requestId?: string;
}

export interface Loaders {
  sites: SiteLoader;
  /** A delivery's attempts, oldest first (none: empty). */
  attempts: BatchLoader<DeliveryAttempt[]>;
}

/** Forgets what every loader of the operation loaded (a subscription's next event). */
export function clearLoaders(loaders: Loaders): void {
  for (const loader of Object.values(loaders)) loader.clear();
}

/** The context of one GraphQL operation, over HTTP or WebSocket. */
export function createContext(principal: Principal, services: Services, config: Config): Context {
  const loaders: Loaders = {
    sites: new SiteLoader(services.sites),
    attempts: new BatchLoader((ids) => services.deliveries.attemptsOf(ids), () => []),
  };
  return { principal, services, config, loaders };
}
