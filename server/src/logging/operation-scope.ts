import { type ExecutionArgs, type ExecutionResult, execute, subscribe } from 'graphql';
import { type LogFields, withLogContext } from '../log.js';

/**
 * The WebSocket's counterpart of request-scope.ts. An operation over graphql-ws (a subscription, or
 * a query or mutation sent on the socket) is no HTTP request: its context gets a requestId of its
 * own (app.ts), and here `execute` runs in a log scope with it and the socket's tokenId — and so
 * does every step of a subscription's stream, which graphql-ws pulls from its own message loop,
 * outside any scope: each pull (which resolves the event: loading the delivery, the token state)
 * is run inside the scope here.
 */

/** graphql's execute, in the operation's log scope. */
export function scopedExecute(args: ExecutionArgs) {
  return withLogContext(fieldsOf(args), () => execute(args));
}

/** graphql's subscribe, in the operation's log scope, and each step of the stream it returns too. */
export async function scopedSubscribe(args: ExecutionArgs): Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>> {
  const fields = fieldsOf(args);
  const result = await withLogContext(fields, () => subscribe(args));
  if (!(Symbol.asyncIterator in result)) return result;
  const iterator = result;
  const scoped: AsyncIterableIterator<ExecutionResult> = {
    next: () => withLogContext(fields, () => iterator.next()),
    return: () => withLogContext(fields, () => iterator.return?.() ?? Promise.resolve({ done: true as const, value: undefined })),
    throw: (error?: unknown) => withLogContext(fields, () => iterator.throw?.(error) ?? Promise.reject(error)),
    [Symbol.asyncIterator]() {
      return scoped;
    },
  };
  return scoped;
}

/** The context's requestId and its API token's id (app.ts sets them for each WebSocket operation). */
function fieldsOf(args: ExecutionArgs): LogFields {
  const value = args.contextValue as { requestId?: string; principal?: { tokenId?: string | null } } | undefined;
  return { ...(value?.requestId ? { requestId: value.requestId } : {}), ...(value?.principal ? { tokenId: value.principal.tokenId } : {}) };
}
