import { GraphQLObjectType, GraphQLSchema, GraphQLString, parse, subscribe } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TEST_ADMIN_TOKEN, type TestApp, ok, startTestApp } from '../../test/support.js';
import { type Receiver, startReceiver } from '../dispatch/testkit.js';
import { configureLog, log, withoutLogContext } from '../log.js';
import { scopedSubscribe } from './operation-scope.js';

/** Every JSON line written to stdout while `fn` runs. */
async function captured(fn: () => Promise<void>): Promise<Array<Record<string, unknown>>> {
  const original = process.stdout.write;
  const lines: string[] = [];
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = original;
  }
  return lines.flatMap((l) => l.split('\n')).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

afterEach(() => configureLog({ level: 'error', format: 'json', role: 'all' }));

describe('log scope of a WebSocket operation', () => {
  // A subscription whose event resolver logs, as a real one's loaders and services may.
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString, resolve: () => 'ok' } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        ticks: {
          type: GraphQLString,
          subscribe: async function* () {
            yield 'a';
            yield 'b';
          },
          resolve: (tick: string) => {
            log.info('event resolved', { tick });
            return tick;
          },
        },
      },
    }),
  });
  const document = parse('subscription { ticks }');

  it('every step of a subscription stream, pulled from outside any scope, logs with its requestId and tokenId', async () => {
    configureLog({ level: 'info', format: 'json' });
    const pull = async (stream: AsyncIterable<unknown>) => {
      // graphql-ws pulls from its own message loop: no scope there.
      await withoutLogContext(async () => {
        for await (const _ of stream) void _;
      });
    };
    const lines = await captured(async () => {
      const scoped = await scopedSubscribe({ schema, document, contextValue: { requestId: 'ws-op-1', principal: { tokenId: 'token-1' } } });
      await pull(scoped as AsyncIterable<unknown>);
      // Without the scope, the same stream logs without ids: what this file guards against.
      await pull((await subscribe({ schema, document })) as AsyncIterable<unknown>);
    });
    const events = lines.filter((l) => l.msg === 'event resolved');
    expect(events).toHaveLength(4);
    expect(events.slice(0, 2).map((l) => [l.tick, l.requestId, l.tokenId])).toEqual([['a', 'ws-op-1', 'token-1'], ['b', 'ws-op-1', 'token-1']]);
    expect(events.slice(2).map((l) => l.requestId)).toEqual([undefined, undefined]);
  });
});

describe('over the real socket', () => {
  let app: TestApp;
  let receiver: Receiver;
  beforeAll(async () => {
    // A token endpoint that refuses: testSite logs "token request failed" (info) inside the operation.
    receiver = await startReceiver(() => ({ status: 401, headers: { 'content-type': 'application/json' }, body: '{"error":"invalid_client"}' }));
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.stop();
    await receiver?.close();
  });

  it('each operation sent on the socket logs under a requestId of its own, with the socket token id', async () => {
    const site = ok(
      await app.gql(`mutation ($input: SiteInput!) { createSite(input: $input) { id } }`, {
        input: { name: 'refusing', url: 'https://receiver.example.com/hook', auth: { oauth2ClientCredentials: { tokenUrl: `${receiver.url}/token`, clientId: 'c', clientSecret: 's', tokenExpirationMinutes: 60 } } },
      }),
    ).createSite;
    const client = createClient({ url: `${app.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    const run = (query: string) =>
      new Promise<unknown>((resolve, reject) => {
        let value: unknown;
        client.subscribe({ query, variables: { id: site.id } }, { next: (v) => (value = v), error: reject, complete: () => resolve(value) });
      });
    configureLog({ level: 'info', format: 'json' });
    const lines = await captured(async () => {
      await run('mutation ($id: ID!) { testSite(id: $id) { ok } }');
      await run('mutation ($id: ID!) { testSite(id: $id) { ok } }');
    });
    await client.dispose();
    const failures = lines.filter((l) => l.msg === 'token request failed' && l.siteId === site.id);
    expect(failures).toHaveLength(2);
    const principal = await app.services.accessTokens.authenticate(`Bearer ${TEST_ADMIN_TOKEN}`);
    for (const line of failures) {
      expect(line.requestId).toMatch(UUID);
      expect(line.tokenId).toBe(principal!.tokenId);
    }
    expect(failures[0]!.requestId).not.toBe(failures[1]!.requestId);
  });
});
