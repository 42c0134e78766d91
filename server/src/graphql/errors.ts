import { GraphQLError } from 'graphql';
import type { FieldError } from '../validation/field-errors.js';

/*
 * The errors resolvers throw, each with the `extensions.code` clients map on (docs/design.md
 * rule 9): messages are for people, codes are for code. UNAUTHENTICATED is answered before any
 * resolver runs (http/ and the WebSocket's onConnect).
 */

export function badInput(fieldErrors: FieldError[], message?: string): GraphQLError {
  const summary = message ?? (fieldErrors.length === 1 ? `${fieldErrors[0]!.path}: ${fieldErrors[0]!.message}` : `${fieldErrors.length} fields are invalid`);
  return new GraphQLError(summary, { extensions: { code: 'BAD_USER_INPUT', fieldErrors } });
}

export function notFound(what: string, id: string): GraphQLError {
  return new GraphQLError(`${what} ${id} does not exist`, { extensions: { code: 'NOT_FOUND' } });
}

export function conflict(message: string, fieldErrors?: FieldError[]): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'CONFLICT', ...(fieldErrors ? { fieldErrors } : {}) } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot name a record, and says so instead of reaching the database. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
