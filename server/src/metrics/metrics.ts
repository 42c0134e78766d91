import type pg from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { hasTokens } from '../auth/registry.js';
import type { AuthMethod } from '../auth/types.js';
import { BreakerState, SiteEventKind } from '../breaker/breaker-states.js';
import { SITE_EVENT } from '../db/pubsub.js';
import { databaseOutage, isDatabaseUnreachable } from '../db/outage.js';
import type { AttemptOutcome } from '../dispatch/delivery-states.js';
import type { AttemptResult } from '../dispatch/retry-policy.js';
import { log } from '../log.js';
import { readTokens } from '../oauth/token.sql.js';
import { toTokenState } from '../oauth/token.service.js';
import { TokenStatus } from '../oauth/token.types.js';
import { OTHER_SITE, SiteLabels } from './site-labels.js';
import { readSiteSnapshot } from './snapshot.sql.js';

/** What the dispatcher reports (dispatcher.ts calls these where it records outcomes). */
export interface DispatchObserver {
  /** An attempt's outcome was decided; `durationMs` is null when no request went out (signing, token). */
  attemptFinished(siteId: string, outcome: AttemptOutcome, result: AttemptResult, durationMs: number | null): void;
  requestStarted(siteId: string): void;
  requestEnded(siteId: string): void;
  /** A lane took a rate slot after `waitedMs` (asking, sleeping until it, the in-process bucket). */
  slotTaken(siteId: string, waitedMs: number): void;
}

/** What the token store reports, per token request made (oauth/token.service.ts). */
export interface TokenObserver {
  tokenRequested(siteId: string, grantType: string, succeeded: boolean): void;
}

/** The outcome classes of the attempt-duration histogram. */
export type AttemptClass = '2xx' | '3xx' | '4xx' | '5xx' | 'network' | 'timeout';

/** A lane that waited less than this for its slot did not wait: the await itself costs about that. */
export const RATE_WAIT_THRESHOLD_MS = 1;

export const ATTEMPT_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Token request grants as short label values (history keeps the RFC names). */
export function grantLabel(grantType: string): string {
  switch (grantType) {
    case 'authorization_code':
    case 'refresh_token':
    case 'client_credentials':
      return grantType;
    case 'client_credentials (private_key_jwt)':
      return 'client_credentials_private_key_jwt';
    case 'urn:ietf:params:oauth:grant-type:jwt-bearer':
      return 'jwt_bearer';
    default:
      return 'other';
  }
}

export function attemptClass(result: AttemptResult): AttemptClass | undefined {
  if (result.kind === 'response') {
    if (result.status >= 500) return '5xx';
    if (result.status >= 400) return '4xx';
    if (result.status >= 300) return '3xx';
    return '2xx';
  }
  if (result.kind === 'network') return result.errorKind === 'timeout' ? 'timeout' : 'network';
  return undefined;
}

/** The labelled children of one site label, made once: the hot path only looks them up. */
interface SiteSeries {
  accepted: Counter.Internal;
  succeeded: Counter.Internal;
  failed: Counter.Internal;
  retried: Counter.Internal;
  attempts: Partial<Record<AttemptClass, Histogram.Internal<'site' | 'class'>>>;
  inFlight: Gauge.Internal<'site'>;
  rateWaits: Counter.Internal;
  rateWaitSeconds: Counter.Internal;
}

const TOKEN_STATES = Object.values(TokenStatus);
const BREAKER_STATES = Object.values(BreakerState);
const SITE_EVENT_KINDS = new Set<string>(Object.values(SiteEventKind));

/** Where site events are heard: the process's pubsub (every process hears every committed event). */
export interface SiteEventSource {
  on(topic: string, listener: (payload: unknown) => void): () => void;
}

/**
 * The process's Prometheus registry (its own, not prom-client's global one: tests run several
 * apps in one process) and every metric of the service. Counters move where outcomes happen
 * (dispatcher, token store, accepting webhooks); queue, site and token gauges are read from
 * PostgreSQL when scraped, in one statement (plus one for OAuth2 sites' tokens, when there are any).
 */
export class Metrics implements DispatchObserver, TokenObserver {
  readonly registry = new Registry();
  readonly sites: SiteLabels;
  private readonly series = new Map<string, SiteSeries>();
  private readonly pools = new Map<string, pg.Pool>();

