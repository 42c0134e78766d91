import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { hasTokens } from '../auth/registry.js';
import { type BreakerRecorder, signalOf } from '../breaker/breaker-recorder.js';
import type { OutgoingRequest, Secrets } from '../auth/types.js';
import type { Config } from '../config.js';
import { databaseOutage, isDatabaseUnreachable } from '../db/outage.js';
import { DISPATCH_WAKE, type PgPubSub, SITE_CHANGED } from '../db/pubsub.js';
import { log, withoutLogContext } from '../log.js';
import type { DispatchObserver } from '../metrics/metrics.js';
import { type ClientTls, OutgoingError, OutgoingHttp } from '../net/outgoing.js';
import { createOutgoingHttp } from '../net/http-clients.js';
import type { Site } from '../sites/site.entity.js';
import type { SiteService } from '../sites/site.service.js';
import { type AccessTokenProvider, TokenUnavailableError } from '../oauth/provider.js';
import { maskSecrets, secretsOf } from '../signing/mask.js';
import type { AttemptSpan, AttemptTracer } from '../tracing/attempts.js';
import { signWebhook } from '../signing/signed-request.js';
import { publishUpdates } from './delivery-events.js';
import { AttemptRecorder } from './attempt-recorder.js';
import { RateSlots } from './rate-slots.js';
import { RecentBodies } from './recent-bodies.js';
import {
  type FinishedAttempt,
  type ClaimedDelivery,
  type ClaimOptions,
  type ClaimResult,
  claimDeliveries,
  findDueSites,
  msUntilNextDue,
  reclaimExpiredLeases,
  releaseDeliveries,
  renewLeases,
} from './transitions.sql.js';
import { type AttemptResult, decide } from './retry-policy.js';
import { findGoneLocalClaimers, newWorkerId } from './worker-identity.js';
import { createPool } from '../db/pool.js';

/**
 * Once stop() has given in-flight sends their grace period, attempt rows still unwritten (the
 * database gone) are retried only this much longer. An attempt whose outcome cannot be written
 * leaves its delivery IN_FLIGHT under this process's lease: when the lease expires, another
 * process (or this one, restarted) takes it back and sends it again — a duplicate the delivery-id
 * header lets receivers drop, never a lost delivery. What was accepted is already a committed row.
 */
export const STOP_WRITE_MARGIN_MS = 3000;

export interface DispatcherDeps {
  config: Config;
  pool: pg.Pool;
  pubsub: PgPubSub;
  sites: SiteService;
  /** The OAuth2 token store, when this build has one; read at use so it may be wired later. */
  tokens: () => AccessTokenProvider | undefined;
  /** Told of every attempt's outcome, request start and end, and rate-slot wait (metrics/). */
  metrics?: DispatchObserver;
  /** Starts each attempt's span (tracing/); only when tracing is on. */
  tracing?: AttemptTracer;
  /** Told of every attempt's outcome for the site's circuit breaker (breaker/). */
  breaker?: BreakerRecorder;
}

interface SiteContext {
  site: Site;
  secrets: Secrets<string>;
  /** The client certificate presented (mutual TLS), key opened; null without one. */
  tls: ClientTls | null;
  /** Bumped when the site changes: lanes stop and give back what they have not sent yet. */
  generation: number;
}

interface LaneState {
  lane: number;
  /** Ask for more when the queue is down to this (half of what a claim gives it). */
  refillAt: number;
  /** Claimed deliveries this lane will send, in order. */
  queue: ClaimedDelivery[];
}

interface SiteRun {
  siteId: string;
  context: SiteContext | undefined;
  contextAt: number;
  lanes: Map<number, LaneState>;
  /** The rate slots this process holds for the site. */
  slots: RateSlots;
}

class PrepareError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/**
 * The worker loop of one process. It claims due deliveries per site within the site's global
 * limits (see `claimDeliveries`), runs each granted lane as a sequence of sends, each at or just
 * after its rate slot, and records every attempt in batches.
 */
