import type { Config } from '../config.js';
import type { Principal } from '../access/tokens.js';
import type { Loaders, Services } from '../services.js';

export type { Loaders };

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

/** Forgets what every loader of the operation loaded (a subscription's next event). */
export function clearLoaders(loaders: Loaders): void {
  for (const loader of Object.values(loaders)) loader.clear();
}

/**
 * The context of one GraphQL operation, over HTTP or WebSocket. Its loaders are made by the
 * composition root (services.ts `createLoaders`), so this module knows no site or delivery.
 */
export function createContext(principal: Principal, services: Services, config: Config, loaders: Loaders): Context {
  return { principal, services, config, loaders };
}
