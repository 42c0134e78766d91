import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { AuditOperation } from '../audit/audit.types.js';
import { tokensOf } from '../auth/registry.js';
import type { Context } from '../graphql/context.js';
import { PageInfo, connectionOf } from '../graphql/connection.js';
import { MAX_CURSOR_LENGTH, MAX_SEARCH_LENGTH, checkTextLengths } from '../http/text-limits.js';
import { Site, SiteStatus } from './site.entity.js';
import { SiteInput, SitesArgs, SiteUpdateInput } from './site.inputs.js';

@ObjectType('SiteEdge')
class SiteEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Site) node!: Site;
}

@ObjectType('SiteConnection')
class SiteConnection {
  @Field(() => [SiteEdge]) edges!: SiteEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@Resolver(() => Site)
export class SiteResolver {
  @Query(() => SiteConnection, { description: 'Every site, sorted by name; filter by status and method, search name and URL.' })
  async sites(@Args(() => SitesArgs) args: SitesArgs, @Ctx() { services }: Context): Promise<SiteConnection> {
    checkTextLengths(['search', args.search, MAX_SEARCH_LENGTH], ['after', args.after, MAX_CURSOR_LENGTH]);
    const page = await services.sites.list(args);
    return connectionOf(page.sites, page.cursorOf, page.hasNextPage, page.totalCount);
  }

  @Query(() => Site, { nullable: true })
  async site(@Arg('id', () => ID) id: string, @Ctx() { services }: Context): Promise<Site | null> {
    return services.sites.get(id);
  }

  @Query(() => [Site], { description: 'The sites a workflow may send to: ACTIVE only, sorted by name.' })
  async activeSites(@Ctx() { services }: Context): Promise<Site[]> {
    return services.sites.active();
  }

  @Authorized('EDITOR')
  @Mutation(() => Site, { description: 'Creates a site as DRAFT.' })
  async createSite(@Arg('input', () => SiteInput) input: SiteInput, @Ctx() { services, principal }: Context): Promise<Site> {
    const site = await services.sites.create(input);
    await services.audit.siteEvent(principal, AuditOperation.SITE_CREATED, site, { after: true });
    return site;
  }

  @Authorized('EDITOR')
  @Mutation(() => Site)
  async updateSite(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => SiteUpdateInput) input: SiteUpdateInput,
    @Ctx() { services, principal }: Context,
  ): Promise<Site> {
    // Compared field by field with what it is after the update; secrets by a hash of their plaintext (audit/site-changes.ts).
    const before = await services.audit.snapshot(id);
    const site = await services.sites.update(id, input);
    await services.audit.siteEvent(principal, AuditOperation.SITE_UPDATED, site, { before, after: true });
    return site;
  }

  @Authorized('EDITOR')
  @Mutation(() => Boolean)
  async deleteSite(@Arg('id', () => ID) id: string, @Ctx() { services, principal }: Context): Promise<boolean> {
    const site = await services.sites.get(id);
    const deleted = await services.sites.delete(id);
    if (site) await services.audit.siteEvent(principal, AuditOperation.SITE_DELETED, site);
    return deleted;
  }

  @Authorized('EDITOR')
  @Mutation(() => Site, { description: 'ACTIVE or INACTIVE.' })
  async setSiteStatus(
    @Arg('id', () => ID) id: string,
    @Arg('status', () => SiteStatus) status: SiteStatus,
    @Ctx() { services, principal }: Context,
  ): Promise<Site> {
    const before = await services.sites.get(id);
    const site = await services.sites.setStatus(id, status);
    // Setting the status a site already has changes nothing, and is not recorded.
    if (before?.status !== site.status) await services.audit.siteEvent(principal, AuditOperation.SITE_STATUS_CHANGED, site, { paths: ['status'] });
    // Reactivating starts the circuit breaker afresh (breaker/README.md): the failures that led here are past.
    if (before?.status !== site.status && site.status === SiteStatus.ACTIVE) await services.breaker.reset(site.id, 'reactivated');
    return site;
  }

  @FieldResolver(() => String, { nullable: true, description: 'OAUTH2 only: register this as the redirect URI at the provider.' })
  redirectUrl(@Root() site: Site, @Ctx() { config }: Context): string | null {
    // The methods a person connects in a browser need it registered at the provider.
    return tokensOf(site.authMethod)?.connect ? `${config.publicUrl}/oauth/callback/${site.id}` : null;
  }
}
