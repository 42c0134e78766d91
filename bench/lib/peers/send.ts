import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { throughputPayload } from '../client.js';

/** What every system sends: the throughput benchmark's ~1 KB JSON event, Basic auth, its id in `x-delivery-id`. */
export type Event = ReturnType<typeof throughputPayload>;
const BASIC = `Basic ${Buffer.from('bench:bench-password-1').toString('base64')}`;

/**
 * The peers' job handler: one undici Agent with as many connections as jobs run at once, one POST
 * per job to `<url>/<id>`, and an error unless the receiver answered 200 (the job is then failed and
 * retried by its queue, never completed).
 */
export function webhookSender(url: string, connections: number): { send(event: Event): Promise<void>; close(): Promise<void> } {
  const agent = new Agent({ connections, keepAliveTimeout: 30_000 });
  return {
    async send(event) {
      const response = await request(`${url}/${event.id}`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', authorization: BASIC, 'x-delivery-id': String(event.id) },
        body: JSON.stringify(event),
      });
      await response.body.text();
      if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
    },
    close: () => agent.close(),
  };
}

/** The baseline: `count` events from memory (ids from `first`), `concurrency` at a time, no queue. Returns the wall time in ms. */
export async function plainUndici(url: string, count: number, concurrency: number, first = 0): Promise<number> {
  const sender = webhookSender(url, concurrency);
  let next = first;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < first + count) await sender.send(throughputPayload(next++));
    }),
  );
  const elapsed = performance.now() - started;
  await sender.close();
  return elapsed;
}

/** Resolves once `check()` says true, asking every `pollMs`. */
export async function until(check: () => Promise<boolean>, pollMs = 5): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, pollMs));
}

/**
 * When a peer's run is over: every job had its 200 (counted by its handler) and its completion is
 * committed. Both queues write a completion after the handler returns, each worker loop before it
 * takes more, so once every job is handled only the last few can still be open: the clock stops
 * when the last `tail` handled are complete (looked up by primary key, a cheap query). `verify()`
 * then checks every job, outside the clock — a scan of the whole queue table right after 20,000
 * jobs took 135–400 ms here, which would be charged to the peer.
 */
export class Completion {
  private readonly ids: string[] = [];
  private readonly waiters: Array<{ n: number; resolve: () => void }> = [];
  private allHandled!: () => void;
  private readonly handledAll = new Promise<void>((resolve) => (this.allHandled = resolve));

  constructor(
    private readonly count: number,
    private readonly tail: number,
    private readonly openAmong: (ids: string[]) => Promise<boolean>,
    private readonly anyOpen: () => Promise<boolean>,
  ) {}

  handled(ids: string[]): void {
    this.ids.push(...ids);
    if (this.ids.length === this.count) this.allHandled();
    for (const waiter of this.waiters.filter((w) => this.ids.length >= w.n)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  /** Resolves once `n` jobs have been handled and the last of them are complete (the end of a warm-up). */
  async reached(n: number): Promise<void> {
    if (this.ids.length < n) await new Promise<void>((resolve) => this.waiters.push({ n, resolve }));
    await until(async () => !(await this.openAmong(this.ids.slice(n - this.tail, n))));
  }

  /** Resolves with the time (performance.now()) the last jobs were seen complete. */
  async finished(): Promise<number> {
    await this.handledAll;
    await until(async () => !(await this.openAmong(this.ids.slice(-this.tail))));
    return performance.now();
  }

  async verify(): Promise<void> {
    if (this.ids.length !== this.count || new Set(this.ids).size !== this.count) throw new Error(`handled ${this.ids.length} jobs (${new Set(this.ids).size} distinct) of ${this.count}`);
    if (await this.anyOpen()) throw new Error('a job was still open after the last ones completed: the measured end was too early');
  }
}

/** A peer's worker, in the benchmark's process. */
export interface PeerWorker {
  /** Resolves once every job has had its 200 and its completion is committed, with that time. */
  done: Promise<number>;
  /** Resolves once the first `n` jobs (a warm-up) are handled and complete. */
  reached(n: number): Promise<void>;
  /** After the measurement: every job complete, each handled once. */
  verify(): Promise<void>;
  stop(): Promise<void>;
}

/** A peer's producer, in a client process of its own (see enqueue-process.ts). */
export interface PeerClient {
  /** Events `first` .. `first + count - 1`. */
  enqueue(count: number, batch: number, parallel: number, first: number): Promise<void>;
  close(): Promise<void>;
}

/** Items `first` .. `first + count - 1` in calls of `batch`, `parallel` calls at a time (as sendMany sends sendWebhooks). */
export async function inBatches(count: number, batch: number, parallel: number, call: (from: number, to: number) => Promise<unknown>, first = 0): Promise<void> {
  let next = first;
  const end = first + count;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < end) {
        const from = next;
        next = Math.min(end, next + batch);
        await call(from, next);
      }
    }),
  );
}

/** A producer's `enqueue`: `item(i)` for each event, `add` called with a batch of them (`inBatches`' calls). */
export function enqueueWith<T>(item: (i: number) => T, add: (items: T[]) => Promise<unknown>): PeerClient['enqueue'] {
  return (count, batch, parallel, first) =>
    inBatches(
      count,
      batch,
      parallel,
      (from, to) => {
        const items: T[] = [];
        for (let i = from; i < to; i++) items.push(item(i));
        return add(items);
      },
      first,
    );
}
