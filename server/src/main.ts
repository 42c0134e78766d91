import 'reflect-metadata';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ApiTokenService } from './access/api-token.service.js';
import { AccessTokens } from './access/tokens.js';
import { AuditService } from './audit/audit.service.js';
import { BreakerRecorder } from './breaker/breaker-recorder.js';
import { BreakerService } from './breaker/breaker.service.js';
import { startCertificateWatch } from './breaker/certificate-watch.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { loadMasterKeys } from './crypto/keyring.js';
import { SecretBox } from './crypto/secrets.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './db/embedded.js';
import { type Database, migrate, openDatabase } from './db/orm.js';
import { DeliveryService } from './dispatch/delivery.service.js';
import { Dispatcher, STOP_WRITE_MARGIN_MS } from './dispatch/dispatcher.js';
import { PgPubSub, SITE_CHANGED } from './db/pubsub.js';
import { buildAppSchema } from './graphql/schema.js';
import { type HttpServer, startHttpServer } from './http/app.js';
import { configureLog, log } from './log.js';
import { Metrics } from './metrics/metrics.js';
import { type MetricsServer, metricsRoute, startMetricsServer } from './metrics/route.js';
import { createOutgoingHttp } from './net/http-clients.js';
import { DeliveryRetention } from './retention/retention.js';
import type { Services } from './services.js';
import { ProbeService } from './signing/probe.service.js';
import { SiteService } from './sites/site.service.js';
import { Site } from './sites/site.entity.js';
import { oauthCallbackRoute } from './oauth/callback.js';
import { TokenService } from './oauth/token.service.js';
import { attemptTracer } from './tracing/attempts.js';
import { startTracing } from './tracing/tracing.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface App {
  config: Config;
  services: Services;
  /** Base URL of the HTTP server, when this process serves the API. */
  url: string | undefined;
  databaseUrl: string;
  /** Removal of old finished deliveries, in processes whose role sends. */
  retention: DeliveryRetention | undefined;
  /** This process's Prometheus registry and hooks (metrics/). */
  metrics: Metrics;
  /** Base URL of the METRICS_PORT server, when it is set. */
  metricsUrl: string | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Settings for an embedded cluster (tests turn fsync off). */
  embeddedSettings?: Record<string, string>;
  /** Tests: spans go to this exporter (e.g. the SDK's InMemorySpanExporter) as if an OTLP endpoint were set. */
  traceExporter?: SpanExporter;
}

/**
 * How much longer than DISPATCH_SHUTDOWN_GRACE_MS a whole stop may take: the dispatcher's last
 * writes (STOP_WRITE_MARGIN_MS) and then the HTTP server, listeners and pools. With the database
 * gone nothing of this waits for it to come back (issue 10 item 7: it once took 70 s of retries).
 */
export const STOP_MARGIN_MS = STOP_WRITE_MARGIN_MS + 2000;

