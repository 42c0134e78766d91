import type pg from 'pg';
import { isDatabaseUnreachable } from '../db/outage.js';
import { log } from '../log.js';
import type { OutgoingErrorKind } from '../net/outgoing.js';
import type { Observation, Signal } from './breaker-policy.js';
import { findDirtyBreakers, probesGivenBack } from './breaker.sql.js';
import type { BreakerService } from './breaker.service.js';

/** What an attempt's result says about the receiver (the dispatcher's AttemptResult, structurally). */
export type AttemptSignalSource =
  | { kind: 'response'; status: number }
  | { kind: 'network'; errorKind: OutgoingErrorKind }
  | { kind: 'prepare' };

/**
 * What counts against a site's breaker: the outcomes that say the receiver is down or overloaded
 * — no connection, a timeout, TLS failing, 5xx, 408, 429. Any other answer (2xx, 3xx, the other
 * 4xx) is the receiver speaking: it resets the count, whatever the delivery's fate. Neutral: an
 * attempt that never reached the receiver for reasons of ours (a token or signing problem, a
 * refused private target, a shutdown aborting it).
 */
export function signalOf(result: AttemptSignalSource): Signal {
  if (result.kind === 'response') {
    const { status } = result;
    return status >= 500 || status === 408 || status === 429 ? 'failure' : 'success';
  }
  if (result.kind === 'network') return result.errorKind === 'aborted' || result.errorKind === 'blocked' ? 'neutral' : 'failure';
  return 'neutral';
}

/** How stale the list of sites with something to reset may be (a success from another process's count). */
const DIRTY_REFRESH_MS = 1000;

/**
 * The dispatcher's hook at the end of each attempt: gathers outcomes per site for a few ms and
 * hands each site's to `BreakerService.recordOutcomes` (one transaction under the gate lock).
 * Successes only cost a write when the site has something to reset — failures counted or a
 * breaker not CLOSED — as this process knows it (its own writes, and every site's state read at
 * most DIRTY_REFRESH_MS ago): on a healthy site the hot path writes nothing.
 */
export class BreakerRecorder {
  private pending = new Map<string, Observation[]>();
  private scheduled = false;
  private flushing: Promise<void> = Promise.resolve();
  private dirty = new Set<string>();
  private dirtyReadAt = 0;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly service: BreakerService,
    private readonly pool: pg.Pool,
  ) {}

  observe(siteId: string, deliveryId: string, signal: Signal, reason: string | null): void {
    if (signal !== 'failure' && Date.now() - this.dirtyReadAt >= DIRTY_REFRESH_MS) {
      // Decided once the list is fresh: the probe another process's failures led to must not be missed.
      void this.refreshDirty().then(() => {
        if (this.dirty.has(siteId)) this.enqueue(siteId, { deliveryId, signal, reason });
      });
      return;
    }
    if (signal !== 'failure' && !this.dirty.has(siteId)) return;
    this.enqueue(siteId, { deliveryId, signal, reason });
  }

  private enqueue(siteId: string, observation: Observation): void {
    let list = this.pending.get(siteId);
    if (!list) this.pending.set(siteId, (list = []));
    list.push(observation);
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => void this.flush(), 5);
    }
  }

  /**
   * Deliveries the dispatcher gave back unsent: a probe among them may go again at once (see
   * `probesGivenBack`). Not awaited by the dispatcher; a failure leaves it to the probe's lease.
   */
  givenBack(rows: ReadonlyArray<{ id: string; site_id: string }>): void {
    if (!rows.length) return;
    probesGivenBack(this.pool, rows).catch((error) => {
      if (!isDatabaseUnreachable(error)) log.error('could not free a circuit-breaker probe given back', { error: (error as Error).message });
    });
  }

  /** Writes what is gathered, one site at a time. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      this.scheduled = false;
      while (this.pending.size) {
        const batch = this.pending;
        this.pending = new Map();
        for (const [siteId, observations] of batch) {
          try {
            const record = await this.service.recordOutcomes(siteId, observations);
            if (record && record.row.failures === 0 && record.row.state === 'CLOSED') this.dirty.delete(siteId);
            else if (record) this.dirty.add(siteId);
          } catch (error) {
            // The breaker is advisory: a count missed during a database outage only delays its opening.
            if (!isDatabaseUnreachable(error)) log.error('could not record attempts for the circuit breaker', { siteId, error: (error as Error).message });
          }
        }
      }
    });
    return this.flushing;
  }

  private refreshDirty(): Promise<void> {
    this.refreshing ??= findDirtyBreakers(this.pool)
      .then((ids) => {
        // Sites this process found failing since are kept: the read may have started before.
        for (const id of this.dirty) if (this.pending.has(id)) ids.push(id);
        this.dirty = new Set(ids);
        this.dirtyReadAt = Date.now();
      })
      .catch(() => undefined)
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }
}
