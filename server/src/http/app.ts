import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Config } from '../config.js';
import { type Context, createContext } from '../graphql/context.js';
import { formatError } from './format-error.js';
import type { Services } from '../services.js';

export const DASHBOARD_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dashboard/dist');

export interface HttpServer {
  server: http.Server;
  app: express.Express;
  url: string;
  close(): Promise<void>;
}

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

  const wss = new WebSocketServer({ server, path: '/graphql' });
  const wsCleanup = useServer<Record<string, unknown>, { principal?: Context['principal']; forgetRevocation?: () => void }>(
    {
      schema,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const header = (params.Authorization ?? params.authorization) as string | undefined;
        const principal = await services.accessTokens.authenticate(header);
        if (!principal) return false;
        ctx.extra.principal = principal;
        // A subscription must not outlive its token: revoking closes the socket as onConnect refuses one (4403).
        ctx.extra.forgetRevocation = services.accessTokens.onRevoked(principal.tokenId, () => ctx.extra.socket.close(4403, 'Forbidden'));
        return true;
      },
      onClose: (ctx) => ctx.extra.forgetRevocation?.(),
      context: (ctx): Context => createContext(ctx.extra.principal!, services, config),
    },
    wss,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    formatError,
    introspection: true,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // main.ts owns the signals: it stops the dispatcher first, then this server, then the database.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });

  app.use(
    '/graphql',
    express.json({ limit: '5mb' }),
    async (req, res, next) => {
      const principal = await services.accessTokens.authenticate(req.headers.authorization);
      if (!principal) {
        res.status(401).json({
          errors: [{ message: 'Sign in with an API token: Authorization: Bearer <token>', extensions: { code: 'UNAUTHENTICATED' } }],
        });
        return;
      }
      res.locals.principal = principal;
      next();
    },
    expressMiddleware(apollo, {
      context: async ({ res }): Promise<Context> => createContext(res.locals.principal, services, config),
    }),
  );

  for (const install of options.routes ?? []) install(app);

  if (fs.existsSync(path.join(DASHBOARD_DIST, 'index.html'))) {
    app.use(express.static(DASHBOARD_DIST, { index: false, maxAge: '1h' }));
    // The dashboard routes in the browser; every other GET gets its page.
    app.get(/^\/(?!graphql|oauth\/|healthz).*/, (_req, res) => {
      res.setHeader('cache-control', 'no-cache');
      res.sendFile(path.join(DASHBOARD_DIST, 'index.html'));
    });
  } else {
    app.get('/', (_req, res) => {
      res.type('text').send('Trusted Sites API is running at /graphql. The dashboard is not built: run npm run build.');
    });
  }

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
      await apollo.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
