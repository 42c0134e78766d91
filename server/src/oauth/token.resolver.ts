import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { AuditOperation } from '../audit/audit.types.js';
import { TOKEN_STATE_CHANGED } from '../db/pubsub.js';
import type { Context } from '../graphql/context.js';
import { Site } from '../sites/site.entity.js';
import { tokenStateFromEvent } from './token.service.js';
import { OAuthConnect, TokenHistoryEntry, TokenState, type TokenStateEvent } from './token.types.js';

@Resolver(() => Site)
export class TokenResolver {
  @FieldResolver(() => TokenState, { nullable: true, description: 'The three OAuth2 methods only; null for the others.' })
  async token(@Root() site: Site, @Ctx() { services }: Context): Promise<TokenState | null> {
    return services.tokens.stateOf(site);
  }

  @Query(() => [TokenHistoryEntry], { description: 'The site\'s token requests, newest first: fetches, refreshes, failures. No secrets.' })
  async tokenHistory(
    @Arg('siteId', () => ID) siteId: string,
    @Arg('first', () => Int, { defaultValue: 20, description: '1–200.' }) first: number,
    @Ctx() { services }: Context,
  ): Promise<TokenHistoryEntry[]> {
    return services.tokens.history(siteId, first);
  }

  @Authorized('EDITOR')
  @Mutation(() => OAuthConnect, { description: 'OAUTH2 sites: the URL to send the browser to (single-use state, PKCE). The callback returns to /sites/<id>?oauth=connected|error.' })
  async startOAuthConnect(@Arg('siteId', () => ID) siteId: string, @Ctx() { services, principal }: Context): Promise<OAuthConnect> {
    const connect = await services.tokens.startConnect(siteId);
    await services.audit.connectStarted(principal, await services.sites.require(siteId), connect.authorizationUrl);
    return connect;
  }

  @Authorized('EDITOR')
  @Mutation(() => TokenState, { description: 'Asks the token endpoint for a new token now (refresh token for OAUTH2). A refused request answers FAILED with lastError.' })
  async refreshAccessToken(@Arg('siteId', () => ID) siteId: string, @Ctx() { services, principal }: Context): Promise<TokenState> {
    const state = await services.tokens.refreshNow(siteId);
    await services.audit.siteEvent(principal, AuditOperation.ACCESS_TOKEN_REFRESHED, await services.sites.require(siteId));
    return state;
  }

  @Subscription(() => TokenState, {
    topics: TOKEN_STATE_CHANGED,
    filter: ({ payload, args }: { payload: TokenStateEvent; args: { siteId?: string | null } }) => !args.siteId || payload.siteId === args.siteId,
    description: 'Token state changes of one site, or of every site when siteId is left out; from every process of the deployment.',
  })
  tokenStateChanged(@Root() event: TokenStateEvent, @Arg('siteId', () => ID, { nullable: true }) _siteId?: string): TokenState {
    return tokenStateFromEvent(event);
  }
}