  private readonly accepted: Counter<'site'>;
  private readonly succeeded: Counter<'site'>;
  private readonly failed: Counter<'site'>;
  private readonly retried: Counter<'site'>;
  private readonly attemptDuration: Histogram<'site' | 'class'>;
  private readonly inFlight: Gauge<'site'>;
  private readonly rateWaits: Counter<'site'>;
  private readonly rateWaitSeconds: Counter<'site'>;
  private readonly tokenRequests: Counter<'site' | 'grant'>;
  private readonly tokenFailures: Counter<'site' | 'grant'>;
  private readonly queueDepth: Gauge<'site'>;
  private readonly oldestDue: Gauge<'site'>;
  private readonly threads: Gauge<'site'>;
  private readonly active: Gauge<'site'>;
  private readonly tokenState: Gauge<'site' | 'state'>;
  private readonly tokenNeedsPerson: Gauge<'site'>;
  private readonly breakerState: Gauge<'site' | 'state'>;
  private readonly siteEvents: Counter<'kind'>;
  private readonly databaseUp: Gauge;

  constructor(private readonly options: { pool: pg.Pool; maxSites: number }) {
    this.sites = new SiteLabels(options.maxSites);
    this.pools.set('main', options.pool);
    const registers = [this.registry];
    const site = ['site'] as const;
    this.accepted = new Counter({ name: 'trusted_sites_deliveries_accepted_total', help: 'Webhooks accepted (committed) by sendWebhook(s) in this process.', labelNames: site, registers });
    this.succeeded = new Counter({ name: 'trusted_sites_deliveries_succeeded_total', help: 'Deliveries that succeeded (a 2xx), sent by this process.', labelNames: site, registers });
    this.failed = new Counter({ name: 'trusted_sites_deliveries_failed_total', help: 'Deliveries that failed for good (attempts used up or not retryable), in this process.', labelNames: site, registers });
    this.retried = new Counter({ name: 'trusted_sites_deliveries_retried_total', help: 'Attempts after which the delivery was scheduled again (RETRYING), in this process.', labelNames: site, registers });
    this.attemptDuration = new Histogram({
      name: 'trusted_sites_attempt_duration_seconds',
      help: 'Duration of each request sent to a receiver, by outcome class (2xx, 3xx, 4xx, 5xx, network, timeout).',
      labelNames: ['site', 'class'] as const,
      buckets: ATTEMPT_BUCKETS_SECONDS,
      registers,
    });
    this.inFlight = new Gauge({ name: 'trusted_sites_requests_in_flight', help: "Requests on the wire to the site from this process (compare with trusted_sites_site_threads, the site's limit over all processes).", labelNames: site, registers });
    this.rateWaits = new Counter({ name: 'trusted_sites_rate_gate_waits_total', help: `Times a lane waited ${RATE_WAIT_THRESHOLD_MS} ms or more for the site's next rate slot (maxRps).`, labelNames: site, registers });
    this.rateWaitSeconds = new Counter({ name: 'trusted_sites_rate_gate_wait_seconds_total', help: 'Time lanes spent waiting for rate slots.', labelNames: site, registers });
    this.tokenRequests = new Counter({ name: 'trusted_sites_token_requests_total', help: 'OAuth2 token requests made by this process, by grant.', labelNames: ['site', 'grant'] as const, registers });
    this.tokenFailures = new Counter({ name: 'trusted_sites_token_request_failures_total', help: 'OAuth2 token requests that did not produce a token, by grant.', labelNames: ['site', 'grant'] as const, registers });
    this.queueDepth = new Gauge({ name: 'trusted_sites_queue_depth', help: 'Deliveries waiting to be sent (PENDING + RETRYING), over all processes; read from PostgreSQL at scrape.', labelNames: site, registers });
    this.oldestDue = new Gauge({ name: 'trusted_sites_queue_oldest_pending_age_seconds', help: 'Seconds since the most overdue waiting delivery fell due (0: none is due); read at scrape.', labelNames: site, registers });
    this.threads = new Gauge({ name: 'trusted_sites_site_threads', help: "The site's limit of requests in flight over all processes (threads); read at scrape.", labelNames: site, registers });
    this.active = new Gauge({ name: 'trusted_sites_site_active', help: 'Sites that are ACTIVE (1) or not (0: their deliveries are held); read at scrape.', labelNames: site, registers });
    this.tokenState = new Gauge({ name: 'trusted_sites_token_state', help: "OAuth2 sites whose token is in this state (1 for the site's state, 0 for the others); read at scrape.", labelNames: ['site', 'state'] as const, registers });
    this.tokenNeedsPerson = new Gauge({ name: 'trusted_sites_token_needs_person', help: 'OAuth2 sites whose token only a person can fix (Connect again or correct the credentials); read at scrape.', labelNames: site, registers });
    this.breakerState = new Gauge({ name: 'trusted_sites_breaker_state', help: "Sites whose circuit breaker is in this state (1 for the site's state, 0 for the others: CLOSED, OPEN, HALF_OPEN); read at scrape.", labelNames: ['site', 'state'] as const, registers });
    this.siteEvents = new Counter({ name: 'trusted_sites_site_events_total', help: 'Site events (breaker opened, half-open, closed, site disabled automatically, token needs a person, certificate expiring) heard by this process; every process hears all of them: take max over processes.', labelNames: ['kind'] as const, registers });
    // Every kind from 0, so the first event of a kind is an increase (a series born at 1 is not).
    for (const kind of SITE_EVENT_KINDS) this.siteEvents.inc({ kind }, 0);
    this.databaseUp = new Gauge({ name: 'trusted_sites_metrics_database_up', help: 'Whether the scrape could read the queue, site and token gauges from PostgreSQL (1) or not (0).', registers });
    const pools = this.pools;
    new Gauge({
      name: 'trusted_sites_pg_pool_connections',
      help: 'Connections of a node-postgres pool of this process (open in all).',
      labelNames: ['pool'] as const,
      registers,
      collect() {
        for (const [name, pool] of pools) this.set({ pool: name }, pool.totalCount);
      },
    });
    new Gauge({
      name: 'trusted_sites_pg_pool_idle_connections',
      help: 'Idle connections of a node-postgres pool of this process.',
      labelNames: ['pool'] as const,
      registers,
      collect() {
        for (const [name, pool] of pools) this.set({ pool: name }, pool.idleCount);
      },
    });
    new Gauge({
      name: 'trusted_sites_pg_pool_waiting_clients',
      help: 'Queries waiting for a connection of a node-postgres pool of this process.',
      labelNames: ['pool'] as const,
      registers,
      collect() {
        for (const [name, pool] of pools) this.set({ pool: name }, pool.waitingCount);
      },
    });
    const labels = this.sites;
    new Gauge({
      name: 'trusted_sites_metrics_folded_sites',
      help: 'Sites counted under site="other" because METRICS_MAX_SITES sites already have their own label.',
      registers,
      collect() {
        this.set(labels.foldedSites);
      },
    });
    // Standard names (process_*, nodejs_*), so the usual Node.js dashboards work as they are.
    collectDefaultMetrics({ register: this.registry });
  }

