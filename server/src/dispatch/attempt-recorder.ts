import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { type FinishedAttempt, completeAttempts } from './transitions.sql.js';

export interface RecorderHooks {
  /** A batch was written (the database answers again). */
  written(): void;
  /** A batch could not be written this time. */
  failed(message: string, error: unknown, fields: Record<string, unknown>): void;
}

/** Gathering time when outcomes come one by one: the row is written ~3 ms after the answer. */
const GATHER_MS = 3;
/**
 * Under load (the last batch held at least BUSY_BATCH outcomes) each statement gathers for
 * BUSY_GATHER_MS: a completion costs PostgreSQL ~50 µs per delivery in batches of 32 and ~35 µs
 * in batches of 128 (`bench/pg-cycle.ts --complete-batch=N`), and the app one statement instead of
 * four. At ~3,000 outcomes/s a batch is then ~125 instead of ~30; the state shows ~20 ms later.
 * Lanes do not wait for their rows (only an emptied lane waits for its last ones).
 */
const BUSY_BATCH = 16;
const BUSY_GATHER_MS = 20;

/**
 * Writes finished attempts: gathered for a few milliseconds (more under load, see BUSY_GATHER_MS)
 * and written in one statement (`completeAttempts`: the attempt rows and the deliveries' new
 * states), one batch at a time. A timer's write takes what had gathered when it began; what
 * arrives during the write gathers for the next one.
 * An outcome is retried while the database blips; after `stopBy` (set when the process stops) it
 * is left to the lease instead (see dispatcher.ts, STOP_WRITE_MARGIN_MS).
 */
export class AttemptRecorder {
  private pending: Array<{ attempt: FinishedAttempt; resolve: () => void }> = [];
  private scheduled = false;
  private flushing: Promise<void> = Promise.resolve();
  /** Once set: attempts that cannot be written by then are given up on. */
  stopBy: number | undefined;
  readonly stats = { flushes: 0, recorded: 0 };
  /** The size of the last batch written, and when (performance.now()). */
  private lastBatch = 0;
  private lastBatchAt = 0;

  constructor(
    private readonly db: pg.Pool,
    private readonly worker: string,
    private readonly hooks: RecorderHooks,
  ) {}

  /** Queues the attempt; resolves once it is written (or given up on at shutdown). */
  record(attempt: FinishedAttempt): Promise<void> {
    return new Promise<void>((resolve) => {
      this.pending.push({ attempt, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        // A few ms of gathering makes one statement out of many attempts.
        // A batch from more than a second ago says nothing of now: a lone outcome after a quiet spell is written at once.
        const busy = this.lastBatch >= BUSY_BATCH && performance.now() - this.lastBatchAt < 1000;
        setTimeout(() => void this.flush(false), busy ? BUSY_GATHER_MS : GATHER_MS);
      }
    });
  }

  /**
   * Writes what is queued, a batch at a time, one batch in flight. `drain` (shutdown) also writes
   * what arrives meanwhile; the gathering timer writes only what had gathered when it began.
   */
  flush(drain = true): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      this.scheduled = false;
      let left = drain ? Infinity : this.pending.length;
      while (left > 0 && this.pending.length) {
        const batch = this.pending.splice(0, Math.min(500, left));
        left -= batch.length;
        this.lastBatch = batch.length;
        this.lastBatchAt = performance.now();
        this.stats.flushes += 1;
        this.stats.recorded += batch.length;
        for (let tries = 0; ; tries++) {
          try {
            // Publishes delivery.updated for what it recorded, in the same statement.
            await completeAttempts(
              this.db,
              this.worker,
              batch.map((b) => b.attempt),
            );
            this.hooks.written();
            break;
          } catch (error) {
            // The outcome must not be lost while the database blips; the lease covers a longer
            // outage, and a shutdown does not wait for the database (see STOP_WRITE_MARGIN_MS).
            this.hooks.failed('could not record attempts; retrying', error, { count: batch.length });
            const left = this.stopBy === undefined ? Infinity : this.stopBy - Date.now();
            if (tries >= 20 || left <= 0) break;
            await sleep(Math.min(2000, 50 * 2 ** tries, left));
          }
        }
        for (const b of batch) b.resolve();
      }
    });
    return this.flushing;
  }
}
