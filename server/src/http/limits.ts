import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
  Kind,
  type ValidationContext,
  type ValidationRule,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  parse,
  specifiedRules,
  validate,
} from 'graphql';

/**
 * The limits every GraphQL operation passes before any resolver runs, over HTTP and WebSocket.
 * The dashboard's heaviest document (the deliveries page at 100 per page) must pass with room:
 * `limits.test.ts` runs every document the dashboard sends through these and fails if one would
 * be refused, so a limit is raised on purpose, not found by a user.
 */
export type Limits = { [K in keyof typeof LIMITS]: number };

export const LIMITS = {
  // Measured on the dashboard's documents as urql sends them (limits.test.ts): at most 202 tokens
  // (a site with every auth member), 20 aliases (the same), depth 9 (a site's auth member's
  // extraParams rows, fragments counting a level; 7 before token request parameters), no directives, armor cost 4,363 (sites(first: 100)), answer size
  // 11,700 (the deliveries page at 100 a page with 8 attempts each).
  maxTokens: 1_000,
  maxAliases: 40,
  maxDepth: 20,
  maxDirectives: 20,
  // graphql-armor's own estimate (objects 2, scalars 1, ×1.5 per level, × a literal `first`).
  maxCost: 20_000,
  // Upper bound on values in one answer; see maxResultSizeRule.
  maxResultSize: 60_000,
} as const;

/** Page sizes of the list fields that take `first`: the largest a caller may ask for, and the default. */
const PAGED: Record<string, { max: number; default: number }> = {
  'Query.sites': { max: 100, default: 20 },
  'Query.deliveries': { max: 100, default: 20 },
  'Query.tokenHistory': { max: 200, default: 20 },
  'Query.auditEvents': { max: 100, default: 20 },
};

/** Assumed lengths of lists that take no `first`; others count as UNBOUNDED_LIST. */
const UNBOUNDED_LIST = 100;

export interface LimitOptions {
  /** DISPATCH_MAX_ATTEMPTS: no delivery has more attempts than this. */
  maxAttempts: number;
}

/**
 * graphql-armor's cost limit multiplies by `first` only when it is written in the document; the
 * dashboard (and anyone) passes it as a variable, which armor counts as 1 — so `first: $n` with
 * 40 aliases would ask for 4,000 deliveries and their attempts "at cost 1". Variables are not known
 * to validation rules (and Apollo caches a document's validation across variables), so this rule
 * takes the worst case: a variable `first` counts as the largest page that field allows. It bounds
 * the number of values an answer can hold: each object field counts 1 plus its selections, times
 * the length of its list.
 */
export function maxResultSizeRule(maxSize: number, options: LimitOptions): ValidationRule {
  const listLengths: Record<string, number> = { 'Delivery.attempts': options.maxAttempts };
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition: {
      enter(operation) {
        const root = rootType(context.getSchema(), operation.operation);
        if (!root) return;
        const size = selectionSize(context, root, operation.selectionSet, listLengths, new Set());
        if (size > maxSize) {
          context.reportError(
            new GraphQLError(`The answer to this operation could hold ${Math.round(size).toLocaleString('en')} values; the limit is ${maxSize.toLocaleString('en')}. Ask for fewer items or fields per request.`, {
              nodes: [operation],
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            }),
          );
        }
      },
    },
  });
}

function rootType(schema: GraphQLSchema, operation: 'query' | 'mutation' | 'subscription') {
  return operation === 'query' ? schema.getQueryType() : operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
}

