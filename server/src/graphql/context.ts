import type { Config } from '../config.js';
import type { Principal } from '../access/tokens.js';
import type { Services } from '../services.js';
import { SiteLoader } from '../sites/site.loader.js';

export interface Context {
  principal: Principal;
  services: Services;
  config: Config;
  /** Batching loaders for field resolvers; new for every operation, so nothing cached outlives it. */
  loaders: Loaders;
}

export interface Loaders {
  sites: SiteLoader;
}

/** The context of one GraphQL operation, over HTTP or WebSocket. */
export function createContext(principal: Principal, services: Services, config: Config): Context {
  return { principal, services, config, loaders: { sites: new SiteLoader(services.sites) } };
}
