import { performance } from 'node:perf_hooks';
import { GraphQLError } from 'graphql';
import type pg from 'pg';
import { type FieldError, FieldErrors } from '../validation/field-errors.js';
import { checkHeaderName, checkHeaderValue, checkStorableText } from '../validation/checks.js';
import { badInput, conflict, isUuid, notFound } from '../graphql/errors.js';
import { DISPATCH_WAKE, type PgPubSub } from '../db/pubsub.js';
import { log } from '../log.js';
import { encodeBody } from '../signing/signed-request.js';
import { RESERVED_HEADERS, reservedHeaderProblem } from '../validation/reserved-headers.js';
import { currentTraceParent } from '../tracing/tracing.js';
import { newDeliveryId } from './delivery-id.js';
import { publishUpdates } from './delivery-events.js';
import { Delivery, DeliveryAttempt, DeliveryStatus, type WebhookInput } from './delivery.types.js';
import { type AttemptRow, type DeliveryRow, deliveryExists, siteNameOf, deliveryStats, findDeliveriesByKeys, getDeliveries, listAttempts, listDeliveries } from './reads.sql.js';
import {
  type ClaimOptions,
  type ClaimResult,
  type NewDelivery,
  type RequeueCursor,
  insertClaimedDeliveries,
  insertDeliveries,
  requeueFailedDeliveries,
  requeueFailedDelivery,
} from './transitions.sql.js';

export const WEBHOOK_LIMITS = {
  batch: 1000,
  payloadBytes: 1_048_576,
  headers: 50,
  headerValueChars: 8192,
  idempotencyKeyChars: 200,
} as const;

/** Rows one statement of a bulk replay requeues; a larger replay repeats it (in the same call). */
export const REPLAY_BATCH = 1000;

/** What a bulk replay took: the filter as asked and how many deliveries were sent again. */
export interface ReplayResult {
  siteId: string;
  siteName: string;
  status: DeliveryStatus;
  since: Date | null;
  until: Date | null;
  count: number;
}

export const WEBHOOK_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'] as const;



export function toDelivery(row: DeliveryRow): Delivery {
  return Object.assign(new Delivery(), {
    id: row.id,
    siteId: row.site_id,
    status: row.status,
    method: row.method,
    idempotencyKey: row.idempotency_key,
    attemptCount: row.attempt_count,
    lastError: row.last_error,
    lastStatusCode: row.last_status_code,
    nextAttemptAt: row.status === 'PENDING' || row.status === 'RETRYING' ? row.next_attempt_at : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deliveredAt: row.delivered_at,
  });
}

function toAttempt(row: AttemptRow): DeliveryAttempt {
  return Object.assign(new DeliveryAttempt(), {
    number: row.number,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    statusCode: row.status_code,
    error: row.error,
    responseExcerpt: row.response_excerpt,
    responseTruncated: row.response_truncated,
    outcome: row.outcome as DeliveryStatus,
    nextAttemptAt: row.next_attempt_at,
  });
}

interface SiteRow {
  id: string;
  status: string;
  content_type: string;
  name: string;
}

/**
 * Accepting work and reading it back. A delivery is committed before `send` returns; the
 * dispatcher (in this or another process) is woken over LISTEN/NOTIFY.
 */
/** The dispatcher of this process, as `send` sees it: what it would claim now, and taking what it got. */
export interface InsertClaimer {
  claimWantsFor(siteId: string): { options: ClaimOptions; perLane: number } | undefined;
  adopt(siteId: string, claim: Extract<ClaimResult, { kind: 'claimed' }>, asked: number, answered: number, perLane: number): Promise<boolean>;
  /** Rows about to be inserted into the queue: the dispatcher keeps their bodies a while, for its own claim of them. */
  remember(rows: ReadonlyArray<{ id: string; body: Buffer }>): void;
  /** Rows not queued after all (claimed on insert, not inserted, the insert failed). */
  forget(rows: ReadonlyArray<{ id: string }>): void;
}