  /** Another pool to report (the dispatcher's bookkeeping pool). */
  addPool(name: string, pool: pg.Pool): void {
    this.pools.set(name, pool);
  }

  private seriesFor(siteId: string): SiteSeries {
    let series = this.series.get(siteId);
    if (series) return series;
    const label = this.sites.label(siteId);
    // Every site folded into "other" shares one set of children.
    series = label === OTHER_SITE ? this.series.get(`\u0000${OTHER_SITE}`) : undefined;
    if (!series) {
      series = {
        accepted: this.accepted.labels(label),
        succeeded: this.succeeded.labels(label),
        failed: this.failed.labels(label),
        retried: this.retried.labels(label),
        attempts: {},
        inFlight: this.inFlight.labels(label),
        rateWaits: this.rateWaits.labels(label),
        rateWaitSeconds: this.rateWaitSeconds.labels(label),
      };
      if (label === OTHER_SITE) this.series.set(`\u0000${OTHER_SITE}`, series);
    }
    this.series.set(siteId, series);
    return series;
  }

  deliveriesAccepted(siteId: string, count = 1): void {
    this.seriesFor(siteId).accepted.inc(count);
  }

  attemptFinished(siteId: string, outcome: AttemptOutcome, result: AttemptResult, durationMs: number | null): void {
    const series = this.seriesFor(siteId);
    if (outcome === 'SUCCEEDED') series.succeeded.inc();
    else if (outcome === 'FAILED') series.failed.inc();
    else series.retried.inc();
    const kind = attemptClass(result);
    if (kind === undefined || durationMs === null) return;
    let histogram = series.attempts[kind];
    if (!histogram) histogram = series.attempts[kind] = this.attemptDuration.labels(this.sites.label(siteId), kind);
    histogram.observe(durationMs / 1000);
  }

  requestStarted(siteId: string): void {
    this.seriesFor(siteId).inFlight.inc();
  }

  requestEnded(siteId: string): void {
    this.seriesFor(siteId).inFlight.dec();
  }