function selectionSize(
  context: ValidationContext,
  parent: GraphQLNamedType,
  selectionSet: SelectionSetNode,
  listLengths: Record<string, number>,
  fragmentsSeen: Set<string>,
): number {
  let size = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      size += fieldSize(context, parent, selection, listLengths, fragmentsSeen);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const on = selection.typeCondition ? context.getSchema().getType(selection.typeCondition.name.value) : parent;
      if (on) size += selectionSize(context, on, selection.selectionSet, listLengths, fragmentsSeen);
    } else {
      // A cycle of fragments is refused by the standard rules; here it just stops counting.
      if (fragmentsSeen.has(selection.name.value)) continue;
      const fragment: FragmentDefinitionNode | null | undefined = context.getFragment(selection.name.value);
      const on = fragment && context.getSchema().getType(fragment.typeCondition.name.value);
      if (!fragment || !on) continue;
      const seen = new Set(fragmentsSeen).add(selection.name.value);
      size += selectionSize(context, on, fragment.selectionSet, listLengths, seen);
    }
  }
  return size;
}

function fieldSize(context: ValidationContext, parent: GraphQLNamedType, node: FieldNode, listLengths: Record<string, number>, fragmentsSeen: Set<string>): number {
  if (!('getFields' in parent)) return 1;
  const field = (parent as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields()[node.name.value];
  if (!field) return 1; // unknown fields are the standard rules' business
  const key = `${parent.name}.${field.name}`;
  const length = listLength(key, field, node, listLengths);
  const type = getNamedType(field.type);
  const inner = node.selectionSet && isCompositeType(type) ? selectionSize(context, type, node.selectionSet, listLengths, fragmentsSeen) : 0;
  return length * (1 + inner);
}

function listLength(key: string, field: GraphQLField<unknown, unknown>, node: FieldNode, listLengths: Record<string, number>): number {
  const paged = PAGED[key];
  if (paged) {
    const first = node.arguments?.find((argument) => argument.name.value === 'first')?.value;
    if (!first) return paged.default;
    if (first.kind === Kind.INT) return Math.min(Math.max(Number(first.value), 1), paged.max);
    // A variable (or anything else): the largest page the field gives.
    return paged.max;
  }
  if (!isListOutput(field.type)) return 1;
  // A connection's edges hold the page its field was already counted with.
  if (field.name === 'edges') return 1;
  return listLengths[key] ?? UNBOUNDED_LIST;
}

function isListOutput(type: GraphQLOutputType): boolean {
  return isListType(getNullableType(type));
}

export interface Protection {
  limits: Limits;
  /** For graphql's parse: it stops lexing at maxTokens, so a huge document costs no more than the limit. */
  parseOptions: { maxTokens: number };
  /** Validation rules to add to graphql's standard ones. */
  validationRules: ValidationRule[];
}

/** graphql-armor's limits plus the token limit and the answer-size rule, as Apollo takes them. */
export function queryProtection(options: LimitOptions, limits: Limits = LIMITS): Protection {
  const armor = new ApolloArmor({
    // graphql-js counts tokens itself while parsing (parseOptions); armor's Apollo plugin for it
    // throws from a hook Apollo answers with HTTP 500.
    maxTokens: { enabled: false },
    maxAliases: { n: limits.maxAliases },
    maxDepth: { n: limits.maxDepth },
    maxDirectives: { n: limits.maxDirectives },
    costLimit: { maxCost: limits.maxCost },
    // Introspection is open to every signed-in caller (and nothing answers without a token), so
    // "did you mean" reveals nothing the schema does not, and helps people writing queries.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    limits,
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: [...armor.validationRules, maxResultSizeRule(limits.maxResultSize, options)],
  };
}

/**
 * Parses and validates one operation under the same limits as the HTTP endpoint (for graphql-ws,
 * which parses on its own): the errors, or the document.
 */
export function checkOperation(schema: GraphQLSchema, query: string, protection: Protection): { document: DocumentNode } | { errors: GraphQLError[] } {
  let document: DocumentNode;
  try {
    document = parse(query, protection.parseOptions);
  } catch (error) {
    return { errors: [withCode(error instanceof GraphQLError ? error : new GraphQLError('Syntax error'), 'GRAPHQL_PARSE_FAILED')] };
  }
  const errors = validate(schema, document, [...specifiedRules, ...protection.validationRules]);
  // The codes Apollo gives the same failures over HTTP, so a client maps one set of codes.
  return errors.length ? { errors: errors.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED')) } : { document };
}

function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...error.extensions, code } });
}