export class Dispatcher {
  /** Says which host, process and process start it is: see worker-identity.ts. */
  readonly worker = newWorkerId();
  private readonly http: OutgoingHttp;
  private stopping = false;
  private pumping = false;
  private pumpAgain = false;
  private activeLanes = 0;
  private readonly lanes = new Set<Promise<void>>();
  private inFlight = 0;
  private readonly generations = new Map<string, number>();
  private readonly runs = new Map<string, SiteRun>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private wakeTimer: { at: number; timer: NodeJS.Timeout } | undefined;
  private lastReclaim = 0;
  /** Whether the next pass looks for newly due sites, or only tops up the sites this process runs. */
  private scanDue = true;
  /** Counters for benchmarks and debugging. */
  private readonly counters = { pumps: 0, claims: 0, claimed: 0, released: 0, skippedSlots: 0, busy: 0, rateWait: 0, bodiesKept: 0 };
  get stats(): Record<string, number> {
    return { ...this.counters, ...this.recorder.stats };
  }
  /** Recent request duration per site (ms, moving average): sizes claims to what lanes can send. */
  private readonly durations = new Map<string, number>();
  /** How long this process's claims take to answer, smoothed (ms; undefined before the first), and when the last one was answered. */
  private claimMs: number | undefined;
  private claimAnsweredAt = 0;
  private readonly unsubscribe: Array<() => void> = [];
  /** Writes finished attempts in batches. */
  private readonly recorder: AttemptRecorder;
  /**
   * Deliveries this process claimed and still means to send or record: from adopting a claim until
   * the attempt's row is written (or the recorder gives up on it), or until they are given back.
   * Only these leases are renewed (renewLeases).
   */
  private readonly held = new Set<string>();
  /**
   * Bodies of deliveries accepted into the queue by this process, so its claims need not read them
   * back: up to 32 MB, each for a minute (a claim that finds none here reads them by id).
   */
  private readonly recentBodies = new RecentBodies(32 * 1024 * 1024, 60_000);

  /**
   * Attempt rows, give-backs and lease renewals go through their own connections with
   * synchronous_commit off: if PostgreSQL itself crashes, the last few milliseconds of them can be
   * lost, which leaves those deliveries IN_FLIGHT until their lease expires and they are sent
   * again — a duplicate the delivery-id header lets receivers drop, never a lost delivery.
   * Accepting a webhook and claiming one stay fully durable.
   */
  readonly bookkeeping: pg.Pool;

  constructor(private readonly deps: DispatcherDeps) {
    this.bookkeeping = createPool({
      connectionString: deps.pool.options.connectionString,
      max: 3,
      application_name: 'trusted-sites-dispatch',
      options: '-c synchronous_commit=off',
    });
    this.recorder = new AttemptRecorder(this.bookkeeping, this.worker, {
      written: () => databaseOutage.recovered(OUTAGE_SOURCE),
      failed: databaseFailure,
    });
    this.http = createOutgoingHttp(deps.config, 'webhooks');
  }

  start(): void {
    const { pubsub, config } = this.deps;
    this.unsubscribe.push(pubsub.on(DISPATCH_WAKE, () => this.wake()));
    this.unsubscribe.push(
      pubsub.on(SITE_CHANGED, (payload) => {
        const siteId = (payload as { siteId?: string })?.siteId;
        if (siteId) this.generations.set(siteId, (this.generations.get(siteId) ?? 0) + 1);
        this.wake();
      }),
    );
    // Site changes published while this process was not listening were missed: every site's
    // settings are read again, as if each had changed (the limits themselves are decided by each claim).
    this.unsubscribe.push(
      pubsub.onResync(() => {
        for (const siteId of new Set([...this.generations.keys(), ...this.runs.keys()])) this.generations.set(siteId, (this.generations.get(siteId) ?? 0) + 1);
        this.wake(true);
      }),
    );
    const poll = setInterval(() => this.wake(true), config.dispatch.pollIntervalMs);
    const heartbeat = setInterval(() => {
      if (this.held.size > 0) {
        renewLeases(this.bookkeeping, this.worker, [...this.held], config.dispatch.leaseMs)
          .then(() => databaseOutage.recovered(OUTAGE_SOURCE))
          .catch((error) => databaseFailure('could not renew leases', error));
      }
    }, Math.max(250, Math.floor(config.dispatch.leaseMs / 3)));
    poll.unref();
    heartbeat.unref();
    this.timers.add(poll);
    this.timers.add(heartbeat);
    this.wake(true);
  }

