import { setTimeout as sleep } from 'node:timers/promises';
import type { PubSub } from 'type-graphql';
import pg from 'pg';
import { databaseOutage, isDatabaseUnreachable } from './outage.js';
import { log } from '../log.js';

/** The NOTIFY channel of every event; SQL that publishes from inside a statement names it too (access/, dispatch/transitions.sql.ts). */
export const EVENTS_CHANNEL = 'trusted_sites_events';

/*
 * Every topic published on EVENTS_CHANNEL, named here so that no two share a name. An event is
 * `{ topic, payload }`; payloads carry ids and small states, never records or secrets, and
 * subscribers load what they show. The values are what processes of other versions hear: keep them.
 */
/** A delivery changed: `{ siteId, ids }` (dispatch/delivery-events.ts, and the transitions' own SQL). */
export const DELIVERY_UPDATED = 'delivery.updated';
/** Deliveries are due: `{ sites }`; dispatchers look for work. */
export const DISPATCH_WAKE = 'dispatch.wake';
/** A site was created, edited, deleted or changed status: `{ siteId, change }` (main.ts's SiteEvents hook). */
export const SITE_CHANGED = 'site.changed';
/** An API token was revoked: `{ tokenId }`, published by the DELETE itself (access/api-token.service.ts), so every process hears it. */
export const API_TOKEN_REVOKED = 'api-token.revoked';
/** A site event was stored (breaker/): `{ id, siteId, kind }`, published by the statement that stored it. */
export const SITE_EVENT = 'site.event';
/** A site's OAuth token changed state: the token state (`TokenStateEvent`). */
export const TOKEN_STATE_CHANGED = 'TOKEN_STATE_CHANGED';
/** PostgreSQL's NOTIFY payload limit is 8000 bytes; events carry ids and small states, never records or secrets. */
const MAX_PAYLOAD = 7900;

type Listener = (payload: unknown) => void;

export interface PgPubSubOptions {
  /** First wait before reconnecting the LISTEN connection; doubles per failure up to `maxBackoffMs`, with jitter. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * How often the LISTEN connection is asked a cheap query. A connection can die without an
   * 'error' event (a host or network gone silent): one that does not answer within
   * `checkTimeoutMs` is treated as lost. TCP keepalive is on as well, but takes minutes.
   */
  checkIntervalMs?: number;
  checkTimeoutMs?: number;
}

const OUTAGE_SOURCE = 'event listener';

/**
 * One pubsub for the whole deployment: `publish` is a PostgreSQL NOTIFY, and every process
 * (this one included) LISTENs and fans the event out to its own subscribers. So an event raised
 * by a dispatcher in one process reaches a WebSocket subscriber connected to another.
 *
 * NOTIFY is not stored: whatever was published while this process was not listening is lost to
 * it. So the LISTEN connection is reconnected (with capped backoff) until it is back or the pubsub
 * is closed, and then every `onResync` listener is called to make up for what may have been missed
 * (revoked API tokens, site changes); subscribers simply get events again.
 */
export class PgPubSub implements PubSub {
  private client: pg.Client | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly resyncListeners = new Set<() => void | Promise<void>>();
  private closed = false;
  private reconnecting: Promise<void> | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private checking = false;
  /** Whether the last loss was logged as an error of its own rather than as part of a database outage. */
  private lostLoudly = false;
  private readonly stopWaiting = new AbortController();
  private readonly options: Required<PgPubSubOptions>;

  constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
    options: PgPubSubOptions = {},
  ) {
    this.options = { minBackoffMs: 100, maxBackoffMs: 5000, checkIntervalMs: 10_000, checkTimeoutMs: 5000, ...options };
  }

  /** Whether this process is listening now (events from other processes reach it). */
  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Connects and listens; the first connection must succeed (a process that cannot reach its database does not start). */
  async start(): Promise<void> {
    this.client = await this.connect();
    this.checkTimer = setInterval(() => void this.check(), this.options.checkIntervalMs);
    this.checkTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.checkTimer);
    this.stopWaiting.abort();
    const client = this.client;
    this.client = undefined;
    await this.reconnecting;
    await client?.end().catch(() => undefined);
  }

  /**
   * Calls `listener` each time the LISTEN connection is back after being lost: events published
   * meanwhile never arrive, so whatever depends on them reads the database again. Returns the
   * function that unregisters it.
   */
  onResync(listener: () => void | Promise<void>): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: 'trusted-sites-listen',
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: 10_000,
    });
    client.on('notification', (message) => {
      if (message.channel !== EVENTS_CHANNEL || !message.payload) return;
      try {
        const { topic, payload } = JSON.parse(message.payload) as { topic: string; payload: unknown };
        for (const listener of this.listeners.get(topic) ?? []) listener(payload);
      } catch (error) {
        log.error('dropped a malformed event', { error: String(error) });
      }
    });
    // Both can come for one loss (error, then end); `lost` acts once per connection.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('Connection ended unexpectedly')));
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      return client;
    } catch (error) {
      // Not awaited: after a failed connect the socket may already be gone, and its 'end' with it.
      void client.end().catch(() => undefined);
      throw error;
    }
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    // With a query hanging on a silent connection, end() destroys the socket rather than wait.
    void client.end().catch(() => undefined);
    if (this.closed) return;
    this.lostLoudly = !isDatabaseUnreachable(error);
    this.report(error);
    this.reconnecting ??= this.reconnect().finally(() => (this.reconnecting = undefined));
  }

  /** Tries again and again, waiting longer each time (capped, jittered so processes do not reconnect in step). */
  private async reconnect(): Promise<void> {
    const { minBackoffMs, maxBackoffMs } = this.options;
    for (let attempt = 0; !this.closed; attempt++) {
      const cap = Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.min(attempt, 30));
      await sleep(cap / 2 + (Math.random() * cap) / 2, undefined, { signal: this.stopWaiting.signal, ref: false }).catch(() => undefined);
      if (this.closed) return;
      let client: pg.Client;
      try {
        client = await this.connect();
      } catch (error) {
        this.report(error);
        continue;
      }
      if (this.closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      // An outage ends with the outage log's one line; a loss logged on its own gets its own end.
      if (this.lostLoudly) log.info('event listener reconnected; catching up on what may have been missed');
      databaseOutage.recovered(OUTAGE_SOURCE);
      this.resync();
      return;
    }
  }

  private resync(): void {
    for (const listener of this.resyncListeners) {
      void Promise.resolve()
        .then(listener)
        .catch((error) => log.error('catching up after reconnecting failed', { error: (error as Error).message }));
    }
  }

  /** A lost connection during an outage is one line of the outage log; anything else is logged as it comes. */
  private report(error: unknown): void {
    if (isDatabaseUnreachable(error)) databaseOutage.failed(OUTAGE_SOURCE, error);
    else log.error('event listener connection lost; reconnecting', { error: (error as Error).message });
  }

  /** A cheap query on the LISTEN connection: one that does not answer in time counts as lost. */
  private async check(): Promise<void> {
    const client = this.client;
    if (!client || this.checking || this.closed) return;
    this.checking = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('connection timeout: the event listener did not answer a check')), this.options.checkTimeoutMs);
      });
      await Promise.race([client.query('SELECT 1'), timeout]);
    } catch (error) {
      this.lost(client, error as Error);
    } finally {
      clearTimeout(timer);
      this.checking = false;
    }
  }

  publish(topic: string, payload: unknown): void {
    void this.publishAsync(topic, payload);
  }

  async publishAsync(topic: string, payload: unknown): Promise<void> {
    const text = JSON.stringify({ topic, payload });
    if (Buffer.byteLength(text) > MAX_PAYLOAD) {
      log.error('event too large to publish; dropped', { topic });
      return;
    }
    try {
      await this.pool.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, text]);
      databaseOutage.recovered('event publish');
    } catch (error) {
      if (isDatabaseUnreachable(error)) databaseOutage.failed('event publish', error);
      else log.error('could not publish an event', { topic, error: (error as Error).message });
    }
  }

  /** Calls `listener` for each event on `topic` until the returned function is called. */
  on(topic: string, listener: Listener): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => {
      set!.delete(listener);
      if (set!.size === 0) this.listeners.delete(topic);
    };
  }

  subscribe(topic: string): AsyncIterable<unknown> {
    const queue: unknown[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    const off = this.on(topic, (payload) => {
      // A listener that stops reading must not grow memory without bound: keep the newest events.
      if (queue.length >= 1000) queue.shift();
      queue.push(payload);
      wake?.();
    });
    const finish = async (): Promise<IteratorResult<unknown>> => {
      done = true;
      off();
      wake?.();
      return { done: true, value: undefined };
    };
    return {
      [Symbol.asyncIterator]: () => ({
        async next(): Promise<IteratorResult<unknown>> {
          while (queue.length === 0 && !done) await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          if (done) return { done: true, value: undefined };
          return { done: false, value: queue.shift() };
        },
        return: finish,
        throw: async (error?: unknown) => {
          await finish();
          throw error;
        },
      }),
    };
  }
}

