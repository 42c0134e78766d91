import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Principal } from '../access/tokens.js';
import type { Config } from '../config.js';
import { databaseOutage, isDatabaseUnreachable } from '../db/outage.js';
import { type Context, createContext } from '../graphql/context.js';
import { CLIENT_GONE, abortWhenClientGoes, noStore, stopWhenClientGone, unavailableAs503 } from './client-gone.js';
import { FailureLog, declaredBodyLimit, errorHandler, notFound, requireJsonBody, sendError } from './errors.js';
import { DATABASE_UNAVAILABLE, formatError } from './format-error.js';
import { healthRoutes } from './health.js';
import { checkOperation, queryProtection } from './limits.js';
import { securityHeaders } from './security-headers.js';
import { addLogContext } from '../log.js';
import { scopedExecute, scopedSubscribe } from '../logging/operation-scope.js';
import { requestScope } from '../logging/request-scope.js';
import { type Services, createLoaders } from '../services.js';
import { graphqlTracingPlugin, traceGraphqlRequests } from '../tracing/graphql.js';

export const DASHBOARD_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dashboard/dist');

export interface HttpServer {
  server: http.Server;
  app: express.Express;
  url: string;
  close(): Promise<void>;
}

/**
 * The largest request body. One webhook's payload may be 1 MiB once encoded (WEBHOOK_LIMITS), and
 * a sendWebhooks batch of 1,000 ~1 KB events is ~1.06 MB: 2 MiB carries either with its envelope.
 */
export const MAX_BODY_BYTES = 2 * 1_048_576;

/** The largest WebSocket message: sockets carry subscriptions and small operations, never webhooks. */
export const MAX_WS_MESSAGE_BYTES = 1_048_576;

/** Seconds a client is asked to wait when PostgreSQL cannot be reached. */
const RETRY_AFTER_SECONDS = 5;

/** Extra routes mounted before the dashboard (e.g. the OAuth callback). */
export type RouteInstaller = (app: express.Express) => void;

