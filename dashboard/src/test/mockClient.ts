import { Client, type Exchange, type Operation, makeErrorResult, makeResult } from '@urql/vue';
import { filter, fromValue, mergeMap, pipe } from 'wonka';

/** What a test's fake server answers: a GraphQL body (data and/or errors), or a thrown network error. */
export type MockAnswer = { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } | Error;

/**
 * A real urql Client whose only exchange answers from `handler`, so components run their real
 * documents and error handling without a server.
 */
export function mockClient(handler: (operation: Operation) => MockAnswer): { client: Client; operations: Operation[] } {
  const operations: Operation[] = [];
  const exchange: Exchange = () => (ops$) =>
    pipe(
      ops$,
      filter((op) => op.kind !== 'teardown'),
      mergeMap((op) => {
        operations.push(op);
        const answer = handler(op);
        return fromValue(answer instanceof Error ? makeErrorResult(op, answer) : makeResult(op, answer as never));
      }),
    );
  return { client: new Client({ url: 'http://test.invalid/graphql', exchanges: [exchange] }), operations };
}
