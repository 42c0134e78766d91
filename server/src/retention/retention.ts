import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { databaseOutage, isDatabaseUnreachable } from '../db/outage.js';
import { deleteAuditEventsOlderThan } from '../audit/audit.sql.js';
import { deleteSiteEventsOlderThan } from '../breaker/breaker.sql.js';
import { log } from '../log.js';
import { type DeletedWindow, SCAN_START, type ScanPosition, deleteFinishedDeliveries, listSitesWithDeliveriesBefore, purgeExpiredSigningSecrets, retentionCutoff, tryRetentionLock } from './retention.sql.js';
import { createPool } from '../db/pool.js';
import { withTransaction } from '../db/sql.js';

export interface DeliveryRetentionOptions {
  databaseUrl: string;
  /** Finished deliveries last changed more than this many days ago are deleted; 0: none ever are. */
  days: number;
  /** Audit events older than this many days are deleted, after the deliveries; 0 or unset: every one is kept. */
  auditDays?: number;
  /** Site events older than this many days are deleted, after the audit events; 0 or unset: every one is kept. */
  siteEventDays?: number;
  /** Between the end of one run and the start of the next. */
  intervalMs: number;
  /** Most rows one statement looks at (and so deletes). */
  batchSize?: number;
  /** The first run after `start()`; default the interval, at most a minute. */
  firstRunDelayMs?: number;
}

export interface RetentionRun {
  deleted: number;
  /** Statements run: one per window of a site, and one per window of audit events. */
  batches: number;
  /** Audit events deleted, when AUDIT_RETENTION_DAYS is on. */
  auditDeleted?: number;
  /** Site events deleted, when SITE_EVENT_RETENTION_DAYS is on. */
  siteEventsDeleted?: number;
  /** Sites whose expired payload-signing secrets were dropped (every run, whatever the retention days). */
  signingPurged?: number;
  /** Why the run ended before looking at every site, if it did. */
  stoppedEarly?: 'stopping' | 'another process is removing';
}

const DEFAULT_BATCH_SIZE = 5000;
const MAX_FIRST_RUN_DELAY_MS = 60_000;

/**
 * Deletes finished deliveries (SUCCEEDED, FAILED) older than the retention, with their attempts,
 * so the tables stop growing, then audit events and site events older than theirs, then drops payload-signing
 * secrets whose rotation overlap has ended (their sealed values should not stay at rest; with both
 * retentions at 0 the job does not run and they go at the site's next signing change). Runs in processes that send (main.ts), shortly after start and then
 * every `intervalMs`; `runOnce()` is one run, for tests and the timer alike.
 *
 * A run goes site by site, each in windows of `batchSize` rows, one short transaction per window
 * (retention.sql.ts). Every sending process runs the job, so each window's transaction first tries
 * a transaction-level advisory lock (`pg_try_advisory_xact_lock`, never waited for): when another
 * process holds it, that one is at work and this run ends, leaving the rest to it. Row locks alone
 * (`SKIP LOCKED`) would keep two processes from deleting the same rows, but both would still read
 * every window; the advisory lock makes it one reader, and being per window it is never held
 * across a pause or after a crash. The rows themselves are locked `SKIP LOCKED`, so one an operator
 * or a site deletion is changing is left for the next run rather than waited for. Between windows
 * the run pauses as long as the window took: it never holds locks for long, and it takes at most
 * about half of one connection's time from PostgreSQL, whatever the backlog.
 *
 * It has its own connection (a pool of one), so it never takes one the API or the dispatcher is
 * waiting for, with `synchronous_commit` off (a delete lost in a PostgreSQL crash is simply done
 * again next run) and a statement timeout as a backstop.
 */
export class DeliveryRetention {
  private readonly pool: pg.Pool;
  private readonly batchSize: number;
  private readonly firstRunDelayMs: number;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<RetentionRun> | undefined;
  private stopping = false;
  private readonly abort = new AbortController();

