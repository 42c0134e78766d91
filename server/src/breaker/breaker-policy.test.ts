import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { type BreakerRow, CLOSED_ROW, type EffectiveSettings, type Observation, applyObservations, pauseMs } from './breaker-policy.js';
import { signalOf } from './breaker-recorder.js';

const SETTINGS: EffectiveSettings = { failureThreshold: 3, failureWindowSeconds: 60, autoDisableAfterSeconds: 3600, pauseBaseMs: 30_000, pauseMaxMs: 100_000 };
const T0 = new Date('2026-12-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const fail = (id = 'd'): Observation => ({ deliveryId: id, signal: 'failure', reason: 'HTTP 503' });
const success = (id = 'd'): Observation => ({ deliveryId: id, signal: 'success', reason: null });

describe('breaker policy', () => {
  it('counts failures in a row, and opens at the threshold with the base pause', () => {
    const two = applyObservations(CLOSED_ROW, SETTINGS, [fail(), fail()], T0);
    expect(two.row).toMatchObject({ state: 'CLOSED', failures: 2, failingSince: T0 });
    expect(two.events).toEqual([]);
    const three = applyObservations(two.row, SETTINGS, [fail()], at(1));
    expect(three.row).toMatchObject({ state: 'OPEN', failures: 3, opens: 1, openedAt: at(1), nextProbeAt: at(31), reason: '3 failed attempts in a row; last: HTTP 503' });
    expect(three.events.map((e) => [e.kind, e.fromState, e.toState])).toEqual([['BREAKER_OPENED', 'CLOSED', 'OPEN']]);
  });

  it('a success in between starts the count again', () => {
    const result = applyObservations(CLOSED_ROW, SETTINGS, [fail(), fail(), success(), fail(), fail()], T0);
    expect(result.row).toMatchObject({ state: 'CLOSED', failures: 2 });
    expect(result.events).toEqual([]);
  });

  it('opens when every attempt has failed for the window (at least 2), and not with the window off', () => {
    const first = applyObservations(CLOSED_ROW, SETTINGS, [fail()], T0);
    expect(applyObservations(first.row, SETTINGS, [fail()], at(61)).row.state).toBe('OPEN');
    expect(applyObservations(first.row, { ...SETTINGS, failureWindowSeconds: 0 }, [fail()], at(61)).row.state).toBe('CLOSED');
    expect(applyObservations(CLOSED_ROW, SETTINGS, [fail()], at(61)).row.state).toBe('CLOSED');
  });

  it('the probe: a failure re-opens with the pause doubled (capped), a success closes; other deliveries only count', () => {
    const halfOpen: BreakerRow = { ...CLOSED_ROW, state: 'HALF_OPEN' as BreakerRow['state'], failures: 3, failingSince: T0, opens: 2, probeId: 'probe', openedAt: T0 };
    const straggler = applyObservations(halfOpen, SETTINGS, [fail('other')], at(10));
    expect(straggler.row).toMatchObject({ state: 'HALF_OPEN', failures: 4 });
    expect(straggler.events).toEqual([]);
    const failed = applyObservations(halfOpen, SETTINGS, [fail('probe')], at(10));
    expect(failed.row).toMatchObject({ state: 'OPEN', opens: 3, nextProbeAt: at(10 + 100), probeId: null, reason: 'the probe delivery failed: HTTP 503' });
    const closed = applyObservations(halfOpen, SETTINGS, [success('probe')], at(10));
    expect(closed.row).toEqual(CLOSED_ROW);
    expect(closed.events.map((e) => [e.kind, e.fromState, e.details.by])).toEqual([['BREAKER_CLOSED', 'HALF_OPEN', 'probe']]);
    const neutral = applyObservations(halfOpen, SETTINGS, [{ deliveryId: 'probe', signal: 'neutral', reason: 'no access token' }], at(10));
    expect(neutral.row).toMatchObject({ state: 'OPEN', opens: 2, nextProbeAt: at(10 + 60) });
    expect(pauseMs(SETTINGS, 1)).toBe(30_000);
    expect(pauseMs(SETTINGS, 2)).toBe(60_000);
    expect(pauseMs(SETTINGS, 9)).toBe(100_000);
  });

  it('disables after failing continuously for autoDisableAfter, resetting the breaker; 0 never', () => {
    const open: BreakerRow = { ...CLOSED_ROW, state: 'OPEN' as BreakerRow['state'], failures: 30, failingSince: T0, opens: 4 };
    const result = applyObservations(open, SETTINGS, [fail(), fail()], at(3600));
    expect(result.row).toEqual(CLOSED_ROW);
    expect(result.disable).toMatch(/^Disabled automatically: every attempt failed for 3600 s \(since 2026-12-01T00:00:00.000Z, 31 in a row\); last: HTTP 503$/);
    expect(result.events.map((e) => [e.kind, e.fromState, e.toState])).toEqual([['SITE_AUTO_DISABLED', 'ACTIVE', 'INACTIVE']]);
    expect(applyObservations(open, { ...SETTINGS, autoDisableAfterSeconds: 0 }, [fail()], at(999_999)).disable).toBeNull();
  });

  it('what counts: network errors, timeouts, 5xx, 408, 429 fail; other answers succeed; ours are neutral', () => {
    for (const status of [500, 502, 503, 504, 408, 429]) expect(signalOf({ kind: 'response', status })).toBe('failure');
    for (const status of [200, 204, 301, 400, 401, 404, 410, 422]) expect(signalOf({ kind: 'response', status })).toBe('success');
    for (const errorKind of ['dns', 'connect', 'timeout', 'tls', 'network'] as const) expect(signalOf({ kind: 'network', errorKind })).toBe('failure');
    expect(signalOf({ kind: 'network', errorKind: 'aborted' })).toBe('neutral');
    expect(signalOf({ kind: 'network', errorKind: 'blocked' })).toBe('neutral');
    expect(signalOf({ kind: 'prepare' })).toBe('neutral');
  });
});
