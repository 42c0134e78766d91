import { Arg, Authorized, Ctx, Field, ID, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import { AuditOperation } from '../audit/audit.types.js';
import type { Context } from '../graphql/context.js';
import { SIGNING_LIMITS, SigningSecret, toPayloadSigning } from './payload-signing.js';
import { Site } from './site.entity.js';
import type { SigningChange } from './site.service.js';

@ObjectType('SigningChange', { description: 'The site after a change of its payload signing, and the secret it added, if any.' })
class SigningChangeResult {
  @Field(() => Site) site!: Site;
  @Field(() => SigningSecret, { nullable: true, description: 'The secret added by this change; null when none was.' })
  created!: SigningSecret | null;
  @Field(() => String, {
    nullable: true,
    description: 'The added secret (whsec_…) when the service generated it: shown in this answer only, never readable again. Null when you supplied it or none was added.',
  })
  secret!: string | null;
}

function toResult(change: SigningChange): SigningChangeResult {
  const created = change.created ? toPayloadSigning({ enabled: true, secrets: [change.created] }).secrets[0]! : null;
  return { site: change.site, created, secret: change.secret };
}

/** Payload signatures (Standard Webhooks): its own mutations, because a generated secret is answered once. */
@Resolver()
export class PayloadSigningResolver {
  @Authorized('EDITOR')
  @Mutation(() => SigningChangeResult, {
    description:
      'Turns payload signatures on. A site without a signing secret gets one: `secret` if given (whsec_ + base64 of 24–64 bytes), else a generated one, returned once. A site that has one keeps it (giving another is refused: rotate instead).',
  })
  async enableSigning(
    @Arg('siteId', () => ID) siteId: string,
    @Arg('secret', () => String, { nullable: true }) secret: string | null,
    @Ctx() { services, principal }: Context,
  ): Promise<SigningChangeResult> {
    const before = await services.audit.snapshot(siteId);
    const change = await services.sites.enableSigning(siteId, secret);
    await services.audit.siteEvent(principal, AuditOperation.SITE_UPDATED, change.site, { before, after: true });
    return toResult(change);
  }

  @Authorized('EDITOR')
  @Mutation(() => Site, { description: 'Turns payload signatures off. The secrets are kept: enableSigning signs with them again.' })
  async disableSigning(@Arg('siteId', () => ID) siteId: string, @Ctx() { services, principal }: Context): Promise<Site> {
    const before = await services.audit.snapshot(siteId);
    const site = await services.sites.disableSigning(siteId);
    await services.audit.siteEvent(principal, AuditOperation.SITE_UPDATED, site, { before, after: true });
    return site;
  }

  @Authorized('EDITOR')
  @Mutation(() => SigningChangeResult, {
    description: `Adds a signing secret (\`secret\` if given, else generated and returned once). The secrets signing now go on signing for overlapMinutes (${SIGNING_LIMITS.overlapMinutes.min}–${SIGNING_LIMITS.overlapMinutes.max}; default ${SIGNING_LIMITS.overlapMinutes.default}), every request carrying one signature per secret, then stop. At most ${SIGNING_LIMITS.activeSecrets} sign at once.`,
  })
  async rotateSigningSecret(
    @Arg('siteId', () => ID) siteId: string,
    @Arg('overlapMinutes', () => Int, { defaultValue: SIGNING_LIMITS.overlapMinutes.default }) overlapMinutes: number,
    @Arg('secret', () => String, { nullable: true }) secret: string | null,
    @Ctx() { services, principal }: Context,
  ): Promise<SigningChangeResult> {
    const before = await services.audit.snapshot(siteId);
    const change = await services.sites.rotateSigningSecret(siteId, overlapMinutes, secret);
    await services.audit.siteEvent(principal, AuditOperation.SITE_UPDATED, change.site, { before, after: true });
    return toResult(change);
  }
}