  constructor(private readonly options: DeliveryRetentionOptions) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.firstRunDelayMs = options.firstRunDelayMs ?? Math.min(options.intervalMs, MAX_FIRST_RUN_DELAY_MS);
    this.pool = createPool({
      connectionString: options.databaseUrl,
      max: 1,
      application_name: 'trusted-sites-retention',
      options: '-c synchronous_commit=off -c statement_timeout=60000',
    });
  }

  get enabled(): boolean {
    return this.options.days > 0 || this.auditDays > 0 || this.siteEventDays > 0;
  }

  private get auditDays(): number {
    return this.options.auditDays ?? 0;
  }

  private get siteEventDays(): number {
    return this.options.siteEventDays ?? 0;
  }

  /** Whether a run is waiting on the timer. */
  get scheduled(): boolean {
    return this.timer !== undefined;
  }

  /** Whether a run is going on now. */
  get running(): boolean {
    return this.current !== undefined;
  }

  start(): void {
    if (this.stopping || this.timer) return;
    if (this.options.days <= 0) log.info('delivery retention is off (DELIVERY_RETENTION_DAYS=0): every delivery is kept');
    if (!this.enabled) return;
    this.schedule(this.firstRunDelayMs);
  }

  /** No new run starts; the one going on ends after its current window, and its connection is closed. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.current?.catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }

  /** One run now; while one is going on, that one. Resolves with what it deleted; rejects on a database error. */
  runOnce(): Promise<RetentionRun> {
    if (this.current) return this.current;
    if (this.stopping) return Promise.resolve({ deleted: 0, batches: 0, stoppedEarly: 'stopping' });
    if (!this.enabled) return Promise.resolve({ deleted: 0, batches: 0 });
    const run = this.run().finally(() => {
      this.current = undefined;
    });
    this.current = run;
    return run;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.runOnce()
        .then(() => databaseOutage.recovered('delivery retention'))
        .catch((error) => {
          // While PostgreSQL is away this is one line of the outage log; the next run tries again.
          if (isDatabaseUnreachable(error)) databaseOutage.failed('delivery retention', error);
          else log.error('delivery retention run failed', { error: (error as Error).message });
        })
        .finally(() => {
          if (!this.stopping) this.schedule(this.options.intervalMs);
        });
    }, ms);
    // A pending run never keeps the process alive.
    this.timer.unref();
  }

  private async run(): Promise<RetentionRun> {
    const started = performance.now();
    const result: RetentionRun = { deleted: 0, batches: 0 };
    // With deliveries kept, only the audit pass runs (no site is listed).
    const cutoff = this.options.days > 0 ? await retentionCutoff(this.pool, this.options.days) : undefined;
    const sites = cutoff ? await listSitesWithDeliveriesBefore(this.pool, cutoff) : [];
    sites: for (const siteId of sites) {
      let after: ScanPosition = SCAN_START;
      for (;;) {
        if (this.stopping) {
          result.stoppedEarly = 'stopping';
          break sites;
        }
        const windowStarted = performance.now();
        const window = await this.deleteWindow(siteId, cutoff!, after);
        if (!window) {
          result.stoppedEarly = 'another process is removing';
          break sites;
        }
        result.batches += 1;
        result.deleted += window.deleted;
        await this.pause(performance.now() - windowStarted);
        if (window.examined < this.batchSize || !window.last) break;
        after = window.last;
      }
    }
    // The audit trail, then site events, oldest first, in windows of batchSize rows under the same lock and pauses.
    if (this.auditDays > 0) {
      const deleted = await this.deleteOldRows(result, (client) => deleteAuditEventsOlderThan(client, this.auditDays, this.batchSize));
      if (deleted !== undefined) result.auditDeleted = deleted;
    }
    if (this.siteEventDays > 0) {
      const deleted = await this.deleteOldRows(result, (client) => deleteSiteEventsOlderThan(client, this.siteEventDays, this.batchSize));
      if (deleted !== undefined) result.siteEventsDeleted = deleted;
    }
    // Payload-signing secrets whose overlap has ended: one statement, only rows that have one.
    if (!result.stoppedEarly) {
      const purged = await this.locked((client) => purgeExpiredSigningSecrets(client));
      if (purged) {
        result.signingPurged = purged;
        log.info(`dropped expired payload-signing secrets of ${purged} sites`);
      }
    }
    if (result.auditDeleted) log.info(`audit retention removed ${result.auditDeleted} audit events older than ${this.auditDays} days`);
    if (result.siteEventsDeleted) log.info(`site event retention removed ${result.siteEventsDeleted} site events older than ${this.siteEventDays} days`);
    log.info(`delivery retention removed ${result.deleted} finished deliveries older than ${this.options.days} days`, {
      deleted: result.deleted,
      batches: result.batches,
      ms: Math.round(performance.now() - started),
      ...(result.stoppedEarly ? { stoppedEarly: result.stoppedEarly } : {}),
    });
    return result;
  }

  /**
   * Windows of `deleteWindow` (at most batchSize rows each, its own transaction under the lock)
   * until one deletes fewer; how many rows went (undefined: no window ran). Ends the run early (`stoppedEarly`) when stopping
   * or another process holds the lock; does nothing if the run has already ended.
   */
  private async deleteOldRows(result: RetentionRun, deleteWindow: (client: pg.PoolClient) => Promise<number>): Promise<number | undefined> {
    let total: number | undefined;
    while (!result.stoppedEarly) {
      if (this.stopping) {
        result.stoppedEarly = 'stopping';
        break;
      }
      const windowStarted = performance.now();
      const deleted = await this.locked(deleteWindow);
      if (deleted === undefined) {
        result.stoppedEarly = 'another process is removing';
        break;
      }
      result.batches += 1;
      total = (total ?? 0) + deleted;
      await this.pause(performance.now() - windowStarted);
      if (deleted < this.batchSize) break;
    }
    return total;
  }

  /** One window in its own transaction; undefined when another process holds the retention lock. */
  private deleteWindow(siteId: string, cutoff: string, after: ScanPosition): Promise<DeletedWindow | undefined> {
    return this.locked((client) => deleteFinishedDeliveries(client, siteId, cutoff, after, this.batchSize));
  }

  /** `work` in a transaction of its own holding the retention lock; undefined when another process holds it. */
  private locked<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T | undefined> {
    // Without the lock nothing was done: the transaction ends empty.
    return withTransaction(this.pool, async (client) => ((await tryRetentionLock(client)) ? work(client) : undefined));
  }

  /** Gives PostgreSQL back to everything else for as long as the last window took; cut short by stop(). */
  private async pause(ms: number): Promise<void> {
    if (this.stopping) return;
    await sleep(Math.ceil(ms), undefined, { signal: this.abort.signal, ref: false }).catch(() => undefined);
  }
}
