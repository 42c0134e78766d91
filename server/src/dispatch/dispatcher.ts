import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { TokenBucket } from 'limiter';
import { OAUTH2_METHODS, type OutgoingRequest, type Secrets } from '../auth/types.js';
import type { Config } from '../config.js';
import type { PgPubSub } from '../graphql/pubsub.js';
import { log } from '../log.js';
import { OutgoingError, OutgoingHttp } from '../net/outgoing.js';
import type { Site } from '../sites/site.entity.js';
import type { SiteService } from '../sites/site.service.js';
import { type AccessTokenProvider, TokenUnavailableError } from '../tokens/provider.js';
import { maskSecrets, secretsOf } from '../signing/mask.js';
import { signWebhook } from '../signing/signed-request.js';
import { DISPATCH_WAKE, publishUpdates } from './delivery.service.js';
import {
  type AttemptOutcome,
  type ClaimedDelivery,
  claimDeliveries,
  completeAttempts,
  findDueSites,
  msUntilNextDue,
  reclaimExpiredLeases,
  releaseDeliveries,
  renewLeases,
} from './queue.js';
import { type AttemptResult, decide } from './retry-policy.js';

/** Published (by main.ts's SiteEvents hook) when a site is created, edited, deleted or changes status. */
export const SITE_CHANGED = 'site.changed';

export interface DispatcherDeps {
  config: Config;
  pool: import('pg').Pool;
  pubsub: PgPubSub;
  sites: SiteService;
  /** The OAuth2 token store, when this build has one; read at use so it may be wired later. */
  tokens: () => AccessTokenProvider | undefined;
}