  slotTaken(siteId: string, waitedMs: number): void {
    if (waitedMs < RATE_WAIT_THRESHOLD_MS) return;
    const series = this.seriesFor(siteId);
    series.rateWaits.inc();
    series.rateWaitSeconds.inc(waitedMs / 1000);
  }

  tokenRequested(siteId: string, grantType: string, succeeded: boolean): void {
    const labels = { site: this.sites.label(siteId), grant: grantLabel(grantType) };
    this.tokenRequests.inc(labels);
    if (!succeeded) this.tokenFailures.inc(labels);
  }

  /**
   * Counts site events as they are published (`site.event`, sent by PostgreSQL at commit, so a
   * rolled-back event is never counted). Every process hears every event, whichever process stored
   * it; one missed while this process's listener was reconnecting is not counted. Kinds this
   * version does not know (a newer process) are left out: the label's values stay bounded.
   * Returns the function that stops listening.
   */
  listen(events: SiteEventSource): () => void {
    return events.on(SITE_EVENT, (payload) => {
      const kind = (payload as { kind?: unknown } | null)?.kind;
      if (typeof kind === 'string' && SITE_EVENT_KINDS.has(kind)) this.siteEvents.inc({ kind });
    });
  }

  /** The exposition: gauges read from PostgreSQL first, then every metric. */
  async scrape(): Promise<string> {
    await this.readDatabaseGauges();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async readDatabaseGauges(): Promise<void> {
    const pool = this.options.pool;
    let rows;
    let tokens;
    try {
      rows = await readSiteSnapshot(pool);
      const oauthSites = rows.filter((row) => hasTokens(row.authMethod as AuthMethod)).map((row) => row.id);
      tokens = oauthSites.length ? await readTokens(pool, oauthSites) : [];
    } catch (error) {
      this.databaseUp.set(0);
      // Process and pool metrics are still worth answering with; the gauges read from it are left out.
      for (const gauge of [this.queueDepth, this.oldestDue, this.threads, this.active, this.tokenState, this.tokenNeedsPerson, this.breakerState]) gauge.reset();
      if (isDatabaseUnreachable(error)) databaseOutage.failed('metrics', error);
      else log.error('metrics: could not read the queue and site gauges', { error: (error as Error).message });
      return;
    }
    databaseOutage.recovered('metrics');
    const byLabel = new Map<string, { queued: number; oldest: number; threads: number; active: number; breaker: Map<string, number> }>();
    for (const row of rows) {
      const label = this.sites.label(row.id);
      const sum = byLabel.get(label) ?? { queued: 0, oldest: 0, threads: 0, active: 0, breaker: new Map(BREAKER_STATES.map((state) => [state, 0])) };
      sum.queued += row.queued;
      sum.oldest = Math.max(sum.oldest, row.oldestDueSeconds);
      sum.threads += row.threads;
      sum.active += row.status === 'ACTIVE' ? 1 : 0;
      sum.breaker.set(row.breakerState, (sum.breaker.get(row.breakerState) ?? 0) + 1);
      byLabel.set(label, sum);
    }
    const tokenRows = new Map(tokens.map((row) => [row.siteId, row]));
    const states = new Map<string, { counts: Map<string, number>; needsPerson: number }>();
    for (const row of rows) {
      if (!hasTokens(row.authMethod as AuthMethod)) continue;
      const label = this.sites.label(row.id);
      let entry = states.get(label);
      if (!entry) states.set(label, (entry = { counts: new Map(TOKEN_STATES.map((state) => [state, 0])), needsPerson: 0 }));
      const state = toTokenState(row.id, tokenRows.get(row.id));
      entry.counts.set(state.status, (entry.counts.get(state.status) ?? 0) + 1);
      if (state.needsReconnect) entry.needsPerson += 1;
    }
    // Reset, then set: a deleted site's series leave the exposition instead of keeping their last value.
    for (const gauge of [this.queueDepth, this.oldestDue, this.threads, this.active, this.tokenState, this.tokenNeedsPerson, this.breakerState]) gauge.reset();
    for (const [site, sum] of byLabel) {
      this.queueDepth.set({ site }, sum.queued);
      this.oldestDue.set({ site }, sum.oldest);
      this.threads.set({ site }, sum.threads);
      this.active.set({ site }, sum.active);
      for (const [state, count] of sum.breaker) this.breakerState.set({ site, state }, count);
    }
    for (const [site, entry] of states) {
      for (const [state, count] of entry.counts) this.tokenState.set({ site, state }, count);
      this.tokenNeedsPerson.set({ site }, entry.needsPerson);
    }
    this.databaseUp.set(1);
  }
}
