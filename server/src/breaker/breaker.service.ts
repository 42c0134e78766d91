import { GraphQLError } from 'graphql';
import type pg from 'pg';
import type { BreakerConfig } from '../config.js';
import { ADVISORY_LOCKS } from '../db/locks.js';
import { withTransaction } from '../db/sql.js';
import { badInput, isUuid, notFound } from '../graphql/errors.js';
import { log } from '../log.js';
import type { Site } from '../sites/site.entity.js';
import type { SiteService } from '../sites/site.service.js';
import { FieldErrors } from '../validation/field-errors.js';
import { type EffectiveSettings, type NewEvent, type Observation, CLOSED_ROW, applyObservations } from './breaker-policy.js';
import {
  type SiteBreakerRecord,
  type StoredBreakerSettings,
  deleteOperationalWebhook,
  findExpiringCertificates,
  disableSite,
  getSiteEvent,
  insertSiteEvent,
  listSiteEvents,
  lockBreaker,
  readBreakers,
  readOperationalWebhook,
  saveOperationalWebhook,
  updateBreakerSettings,
  writeBreaker,
} from './breaker.sql.js';
import { type BreakerSettingsInput, BreakerState, type OperationalWebhook, type SiteBreaker, type SiteEvent, SiteEventKind } from './breaker.types.js';

/** Bounds of the per-site settings (the deployment's own are checked by config.ts with the same ranges). */
export const BREAKER_LIMITS = {
  failureThreshold: { min: 1, max: 10_000 },
  failureWindowSeconds: { min: 0, max: 604_800 },
  autoDisableAfterSeconds: { min: 0, max: 7_776_000 },
} as const;

export function effectiveSettings(config: BreakerConfig, stored: StoredBreakerSettings): EffectiveSettings {
  return {
    failureThreshold: stored.failureThreshold ?? config.failureThreshold,
    failureWindowSeconds: stored.failureWindowSeconds ?? config.failureWindowSeconds,
    autoDisableAfterSeconds: stored.autoDisableAfterSeconds ?? config.autoDisableAfterSeconds,
    pauseBaseMs: config.pauseBaseMs,
    pauseMaxMs: config.pauseMaxMs,
  };
}

/** NOT_FOUND, with the field path (as retryDeliveries answers an unknown site). */
function siteNotFound(siteId: string): GraphQLError {
  const error = notFound('Site', siteId);
  return new GraphQLError(error.message, { extensions: { ...error.extensions, fieldErrors: [{ path: 'siteId', message: `No site has the id ${siteId}` }] } });
}

function isJsonMedia(contentType: string): boolean {
  const media = contentType.split(';')[0]!.trim().toLowerCase();
  return media === 'application/json' || media.endsWith('+json');
}

export interface SiteEventPage {
  events: SiteEvent[];
  totalCount: number;
  hasNextPage: boolean;
  cursorOf(event: SiteEvent): string;
}

/**
 * The circuit breaker's changes that do not come from attempts (README.md here): reading it,
 * closing it by hand, the per-site settings, site events, and the operational webhook's setting.
 * What attempts do to it is `recordOutcomes`, called by the dispatcher (breaker-recorder.ts).
 */
