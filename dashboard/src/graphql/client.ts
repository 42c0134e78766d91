import { type Client, type CombinedError, cacheExchange, createClient, fetchExchange, mapExchange, subscriptionExchange } from '@urql/vue';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { authorizationHeader } from '../session';

/** True when the server said the caller is not signed in: HTTP 401 or the UNAUTHENTICATED code (docs/design.md rule 9). */
export function isUnauthenticated(error: CombinedError | undefined | null): boolean {
  if (!error) return false;
  if ((error.response as Response | undefined)?.status === 401) return true;
  return error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
}

export interface ApiClient {
  client: Client;
  dispose(): void;
}

/**
 * One urql client per signed-in session, so nothing cached under one token is shown under
 * another. `onUnauthenticated` sends the user back to sign-in from any screen. `onConnected` runs
 * each time the WebSocket for subscriptions is (re)established: events sent while it was down
 * were missed, so live views read their data again then.
 */
export function createApiClient(onUnauthenticated: () => void, base: string = window.location.origin, onConnected: () => void = () => {}): ApiClient {
  const wsUrl = base.replace(/^http/, 'ws') + '/graphql';
  const ws: WsClient = createWsClient({
    url: wsUrl,
    lazy: true,
    // Read the token at connect time: a reconnect after sign-in again must not reuse a stale one.
    connectionParams: () => ({ Authorization: authorizationHeader() ?? '' }),
    retryAttempts: Infinity,
    shouldRetry: (event) => !(event && typeof event === 'object' && 'code' in event && (event as CloseEvent).code === 4403),
    on: {
      connected: () => onConnected(),
      // graphql-ws closes with 4403 when onConnect refuses the token.
      closed: (event) => {
        if (event && typeof event === 'object' && 'code' in event && (event as CloseEvent).code === 4403) onUnauthenticated();
      },
    },
  });

  const client = createClient({
    url: `${base}/graphql`,
    // Apollo's CSRF prevention refuses GET queries without a preflight header (docs/design.md §5).
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    fetchOptions: (): RequestInit => {
      const authorization = authorizationHeader();
      const headers: Record<string, string> = authorization ? { authorization } : {};
      return { headers };
    },
    exchanges: [
      mapExchange({
        onError(error) {
          if (isUnauthenticated(error)) onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return { client, dispose: () => void ws.dispose() };
}
