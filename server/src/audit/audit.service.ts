import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Principal } from '../access/tokens.js';
import { FieldErrors } from '../validation/field-errors.js';
import { badInput, isUuid } from '../graphql/errors.js';
import { log } from '../log.js';
import type { Site } from '../sites/site.entity.js';
import type { SiteService } from '../sites/site.service.js';
import { type AuditRow, insertAuditEvent, listAuditEvents, markConnectStarter, readConnectStarter } from './audit.sql.js';
import { type AuditEvent, type AuditEventsArgs, AuditOperation, AuditTargetType } from './audit.types.js';
import { type SiteSnapshot, changedPaths, snapshotSite } from './site-changes.js';

/** Who made a change: the request's API token as it was then. */
export interface Actor {
  tokenId: string | null;
  name: string;
}

/** TRUSTED_SITES_ADMIN_TOKEN's principal has the id 'env' and no row: recorded by name, id null. */
export function actorOf(principal: Principal): Actor {
  return { tokenId: isUuid(principal.tokenId) ? principal.tokenId : null, name: principal.name };
}

/** The callback of a connect whose start was not recorded (it began before the audit trail existed). */
const UNKNOWN_CONNECT_STARTER: Actor = { tokenId: null, name: 'OAuth callback' };

/** As oauth/token.service.ts stores a connect's state: SHA-256, base64url. */
function stateHash(state: string): string {
  return createHash('sha256').update(state).digest('base64url');
}

function toAuditEvent(row: AuditRow): AuditEvent {
  return {
    id: row.id,
    at: row.at,
    tokenId: row.token_id,
    tokenName: row.token_name,
    operation: row.operation as AuditOperation,
    targetType: row.target_type as AuditTargetType,
    targetId: row.target_id,
    targetName: row.target_name,
    siteId: row.site_id,
    siteName: row.site_name,
    changed: row.changed,
    details: row.details,
  };
}

/**
 * The audit trail (README.md here). Resolvers call it right after the change they record has
 * committed: the services they call own their transactions, so an event is written in one of its
 * own. A change whose event cannot be written (the database went away in between) answers with
 * the error, so the caller does not take an unrecorded change for a recorded one.
 */
