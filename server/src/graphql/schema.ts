import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { type AuthChecker, type PubSub, buildSchema } from 'type-graphql';
import { ApiTokenResolver } from '../access/api-token.resolver.js';
import { hasRole, type Role } from '../access/tokens.js';
import { AuditResolver } from '../audit/audit.resolver.js';
import { BreakerResolver, OperationalWebhookResolver } from '../breaker/breaker.resolver.js';
import { DeliveryResolver } from '../dispatch/delivery.resolver.js';
import { ProbeResolver } from '../signing/probe.resolver.js';
import { PayloadSigningResolver } from '../sites/payload-signing.resolver.js';
import { ClientCertificateResolver } from '../sites/client-certificate.resolver.js';
import { SiteResolver } from '../sites/site.resolver.js';
import { TokenResolver } from '../oauth/token.resolver.js';
import type { Context } from './context.js';
import { forbidden } from './errors.js';

/** Every resolver class of the API. */
export const RESOLVERS = [SiteResolver, TokenResolver, DeliveryResolver, ProbeResolver, ApiTokenResolver, AuditResolver, PayloadSigningResolver, BreakerResolver, OperationalWebhookResolver, ClientCertificateResolver] as const;

const authChecker: AuthChecker<Context, Role> = ({ context }, roles) => {
  const needed = roles[0] ?? 'VIEWER';
  if (!hasRole(context.principal, needed)) throw forbidden(`This needs the ${needed} role; your token has ${context.principal.role}`);
  return true;
};

/** Printing the schema (schema.graphql, tests) carries no events, but type-graphql wants a PubSub once subscriptions exist. */
const NO_EVENTS: PubSub = {
  publish: () => undefined,
  subscribe: () => ({ [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true as const, value: undefined }) }) }),
};

export async function buildAppSchema(pubSub?: PubSub): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS as unknown as [Function, ...Function[]],
    authChecker,
    pubSub: pubSub ?? NO_EVENTS,
    validate: false,
    emitSchemaFile: false,
  });
}

/** The SDL committed as schema.graphql: sorted, so it only changes when the API does. */
export function printAppSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
