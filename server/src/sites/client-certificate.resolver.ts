import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { AuditOperation } from '../audit/audit.types.js';
import type { Context } from '../graphql/context.js';
import { ClientCertificateInput } from './client-certificate.js';
import { Site } from './site.entity.js';

/**
 * A site's client certificate (mutual TLS): its own mutations, as payload signing has, so a site
 * edit never has to carry (or keep) PEM text, and the key is sent only when it changes.
 */
@Resolver()
export class ClientCertificateResolver {
  @Authorized('EDITOR')
  @Mutation(() => Site, {
    description:
      'Sets or replaces the client certificate presented to the site (webhooks, test connection, its OAuth token requests). Checked before it is stored: the chain parses (client certificate first), is valid now, and the key matches it. An omitted privateKey keeps the stored one.',
  })
  async setClientCertificate(
    @Arg('siteId', () => ID) siteId: string,
    @Arg('clientCertificate', () => ClientCertificateInput) clientCertificate: ClientCertificateInput,
    @Ctx() { services, principal }: Context,
  ): Promise<Site> {
    const before = await services.audit.snapshot(siteId);
    const site = await services.sites.setClientCertificate(siteId, clientCertificate);
    await services.audit.siteEvent(principal, AuditOperation.SITE_UPDATED, site, { before, after: true });
    return site;
  }

  @Authorized('EDITOR')
  @Mutation(() => Site, { description: 'Removes the site’s client certificate and key: connections to the site no longer present one. A site without one is left as it is.' })
  async removeClientCertificate(@Arg('siteId', () => ID) siteId: string, @Ctx() { services, principal }: Context): Promise<Site> {
    const before = await services.audit.snapshot(siteId);
    const { site, removed } = await services.sites.removeClientCertificate(siteId);
    if (removed) await services.audit.siteEvent(principal, AuditOperation.SITE_UPDATED, site, { before, after: true });
    return site;
  }
}