interface SiteContext {
  site: Site;
  secrets: Secrets<string>;
  /** Bumped when the site changes: lanes stop and give back what they have not sent yet. */
  generation: number;
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
  readonly worker = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly http: OutgoingHttp;
  private stopping = false;
  private pumping = false;
  private pumpAgain = false;
  private activeLanes = 0;
  private readonly lanes = new Set<Promise<void>>();
  private readonly aborts = new Set<AbortController>();
  private pending: Array<{ outcome: AttemptOutcome; resolve: () => void }> = [];
  private flushScheduled = false;
  private flushing: Promise<void> = Promise.resolve();
  private readonly generations = new Map<string, number>();
  private readonly buckets = new Map<string, { interval: number; bucket: TokenBucket }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private wakeTimer: { at: number; timer: NodeJS.Timeout } | undefined;
  private lastReclaim = 0;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly deps: DispatcherDeps) {
    const d = deps.config.dispatch;
    this.http = new OutgoingHttp({
      allowPrivateTargets: deps.config.allowPrivateTargets,
      connectTimeoutMs: d.connectTimeoutMs,
      headersTimeoutMs: d.headersTimeoutMs,
      bodyTimeoutMs: d.bodyTimeoutMs,
      maxResponseBytes: d.maxResponseBytes,
      // A site allows at most 256 threads; one process never needs more connections to one origin.
      connectionsPerOrigin: 256,
    });
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
    const poll = setInterval(() => this.wake(true), config.dispatch.pollIntervalMs);
    const heartbeat = setInterval(() => {
      if (this.activeLanes > 0) {
        renewLeases(this.deps.pool, this.worker, config.dispatch.leaseMs).catch((error) => log.error('could not renew leases', { error: String(error) }));
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
    const grace = this.deps.config.dispatch.shutdownGraceMs;
    const finished = Promise.all([...this.lanes]).then(() => true);
    const inTime = await Promise.race([finished, sleep(grace, false, { ref: false })]);
    if (!inTime) {
      log.info('shutdown grace period over: aborting requests still in flight', { count: this.aborts.size });
      for (const controller of this.aborts) controller.abort();
      await finished;
    }
    while (this.pumping) await sleep(5);
    await this.flush();
    await this.http.close().catch(() => undefined);
  }

  /** Asks the loop to look for work; calls made while it runs coalesce into one more pass. */
  wake(fromPoll = false): void {
    if (this.stopping) return;
    if (fromPoll) this.lastReclaim = 0;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    void this.pump();
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
    try {
      do {
        this.pumpAgain = false;
        if (this.stopping) break;
        const { dispatch } = this.deps.config;
        if (Date.now() - this.lastReclaim >= dispatch.pollIntervalMs) {
          this.lastReclaim = Date.now();
          const reclaimed = await reclaimExpiredLeases(this.deps.pool, dispatch.maxAttempts);
          if (reclaimed.length) {
            log.info('took back deliveries whose lease expired', { count: reclaimed.length });
            publishUpdates(this.deps.pubsub, reclaimed);
          }
        }
        const sites = await findDueSites(this.deps.pool);
        // Processes start from different sites so one does not always win the same gate.
        for (let i = sites.length - 1; i > 0; i--) {
          const j = Math.floor(Math.random() * (i + 1));
          [sites[i], sites[j]] = [sites[j]!, sites[i]!];
        }
        for (const siteId of sites) {
          if (this.stopping) break;
          const free = dispatch.concurrency - this.activeLanes;
          if (free <= 0) break;
          await this.claimFor(siteId, free);
        }
        if (!this.stopping) {
          const next = await msUntilNextDue(this.deps.pool);
          if (next !== undefined) this.scheduleWake(next + 1);
        }
      } while (this.pumpAgain && !this.stopping);
    } catch (error) {
      log.error('dispatcher loop failed; retrying', { error: (error as Error).message });
      this.scheduleWake(Math.min(1000, this.deps.config.dispatch.pollIntervalMs));
    } finally {
      this.pumping = false;
    }
  }

  private async claimFor(siteId: string, freeLanes: number): Promise<void> {
    const { dispatch } = this.deps.config;
    const claim = await claimDeliveries(this.deps.pool, siteId, {
      worker: this.worker,
      maxLanes: freeLanes,
      maxCount: dispatch.claimBatch,
      leaseMs: dispatch.leaseMs,
      rateMarginMs: dispatch.rateMarginMs,
      lookaheadMs: dispatch.rateLookaheadMs,
    });
    // Times are taken once the answer is here: slots can only move later, never earlier.
    const base = performance.now();
    if (claim.kind === 'rate-wait') this.scheduleWake(claim.ms);
    if (claim.kind === 'busy') this.scheduleWake(5);
    if (claim.kind !== 'claimed') return;
    publishUpdates(
      this.deps.pubsub,
      claim.deliveries.map((d) => ({ id: d.id, site_id: siteId })),
    );
    const generation = this.generations.get(siteId) ?? 0;
    const site = await this.deps.sites.get(siteId);
    if (!site) {
      await this.release(claim.deliveries.map((d) => d.id));
      return;
    }
    const context: SiteContext = { site, secrets: this.deps.sites.openSecrets(site), generation };
    const byLane = new Map<number, ClaimedDelivery[]>();
    for (const delivery of claim.deliveries) {
      let list = byLane.get(delivery.lane);
      if (!list) byLane.set(delivery.lane, (list = []));
      list.push(delivery);
    }
    const bucket = this.bucketFor(siteId, claim.slotIntervalMs);
    for (const items of byLane.values()) {
      this.activeLanes += 1;
      const lane = this.runLane(context, items, base, bucket)
        .catch((error) => log.error('a dispatch lane failed', { siteId, error: (error as Error).message }))
        .finally(() => {
          this.activeLanes -= 1;
          this.lanes.delete(lane);
          this.wake();
        });
      this.lanes.add(lane);
    }
  }

  /**
   * In-process pacing on top of the global slots: a bucket that refills at the site's slot
   * spacing and holds at most the slots of half the margin, so even a stalled event loop
   * catching up cannot burst more than the slot check tolerates.
   */
  private bucketFor(siteId: string, interval: number): TokenBucket {
    const current = this.buckets.get(siteId);
    if (current && current.interval === interval) return current.bucket;
    const size = Math.max(1, Math.floor(this.deps.config.dispatch.rateMarginMs / 2 / interval));
    const bucket = new TokenBucket({ bucketSize: size, tokensPerInterval: 1, interval });
    // A new TokenBucket starts empty; the global slots already paced us, so start full.
    bucket.content = size;
    this.buckets.set(siteId, { interval, bucket });
    return bucket;
  }

  /**
   * One lane: its deliveries one after another (so the lane is one of the site's threads), each
   * started at its slot. A slot missed by more than half the margin is skipped rather than used
   * late, which is what keeps every one-second window under maxRps; a delivery left without a
   * slot is given back unsent.
   */
  private async runLane(context: SiteContext, items: ClaimedDelivery[], base: number, bucket: TokenBucket): Promise<void> {
    const tolerance = this.deps.config.dispatch.rateMarginMs / 2;
    const slots = items.map((d) => base + d.slotOffsetMs);
    const recorded: Array<Promise<void>> = [];
    let slot = 0;
    for (let k = 0; k < items.length; k++) {
      const delivery = items[k]!;
      if (this.stopping || (this.generations.get(context.site.id) ?? 0) !== context.generation) {
        await this.release(items.slice(k).map((d) => d.id));
        break;
      }
      let request: OutgoingRequest & { accessToken?: string };
      try {
        request = await this.prepare(context, delivery);
      } catch (error) {
        const retryable = error instanceof PrepareError ? error.retryable : false;
        const message = error instanceof PrepareError ? error.message : `could not sign the request: ${(error as Error).message}`;
        recorded.push(this.record(context, delivery, { kind: 'prepare', retryable, message }, new Date(), null, null, false));
        continue;
      }
      let started = false;
      while (slot < slots.length && !this.stopping) {
        const due = slots[slot]!;
        const now = performance.now();
        if (now > due + tolerance) {
          slot += 1;
          continue;
        }
        if (due > now) await sleep(due - now);
        await bucket.removeTokens(1);
        if (performance.now() > due + tolerance) {
          slot += 1;
          continue;
        }
        slot += 1;
        started = true;
        recorded.push((await this.send(context, delivery, request)).recorded);
        break;
      }
      if (!started) {
        await this.release(items.slice(k).map((d) => d.id));
        break;
      }
    }
    await Promise.all(recorded);
  }

  private async prepare(context: SiteContext, delivery: ClaimedDelivery): Promise<OutgoingRequest & { accessToken?: string }> {
    const { site } = context;
    let accessToken: string | undefined;
    if (OAUTH2_METHODS.has(site.authMethod)) {
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
    const controller = new AbortController();
    this.aborts.add(controller);
    const startedAt = new Date();
    try {
      const response = await this.http.send({
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: request.method === 'GET' ? undefined : request.body,
        signal: controller.signal,
      });
      const kept = response.body.subarray(0, dispatch.responseExcerptBytes);
      const excerpt = scrub(kept.toString('utf8').replace(/\u0000/g, ''), context, request);
      const truncated = response.truncated || response.body.length > kept.length;
      return { recorded: this.record(context, delivery, { kind: 'response', status: response.status, retryAfter: response.headers['retry-after'] }, startedAt, response.durationMs, excerpt, truncated, response.status) };
    } catch (error) {
      if (error instanceof OutgoingError) {
        const message = error.kind === 'aborted' && this.stopping ? 'aborted: the dispatcher shut down before the receiver answered' : error.message;
        return { recorded: this.record(context, delivery, { kind: 'network', errorKind: error.kind, message }, startedAt, error.durationMs, null, false) };
      }
      return { recorded: this.record(context, delivery, { kind: 'network', errorKind: 'network', message: `request failed: ${(error as Error).message}` }, startedAt, null, null, false) };
    } finally {
      this.aborts.delete(controller);
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
  ): Promise<void> {
    const now = Date.now();
    const decision = decide(
      result,
      {
        attemptsInRun: delivery.attemptCount - delivery.attemptBase,
        isOAuth2: OAUTH2_METHODS.has(context.site.authMethod),
        tokenAlreadyRefreshed: delivery.tokenRefreshed || delivery.forceTokenRefresh,
        now,
        random: Math.random,
      },
      this.deps.config.dispatch,
    );
    const outcome: AttemptOutcome = {
      id: delivery.id,
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
    return new Promise<void>((resolve) => {
      this.pending.push({ outcome, resolve });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Writes queued attempt rows, a batch at a time, one batch in flight. */
  private flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      this.flushScheduled = false;
      while (this.pending.length) {
        const batch = this.pending.splice(0, 500);
        for (let tries = 0; ; tries++) {
          try {
            const rows = await completeAttempts(
              this.deps.pool,
              this.worker,
              batch.map((b) => b.outcome),
            );
            publishUpdates(this.deps.pubsub, rows);
            break;
          } catch (error) {
            // The outcome must not be lost while the database blips; the lease covers a longer outage.
            log.error('could not record attempts; retrying', { error: (error as Error).message, count: batch.length });
            if (tries >= 20) break;
            await sleep(Math.min(2000, 50 * 2 ** tries));
          }
        }
        for (const b of batch) b.resolve();
      }
    });
    return this.flushing;
  }

  private async release(ids: string[]): Promise<void> {
    if (!ids.length) return;
    try {
      const rows = await releaseDeliveries(this.deps.pool, this.worker, ids);
      publishUpdates(this.deps.pubsub, rows);
    } catch (error) {
      // The lease expiring gives them back anyway.
      log.error('could not give back unsent deliveries', { error: (error as Error).message, count: ids.length });
    }
  }
}

/** Receivers sometimes echo the request: keep the site's secrets and the credentials sent out of stored excerpts. */
function scrub(text: string, context: SiteContext, request: OutgoingRequest & { accessToken?: string }): string {
  return maskSecrets(text, secretsOf(context.secrets, request.headers, request.accessToken));
}
