import { describe, expect, it } from 'vitest';
import { type AttemptContext, RETRY_AFTER_CAP_MS, backoffMs, decide, parseRetryAfter } from './retry-policy.js';

const schedule = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
const at = (overrides: Partial<AttemptContext> = {}): AttemptContext => ({
  attemptsInRun: 1,
  isOAuth2: false,
  tokenAlreadyRefreshed: false,
  now: 1_000_000,
  random: () => 0.5,
  ...overrides,
});

describe('retry policy', () => {
  it('backoff is exponential with full jitter, capped', () => {
    expect(backoffMs(schedule, 1, () => 0.999)).toBe(99);
    expect(backoffMs(schedule, 3, () => 0.999)).toBe(399);
    expect(backoffMs(schedule, 10, () => 0.999)).toBe(999);
    expect(backoffMs(schedule, 3, () => 0)).toBe(0);
  });

  it('Retry-After in seconds or as an HTTP date', () => {
    expect(parseRetryAfter('7', 0)).toBe(7000);
    expect(parseRetryAfter(new Date(60_000).toUTCString(), 0)).toBe(60_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });

  it('2xx succeeds; 5xx, 408, 429 and network errors retry; other 4xx and 3xx fail at once', () => {
    expect(decide({ kind: 'response', status: 204 }, at(), schedule).outcome).toBe('SUCCEEDED');
    for (const status of [500, 502, 503, 408, 429]) expect(decide({ kind: 'response', status }, at(), schedule).outcome).toBe('RETRYING');
    for (const status of [400, 403, 404, 410, 422, 301]) expect(decide({ kind: 'response', status }, at(), schedule).outcome).toBe('FAILED');
    expect(decide({ kind: 'network', errorKind: 'timeout', message: 'timed out' }, at(), schedule).outcome).toBe('RETRYING');
    expect(decide({ kind: 'network', errorKind: 'blocked', message: 'refused' }, at(), schedule)).toEqual({ outcome: 'FAILED', error: 'refused' });
  });

  it('Retry-After wins over the schedule, within its cap', () => {
    const decision = decide({ kind: 'response', status: 429, retryAfter: '30' }, at(), schedule);
    expect(decision).toMatchObject({ outcome: 'RETRYING', nextAttemptAt: 1_000_000 + 30_000 });
    const huge = decide({ kind: 'response', status: 503, retryAfter: String(10 * 365 * 86400) }, at(), schedule);
    expect(huge).toMatchObject({ nextAttemptAt: 1_000_000 + RETRY_AFTER_CAP_MS });
  });

  it('the last attempt fails with the reason', () => {
    expect(decide({ kind: 'response', status: 503 }, at({ attemptsInRun: 5 }), schedule)).toEqual({ outcome: 'FAILED', error: 'gave up after 5 attempts: HTTP 503' });
  });

  it('401 on an OAuth2 site: one forced refresh and an immediate retry, once', () => {
    expect(decide({ kind: 'response', status: 401 }, at({ isOAuth2: true }), schedule)).toMatchObject({ outcome: 'RETRYING', forceTokenRefresh: true, nextAttemptAt: 1_000_000 });
    expect(decide({ kind: 'response', status: 401 }, at({ isOAuth2: true, tokenAlreadyRefreshed: true }), schedule).outcome).toBe('FAILED');
    expect(decide({ kind: 'response', status: 401 }, at({ isOAuth2: false }), schedule).outcome).toBe('FAILED');
  });

  it('a token that needs a person fails; one that may come later retries', () => {
    expect(decide({ kind: 'prepare', retryable: false, message: 'reconnect' }, at(), schedule).outcome).toBe('FAILED');
    expect(decide({ kind: 'prepare', retryable: true, message: 'token endpoint down' }, at(), schedule).outcome).toBe('RETRYING');
  });
});
