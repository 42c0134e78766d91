import type { OutgoingErrorKind } from '../net/outgoing.js';
import { gaveUp, gaveUpMessage } from './delivery-states.js';

/**
 * What one attempt's result means for its delivery (docs/specification.md §4). Pure: the clock
 * and the random draw for jitter are passed in, so every rule can be tested without a receiver.
 */

export interface RetrySchedule {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export type AttemptResult =
  | { kind: 'response'; status: number; retryAfter?: string }
  | { kind: 'network'; errorKind: OutgoingErrorKind; message: string }
  /** Failed before sending: signing or the access token. `retryable` false when only a person can fix it. */
  | { kind: 'prepare'; retryable: boolean; message: string };

export interface AttemptContext {
  /** Attempts made in this run (this one included); `retryDelivery` starts a new run. */
  attemptsInRun: number;
  isOAuth2: boolean;
  /** This delivery has already had its one forced token refresh (or this attempt was it). */
  tokenAlreadyRefreshed: boolean;
  now: number;
  random: () => number;
}

export type Decision =
  | { outcome: 'SUCCEEDED' }
  | { outcome: 'RETRYING'; error: string; nextAttemptAt: number; forceTokenRefresh: boolean }
  | { outcome: 'FAILED'; error: string };

/** Exponential backoff with full jitter: uniform in [0, min(max, base · 2^(n−1))]. */
export function backoffMs(schedule: RetrySchedule, retryNumber: number, random: () => number): number {
  const ceiling = Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** Math.min(retryNumber - 1, 40));
  return Math.floor(random() * ceiling);
}

/** `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `now`; undefined if unusable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export const RETRY_AFTER_CAP_MS = 3_600_000;

const RETRYABLE_NETWORK: ReadonlySet<OutgoingErrorKind> = new Set(['dns', 'connect', 'timeout', 'tls', 'network', 'aborted']);

export function decide(result: AttemptResult, context: AttemptContext, schedule: RetrySchedule): Decision {
  let reason: string;
  let retryable: boolean;
  let retryAfterMs: number | undefined;
  if (result.kind === 'response') {
    const { status } = result;
    if (status >= 200 && status < 300) return { outcome: 'SUCCEEDED' };
    if (status === 401 && context.isOAuth2 && !context.tokenAlreadyRefreshed) {
      // One forced token refresh, then one more try, right away.
      return { outcome: 'RETRYING', error: 'HTTP 401: refreshing the access token and trying once more', nextAttemptAt: context.now, forceTokenRefresh: true };
    }
    reason = `HTTP ${status}`;
    retryable = status >= 500 || status === 408 || status === 429;
    if (status >= 300 && status < 400) reason = `HTTP ${status}: redirects are not followed`;
    if (retryable) retryAfterMs = parseRetryAfter(result.retryAfter, context.now);
  } else if (result.kind === 'network') {
    reason = result.message;
    retryable = RETRYABLE_NETWORK.has(result.errorKind);
  } else {
    reason = result.message;
    retryable = result.retryable;
  }
  if (!retryable) return { outcome: 'FAILED', error: reason };
  if (gaveUp(context.attemptsInRun, schedule.maxAttempts)) return { outcome: 'FAILED', error: gaveUpMessage(context.attemptsInRun, reason) };
  // Retry-After is the receiver telling us when; it wins over the schedule. Capped (at the larger of
  // maxDelayMs and an hour) so a receiver cannot park a delivery for years.
  const delay = retryAfterMs !== undefined ? Math.min(retryAfterMs, Math.max(schedule.maxDelayMs, RETRY_AFTER_CAP_MS)) : backoffMs(schedule, context.attemptsInRun, context.random);
  return { outcome: 'RETRYING', error: reason, nextAttemptAt: context.now + delay, forceTokenRefresh: false };
}
