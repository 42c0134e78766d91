import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
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
  async createApiToken(@Arg('input', () => ApiTokenInput) input: ApiTokenInput, @Ctx() { services }: Context): Promise<CreatedApiToken> {
    return services.apiTokens.create(input);
  }

  @Authorized('ADMIN')
  @Mutation(() => Boolean, {
    description: 'Deletes a token; every process refuses it from the next request on. The token this request uses cannot be revoked (CONFLICT).',
  })
  async revokeApiToken(@Arg('id', () => ID) id: string, @Ctx() { services, principal }: Context): Promise<boolean> {
    return services.apiTokens.revoke(id, principal);
  }
}
