import type { PubSub } from 'type-graphql';
import pg from 'pg';
import { log } from '../log.js';

/** The NOTIFY channel of every event; SQL that publishes from inside a statement names it too (dispatch/queue.ts). */
export const EVENTS_CHANNEL = 'trusted_sites_events';
/** PostgreSQL's NOTIFY payload limit is 8000 bytes; events carry ids and small states, never records or secrets. */
const MAX_PAYLOAD = 7900;

type Listener = (payload: unknown) => void;

/**
 * One pubsub for the whole deployment: `publish` is a PostgreSQL NOTIFY, and every process
 * (this one included) LISTENs and fans the event out to its own subscribers. So an event raised
 * by a dispatcher in one process reaches a WebSocket subscriber connected to another.
 */
export class PgPubSub implements PubSub {
  private client: pg.Client | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'trusted-sites-listen' });
    client.on('notification', (message) => {
      if (message.channel !== EVENTS_CHANNEL || !message.payload) return;
      try {
        const { topic, payload } = JSON.parse(message.payload) as { topic: string; payload: unknown };
        for (const listener of this.listeners.get(topic) ?? []) listener(payload);
      } catch (error) {
        log.error('dropped a malformed event', { error: String(error) });
      }
    });
    client.on('error', (error) => {
      log.error('event listener connection lost; reconnecting', { error: error.message });
      this.client = undefined;
      if (!this.closed) setTimeout(() => void this.start().catch(() => undefined), 1000);
    });
    await client.connect();
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    this.client = client;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
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
    } catch (error) {
      log.error('could not publish an event', { topic, error: (error as Error).message });
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
