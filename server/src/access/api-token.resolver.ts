import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { AuditOperation } from '../audit/audit.types.js';
import type { Context } from '../graphql/context.js';
import { ApiToken, ApiTokenInput, CreatedApiToken, Viewer } from './api-token.types.js';

@Resolver()
export class ApiTokenResolver {
  @Query(() => Viewer, { description: 'The token this request authenticated with: its name and role (any role).' })
  viewer(@Ctx() { principal }: Context): Viewer {
    return { name: principal.name, role: principal.role, tokenId: principal.tokenId === 'env' ? null : principal.tokenId };
  }

  @Authorized('ADMIN')
  @Query(() => [ApiToken], { description: 'Every API token, newest first. Never the token itself.' })
  async apiTokens(@Ctx() { services }: Context): Promise<ApiToken[]> {
    return services.apiTokens.list();
  }

  @Authorized('ADMIN')
  @Mutation(() => CreatedApiToken, { description: 'Makes a token with a role. Its secret is in this answer only; only its hash is stored.' })
  async createApiToken(@Arg('input', () => ApiTokenInput) input: ApiTokenInput, @Ctx() { services, principal }: Context): Promise<CreatedApiToken> {
    const created = await services.apiTokens.create(input);
    await services.audit.apiTokenEvent(principal, AuditOperation.API_TOKEN_CREATED, created.token, ['name', 'role']);
    return created;
  }

  @Authorized('ADMIN')
  @Mutation(() => Boolean, {
    description: 'Deletes a token; every process refuses it from the next request on. The token this request uses cannot be revoked (CONFLICT).',
  })
  async revokeApiToken(@Arg('id', () => ID) id: string, @Ctx() { services, principal }: Context): Promise<boolean> {
    const name = await services.audit.apiTokenName(id);
    const revoked = await services.apiTokens.revoke(id, principal);
    await services.audit.apiTokenEvent(principal, AuditOperation.API_TOKEN_REVOKED, { id, name });
    return revoked;
  }
}
