import type { AccessTokens } from './access/tokens.js';
import type { SecretBox } from './crypto/secrets.js';
import type { Database } from './db/orm.js';
import type { PgPubSub } from './graphql/pubsub.js';
import type { SiteService } from './sites/site.service.js';
import type { TokenService } from './tokens/token.service.js';

/** The services a request may use; built once in main.ts (the composition root). */
export interface Services {
  db: Database;
  box: SecretBox;
  pubsub: PgPubSub;
  accessTokens: AccessTokens;
  sites: SiteService;
  /** OAuth2 tokens; the dispatcher uses it as its AccessTokenProvider. */
  tokens: TokenService;
}
