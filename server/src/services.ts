import type { ApiTokenService } from './access/api-token.service.js';
import type { AccessTokens } from './access/tokens.js';
import type { AuditService } from './audit/audit.service.js';
import type { BreakerService } from './breaker/breaker.service.js';
import type { SiteBreaker } from './breaker/breaker.types.js';
import type { SecretBox } from './crypto/secrets.js';
import type { Database } from './db/orm.js';
import type { DeliveryService } from './dispatch/delivery.service.js';
import type { DeliveryAttempt } from './dispatch/delivery.types.js';
import type { Dispatcher } from './dispatch/dispatcher.js';
import type { PgPubSub } from './db/pubsub.js';
import { BatchLoader } from './graphql/batch-loader.js';
import type { ProbeService } from './signing/probe.service.js';
import { SiteLoader } from './sites/site.loader.js';
import type { SiteService } from './sites/site.service.js';
import type { TokenService } from './oauth/token.service.js';

/** The services a request may use; built once in main.ts (the composition root). */
export interface Services {
  db: Database;
  box: SecretBox;
  pubsub: PgPubSub;
  accessTokens: AccessTokens;
  /** Listing, creating and revoking API tokens (ADMIN). */
  apiTokens: ApiTokenService;
  sites: SiteService;
  /** Accepting webhooks and reading deliveries (any role). */
  deliveries: DeliveryService;
  /** The worker loop, in processes whose role includes dispatching. */
  dispatcher?: Dispatcher;
  /** OAuth2 tokens; the dispatcher uses it as its AccessTokenProvider. */
  tokens: TokenService;
  /** testSite and the signed-request preview. */
  probes: ProbeService;
  /** The audit trail: resolvers record each change right after it (audit/README.md). */
  audit: AuditService;
  /** Circuit breakers, site events and the operational webhook (breaker/README.md). */
  breaker: BreakerService;
}

/** The batching loaders of one GraphQL operation (graphql/context.ts), for field resolvers. */
export interface Loaders {
  sites: SiteLoader;
  /** A delivery's attempts, oldest first (none: empty). */
  attempts: BatchLoader<DeliveryAttempt[]>;
  /** A site's circuit breaker (CLOSED with the defaults for a site without one). */
  breakers: BatchLoader<SiteBreaker>;
}

/** New loaders for one operation, over the services; handed to graphql/context.ts's createContext. */
export function createLoaders(services: Services): Loaders {
  return {
    sites: new SiteLoader(services.sites),
    attempts: new BatchLoader((ids) => services.deliveries.attemptsOf(ids), () => []),
    breakers: new BatchLoader((ids) => services.breaker.breakersOf(ids), () => services.breaker.closedBreaker()),
  };
}