export class DeliveryService {
  /**
   * Set in processes that also send (role all): a batch for one site is then inserted already
   * claimed by this process when it has free lanes and slots and nothing of the site waits in
   * the queue (`insertClaimedDeliveries`), so those deliveries need no claim of their own.
   */
  claimer: InsertClaimer | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly pubsub: PgPubSub,
    /** Told of each delivery committed by `send` (metrics/); not of one an idempotency key found. */
    private readonly onAccepted?: (siteId: string) => void,
  ) {}

  /**
   * Validates every input first (all problems in one error, nothing stored), then inserts the
   * batch in one statement. `path` prefixes field errors: `input` or `inputs`.
   */
  async send(inputs: WebhookInput[], path: 'input' | 'inputs'): Promise<Delivery[]> {
    const errors = new FieldErrors();
    const at = (i: number) => errors.at(path === 'input' ? 'input' : `inputs.${i}`);
    if (path === 'inputs' && inputs.length > WEBHOOK_LIMITS.batch) {
      throw badInput([{ path: 'inputs', message: `At most ${WEBHOOK_LIMITS.batch} webhooks per call` }]);
    }
    const siteIds = [...new Set(inputs.map((i) => i.siteId).filter((id) => isUuid(id)))];
    const sites = new Map<string, SiteRow>();
    if (siteIds.length) {
      const result = await this.pool.query<SiteRow>(`SELECT id, status, content_type, name FROM site WHERE id = ANY($1::uuid[])`, [siteIds]);
      for (const row of result.rows) sites.set(row.id, row);
    }
    const missing: FieldError[] = [];
    const inactive: FieldError[] = [];
    const rows: NewDelivery[] = [];
    // The operation's span (null when tracing is off): each attempt's span becomes its child.
    const traceParent = currentTraceParent();
    inputs.forEach((input, i) => {
      const e = at(i);
      const before = errors.list.length;
      const site = isUuid(input.siteId) ? sites.get(input.siteId) : undefined;
      if (!isUuid(input.siteId)) e.add('siteId', 'Not a site id');
      else if (!site) missing.push({ path: `${path === 'input' ? 'input' : `inputs.${i}`}.siteId`, message: `No site has the id ${input.siteId}` });
      else if (site.status !== 'ACTIVE') {
        inactive.push({
          path: `${path === 'input' ? 'input' : `inputs.${i}`}.siteId`,
          message: `Site "${site.name}" is ${site.status}: only ACTIVE sites can be sent to`,
        });
      }
      const method = (input.method ?? 'POST').trim().toUpperCase();
      if (!(WEBHOOK_METHODS as readonly string[]).includes(method)) e.add('method', `Must be one of ${WEBHOOK_METHODS.join(', ')}`);
      const headers: Array<[string, string]> = [];
      const list = input.headers ?? [];
      if (list.length > WEBHOOK_LIMITS.headers) e.add('headers', `At most ${WEBHOOK_LIMITS.headers} headers`);
      list.forEach((header, h) => {
        const name = header.name.trim().toLowerCase();
        const reserved = checkHeaderName(e, `headers.${h}.name`, name) ? reservedHeaderProblem(name, RESERVED_HEADERS) : undefined;
        if (reserved) e.add(`headers.${h}.name`, reserved);
        // Checked here, not at sending: a value the HTTP client refuses would fail every attempt as if the receiver were down.
        if (header.value.length > WEBHOOK_LIMITS.headerValueChars) e.add(`headers.${h}.value`, `At most ${WEBHOOK_LIMITS.headerValueChars} characters`);
        else checkHeaderValue(e, `headers.${h}.value`, header.value);
        headers.push([name, header.value]);
      });
      const key = input.idempotencyKey ?? null;
      if (key !== null && (key.length === 0 || key.length > WEBHOOK_LIMITS.idempotencyKeyChars)) {
        e.add('idempotencyKey', `Must be 1 to ${WEBHOOK_LIMITS.idempotencyKeyChars} characters`);
      } else checkStorableText(e, 'idempotencyKey', key);
      if (input.payload === undefined) e.add('payload', 'Required');
      const body = method === 'GET' ? Buffer.alloc(0) : encodeBody(input.payload, site?.content_type ?? 'application/json');
      if (body.length > WEBHOOK_LIMITS.payloadBytes) e.add('payload', `At most ${WEBHOOK_LIMITS.payloadBytes} bytes once encoded`);
      if (errors.list.length === before && site) {
        rows.push({ id: newDeliveryId(), siteId: site.id, method, headers, body, idempotencyKey: key, traceParent });
      }
    });
    if (!errors.empty || missing.length || inactive.length) throw this.inputError(errors.list, missing, inactive);

    // The same key twice in one batch names one delivery.
    const byKey = new Map<string, NewDelivery>();
    const unique: NewDelivery[] = [];
    const chosen = rows.map((row) => {
      if (row.idempotencyKey === null) {
        unique.push(row);
        return row;
      }
      const k = `${row.siteId}\u0000${row.idempotencyKey}`;
      const seen = byKey.get(k);
      if (seen) return seen;
      byKey.set(k, row);
      unique.push(row);
      return row;
    });
    const { inserted, now } = await this.insert(unique);
    if (this.onAccepted) for (const row of unique) if (inserted.has(row.id)) this.onAccepted(row.siteId);
    const existing = await findDeliveriesByKeys(
      this.pool,
      unique.filter((r) => r.idempotencyKey !== null && !inserted.has(r.id)).map((r) => ({ siteId: r.siteId, key: r.idempotencyKey! })),
    );
    const existingByKey = new Map(existing.map((r) => [`${r.site_id}\u0000${r.idempotency_key}`, r]));
    // A delivery inserted now is what the insert wrote (no need to read 1,000 rows back); the
    // statement has already published dispatch.wake and delivery.updated for them.
    const result = chosen.map((row) => {
      if (inserted.has(row.id)) return toDelivery(insertedRow(row, now));
      const stored = existingByKey.get(`${row.siteId}\u0000${row.idempotencyKey}`);
      if (!stored) throw new Error('a delivery was neither inserted nor found by its idempotency key');
      return toDelivery(stored);
    });
    return result;
  }

  private async insert(rows: NewDelivery[]): Promise<{ inserted: Set<string>; now: Date }> {
    const siteId = rows[0]?.siteId;
    // Only a batch the dispatcher could take whole is inserted claimed (insertClaimedDeliveries):
    // a larger one, or one with idempotency keys, is queued without touching the site's gate.
    const claimable = siteId !== undefined && rows.every((r) => r.siteId === siteId && r.idempotencyKey === null);
    const wants = claimable ? this.claimer?.claimWantsFor(siteId) : undefined;
    // Kept before the insert: its commit wakes the dispatcher, whose claim may come before this call goes on.
    this.claimer?.remember(rows);
    if (!wants || rows.length > wants.options.maxCount) {
      const queued = await insertDeliveries(this.pool, rows).catch((error) => {
        this.claimer?.forget(rows);
        throw error;
      });
      if (queued.inserted.size < rows.length) this.claimer?.forget(rows.filter((r) => !queued.inserted.has(r.id)));
      return queued;
    }
    const asked = performance.now();
    const { inserted, now, claim } = await insertClaimedDeliveries(this.pool, siteId!, rows, wants.options).catch((error) => {
      this.claimer!.forget(rows);
      throw error;
    });
    // Those claimed on insert go to the dispatcher in memory; those not inserted (a key already stored) are not sent.
    const claimedNow = claim?.kind === 'claimed' ? new Set(claim.deliveries.map((d) => d.id)) : undefined;
    if (claimedNow?.size || inserted.size < rows.length) this.claimer!.forget(rows.filter((r) => claimedNow?.has(r.id) || !inserted.has(r.id)));
    if (claim?.kind === 'claimed') {
      const answered = performance.now();
      // Committed already: what the dispatcher does with them is its own business (a failure there
      // is the lease's to repair), not this request's.
      this.claimer!.adopt(siteId!, claim, asked, answered, wants.perLane).catch((error) => log.error('could not start sending deliveries claimed on insert', { error: String(error) }));
    }
    return { inserted, now };
  }

  private inputError(format: FieldError[], missing: FieldError[], inactive: FieldError[]): GraphQLError {
    const all = [...format, ...missing, ...inactive];
    // The code says what kind of fix is needed; fieldErrors always list every problem.
    if (format.length) return badInput(all);
    if (missing.length) {
      const error = notFound('Site', missing[0]!.message.replace(/^No site has the id /, ''));
      return new GraphQLError(missing.length === 1 ? missing[0]!.message : `${missing.length} sites do not exist`, {
        extensions: { ...error.extensions, fieldErrors: all },
      });
    }
    return conflict(inactive.length === 1 ? inactive[0]!.message : `${inactive.length} webhooks name sites that are not ACTIVE`, all);
  }

  async get(id: string): Promise<Delivery | null> {
    if (!isUuid(id)) return null;
    const [row] = await getDeliveries(this.pool, [id]);
    return row ? toDelivery(row) : null;
  }

  async getMany(ids: string[]): Promise<Delivery[]> {
    return (await getDeliveries(this.pool, ids.filter(isUuid))).map(toDelivery);
  }

  /** Each delivery's attempts, oldest first, in one query (ids that are not uuids are left out). */
  async attemptsOf(ids: string[]): Promise<Map<string, DeliveryAttempt[]>> {
    const byDelivery = new Map<string, DeliveryAttempt[]>();
    for (const row of await listAttempts(this.pool, ids.filter(isUuid))) {
      let list = byDelivery.get(row.delivery_id);
      if (!list) byDelivery.set(row.delivery_id, (list = []));
      list.push(toAttempt(row));
    }
    return byDelivery;
  }

  async list(args: { siteId?: string | null; status?: DeliveryStatus | null; since?: Date | null; until?: Date | null; first?: number | null; after?: string | null }) {
    const errors = new FieldErrors();
    const first = args.first ?? 20;
    if (!Number.isInteger(first) || first < 1 || first > 100) errors.add('first', 'Must be from 1 to 100');
    // "" is not "any site" (that is null): as SQL it would be an invalid uuid.
    if (args.siteId != null && !isUuid(args.siteId)) errors.add('siteId', 'Not a site id');
    const after = args.after ? Buffer.from(args.after, 'base64url').toString('utf8') : null;
    if (args.after && !isUuid(after!)) errors.add('after', 'Not a cursor from this list');
    if (args.since && args.until && args.since > args.until) errors.add('until', 'Must not be before since');
    if (!errors.empty) throw badInput(errors.list);
    const { rows, totalCount } = await listDeliveries(this.pool, { siteId: args.siteId, status: args.status, since: args.since, until: args.until }, first, after);
    return {
      deliveries: rows.slice(0, first).map(toDelivery),
      hasNextPage: rows.length > first,
      totalCount,
      cursorOf: (d: Delivery) => Buffer.from(d.id, 'utf8').toString('base64url'),
    };
  }

  /** Sends a FAILED delivery again, with a fresh attempt budget. */
  async retry(id: string): Promise<Delivery> {
    if (!isUuid(id) || !(await deliveryExists(this.pool, id))) throw notFound('Delivery', id);
    const row = await requeueFailedDelivery(this.pool, id);
    if (!row) {
      const current = await this.get(id);
      throw conflict(`Only a FAILED delivery can be retried; this one is ${current?.status}`);
    }
    await this.pubsub.publishAsync(DISPATCH_WAKE, { sites: [row.site_id] });
    publishUpdates(this.pubsub, [row]);
    return toDelivery(row);
  }

  /**
   * Sends every FAILED delivery of a site created in [since, until) again, each with a fresh
   * attempt budget as `retry` gives one; returns how many. Only FAILED may be replayed: `status`
   * is there so the filter reads like the deliveries list, and anything else is refused at its
   * path. Like `retry`, the site's status is not checked: deliveries of a site that is not ACTIVE
   * are requeued and held (PENDING/RETRYING, not sent) until it is. Batches of REPLAY_BATCH rows,
   * each one statement committed on its own; a second call finds nothing FAILED left and returns 0.
   */
  async retryMany(args: { siteId: string; status?: DeliveryStatus | null; since?: Date | null; until?: Date | null }): Promise<ReplayResult> {
    const errors = new FieldErrors();
    const status = args.status ?? DeliveryStatus.FAILED;
    if (!isUuid(args.siteId)) errors.add('siteId', 'Not a site id');
    if (status !== DeliveryStatus.FAILED) errors.add('status', `Only FAILED deliveries can be retried, not ${status}`);
    const since = args.since ?? null;
    const until = args.until ?? null;
    if (since && until && since > until) errors.add('until', 'Must not be before since');
    if (!errors.empty) throw badInput(errors.list);
    const site = await siteNameOf(this.pool, args.siteId);
    if (!site) {
      const error = notFound('Site', args.siteId);
      throw new GraphQLError(error.message, { extensions: { ...error.extensions, fieldErrors: [{ path: 'siteId', message: `No site has the id ${args.siteId}` }] } });
    }
    let count = 0;
    let after: RequeueCursor | undefined;
    do {
      const batch = await requeueFailedDeliveries(this.pool, { siteId: args.siteId, since, until }, after ?? null, REPLAY_BATCH);
      count += batch.requeued;
      after = batch.next;
    } while (after);
    return { siteId: args.siteId, siteName: site.name, status, since, until, count };
  }

  async stats(siteId: string | null | undefined, minutes: number | null | undefined) {
    const errors = new FieldErrors();
    const span = minutes ?? 5;
    if (!Number.isInteger(span) || span < 1 || span > 60) errors.add('minutes', 'Must be from 1 to 60');
    if (siteId != null && !isUuid(siteId)) errors.add('siteId', 'Not a site id');
    if (!errors.empty) throw badInput(errors.list);
    const rows = await deliveryStats(this.pool, siteId ?? null, span);
    return rows.map((r) => ({
      at: r.at,
      sent: r.sent,
      succeeded: r.succeeded,
      failed: r.failed,
      retried: r.retried,
      p50LatencyMs: r.p50_ms === null ? null : Number(r.p50_ms),
      avgLatencyMs: r.avg_ms === null ? null : Number(r.avg_ms),
    }));
  }
}

/** The row `insertDeliveries` stores for a new delivery (the columns' defaults, at the insert's time). */
function insertedRow(row: NewDelivery, now: Date): DeliveryRow {
  return {
    id: row.id,
    site_id: row.siteId,
    status: DeliveryStatus.PENDING,
    method: row.method,
    idempotency_key: row.idempotencyKey,
    attempt_count: 0,
    attempt_base: 0,
    last_error: null,
    last_status_code: null,
    next_attempt_at: now,
    created_at: now,
    updated_at: now,
    delivered_at: null,
  };
}
