import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { AuditOperation } from '../audit/audit.types.js';
import type { Context } from '../graphql/context.js';
import { SignedRequestPreview, SiteTestResult } from './probe.types.js';
import { JsonScalar } from '../graphql/json-scalar.js';

@Resolver()
export class ProbeResolver {
  @Authorized('EDITOR')
  @Mutation(() => SiteTestResult, {
    description:
      'Sends one probe request to the site (any status), signed by its method: POST of `payload` (default a small test object) with header x-trusted-sites-test: true. Stores nothing.',
  })
  async testSite(
    @Arg('id', () => ID) id: string,
    @Arg('payload', () => JsonScalar, { nullable: true }) payload: unknown,
    @Ctx() { services, principal }: Context,
  ): Promise<SiteTestResult> {
    const result = await services.probes.test(id, payload);
    await services.audit.siteEvent(principal, AuditOperation.SITE_TESTED, await services.sites.require(id));
    return result;
  }

  @Query(() => SignedRequestPreview, {
    description: 'The request a webhook to this site becomes once signed, credentials masked. Sends nothing; for OAuth2 sites a stand-in token is used.',
  })
  async previewSignedRequest(
    @Arg('siteId', () => ID) siteId: string,
    @Arg('payload', () => JsonScalar, { nullable: true }) payload: unknown,
    @Arg('method', () => String, { nullable: true }) method: string | null,
    @Ctx() { services }: Context,
  ): Promise<SignedRequestPreview> {
    return services.probes.preview(siteId, payload, method);
  }
}