export async function startHttpServer(options: {
  config: Config;
  schema: GraphQLSchema;
  services: Services;
  routes?: RouteInstaller[];
}): Promise<HttpServer> {
  const { config, schema, services } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  const server = http.createServer(app);
  const failures = new FailureLog();
  const protection = queryProtection({ maxAttempts: config.dispatch.maxAttempts });

  // A frame over the limit closes that socket (1009) before it is buffered whole; graphql-ws
  // parses and validates each operation under the same limits as HTTP (onSubscribe below).
  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: MAX_WS_MESSAGE_BYTES });
  wss.on('connection', (socket) => {
    socket.on('error', (error) => failures.note('WebSocket protocol error', { error: (error as { code?: string }).code }));
  });
  const wsCleanup = useServer<Record<string, unknown>, { principal?: Context['principal']; forgetRevocation?: () => void }>(
    {
      schema,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const header = (params.Authorization ?? params.authorization) as string | undefined;
        let principal: Principal | null;
        try {
          principal = await services.accessTokens.authenticate(header);
        } catch (error) {
          if (!isDatabaseUnreachable(error)) throw error;
          databaseOutage.failed('api-token lookup', error);
          // 1013 "try again later": the dashboard reconnects instead of signing out (4403).
          ctx.extra.socket.close(1013, 'Database unavailable');
          return false;
        }
        if (!principal) return false;
        ctx.extra.principal = principal;
        // A subscription must not outlive its token: revoking closes the socket as onConnect refuses one (4403).
        ctx.extra.forgetRevocation = services.accessTokens.onRevoked(principal.tokenId, () => ctx.extra.socket.close(4403, 'Forbidden'));
        return true;
      },
      onClose: (ctx) => ctx.extra.forgetRevocation?.(),
      onSubscribe: (_ctx, _id, payload) => {
        const checked = checkOperation(schema, payload.query, protection);
        if ('errors' in checked) return checked.errors;
        return { schema, document: checked.document, operationName: payload.operationName, variableValues: payload.variables };
      },
      // Each operation on the socket is logged under a requestId of its own and the socket's tokenId.
      context: (ctx): Context => ({ ...createContext(ctx.extra.principal!, services, config, createLoaders(services)), requestId: randomUUID() }),
      execute: scopedExecute,
      subscribe: scopedSubscribe,
    },
    wss,
  );

  // NOTIFY is not stored: events published while the LISTEN connection was down never reach these
  // sockets' subscriptions. 1012 ("service restart") makes clients reconnect, and a client that
  // reconnects reads again what it shows (the dashboard's useRereadWhenLive) — so nothing stays stale.
  // Tokens revoked meanwhile are looked up first, so their sockets close as revoked (4403: sign in
  // again) rather than as restarted (1012: reconnect) — a closing socket ignores the second close.
  const stopResync = services.accessTokens.onResynced(() => {
    for (const socket of wss.clients) socket.close(1012, 'Events resumed: subscribe again');
  });

  const apollo = new ApolloServer<Context>({
    schema,
    // An abandoned operation's errors are expected and unread: not logged as internal ones.
    formatError: (formatted: GraphQLFormattedError, error: unknown) => (formatted.extensions?.code === CLIENT_GONE ? formatted : formatError(formatted, error)),
    introspection: true,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // One operation per request: a batch would multiply every limit below by its length.
    allowBatchedHttpRequests: false,
    parseOptions: protection.parseOptions,
    validationRules: protection.validationRules,
    // main.ts owns the signals: it stops the dispatcher first, then this server, then the database.
    stopOnTerminationSignals: false,
    plugins: [
      stopWhenClientGone(),
      unavailableAs503(),
      // Apollo's cache-control plugin computes a cache policy per resolved field (objects and
      // closures for each: ~5 µs per delivery of a sendWebhooks answer) only to send no-store, as
      // nothing here is cacheable: off, and noStore() sends the same header.
      ApolloServerPluginCacheControlDisabled(),
      noStore(),
      graphqlTracingPlugin(),
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
    ],
  });
  await apollo.start();

  app.use(requestScope());
  app.use(securityHeaders());

  healthRoutes({ pool: services.db.pool, pubsub: services.pubsub })(app);

  // Cheap checks first (declared size, content type: headers only), then the token (one indexed
  // lookup, usually cached), and only then is the body read — never more than the limit of it.
  app.use(
    '/graphql',
    // A span per operation when tracing is on, around the rest, continuing the caller's traceparent.
    traceGraphqlRequests(),
    declaredBodyLimit(MAX_BODY_BYTES, failures),
    requireJsonBody(failures),
    async (req, res, next) => {
      let principal: Principal | null;
      try {
        principal = await services.accessTokens.authenticate(req.headers.authorization);
      } catch (error) {
        if (!isDatabaseUnreachable(error)) throw error;
        databaseOutage.failed('api-token lookup', error);
        res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
        sendError(res, 503, 'SERVICE_UNAVAILABLE', DATABASE_UNAVAILABLE);
        return;
      }
      if (!principal) {
        sendError(res, 401, 'UNAUTHENTICATED', 'Sign in with an API token: Authorization: Bearer <token>');
        return;
      }
      res.locals.principal = principal;
      addLogContext({ tokenId: principal.tokenId });
      res.locals.signal = abortWhenClientGoes(res);
      next();
    },
    express.json({ limit: MAX_BODY_BYTES }),
    expressMiddleware(apollo, {
      context: async ({ res }): Promise<Context> => ({ ...createContext(res.locals.principal, services, config, createLoaders(services)), signal: res.locals.signal, requestId: res.locals.requestId }),
    }),
  );

  for (const install of options.routes ?? []) install(app);

  if (fs.existsSync(path.join(DASHBOARD_DIST, 'index.html'))) {
    app.use(express.static(DASHBOARD_DIST, { index: false, maxAge: '1h' }));
    // The dashboard routes in the browser; every other GET gets its page.
    app.get(/^\/(?!graphql|oauth\/|healthz|readyz).*/, (_req, res) => {
      res.setHeader('cache-control', 'no-cache');
      res.sendFile(path.join(DASHBOARD_DIST, 'index.html'));
    });
  } else {
    app.get('/', (_req, res) => {
      res.type('text').send('Trusted Sites API is running at /graphql. The dashboard is not built: run npm run build.');
    });
  }
  app.use(notFound());
  app.use(errorHandler(failures));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return {
    server,
    app,
    url: `http://127.0.0.1:${port}`,
    async close() {
      stopResync();
      await apollo.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