export class BreakerService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly config: BreakerConfig,
    private readonly sites: SiteService,
  ) {}

  toSiteBreaker(record: SiteBreakerRecord): SiteBreaker {
    const { row, settings } = record;
    const effective = effectiveSettings(this.config, settings);
    return {
      state: row.state,
      consecutiveFailures: row.failures,
      failingSince: row.failingSince,
      openedAt: row.state === BreakerState.CLOSED ? null : row.openedAt,
      nextProbeAt: row.state === BreakerState.OPEN ? row.nextProbeAt : null,
      opens: row.opens,
      reason: row.state === BreakerState.CLOSED ? null : row.reason,
      settings: { ...settings },
      effective: { ...effective },
    };
  }

  /** The breakers of these sites, by id (batched by the operation's loader). */
  async breakersOf(siteIds: string[]): Promise<Map<string, SiteBreaker>> {
    const records = await readBreakers(this.pool, siteIds);
    return new Map([...records].map(([id, record]) => [id, this.toSiteBreaker(record)]));
  }

  /** The breaker of a site that has no row (deleted meanwhile): CLOSED with the defaults. */
  closedBreaker(): SiteBreaker {
    return this.toSiteBreaker({ siteId: '', siteName: '', siteStatus: '', row: { ...CLOSED_ROW }, settings: { failureThreshold: null, failureWindowSeconds: null, autoDisableAfterSeconds: null }, now: new Date() });
  }

  /**
   * Applies finished attempts to the site's breaker, in one transaction under its gate lock:
   * opens, closes, re-opens after a failed probe, or disables the site, storing an event for each
   * change (published, and sent to the operational site).
   */
  async recordOutcomes(siteId: string, observations: Observation[]): Promise<SiteBreakerRecord | undefined> {
    return withTransaction(this.pool, async (client) => {
      const record = await lockBreaker(client, siteId);
      if (!record) return undefined;
      // A site set INACTIVE (by hand, or disabled) is not judged by what its last attempts did.
      if (record.siteStatus !== 'ACTIVE') return record;
      const applied = applyObservations(record.row, effectiveSettings(this.config, record.settings), observations, record.now);
      if (!applied.changed) return record;
      const before = record.row.state;
      await writeBreaker(client, siteId, applied.row, {
        wake: before !== BreakerState.CLOSED && applied.row.state === BreakerState.CLOSED && applied.disable === null,
        stopLanes: applied.row.state === BreakerState.OPEN && before !== BreakerState.OPEN,
      });
      if (applied.disable !== null) await disableSite(client, siteId, applied.disable);
      for (const event of applied.events) {
        await insertSiteEvent(client, siteId, event);
        log.info('site event', { siteId, kind: event.kind, from: event.fromState, to: event.toState });
      }
      return { ...record, row: applied.row };
    });
  }

  /** Closes the breaker by hand (resetBreaker) or because the site was set ACTIVE; an event when it was not CLOSED. */
  async reset(siteId: string, by: 'hand' | 'reactivated' = 'hand'): Promise<Site> {
    const site = isUuid(siteId) ? await this.sites.get(siteId) : null;
    if (!site) throw siteNotFound(siteId);
    await withTransaction(this.pool, async (client) => {
      const record = await lockBreaker(client, siteId);
      if (!record) return;
      const wasOpen = record.row.state !== BreakerState.CLOSED;
      if (!wasOpen && record.row.failures === 0) return;
      await writeBreaker(client, siteId, { ...CLOSED_ROW }, { wake: wasOpen, stopLanes: false });
      if (wasOpen) {
        await insertSiteEvent(client, siteId, {
          kind: SiteEventKind.BREAKER_CLOSED,
          fromState: record.row.state,
          toState: BreakerState.CLOSED,
          reason: by === 'hand' ? 'closed by hand (resetBreaker)' : 'the site was set ACTIVE',
          details: { by },
        });
      }
    });
    return site;
  }

  async updateSettings(siteId: string, input: BreakerSettingsInput): Promise<{ site: Site; changed: string[] }> {
    const errors = new FieldErrors('input');
    const given: Partial<StoredBreakerSettings> = {};
    for (const key of Object.keys(BREAKER_LIMITS) as Array<keyof typeof BREAKER_LIMITS>) {
      const value = input[key];
      if (value === undefined) continue;
      const { min, max } = BREAKER_LIMITS[key];
      if (value !== null && (!Number.isInteger(value) || value < min || value > max)) {
        errors.add(key, `Must be a whole number from ${min} to ${max.toLocaleString('en-US')}, or null for the deployment default (${this.config[key]})`);
        continue;
      }
      given[key] = value;
    }
    if (!isUuid(siteId)) throw badInput([{ path: 'siteId', message: 'Not a site id' }]);
    if (!errors.empty) throw badInput(errors.list);
    const before = (await readBreakers(this.pool, [siteId])).get(siteId);
    if (!before) throw siteNotFound(siteId);
    const changed = (Object.keys(given) as Array<keyof StoredBreakerSettings>).filter((key) => before.settings[key] !== given[key]).map((key) => `breaker.${key}`);
    if (changed.length) await updateBreakerSettings(this.pool, siteId, given);
    return { site: (await this.sites.require(siteId))!, changed };
  }

  async events(args: { siteId?: string | null; kind?: string | null; first?: number | null; after?: string | null }): Promise<SiteEventPage> {
    const first = args.first ?? 20;
    if (!Number.isInteger(first) || first < 1 || first > 100) throw badInput([{ path: 'first', message: 'Must be from 1 to 100' }]);
    if (args.siteId && !isUuid(args.siteId)) throw badInput([{ path: 'siteId', message: 'Not a site id' }]);
    let after: string | null = null;
    if (args.after) {
      after = Buffer.from(args.after, 'base64url').toString('utf8');
      if (!/^\d{1,18}$/.test(after)) throw badInput([{ path: 'after', message: 'Not a cursor from this list' }]);
    }
    const { events, totalCount } = await listSiteEvents(this.pool, { siteId: args.siteId ?? null, kind: args.kind ?? null }, first, after);
    return {
      events: events.slice(0, first),
      totalCount,
      hasNextPage: events.length > first,
      cursorOf: (event) => Buffer.from(event.id).toString('base64url'),
    };
  }

  async event(id: string): Promise<SiteEvent | undefined> {
    return getSiteEvent(this.pool, id);
  }

  /** Stores an event that is not the breaker's (a token needing a person, a certificate expiring). */
  async record(siteId: string, event: NewEvent): Promise<SiteEvent> {
    return insertSiteEvent(this.pool, siteId, event);
  }

  /**
   * Records CERTIFICATE_EXPIRING for every client certificate expiring within 30 days (or expired)
   * that has no event yet; the number recorded. Run by every sending process (certificate watch in
   * main.ts) and serialised by an advisory lock, so each certificate gets one event.
   */
  async recordExpiringCertificates(): Promise<number> {
    return withTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.CERTIFICATE_EXPIRY]);
      const due = await findExpiringCertificates(client);
      for (const { siteId, expiresAt } of due) {
        const expired = expiresAt.getTime() <= Date.now();
        await insertSiteEvent(client, siteId, {
          kind: SiteEventKind.CERTIFICATE_EXPIRING,
          fromState: null,
          toState: null,
          reason: expired ? `The client certificate expired at ${expiresAt.toISOString()}` : `The client certificate expires at ${expiresAt.toISOString()}: renew it`,
          details: { expiresAt: expiresAt.toISOString(), expired },
        });
      }
      return due.length;
    });
  }

  async operationalWebhook(): Promise<OperationalWebhook | null> {
    return (await readOperationalWebhook(this.pool)) ?? null;
  }

  async setOperationalWebhook(siteId: string, setBy: string): Promise<{ setting: OperationalWebhook; site: Site }> {
    const site = isUuid(siteId) ? await this.sites.get(siteId) : null;
    if (!site) throw siteNotFound(siteId);
    if (site.status !== 'ACTIVE') throw badInput([{ path: 'siteId', message: `The site is ${site.status}: choose an ACTIVE site` }]);
    if (!isJsonMedia(site.contentType)) {
      throw badInput([{ path: 'siteId', message: `The site sends ${site.contentType}: operational webhooks are JSON, choose a site whose content type is application/json (or +json)` }]);
    }
    return { setting: await saveOperationalWebhook(this.pool, siteId, setBy), site };
  }

  /** The site it named (for the audit), or null when none was set. */
  async clearOperationalWebhook(): Promise<Site | null> {
    const siteId = await deleteOperationalWebhook(this.pool);
    return siteId ? await this.sites.get(siteId) : null;
  }
}

