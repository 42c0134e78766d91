import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { type FinishedAttempt, completeAttempts } from './transitions.sql.js';

export interface RecorderHooks {
  /** A batch was written (the database answers again). */
  written(): void;
  /** A batch could not be written this time. */
  failed(message: string, error: unknown, fields: Record<string, unknown>): void;
}

/**
 * Writes finished attempts: gathered for a few milliseconds and written in one statement
 * (`completeAttempts`: the attempt rows and the deliveries' new states), one batch at a time.
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
        setTimeout(() => void this.flush(), 3);
      }
    });
  }

  /** Writes what is queued, a batch at a time, one batch in flight. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      this.scheduled = false;
      while (this.pending.length) {
        const batch = this.pending.splice(0, 500);
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
