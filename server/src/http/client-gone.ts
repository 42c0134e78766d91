import type { ApolloServerPlugin } from '@apollo/server';
import type express from 'express';
import { GraphQLError } from 'graphql';
import type { Context } from '../graphql/context.js';

/** The code of the errors an abandoned operation ends with; nobody reads them. */
export const CLIENT_GONE = 'CLIENT_CLOSED_REQUEST';

/** An AbortSignal that fires when the request's connection closes before its answer was sent. */
export function abortWhenClientGoes(res: express.Response): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

/**
 * graphql-js 16 cannot be told to stop: it resolves every field of every list item it has been
 * given. Refusing each field once the client has gone (before its resolver runs) means what is
 * left costs a thrown error per field instead of queries and loads. Apollo calls this hook for
 * every field of every operation it executes.
 */
export function stopWhenClientGone(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async executionDidStart() {
          return {
            willResolveField({ contextValue }) {
              if (contextValue.signal?.aborted) throw new GraphQLError('The client closed the request', { extensions: { code: CLIENT_GONE } });
            },
          };
        },
      };
    },
  };
}

/**
 * An operation that failed only because PostgreSQL could not be reached answers HTTP 503, like the
 * token check at the edge, so load balancers and clients retry it (formatError gives such errors
 * the code SERVICE_UNAVAILABLE).
 */
export function unavailableAs503(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          const nothing = data == null || Object.values(data).every((value) => value == null);
          if (nothing && errors?.length && errors.every((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE')) response.http.status = 503;
        },
      };
    },
  };
}

/** Every GraphQL answer is someone's current data: never stored by a cache (what Apollo's cache-control plugin sent for it). */
export function noStore(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          response.http.headers.set('cache-control', 'no-store');
        },
      };
    },
  };
}
