import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { AuthMethod } from '../auth/types.js';
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
  async createSite(@Arg('input', () => SiteInput) input: SiteInput, @Ctx() { services }: Context): Promise<Site> {
    return services.sites.create(input);
  }

  @Authorized('EDITOR')
  @Mutation(() => Site)
  async updateSite(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => SiteUpdateInput) input: SiteUpdateInput,
    @Ctx() { services }: Context,
  ): Promise<Site> {
    return services.sites.update(id, input);
  }

  @Authorized('EDITOR')
  @Mutation(() => Boolean)
  async deleteSite(@Arg('id', () => ID) id: string, @Ctx() { services }: Context): Promise<boolean> {
    return services.sites.delete(id);
  }

  @Authorized('EDITOR')
  @Mutation(() => Site, { description: 'ACTIVE or INACTIVE.' })
  async setSiteStatus(
    @Arg('id', () => ID) id: string,
    @Arg('status', () => SiteStatus) status: SiteStatus,
    @Ctx() { services }: Context,
  ): Promise<Site> {
    return services.sites.setStatus(id, status);
  }

  @FieldResolver(() => String, { nullable: true, description: 'OAUTH2 only: register this as the redirect URI at the provider.' })
  redirectUrl(@Root() site: Site, @Ctx() { config }: Context): string | null {
    return site.authMethod === AuthMethod.OAUTH2 ? `${config.publicUrl}/oauth/callback/${site.id}` : null;
  }
}
