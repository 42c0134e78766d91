import { randomUUID } from 'node:crypto';
import { type ASTNode, type DocumentNode, GraphQLError, type GraphQLFormattedError, Kind, type Source, type ValueNode, parse } from 'graphql';
import { databaseOutage, isDatabaseUnreachable } from '../db/outage.js';
import { log } from '../log.js';

const KNOWN_CODES = new Set(['BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE']);

/**
 * Errors the code raised on purpose carry a code and go out as they are. Anything else is an
 * internal failure: logged with a reference, answered without its message (it might hold a
 * secret or a SQL fragment).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  formatted = withInputPath(formatted, error);
  const code = formatted.extensions?.code as string | undefined;
  if (code && KNOWN_CODES.has(code)) {
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  // PostgreSQL away mid-operation (the token lookup was cached): the same answer as at the edge,
  // and one line in the outage log rather than one "internal error" per request.
  if (isDatabaseUnreachable(original)) {
    databaseOutage.failed('graphql operation', original);
    return { message: DATABASE_UNAVAILABLE, path: formatted.path, locations: formatted.locations, extensions: { code: 'SERVICE_UNAVAILABLE' } };
  }
  const ref = randomUUID().slice(0, 8);
  log.error('internal error', { ref, path: formatted.path, error: (original as Error)?.message?.slice(0, 500) });
  return { message: `Internal error (reference ${ref})`, path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR', ref } };
}

export const DATABASE_UNAVAILABLE = 'The database cannot be reached; try again shortly';

type FieldError = { path: string; message: string };

const NAME = '[_A-Za-z][_0-9A-Za-z]*';
const VARIABLE = new RegExp(`^Variable "\\$(${NAME})" `);
const ARGUMENT_NOT_PROVIDED = new RegExp(`^(?:Field|Directive) "[^"]+" argument "(${NAME})" of type "[^"]+" is required, but it was not provided\\.$`);

/**
 * A value GraphQL itself refuses (an unknown enum value, a string for an Int, a missing required
 * field), in variables or inline, becomes BAD_USER_INPUT with a field path like every refusal of
 * the resolvers, so a client maps it to a field the same way. Paths start at the variable
 * (`input.auth.jwt.algorithm` for `$input`) or, inline, at the argument; list items are numbers.
 */
function withInputPath(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (formatted.extensions?.fieldErrors) return formatted;
  let fieldError: FieldError | undefined;
  if (code === 'BAD_USER_INPUT') fieldError = variableError(formatted.message);
  else if (code === 'GRAPHQL_VALIDATION_FAILED') fieldError = inlineError(formatted.message, error);
  if (!fieldError) return formatted;
  return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_USER_INPUT', fieldErrors: [fieldError] } };
}

/**
 * graphql-js keeps no structured path for variable coercion errors, only the message:
 * `Variable "$input" got invalid value … at "input.auth[0].x"; <reason>` or
 * `Variable "$x" of required type "Int!" was not provided.`
 */
function variableError(message: string): FieldError | undefined {
  const variable = VARIABLE.exec(message)?.[1];
  if (!variable) return undefined;
  const at = new RegExp(` at "(\\$?${variable}(?:\\.${NAME}|\\[\\d+\\])*)"; `).exec(message);
  if (!at) return { path: withUnknownField(withMissingField(variable, message), message), message };
  const path = at[1]!.replace(/^\$/, '').replace(/\[(\d+)\]/g, '.$1');
  const reason = message.slice(at.index + at[0].length) || message;
  return { path: withUnknownField(withMissingField(path, reason), reason), message: reason };
}

const MISSING_FIELD = new RegExp(`(?:^|; )Field "(?:${NAME}\\.)?(${NAME})" of required type "[^"]+" was not provided\\.$`);

/** A required input field left out is reported on its object; the path names the field itself. */
function withMissingField(path: string, reason: string): string {
  const field = MISSING_FIELD.exec(reason)?.[1];
  return field ? `${path}.${field}` : path;
}

const UNKNOWN_FIELD = new RegExp(`(?:^|; )Field "(${NAME})" is not defined by type "${NAME}"\\.`);

/** In a variable, a field the type does not have is reported on its object; the path names the field (inline, the node is the field). */
function withUnknownField(path: string, reason: string): string {
  const field = UNKNOWN_FIELD.exec(reason)?.[1];
  return field ? `${path}.${field}` : path;
}

const documents = new WeakMap<Source, DocumentNode | null>();

/** Validation errors name the offending literal by its AST node; its path is found by walking the arguments to it. */
function inlineError(message: string, error: unknown): FieldError | undefined {
  const argument = ARGUMENT_NOT_PROVIDED.exec(message)?.[1];
  if (argument) return { path: argument, message };
  const node = (error as { nodes?: readonly ASTNode[] } | null)?.nodes?.[0];
  const source = node?.loc?.source;
  if (!node?.loc || !source || node.kind === Kind.VARIABLE) return undefined;
  let document = documents.get(source);
  if (document === undefined) {
    try {
      document = parse(source);
    } catch {
      document = null;
    }
    documents.set(source, document);
  }
  if (!document) return undefined;
  const path = findValuePath(document, node.kind, node.loc.start);
  return path === undefined ? undefined : { path: withMissingField(path, message), message };
}

function findValuePath(document: DocumentNode, kind: string, start: number): string | undefined {
  // Iterative: a hostile document nests values deeply.
  const stack: Array<{ node: ASTNode; path: string }> = [{ node: document, path: '' }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    if (path && node.kind === kind && node.loc?.start === start) return path;
    switch (node.kind) {
      case Kind.DOCUMENT:
        for (const definition of node.definitions) stack.push({ node: definition, path: '' });
        break;
      case Kind.OPERATION_DEFINITION:
      case Kind.FRAGMENT_DEFINITION:
      case Kind.INLINE_FRAGMENT:
      case Kind.FIELD:
      case Kind.FRAGMENT_SPREAD:
        for (const directive of node.directives ?? []) stack.push({ node: directive, path: '' });
        if (node.kind === Kind.FIELD) for (const argument of node.arguments ?? []) stack.push({ node: argument.value, path: argument.name.value });
        if ('selectionSet' in node && node.selectionSet) for (const selection of node.selectionSet.selections) stack.push({ node: selection, path: '' });
        break;
      case Kind.DIRECTIVE:
        for (const argument of node.arguments ?? []) stack.push({ node: argument.value, path: argument.name.value });
        break;
      case Kind.OBJECT:
        for (const field of node.fields) {
          stack.push({ node: field, path: `${path}.${field.name.value}` });
          stack.push({ node: field.value as ValueNode, path: `${path}.${field.name.value}` });
        }
        break;
      case Kind.LIST:
        node.values.forEach((value, index) => stack.push({ node: value, path: `${path}.${index}` }));
        break;
      default:
        break;
    }
  }
  return undefined;
}
