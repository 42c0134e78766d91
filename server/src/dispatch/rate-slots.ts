import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { TokenBucket } from 'limiter';

/**
 * The rate slots one process holds for one site: start times handed out by claims (see
 * claim-plan.ts), as local monotonic times, ascending. Every request starts at its own slot,
 * within `toleranceMs` after it, never before and never later (a slot further behind is skipped,
 * unused) — that is what keeps every one-second window under maxRps over all processes.
 */
export class RateSlots {
  private slots: number[] = [];
  /** The next unused slot. */
  private head = 0;
  /** Lanes waiting for a slot. */
  waiting = 0;
  /** Lanes waiting in the pacing bucket (`takeNow` does not pass them). */
  private pacing = 0;
  private readonly waiters = new Set<() => void>();
  private bucket: TokenBucket | undefined;
  interval = 0;

  constructor(
    private readonly toleranceMs: number,
    /** Told of each slot skipped because it was too far behind (benchmark counters). */
    private readonly onSkipped: () => void = () => undefined,
  ) {}

  /** Slots granted by a claim, at `base + offset` for each offset; lanes waiting for one go on. */
  add(base: number, offsetsMs: readonly number[], intervalMs: number): void {
    if (this.interval !== intervalMs) {
      this.interval = intervalMs;
      this.bucket = this.newBucket(intervalMs);
    }
    // Claims are serialised on the gate, so a later claim's slots come after an earlier one's; but
    // an insert that claimed and the loop's claim may be answered in either order: keep them sorted.
    const last = this.slots.length > this.head ? this.slots[this.slots.length - 1]! : -Infinity;
    for (const offset of offsetsMs) this.slots.push(base + offset);
    if (offsetsMs.length && base + offsetsMs[0]! < last) {
      const unused = this.slots.slice(this.head).sort((x, y) => x - y);
      this.slots = unused;
      this.head = 0;
    }
    this.wakeWaiters();
  }

  /** Lanes waiting for a slot stop waiting (new slots, or the process stops). */
  wakeWaiters(): void {
    for (const waiter of this.waiters) waiter();
  }

  /** Slots still usable (not more than the tolerance behind now). */
  valid(): number {
    this.dropStale();
    return this.slots.length - this.head;
  }

  /**
   * Takes the next slot if it is due now and the pacing bucket has a token for it, without waiting
   * (no promise, no timer: most requests of a busy site start this way); false when `take` must.
   */
  takeNow(): boolean {
    this.dropStale();
    if (this.head >= this.slots.length || this.pacing > 0 || this.slots[this.head]! > performance.now()) return false;
    // Due, and not more than the tolerance behind (dropStale): usable if the bucket allows it now.
    if (!this.bucket!.tryRemoveTokens(1)) return false;
    this.head += 1;
    return true;
  }

  /**
   * Takes the next slot and waits for it. Without one it calls `askForMore` and waits; false
   * when none comes in time (the caller gives its work back) or `stopping()` says so.
   */
  async take(lookaheadMs: number, stopping: () => boolean, askForMore: () => void): Promise<boolean> {
    const giveUpAt = performance.now() + Math.max(1000, 2 * lookaheadMs + this.interval * 2);
    while (!stopping()) {
      this.dropStale();
      if (this.head < this.slots.length) {
        const due = this.slots[this.head]!;
        this.head += 1;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        this.pacing += 1;
        try {
          await this.bucket!.removeTokens(1);
        } finally {
          this.pacing -= 1;
        }
        if (performance.now() <= due + this.toleranceMs) return true;
        this.onSkipped();
        continue;
      }
      if (performance.now() > giveUpAt) return false;
      this.waiting += 1;
      askForMore();
      await new Promise<void>((resolve) => {
        const waiters = this.waiters;
        const timer = setTimeout(done, Math.max(1, giveUpAt - performance.now()));
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
      this.waiting -= 1;
    }
    return false;
  }

  private dropStale(): void {
    const limit = performance.now() - this.toleranceMs;
    while (this.head < this.slots.length && this.slots[this.head]! < limit) {
      this.head += 1;
      this.onSkipped();
    }
    if (this.head > 1024) {
      this.slots.splice(0, this.head);
      this.head = 0;
    }
  }

  /**
   * In-process pacing on top of the global slots: a bucket that refills at the site's slot
   * spacing and holds the slots of the start tolerance plus two, so even a stalled event loop
   * catching up cannot burst more than the slot check tolerates. (It must not be tighter than
   * the slots: a bucket of one token, taken a little late each time, falls further behind with
   * every request and would make lanes miss slots they were granted.)
   */
  private newBucket(interval: number): TokenBucket {
    const size = Math.floor(this.toleranceMs / interval) + 2;
    const bucket = new TokenBucket({ bucketSize: size, tokensPerInterval: 1, interval });
    // A new TokenBucket starts empty; the global slots already paced us, so start full.
    bucket.content = size;
    return bucket;
  }
}