/** config → database → migrations → services → GraphQL + WS + OAuth callback + dashboard → dispatcher → retention. */
export async function startApp(config: Config, options: StartOptions = {}): Promise<App> {
  configureLog({ level: config.logLevel, format: config.logFormat, role: config.role });
  // Shutdown runs these in reverse order of start: retention and the dispatcher first, PostgreSQL last.
  const steps: Array<{ name: string; run: () => Promise<void>; bounded: boolean }> = [];
  const onStop = (name: string, run: () => Promise<void>, bounded = true) => steps.push({ name, run, bounded });
  // Bounded: the grace period plus a margin, whatever the database does. A step still running at
  // the end is left behind (the process exits anyway); what was accepted is already committed, and
  // attempts whose outcome could not be written are taken back by the lease (dispatcher.ts).
  const stop = async () => {
    const deadline = Date.now() + config.dispatch.shutdownGraceMs + STOP_MARGIN_MS;
    for (const step of steps.splice(0).reverse()) {
      log.debug(`stopping ${step.name}`);
      const run = step.run().then(
        () => true,
        (error) => {
          log.error(`stopping ${step.name} failed`, { error: String(error) });
          return true;
        },
      );
      // A step the deadline left no time for still gets a moment: closing a pool is quick when nothing hangs.
      const finished = step.bounded ? await Promise.race([run, sleep(Math.max(100, deadline - Date.now()), false, { ref: false })]) : await run;
      if (!finished) log.error(`stopping ${step.name} took too long; going on without it`);
    }
  };
  try {
    // First, so the spans of everything below have a provider, and last to stop: the dispatcher's
    // final attempts are exported. Off (undefined) unless an OTLP endpoint is set.
    const tracing = startTracing({ config: config.tracing, role: config.role, exporter: options.traceExporter });
    if (tracing) onStop('tracing', () => tracing.stop());
    let embedded: EmbeddedDatabase | undefined;
    if (!config.databaseUrl) {
      embedded = await startEmbeddedPostgres(config.dataDir, { settings: options.embeddedSettings });
      // Not bounded: PostgreSQL's own fast shutdown ends in seconds (stopPid kills it after 30 s),
      // and when it is already gone this returns at once.
      onStop('the embedded PostgreSQL', () => embedded!.stop(), false);
    }
    const databaseUrl = config.databaseUrl ?? embedded!.url;
    const db: Database = await openDatabase(databaseUrl, { entities: [Site] });
    onStop('database pools', () => db.close());
    const executed = await migrate(db);
    if (executed.length) log.info('migrated the database', { migrations: executed });

    const box = new SecretBox(await loadMasterKeys(config.masterKeys, config.dataDir));
    // Ids only: which key seals and which still open is what an operator checks during a rotation.
    log.info('master keys loaded', { sealingKeyId: box.sealingKeyId, keyIds: box.keyIds });
    const pubsub = new PgPubSub(databaseUrl, db.pool);
    await pubsub.start();
    onStop('event listener', () => pubsub.close());
    const accessTokens = new AccessTokens(db.pool, config.adminToken);
    await accessTokens.ensureAdminToken(config.dataDir);
    // A token revoked in any process stops working here at once, not when the lookup cache expires.
    const stopRevocations = accessTokens.listen(pubsub);
    onStop('API token revocation listener', async () => stopRevocations());
    const apiTokens = new ApiTokenService(db.pool, accessTokens);
    // Site changes reach every process's dispatcher: held deliveries wake, new limits apply.
    const sites = new SiteService(db, box, { siteChanged: (site, change) => pubsub.publishAsync(SITE_CHANGED, { siteId: site.id, change }) });
    // Token requests get their own small pool; the same guard, proxy and timeouts as webhooks.
    const tokenHttp = createOutgoingHttp(config, 'token-requests');
    onStop('token HTTP client', () => tokenHttp.close());
    const { proxy } = config;
    if (proxy.http || proxy.https) {
      // By host:port only: a proxy URL may hold credentials.
      const noProxy = proxy.noProxy === '*' ? '*' : proxy.noProxy.map((e) => (e.port ? `${e.hostname}:${e.port}` : e.hostname)).join(',');
      log.info('outgoing requests go through a forward proxy', { httpProxy: proxy.http?.display, httpsProxy: proxy.https?.display, noProxy });
    }
    const metrics = new Metrics({ pool: db.pool, maxSites: config.metrics.maxSites });
    const stopSiteEventCount = metrics.listen(pubsub);
    onStop('site event counter', async () => stopSiteEventCount());
    const tokens = new TokenService({ db, box, pubsub, sites, http: tokenHttp, publicUrl: config.publicUrl, settings: config.tokens, metrics });
    const deliveries = new DeliveryService(db.pool, pubsub, (siteId) => metrics.deliveriesAccepted(siteId));
    const probes = new ProbeService({ config, sites, tokens });
    onStop('probe HTTP client', () => probes.close());
    const audit = new AuditService(db.pool, sites);
    const breaker = new BreakerService(db.pool, config.breaker, sites);
    const services: Services = { db, box, pubsub, accessTokens, apiTokens, sites, tokens, deliveries, probes, audit, breaker };
    tokens.startWatcher();
    onStop('token watcher', () => tokens.stopWatcher());

    let http: HttpServer | undefined;
    let retention: DeliveryRetention | undefined;
    let metricsServer: MetricsServer | undefined;
    if (config.metrics.port !== undefined) {
      metricsServer = await startMetricsServer(metrics, config.host, config.metrics.port);
      onStop('metrics server', () => metricsServer!.close());
      log.info(`metrics are served at ${metricsServer.url}/metrics`);
    }
    if (config.role !== 'dispatcher') {
      const schema = await buildAppSchema(pubsub);
      http = await startHttpServer({ config, schema, services, routes: [oauthCallbackRoute(tokens, config.publicUrl, audit), metricsRoute(metrics, accessTokens, config.metrics)] });
      onStop('HTTP server', () => http!.close());
      log.info(`Trusted Sites is ready at ${config.publicUrl} (GraphQL at ${config.publicUrl}/graphql)`);
    }
    if (config.role !== 'api') {
      const dispatcher = new Dispatcher({ config, pool: db.pool, pubsub, sites, tokens: () => services.tokens, metrics, tracing: tracing ? attemptTracer : undefined, breaker: new BreakerRecorder(breaker, db.pool) });
      metrics.addPool('dispatch', dispatcher.bookkeeping);
      services.dispatcher = dispatcher;
      // sendWebhook(s) here inserts what this dispatcher can send at once already claimed by it.
      deliveries.claimer = dispatcher;
      dispatcher.start();
      // Stops early: no more claims, in-flight sends finish, before the HTTP server and database go.
      onStop('dispatcher', () => dispatcher.stop());
      log.info(`dispatcher ${dispatcher.worker} is running`);
      // Where deliveries are sent, old finished ones are removed. Stops before the dispatcher: its
      // current window ends and its connection closes.
      const job = new DeliveryRetention({ databaseUrl, days: config.retention.days, auditDays: config.retention.auditDays, siteEventDays: config.retention.siteEventDays, intervalMs: config.retention.intervalMs });
      retention = job;
      job.start();
      onStop('delivery retention', () => job.stop());
      // Client certificates about to expire become site events (breaker/): shortly after start, then hourly.
      const certificates = startCertificateWatch(breaker);
      onStop('certificate watch', async () => certificates.stop());
    }
    return { config, services, url: http?.url, databaseUrl, retention, metrics, metricsUrl: metricsServer?.url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const started = Date.now();
  const app = await startApp(config);
  log.info(`started in ${Date.now() - started} ms`);
  let stoppingSince = 0;
  const shutdown = (signal: string) => {
    if (stoppingSince) {
      // A Ctrl-C reaches node twice (from the terminal and forwarded by npm): only a later, deliberate one forces the exit.
      if (Date.now() - stoppingSince < 2000) return;
      log.info('second signal: exiting now');
      process.exit(1);
    }
    stoppingSince = Date.now();
    log.info(`${signal}: shutting down`);
    app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

export function runMain(): void {
  main().catch((error) => {
    log.error(`could not start: ${(error as Error).message}`);
    if ((error as Error).cause) log.error(`cause: ${String(((error as Error).cause as Error).message ?? (error as Error).cause)}`);
    process.exit(1);
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) runMain();