  /**
   * Stops claiming, gives back what is claimed but unsent, lets requests on the wire finish
   * within the grace period and then aborts them (recorded as failed attempts, retried later).
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const off of this.unsubscribe) off();
    for (const timer of this.timers) clearInterval(timer);
    if (this.wakeTimer) clearTimeout(this.wakeTimer.timer);
    for (const run of this.runs.values()) run.slots.wakeWaiters();
    const grace = this.deps.config.dispatch.shutdownGraceMs;
    // After this, attempt rows that cannot be written are left to the lease.
    this.recorder.stopBy = Date.now() + grace + STOP_WRITE_MARGIN_MS;
    const finished = Promise.all([...this.lanes]).then(() => true);
    const inTime = await Promise.race([finished, sleep(grace, false, { ref: false })]);
    if (!inTime) {
      log.info('shutdown grace period over: aborting requests still in flight', { count: this.inFlight });
      this.http.abortAll();
      await finished;
    }
    while (this.pumping) await sleep(5);
    await this.recorder.flush();
    // The breaker's last outcomes; not waited for past the margin when the database is gone.
    if (this.deps.breaker) await Promise.race([this.deps.breaker.flush(), sleep(STOP_WRITE_MARGIN_MS, undefined, { ref: false })]);
    await this.http.close().catch(() => undefined);
    await this.bookkeeping.end().catch(() => undefined);
  }

  /** Asks the loop to look for work; calls made while it runs coalesce into one more pass. */
  wake(fromPoll = false, scan = true): void {
    if (this.stopping) return;
    if (fromPoll) this.lastReclaim = 0;
    if (scan) this.scanDue = true;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    // A sendWebhook request may be what woke it: the loop's lines are not that request's.
    void withoutLogContext(() => this.pump());
  }

