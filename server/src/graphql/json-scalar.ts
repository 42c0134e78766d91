import { GraphQLError, GraphQLScalarType } from 'graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { MAX_JSON_DEPTH, jsonDepthOver } from '../validation/checks.js';

function refuseTooDeep<T>(value: T): T {
  if (jsonDepthOver(value, MAX_JSON_DEPTH)) throw new GraphQLError(`Must be nested at most ${MAX_JSON_DEPTH} levels deep`);
  return value;
}

/**
 * graphql-scalars' JSON, refusing values nested deeper than MAX_JSON_DEPTH while GraphQL coerces
 * them — before type-graphql copies an argument's nested arrays recursively and before a payload
 * is encoded (JSON.stringify recurses too): a few thousand levels overflow the stack there. The
 * refusal is a coercion error, so it answers BAD_USER_INPUT with the value's path.
 */
export const JsonScalar = new GraphQLScalarType({
  ...GraphQLJSON.toConfig(),
  parseValue: (value) => refuseTooDeep(GraphQLJSON.parseValue(value)),
  parseLiteral: (ast, variables) => refuseTooDeep(GraphQLJSON.parseLiteral(ast, variables)),
});