export class AuditService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly sites: SiteService,
  ) {}

  async list(args: AuditEventsArgs): Promise<{ events: AuditEvent[]; hasNextPage: boolean; totalCount: number; cursorOf: (event: AuditEvent) => string }> {
    const errors = new FieldErrors();
    const first = args.first ?? 20;
    if (!Number.isInteger(first) || first < 1 || first > 100) errors.add('first', 'Must be from 1 to 100');
    // "" is not "every site": null is (an empty id would reach SQL as a uuid).
    if (args.siteId != null && !isUuid(args.siteId)) errors.add('siteId', 'Not a site id');
    if (args.tokenId != null && !isUuid(args.tokenId)) errors.add('tokenId', 'Not an API token id');
    const after = args.after ? Buffer.from(args.after, 'base64url').toString('utf8') : null;
    if (args.after && !/^[1-9][0-9]{0,18}$/.test(after!)) errors.add('after', 'Not a cursor from this list');
    if (args.since && args.until && args.since >= args.until) errors.add('until', 'Must be after since');
    if (!errors.empty) throw badInput(errors.list);
    const { rows, totalCount } = await listAuditEvents(this.pool, args, first, after);
    return {
      events: rows.slice(0, first).map(toAuditEvent),
      hasNextPage: rows.length > first,
      totalCount,
      cursorOf: (event) => Buffer.from(event.id, 'utf8').toString('base64url'),
    };
  }

  /** The site's fields as they are now, to compare with after a change; undefined when there is no such site. */
  async snapshot(siteId: string): Promise<SiteSnapshot | undefined> {
    const site = await this.sites.get(siteId);
    return site ? snapshotSite(site, (s) => this.sites.openSecrets(s)) : undefined;
  }

  /** A change of a site: created (no `before`: every field it has), updated (the fields that differ), deleted, tested, … */
  async siteEvent(principal: Principal, operation: AuditOperation, site: Site, changes: { before?: SiteSnapshot; after?: boolean; paths?: string[] } = {}): Promise<void> {
    const changed = changes.paths ?? (changes.after ? changedPaths(changes.before, snapshotSite(site, (s) => this.sites.openSecrets(s))) : []);
    await this.write(actorOf(principal), {
      operation, targetType: AuditTargetType.SITE, targetId: site.id, targetName: site.name, siteId: site.id, siteName: site.name, changed,
    });
  }

  async apiTokenEvent(principal: Principal, operation: AuditOperation, token: { id: string; name: string | null }, changed: string[] = []): Promise<void> {
    await this.write(actorOf(principal), {
      operation, targetType: AuditTargetType.API_TOKEN, targetId: token.id, targetName: token.name, siteId: null, siteName: null, changed,
    });
  }

  /** The token's name before it goes (revocation deletes the row). */
  async apiTokenName(id: string): Promise<string | null> {
    if (!isUuid(id)) return null;
    const { rows } = await this.pool.query<{ name: string }>('SELECT name FROM api_token WHERE id = $1', [id]);
    return rows[0]?.name ?? null;
  }

  async deliveryRetried(principal: Principal, delivery: { id: string; siteId: string }): Promise<void> {
    const site = await this.sites.get(delivery.siteId);
    await this.write(actorOf(principal), {
      operation: AuditOperation.DELIVERY_RETRIED, targetType: AuditTargetType.DELIVERY, targetId: delivery.id, targetName: null,
      siteId: delivery.siteId, siteName: site?.name ?? null, changed: [],
    });
  }

  /** retryDeliveries: the site, the filter and how many were sent again (never a delivery's payload). */
  async deliveriesRetried(principal: Principal, replay: { siteId: string; siteName: string; status: string; since: Date | null; until: Date | null; count: number }): Promise<void> {
    await this.write(actorOf(principal), {
      operation: AuditOperation.DELIVERIES_RETRIED, targetType: AuditTargetType.SITE, targetId: replay.siteId, targetName: replay.siteName,
      siteId: replay.siteId, siteName: replay.siteName, changed: [],
      details: { status: replay.status, since: replay.since?.toISOString() ?? null, until: replay.until?.toISOString() ?? null, count: replay.count },
    });
  }

  /**
   * startOAuthConnect: recorded, and its state row told who started it, so the callback (a browser
   * redirect without an API token) is recorded against that token. The state is read from the
   * authorization URL and only its hash is used, as oauth_state holds it.
   */
  async connectStarted(principal: Principal, site: Site, authorizationUrl: string): Promise<void> {
    const actor = actorOf(principal);
    const state = new URL(authorizationUrl).searchParams.get('state');
    if (state) await markConnectStarter(this.pool, stateHash(state), actor.tokenId, actor.name);
    await this.siteEvent(principal, AuditOperation.OAUTH_CONNECT_STARTED, site);
  }

  /** Before the callback uses its state up: who started this connect. */
  async connectStarter(siteId: string, state: string | undefined): Promise<Actor> {
    if (!state || !isUuid(siteId)) return UNKNOWN_CONNECT_STARTER;
    const starter = await readConnectStarter(this.pool, stateHash(state), siteId);
    return starter?.tokenName ? { tokenId: starter.tokenId, name: starter.tokenName } : UNKNOWN_CONNECT_STARTER;
  }

  /** A connect that obtained a token. Never throws: the browser is sent back to the dashboard whatever happens here. */
  async connectCompleted(actor: Actor, siteId: string): Promise<void> {
    try {
      const site = await this.sites.get(siteId);
      await this.write(actor, {
        operation: AuditOperation.OAUTH_CONNECT_COMPLETED, targetType: AuditTargetType.SITE, targetId: siteId, targetName: site?.name ?? null,
        siteId, siteName: site?.name ?? null, changed: [],
      });
    } catch {
      // write() logged it.
    }
  }

  private async write(actor: Actor, event: { operation: AuditOperation; targetType: AuditTargetType; targetId: string; targetName: string | null; siteId: string | null; siteName: string | null; changed: string[]; details?: Record<string, unknown> }): Promise<void> {
    try {
      await insertAuditEvent(this.pool, { tokenId: actor.tokenId, tokenName: actor.name, ...event });
    } catch (error) {
      log.error('could not record an audit event', { operation: event.operation, targetType: event.targetType, targetId: event.targetId, error: (error as { code?: string }).code });
      throw error;
    }
  }
}
