import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AttemptRecorder } from './attempt-recorder.js';
import type { FinishedAttempt } from './transitions.sql.js';

/** A stand-in pool that records how many outcomes each completion statement carried. */
function countingPool(): { pool: pg.Pool; statements: number[] } {
  const statements: number[] = [];
  const pool = {
    query: async (config: { values: unknown[] }) => {
      const outcomes = JSON.parse(config.values[1] as string) as unknown[];
      statements.push(outcomes.length);
      return { rows: [{ n: outcomes.length }] };
    },
  } as unknown as pg.Pool;
  return { pool, statements };
}

let next = 0;
const outcome = (): FinishedAttempt => ({
  id: `00000000-0000-4000-8000-${String(next++).padStart(12, '0')}`,
  attemptNumber: 1,
  outcome: 'SUCCEEDED',
  statusCode: 200,
  error: null,
  startedAt: new Date(),
  durationMs: 1,
  excerpt: 'ok',
  truncated: false,
  nextAttemptAt: null,
  forceTokenRefresh: false,
});

describe('attempt recorder batching', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes a lone outcome after a few ms, and gathers longer once outcomes come in numbers', async () => {
    const { pool, statements } = countingPool();
    const recorder = new AttemptRecorder(pool, 'w', { written: () => undefined, failed: () => undefined });

    const lone = recorder.record(outcome());
    await vi.advanceTimersByTimeAsync(3);
    await lone;
    expect(statements).toEqual([1]);

    // A burst: 40 in one statement; from then on a statement gathers for 20 ms.
    const burst = Array.from({ length: 40 }, () => recorder.record(outcome()));
    await vi.advanceTimersByTimeAsync(3);
    await Promise.all(burst);
    expect(statements).toEqual([1, 40]);

    const busy = [recorder.record(outcome())];
    await vi.advanceTimersByTimeAsync(10);
    busy.push(...Array.from({ length: 30 }, () => recorder.record(outcome())));
    expect(statements).toEqual([1, 40]);
    await vi.advanceTimersByTimeAsync(10);
    await Promise.all(busy);
    // Everything that came within the 20 ms went out together.
    expect(statements).toEqual([1, 40, 31]);

    // After a quiet second a lone outcome is written at once again.
    await vi.advanceTimersByTimeAsync(1500);
    const later = recorder.record(outcome());
    await vi.advanceTimersByTimeAsync(3);
    await later;
    expect(statements).toEqual([1, 40, 31, 1]);
    expect(recorder.stats).toEqual({ flushes: 4, recorded: 73 });
  });

  it('writes at most 500 a statement, and a shutdown flush writes everything queued', async () => {
    const { pool, statements } = countingPool();
    const recorder = new AttemptRecorder(pool, 'w', { written: () => undefined, failed: () => undefined });
    const all = Array.from({ length: 1200 }, () => recorder.record(outcome()));
    await recorder.flush();
    await Promise.all(all);
    expect(statements).toEqual([500, 500, 200]);
  });
});