  private scheduleWake(ms: number): void {
    const at = Date.now() + ms;
    if (this.wakeTimer && this.wakeTimer.at <= at) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer.timer);
    const timer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wake();
    }, Math.max(0, Math.ceil(ms)));
    timer.unref();
    this.wakeTimer = { at, timer };
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    // Only a pass that reached the database may say it is back.
    let answered = false;
    try {
      do {
        this.pumpAgain = false;
        if (this.stopping) break;
        this.counters.pumps += 1;
        const { dispatch } = this.deps.config;
        if (Date.now() - this.lastReclaim >= dispatch.pollIntervalMs) {
          this.lastReclaim = Date.now();
          // Claims of a dead process on this host are taken back now, not when their lease runs out.
          const reclaimed = await reclaimExpiredLeases(this.deps.pool, dispatch.maxAttempts, await findGoneLocalClaimers(this.deps.pool));
          answered = true;
          if (reclaimed.length) {
            log.info('took back deliveries whose lease ran out or whose process is gone', { count: reclaimed.length });
            publishUpdates(this.deps.pubsub, reclaimed);
          }
        }
        const sites = this.scanDue ? await findDueSites(this.deps.pool) : [];
        if (this.scanDue) answered = true;
        this.scanDue = false;
        // Processes start from different sites so one does not always win the same gate.
        for (let i = sites.length - 1; i > 0; i--) {
          const j = Math.floor(Math.random() * (i + 1));
          [sites[i], sites[j]] = [sites[j]!, sites[i]!];
        }
        for (const [siteId, run] of this.runs) {
          if (run.lanes.size === 0) this.runs.delete(siteId);
          else if (!sites.includes(siteId)) sites.push(siteId);
        }
        let claimed = false;
        for (const siteId of sites) {
          if (this.stopping) break;
          if (await this.claimFor(siteId)) claimed = true;
          answered = true;
        }
        // Something claimed will wake us when it needs more; otherwise, when is the next retry due?
        if (!this.stopping && !claimed) {
          const next = await msUntilNextDue(this.deps.pool);
          if (next !== undefined) this.scheduleWake(next + 1);
        }
      } while (this.pumpAgain && !this.stopping);
      if (answered) databaseOutage.recovered(OUTAGE_SOURCE);
    } catch (error) {
      databaseFailure('dispatcher loop failed; retrying', error);
      this.scheduleWake(Math.min(1000, this.deps.config.dispatch.pollIntervalMs));
    } finally {
      this.pumping = false;
    }
  }

  /** The local state of a site this process sends to: its lanes, and the rate slots it holds. */
  private runFor(siteId: string): SiteRun {
    let run = this.runs.get(siteId);
    if (!run) {
      run = { siteId, context: undefined, contextAt: 0, lanes: new Map(), slots: new RateSlots(startTolerance(this.deps.config), () => (this.counters.skippedSlots += 1)) };
      this.runs.set(siteId, run);
    }
    return run;
  }

  /** True when it got deliveries or slots. */
  private async claimFor(siteId: string): Promise<boolean> {
    const { options, perLane } = this.wantsOf(siteId);
    const asked = performance.now();
    const recent = this.recentBodies;
    const bodyOf = (id: string) => {
      const body = recent.take(id);
      if (body) this.counters.bodiesKept += 1;
      return body;
    };
    const claim = await claimDeliveries(this.deps.pool, siteId, recent.size ? { ...options, bodyOf } : options);
    const answered = performance.now();
    if (claim.kind === 'claimed') {
      this.claimMs = this.claimMs === undefined ? answered - asked : 0.7 * this.claimMs + 0.3 * (answered - asked);
      this.claimAnsweredAt = answered;
    }
    if (claim.kind === 'busy') {
      this.counters.busy += 1;
      this.scheduleWake(2);
    }
    if (claim.kind === 'rate-wait') {
      this.counters.rateWait += 1;
      this.scheduleWake(claim.ms);
    }
    if (claim.kind !== 'claimed') return false;
    return this.adopt(siteId, claim, asked, answered, perLane);
  }

  /** Deliveries this process is accepting into the queue: their bodies are kept a while for its own claims. */
  remember(rows: ReadonlyArray<{ id: string; body: Buffer }>): void {
    if (this.stopping) return;
    for (const row of rows) this.recentBodies.add(row.id, row.body);
  }

  forget(rows: ReadonlyArray<{ id: string }>): void {
    for (const row of rows) this.recentBodies.take(row.id);
  }

  /**
   * What this process would claim for a site now, for sendWebhook(s) in this process to insert
   * already claimed (`insertClaimedDeliveries`); undefined while it stops. `adopt` takes what it got.
   */
  claimWantsFor(siteId: string): { options: ClaimOptions; perLane: number } | undefined {
    if (this.stopping) return undefined;
    return this.wantsOf(siteId);
  }

  private wantsOf(siteId: string): { options: ClaimOptions; perLane: number } {
    const { dispatch } = this.deps.config;
    const run = this.runFor(siteId);
    // A lane sends one request after another: it can use about lookahead / duration deliveries
    // before the slots claimed with them are behind it. Unknown duration: one per lane.
    const duration = this.durations.get(siteId);
    const perLane = duration === undefined ? 1 : Math.min(64, Math.max(1, Math.floor(dispatch.rateLookaheadMs / Math.max(duration, 0.05))));
    const ownLanes = [...run.lanes.values()].map((lane) => ({ lane: lane.lane, want: Math.max(0, perLane - lane.queue.length) }));
    const queued = [...run.lanes.values()].reduce((n, lane) => n + lane.queue.length, 0);
    // Slots to cover what the lanes will start before the next claim can answer: about
    // lanes / duration per ms over the look-ahead (claims take tens of ms on a busy machine, and
    // a lane without a slot idles). Slots left unused just pass; nobody else could have used them.
    // Only with a backlog: slots reserved and not used still push later claims back, which an
    // idle site must not pay for in latency.
    const pace = duration === undefined || queued === 0 ? 0 : Math.ceil((run.lanes.size / Math.max(duration, 0.05)) * dispatch.rateLookaheadMs);
    const extraSlots = Math.max(0, Math.max(queued + run.slots.waiting, pace) - run.slots.valid());
    return {
      perLane,
      options: {
        worker: this.worker,
        ownLanes,
        maxNewLanes: Math.max(0, dispatch.concurrency - this.activeLanes),
        perNewLane: perLane,
        extraSlots,
        maxCount: dispatch.claimBatch,
        leaseMs: dispatch.leaseMs,
        rateMarginMs: dispatch.rateMarginMs,
        lookaheadMs: dispatch.rateLookaheadMs,
        // Slots a claim answered this late would be behind by the time they are in hand: start them
        // that much later (only what the start tolerance does not absorb, so fast claims pay nothing).
        // A measure older than a second says nothing of now (a burst long over must not delay the
        // next lone delivery).
        leadMs:
          performance.now() - this.claimAnsweredAt > 1000 ? 0 : Math.min(MAX_SLOT_LEAD_MS, Math.max(0, (this.claimMs ?? 0) - startTolerance(this.deps.config))),
      },
    };
  }

  /**
   * Takes what a claim gave (from the queue, or inserted claimed): its slots and its deliveries
   * onto their lanes, starting lanes this process did not run yet. `asked` and `answered` are when
   * the claim was sent and answered (performance.now()). True when it got deliveries or slots.
   */
  async adopt(siteId: string, claim: Extract<ClaimResult, { kind: 'claimed' }>, asked: number, answered: number, perLane: number): Promise<boolean> {
    // Slots count from the claim's database time. Anchoring them at the moment the answer arrived
    // would move them later by however long it took — and a late answer then squeezes its slots
    // against the next claim's (more than maxRps in one second). So step back by the time since the
    // database's clock read it, as the wall clocks say (one clock on one host; NTP across hosts) —
    // but never by more than the whole claim took, which bounds what a skewed clock can do.
    const base = answered - Math.min(Math.max(0, Date.now() - claim.databaseNowMs), answered - asked);
    if (this.stopping) {
      // Claimed on insert while this process began to stop: give them back unsent.
      await this.release(claim.deliveries.map((d) => d.id));
      return false;
    }
    let run = this.runFor(siteId);
    for (const lost of claim.lostLanes) for (const dropped of run.lanes.get(lost)?.queue.splice(0) ?? []) this.held.delete(dropped.id);
    if (!claim.slotOffsetsMs.length && !claim.deliveries.length) return false;
    this.counters.claims += 1;
    this.counters.claimed += claim.deliveries.length;
    const generation = this.generations.get(siteId) ?? 0;
    if (!run.context || run.context.generation !== generation || Date.now() - run.contextAt > 5000) {
      const site = await this.deps.sites.get(siteId);
      if (!site) {
        await this.release(claim.deliveries.map((d) => d.id));
        return false;
      }
      // The loop may have dropped an idle run meanwhile: use the site's current one.
      run = this.runFor(siteId);
      run.context = { site, secrets: this.deps.sites.openSecrets(site), tls: this.deps.sites.openClientCertificate(site), generation };
      run.contextAt = Date.now();
    }
    run.slots.add(base, claim.slotOffsetsMs, claim.slotIntervalMs);
    for (const delivery of claim.deliveries) this.held.add(delivery.id);
    for (const lane of run.lanes.values()) lane.refillAt = Math.floor(perLane / 2);
    for (const delivery of claim.deliveries) {
      let lane = run.lanes.get(delivery.lane);
      if (!lane) {
        lane = { lane: delivery.lane, queue: [], refillAt: 1 };
        run.lanes.set(delivery.lane, lane);
        lane.refillAt = Math.floor(perLane / 2);
        lane.queue.push(delivery);
        this.startLane(run, lane);
      } else {
        lane.queue.push(delivery);
      }
    }
    return true;
  }

  private startLane(run: SiteRun, lane: LaneState): void {
    this.activeLanes += 1;
    const done = this.runLane(run, lane)
      .catch((error) => databaseFailure('a dispatch lane failed', error, { siteId: run.siteId }))
      .finally(() => {
        this.activeLanes -= 1;
        this.lanes.delete(done);
        if (run.lanes.get(lane.lane) === lane) run.lanes.delete(lane.lane);
        this.wake();
      });
    this.lanes.add(done);
  }

  /**
   * One lane: its deliveries one after another, so the lane is one of the site's threads. The
   * claim loop tops its queue up while it runs; it ends when the queue is empty.
   */
  private async runLane(run: SiteRun, lane: LaneState): Promise<void> {
    const recorded: Array<Promise<void>> = [];
    // A claim may top the queue up while the last attempts are being written: go round again.
    while (lane.queue.length) {
      await this.sendQueue(run, lane, recorded);
      await Promise.all(recorded.splice(0));
    }
  }

  private async sendQueue(run: SiteRun, lane: LaneState, recorded: Array<Promise<void>>): Promise<void> {
    while (lane.queue.length) {
      const context = run.context!;
      if (this.stopping || (this.generations.get(run.siteId) ?? 0) !== context.generation) {
        await this.release(lane.queue.splice(0).map((d) => d.id));
        break;
      }
      const delivery = lane.queue.shift()!;
      // Top up before the queue runs dry, so the lane does not stop and wait for a claim.
      if (lane.queue.length <= Math.max(1, lane.refillAt)) this.wake(false, false);
      let request: OutgoingRequest & { accessToken?: string };
      try {
        request = await this.prepare(context, delivery);
      } catch (error) {
        const retryable = error instanceof PrepareError ? error.retryable : false;
        const message = error instanceof PrepareError ? error.message : `could not sign the request: ${(error as Error).message}`;
        const span = this.deps.tracing?.attemptStarted({ traceParent: delivery.traceParent, deliveryId: delivery.id, siteId: run.siteId, attempt: delivery.attemptCount, method: delivery.method, url: context.site.url });
        recorded.push(this.record(context, delivery, { kind: 'prepare', retryable, message }, new Date(), null, null, false, null, span));
        continue;
      }
      let slotted = run.slots.takeNow();
      if (!slotted) {
        const asked = performance.now();
        slotted = await run.slots.take(this.deps.config.dispatch.rateLookaheadMs, () => this.stopping, () => this.wake(false, false));
        this.deps.metrics?.slotTaken(run.siteId, performance.now() - asked);
      }
      if (!slotted) {
        await this.release([delivery.id, ...lane.queue.splice(0).map((d) => d.id)]);
        break;
      }
      recorded.push((await this.send(context, delivery, request)).recorded);
    }
  }

  private async prepare(context: SiteContext, delivery: ClaimedDelivery): Promise<OutgoingRequest & { accessToken?: string }> {
    const { site } = context;
    let accessToken: string | undefined;
    if (hasTokens(site.authMethod)) {
      const tokens = this.deps.tokens();
      if (!tokens) throw new PrepareError('no OAuth2 token provider is running in this process', true);
      try {
        accessToken = await tokens.accessTokenFor(site, { forceRefresh: delivery.forceTokenRefresh });
      } catch (error) {
        if (error instanceof TokenUnavailableError) throw new PrepareError(`no access token: ${error.message}`, !error.needsReconnect);
        throw new PrepareError(`no access token: ${(error as Error).message}`, true);
      }
    }
    // The same builder testSite uses: caller headers, content type, x-delivery-id, then the signer, last.
    const signed = await signWebhook(site, context.secrets, { method: delivery.method, headers: delivery.headers, body: delivery.body, deliveryId: delivery.id, accessToken });
    return { ...signed, accessToken };
  }

  /** Sends one attempt; `recorded` settles once its row is written (a promise in an object, so awaiting the send does not wait for the write). */
  private async send(context: SiteContext, delivery: ClaimedDelivery, request: OutgoingRequest & { accessToken?: string }): Promise<{ recorded: Promise<void> }> {
    const { dispatch } = this.deps.config;
    this.inFlight += 1;
    this.deps.metrics?.requestStarted(context.site.id);
    const span = this.deps.tracing?.attemptStarted({ traceParent: delivery.traceParent, deliveryId: delivery.id, siteId: context.site.id, attempt: delivery.attemptCount, method: request.method, url: request.url });
    // After signing and left unsigned on purpose (tracing/README.md); a caller's own traceparent stays.
    if (span && context.site.sendTraceparent && !('traceparent' in request.headers)) Object.assign(request.headers, span.headers());
    const startedAt = new Date();
    try {
      const response = await this.http.send({
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: request.method === 'GET' ? undefined : request.body,
        tls: { siteId: context.site.id, certificate: context.tls },
      });
      const previous = this.durations.get(context.site.id);
      this.durations.set(context.site.id, previous === undefined ? response.durationMs : previous * 0.8 + response.durationMs * 0.2);
      const kept = response.body.subarray(0, dispatch.responseExcerptBytes);
      const excerpt = scrub(kept.toString('utf8').replace(/\u0000/g, ''), context, request);
      const truncated = response.truncated || response.body.length > kept.length;
      return { recorded: this.record(context, delivery, { kind: 'response', status: response.status, retryAfter: response.headers['retry-after'] }, startedAt, response.durationMs, excerpt, truncated, response.status, span) };
    } catch (error) {
      if (error instanceof OutgoingError) {
        const message = error.kind === 'aborted' && this.stopping ? 'aborted: the dispatcher shut down before the receiver answered' : error.message;
        return { recorded: this.record(context, delivery, { kind: 'network', errorKind: error.kind, message }, startedAt, error.durationMs, null, false, null, span) };
      }
      return { recorded: this.record(context, delivery, { kind: 'network', errorKind: 'network', message: `request failed: ${(error as Error).message}` }, startedAt, null, null, false, null, span) };
    } finally {
      this.inFlight -= 1;
      this.deps.metrics?.requestEnded(context.site.id);
    }
  }

  /** Queues the attempt's row; resolves once it is written. */
  private record(
    context: SiteContext,
    delivery: ClaimedDelivery,
    result: AttemptResult,
    startedAt: Date,
    durationMs: number | null,
    excerpt: string | null,
    truncated: boolean,
    statusCode: number | null = null,
    span?: AttemptSpan,
  ): Promise<void> {
    const now = Date.now();
    const decision = decide(
      result,
      {
        attemptsInRun: delivery.attemptCount - delivery.attemptBase,
        isOAuth2: hasTokens(context.site.authMethod),
        tokenAlreadyRefreshed: delivery.tokenRefreshed || delivery.forceTokenRefresh,
        now,
        random: Math.random,
      },
      this.deps.config.dispatch,
    );
    this.deps.metrics?.attemptFinished(context.site.id, decision.outcome, result, durationMs);
    this.deps.breaker?.observe(context.site.id, delivery.id, signalOf(result), decision.outcome === 'SUCCEEDED' ? null : decision.error);
    span?.end(decision.outcome, statusCode, result);
    const finished: FinishedAttempt = {
      id: delivery.id,
      attemptNumber: delivery.attemptCount,
      outcome: decision.outcome,
      statusCode,
      error: decision.outcome === 'SUCCEEDED' ? null : decision.error,
      startedAt,
      durationMs,
      excerpt,
      truncated,
      nextAttemptAt: decision.outcome === 'RETRYING' ? new Date(decision.nextAttemptAt) : null,
      forceTokenRefresh: decision.outcome === 'RETRYING' && decision.forceTokenRefresh,
    };
    if (decision.outcome === 'RETRYING') this.scheduleWake(Math.max(0, decision.nextAttemptAt - now) + 1);
    // Ids, outcome and status only: the request, the response excerpt and the error text are the attempt row's.
    log.debug('delivery attempt', { deliveryId: delivery.id, siteId: context.site.id, attempt: delivery.attemptCount, outcome: decision.outcome, statusCode, durationMs });
    // Held (its lease renewed) until its row is written or the recorder gives up on it.
    return this.recorder.record(finished).finally(() => this.held.delete(delivery.id));
  }

  private async release(ids: string[]): Promise<void> {
    if (!ids.length) return;
    // Not ours to renew any more, given back or not (a failed give-back runs out with its lease).
    for (const id of ids) this.held.delete(id);
    this.counters.released += ids.length;
    try {
      const rows = await releaseDeliveries(this.bookkeeping, this.worker, ids);
      publishUpdates(this.deps.pubsub, rows);
      // A breaker's probe given back unsent may be sent again at once, not after its lease.
      this.deps.breaker?.givenBack(rows);
    } catch (error) {
      // The lease expiring gives them back anyway.
      databaseFailure('could not give back unsent deliveries', error, { count: ids.length });
    }
  }
}

