import type { BreakerConfig } from '../config.js';
import { BreakerState, SiteEventKind } from './breaker-states.js';

/**
 * The circuit breaker's rules, pure (tested alone): what a run of attempt outcomes does to a
 * site's breaker. The SQL around it (breaker.sql.ts) reads the row locked, applies this, and
 * writes the row and the events in one transaction.
 *
 * | from      | what happened                                         | to        | event              |
 * |-----------|-------------------------------------------------------|-----------|--------------------|
 * | CLOSED    | failure: threshold reached, or all failing for window | OPEN      | BREAKER_OPENED     |
 * | OPEN      | nextProbeAt passed, a claim takes one delivery        | HALF_OPEN | BREAKER_HALF_OPEN  |
 * | HALF_OPEN | the probe failed (or could not be sent)               | OPEN      | BREAKER_OPENED     |
 * | any       | a success (the probe, or an attempt sent before)      | CLOSED    | BREAKER_CLOSED     |
 * | any       | failing continuously for autoDisableAfter             | CLOSED    | SITE_AUTO_DISABLED |
 * | any       | resetBreaker, or the site set ACTIVE                  | CLOSED    | BREAKER_CLOSED     |
 */

/** What an attempt says about the receiver. */
export type Signal = 'failure' | 'success' | 'neutral';

export interface Observation {
  deliveryId: string;
  signal: Signal;
  /** The attempt's error (failure, neutral), for the event's reason. */
  reason: string | null;
}

export interface BreakerRow {
  state: BreakerState;
  failures: number;
  failingSince: Date | null;
  openedAt: Date | null;
  nextProbeAt: Date | null;
  opens: number;
  reason: string | null;
  probeId: string | null;
}

export type EffectiveSettings = Pick<BreakerConfig, 'failureThreshold' | 'failureWindowSeconds' | 'autoDisableAfterSeconds' | 'pauseBaseMs' | 'pauseMaxMs'>;

export interface NewEvent {
  kind: SiteEventKind;
  fromState: string | null;
  toState: string | null;
  reason: string | null;
  details: Record<string, unknown>;
}

export const CLOSED_ROW: BreakerRow = { state: BreakerState.CLOSED, failures: 0, failingSince: null, openedAt: null, nextProbeAt: null, opens: 0, reason: null, probeId: null };

/** The pause before the probe after the `opens`-th opening in a row: base, doubling, capped. */
export function pauseMs(settings: Pick<EffectiveSettings, 'pauseBaseMs' | 'pauseMaxMs'>, opens: number): number {
  return Math.min(settings.pauseMaxMs, settings.pauseBaseMs * 2 ** Math.min(Math.max(0, opens - 1), 40));
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(3)} s`;
}

/** Text kept in events and rows stays short: an attempt's error can be long. */
function short(text: string | null): string {
  if (!text) return 'unknown';
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function opened(row: BreakerRow, settings: EffectiveSettings, now: Date, opens: number, reason: string): { row: BreakerRow; event: NewEvent } {
  const pause = pauseMs(settings, opens);
  const next: BreakerRow = { ...row, state: BreakerState.OPEN, openedAt: now, nextProbeAt: new Date(now.getTime() + pause), opens, reason, probeId: null };
  return {
    row: next,
    event: {
      kind: SiteEventKind.BREAKER_OPENED,
      fromState: row.state,
      toState: BreakerState.OPEN,
      reason,
      details: { consecutiveFailures: next.failures, failingSince: next.failingSince?.toISOString() ?? null, nextProbeAt: next.nextProbeAt!.toISOString(), pauseMs: pause, opens },
    },
  };
}

export interface Applied {
  row: BreakerRow;
  events: NewEvent[];
  /** Set the site INACTIVE with this reason (the row is already reset). */
  disable: string | null;
  /** Whether the row differs from the one given (so it must be written). */
  changed: boolean;
}

/** Applies outcomes, in the order they finished, at database time `now`. */
export function applyObservations(start: BreakerRow, settings: EffectiveSettings, observations: readonly Observation[], now: Date): Applied {
  let row = { ...start };
  const events: NewEvent[] = [];
  let disable: string | null = null;
  for (const o of observations) {
    if (o.signal === 'success') {
      if (row.state !== BreakerState.CLOSED) {
        const by = o.deliveryId === row.probeId ? 'probe' : 'attempt';
        events.push({
          kind: SiteEventKind.BREAKER_CLOSED,
          fromState: row.state,
          toState: BreakerState.CLOSED,
          reason: by === 'probe' ? 'the probe delivery succeeded' : 'an attempt sent before the pause succeeded',
          details: { by, deliveryId: o.deliveryId },
        });
      }
      row = { ...CLOSED_ROW };
      continue;
    }
    const isProbe = row.state === BreakerState.HALF_OPEN && o.deliveryId === row.probeId;
    if (o.signal === 'neutral') {
      // The probe was not a test of the receiver (a token or signing problem, a shutdown): pause again, no longer.
      if (isProbe) {
        const result = opened(row, settings, now, Math.max(1, row.opens), `the probe delivery could not be sent: ${short(o.reason)}`);
        row = result.row;
        events.push(result.event);
      }
      continue;
    }
    row = { ...row, failures: row.failures + 1, failingSince: row.failingSince ?? now };
    const failingMs = now.getTime() - row.failingSince!.getTime();
    if (settings.autoDisableAfterSeconds > 0 && failingMs >= settings.autoDisableAfterSeconds * 1000) {
      disable = `Disabled automatically: every attempt failed for ${seconds(failingMs)} (since ${row.failingSince!.toISOString()}, ${row.failures} in a row); last: ${short(o.reason)}`;
      events.push({
        kind: SiteEventKind.SITE_AUTO_DISABLED,
        fromState: 'ACTIVE',
        toState: 'INACTIVE',
        reason: disable,
        details: { failingSince: row.failingSince!.toISOString(), consecutiveFailures: row.failures, breakerState: row.state },
      });
      row = { ...CLOSED_ROW };
      break;
    }
    if (isProbe) {
      const result = opened(row, settings, now, row.opens + 1, `the probe delivery failed: ${short(o.reason)}`);
      row = result.row;
      events.push(result.event);
    } else if (row.state === BreakerState.CLOSED) {
      const byCount = row.failures >= settings.failureThreshold;
      const byWindow = settings.failureWindowSeconds > 0 && row.failures >= 2 && failingMs >= settings.failureWindowSeconds * 1000;
      if (byCount || byWindow) {
        const why = byCount ? `${row.failures} failed attempts in a row` : `every attempt failed for ${seconds(failingMs)} (${row.failures} in a row)`;
        const result = opened(row, settings, now, row.opens + 1, `${why}; last: ${short(o.reason)}`);
        row = result.row;
        events.push(result.event);
      }
    }
    // OPEN, or HALF_OPEN with another delivery: an attempt sent before the pause; counted only.
  }
  return { row, events, disable, changed: disable !== null || events.length > 0 || !sameRow(row, start) };
}

function sameRow(a: BreakerRow, b: BreakerRow): boolean {
  return (
    a.state === b.state &&
    a.failures === b.failures &&
    a.failingSince?.getTime() === b.failingSince?.getTime() &&
    a.openedAt?.getTime() === b.openedAt?.getTime() &&
    a.nextProbeAt?.getTime() === b.nextProbeAt?.getTime() &&
    a.opens === b.opens &&
    a.reason === b.reason &&
    a.probeId === b.probeId
  );
}