const OUTAGE_SOURCE = 'dispatcher';

/** While PostgreSQL is unreachable, one line for the whole outage (db/outage.ts); other failures each their own. */
function databaseFailure(message: string, error: unknown, fields: Record<string, unknown> = {}): void {
  if (isDatabaseUnreachable(error)) databaseOutage.failed(OUTAGE_SOURCE, error);
  else log.error(message, { ...fields, error: (error as Error).message });
}

/**
 * How late after its slot a request may still start. A third of the margin: the other two
 * thirds absorb the jitter between the start here and the arrival there (event loops of both
 * processes, the network), which is what a receiver counting arrivals per second sees.
 */
/** The most a claim's slots start after its database time to make up for slow answers (see wantsOf). */
const MAX_SLOT_LEAD_MS = 1000;

function startTolerance(config: Config): number {
  return config.dispatch.rateMarginMs / 3;
}

/** Receivers sometimes echo the request: keep the site's secrets and the credentials sent out of stored excerpts. */
function scrub(text: string, context: SiteContext, request: OutgoingRequest & { accessToken?: string }): string {
  // maskSecrets leaves secrets under 4 characters alone, so a shorter text holds nothing to mask
  // ("ok", "", "{}"): skip gathering the secrets for it.
  if (text.length < 4) return text;
  return maskSecrets(text, secretsOf(context.secrets, request.headers, request.accessToken));
}
