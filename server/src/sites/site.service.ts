import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { FieldErrors } from '../validation/field-errors.js';
import { checkDisplayName, checkHttpUrl, checkStorableText, isMediaType, required } from '../validation/checks.js';
import type { AuthMethodDefinition } from '../auth/definition.js';
import { AUTH_METHOD_LIST, type AuthConfig, definitionOf } from '../auth/registry.js';
import type { AuthMethod, Secrets } from '../auth/types.js';
import type { SecretBox, Sealed } from '../crypto/secrets.js';
import type { Database } from '../db/orm.js';
import { badInput, isUuid, notFound } from '../graphql/errors.js';
import { hydrateAuthConfig } from './auth-config-type.js';
import { PERFORMANCE_LIMITS, Site, SiteStatus } from './site.entity.js';
import type { PerformanceInput, SiteInput, SiteUpdateInput } from './site.inputs.js';
import {
  SIGNING_LIMITS,
  type StoredSigningSecret,
  addSecret,
  activeSecrets,
  checkSecret,
  generateSecret,
  purgeExpired,
  signingSecretKey,
} from './payload-signing.js';
import { headerSecretKey, parseStaticHeaders } from './static-headers.js';
import { CLIENT_KEY_FIELD, type ClientCertificateInput, type StoredClientCertificate, clientTlsOf, parseClientCertificate } from './client-certificate.js';
import type { ClientTls } from '../net/outgoing.js';

export interface SiteEvents {
  siteChanged(site: Site, change: 'created' | 'updated' | 'deleted' | 'status'): void | Promise<void>;
}

/** What a signing mutation did: `secret` is the new secret's plaintext when the service made it (shown this once). */
export interface SigningChange {
  site: Site;
  created: StoredSigningSecret | null;
  secret: string | null;
}

export interface SitePage {
  sites: Site[];
  totalCount: number;
  hasNextPage: boolean;
  cursorOf(site: Site): string;
}

const MEMBER_LABEL = (d: AuthMethodDefinition) => d.inputKey;

function encodeCursor(site: Site): string {
  return Buffer.from(JSON.stringify([site.nameKey, site.id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && isUuid(String(value[1]))) {
      return value as [string, string];
    }
  } catch {
    // fall through
  }
  return undefined;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The sealing context binds a secret to one field of one site (see SecretBox). */
export function secretContext(siteId: string, field: string): string {
  return `site:${siteId}:${field}`;
}

export class SiteService {
  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly events?: SiteEvents,
  ) {}

  private em(): EntityManager {
    return this.db.orm.em.fork() as EntityManager;
  }

  async get(id: string): Promise<Site | null> {
    if (!isUuid(id)) return null;
    return this.em().findOne(Site, { id });
  }

  /** The sites among `ids` that exist, in no particular order; one query however many ids. */
  async getMany(ids: readonly string[]): Promise<Site[]> {
    const wanted = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
    if (!wanted.length) return [];
    return this.em().find(Site, { id: { $in: wanted } });
  }

  async require(id: string): Promise<Site> {
    const site = await this.get(id);
    if (!site) throw notFound('Site', id);
    return site;
  }

  async list(args: { status?: SiteStatus | null; authMethod?: AuthMethod | null; search?: string | null; first?: number | null; after?: string | null }): Promise<SitePage> {
    const errors = new FieldErrors();
    const first = args.first ?? 20;
    if (!Number.isInteger(first) || first < 1 || first > 100) errors.add('first', 'Must be from 1 to 100');
    const cursor = args.after ? decodeCursor(args.after) : undefined;
    if (args.after && !cursor) errors.add('after', 'Not a cursor from this list');
    // PostgreSQL refuses a NUL in a query parameter: no name or URL holds one anyway.
    checkStorableText(errors, 'search', args.search);
    if (!errors.empty) throw badInput(errors.list);
    const where: Record<string, unknown> = {};
    if (args.status) where.status = args.status;
    if (args.authMethod) where.authMethod = args.authMethod;
    const search = args.search?.trim();
    if (search) {
      const pattern = `%${escapeLike(search.toLowerCase())}%`;
      where.$or = [{ nameKey: { $like: pattern } }, { url: { $ilike: pattern } }];
    }
    const em = this.em();
    const totalCount = await em.count(Site, where);
    const pageWhere = cursor
      ? { $and: [where, { $or: [{ nameKey: { $gt: cursor[0] } }, { nameKey: cursor[0], id: { $gt: cursor[1] } }] }] }
      : where;
    const rows = await em.find(Site, pageWhere, { orderBy: { nameKey: 'asc', id: 'asc' }, limit: first + 1 });
    return { sites: rows.slice(0, first), totalCount, hasNextPage: rows.length > first, cursorOf: encodeCursor };
  }

  async active(): Promise<Site[]> {
    return this.em().find(Site, { status: SiteStatus.ACTIVE }, { orderBy: { nameKey: 'asc', id: 'asc' } });
  }

  async create(input: SiteInput): Promise<Site> {
    const id = randomUUID();
    const now = new Date();
    const site = Object.assign(new Site(), { id, status: SiteStatus.DRAFT, createdAt: now, updatedAt: now });
    await this.applyInput(site, input, undefined);
    const em = this.em();
    await em.persistAndFlush(site);
    await this.events?.siteChanged(site, 'created');
    return site;
  }

  async update(id: string, input: SiteUpdateInput): Promise<Site> {
    const em = this.em();
    const site = isUuid(id) ? await em.findOne(Site, { id }) : null;
    if (!site) throw notFound('Site', id);
    await this.applyInput(site, input, site.auth);
    site.updatedAt = new Date();
    await em.flush();
    await this.events?.siteChanged(site, 'updated');
    return site;
  }

  async delete(id: string): Promise<boolean> {
    const em = this.em();
    const site = isUuid(id) ? await em.findOne(Site, { id }) : null;
    if (!site) throw notFound('Site', id);
    await em.removeAndFlush(site);
    await this.events?.siteChanged(site, 'deleted');
    return true;
  }

  async setStatus(id: string, status: SiteStatus): Promise<Site> {
    if (status === SiteStatus.DRAFT) {
      throw badInput([{ path: 'status', message: 'A site can be set ACTIVE or INACTIVE; DRAFT is only where a new site starts' }]);
    }
    const em = this.em();
    const site = isUuid(id) ? await em.findOne(Site, { id }) : null;
    if (!site) throw notFound('Site', id);
    if (site.status !== status) {
      site.status = status;
      // A status set by hand says nothing about why the service had set the previous one.
      site.statusReason = null;
      site.updatedAt = new Date();
      await em.flush();
      await this.events?.siteChanged(site, 'status');
    }
    return site;
  }

  /**
   * The plaintext secrets of a site, for signing: its auth method's, and its secret static headers'
   * under `header:<name>` (headerSecretKey), so that signWebhook sends them and everything that masks
   * "the site's secrets" masks them too. Never passed to a logger or a response.
   */
  openSecrets(site: Site): Secrets<string> {
    const secrets = this.openSecretsOf(site.id, site.auth);
    for (const header of site.storedHeaders ?? []) {
      const key = headerSecretKey(header.name);
      if (header.sealed !== null) secrets[key] = this.box.open(header.sealed as Sealed, secretContext(site.id, key));
    }
    for (const secret of activeSecrets(site.storedSigning, new Date())) {
      const key = signingSecretKey(secret.id);
      secrets[key] = this.box.open(secret.sealed as Sealed, secretContext(site.id, key));
    }
    return secrets;
  }

  /**
   * Turns payload signatures on. A site without a signing secret gets one: `secret` when given
   * (checked), else one made here and returned this once. A site that has one keeps it: giving
   * another is refused (rotateSigningSecret adds one with an overlap).
   */
  async enableSigning(id: string, secret: string | null | undefined): Promise<SigningChange> {
    return this.changeSigning(id, (site, now, errors) => {
      const current = purgeExpired(site.storedSigning, now);
      if (secret !== undefined && secret !== null) {
        if (current.secrets.length) errors.add('secret', 'This site already has a signing secret: use rotateSigningSecret to add another');
        else checkSecret(errors, 'secret', secret);
      }
      if (!errors.empty) return undefined;
      if (current.secrets.length) return { signing: { ...current, enabled: true }, created: null, secret: null };
      const plaintext = secret ?? generateSecret();
      const { signing, added } = addSecret(current, plaintext, 0, now, this.signingSealing(site.id));
      return { signing: { ...signing, enabled: true }, created: added, secret: secret ? null : plaintext };
    });
  }

  /** Turns payload signatures off; the secrets are kept, so turning them on again signs as before. */
  async disableSigning(id: string): Promise<Site> {
    const change = await this.changeSigning(id, (site, now) => ({ signing: { ...purgeExpired(site.storedSigning, now), enabled: false }, created: null, secret: null }));
    return change.site;
  }

  /**
   * Adds a signing secret (`secret`, checked, or one made here and returned this once). The
   * secrets signing now keep signing for `overlapMinutes` more (or less, if a rotation already
   * set them to end sooner), then stop; those already ended are removed from storage.
   */
  async rotateSigningSecret(id: string, overlapMinutes: number, secret: string | null | undefined): Promise<SigningChange> {
    return this.changeSigning(id, (site, now, errors) => {
      const { min, max } = SIGNING_LIMITS.overlapMinutes;
      if (!Number.isInteger(overlapMinutes) || overlapMinutes < min || overlapMinutes > max) {
        errors.add('overlapMinutes', `Must be a whole number of minutes from ${min} to ${max.toLocaleString('en')} (30 days)`);
      }
      if (secret !== undefined && secret !== null) {
        // The same secret twice would only send the same signature twice.
        if (checkSecret(errors, 'secret', secret) && activeSecrets(site.storedSigning, now).some((s) => this.openSigningSecret(site.id, s) === secret)) {
          errors.add('secret', 'This secret is already signing for this site');
        }
      }
      const current = purgeExpired(site.storedSigning, now);
      if (overlapMinutes > 0 && current.secrets.length >= SIGNING_LIMITS.activeSecrets) {
        errors.add('overlapMinutes', `At most ${SIGNING_LIMITS.activeSecrets} secrets sign at once and ${current.secrets.length} do now: rotate with an overlap of 0, or wait until one ends`);
      }
      if (!errors.empty) return undefined;
      const plaintext = secret ?? generateSecret();
      const { signing, added } = addSecret(current, plaintext, overlapMinutes, now, this.signingSealing(site.id));
      return { signing, created: added, secret: secret ? null : plaintext };
    });
  }

  /**
   * The site's client certificate with its key opened, for an outgoing client (OutgoingHttp's
   * `tls`); null without one. Never passed to a logger or a response.
   */
  openClientCertificate(site: Site): ClientTls | null {
    return clientTlsOf(site.storedClientCertificate, (stored) => this.openClientKey(site.id, stored));
  }

  private openClientKey(siteId: string, stored: StoredClientCertificate): string {
    return this.box.open(stored.sealedKey as Sealed, secretContext(siteId, CLIENT_KEY_FIELD));
  }

  /**
   * Sets (or replaces) the site's client certificate after checking it (client-certificate.ts:
   * parseClientCertificate), with the row locked. An omitted key keeps the stored one, which must
   * match the new certificate. Refused input changes nothing.
   */
  async setClientCertificate(id: string, input: ClientCertificateInput): Promise<Site> {
    const change = await this.changeClientCertificate(id, (site, now, errors) =>
      parseClientCertificate(input, site.storedClientCertificate, now, errors, {
        box: this.box,
        context: secretContext(site.id, CLIENT_KEY_FIELD),
        openStored: (stored) => this.openClientKey(site.id, stored),
      }),
    );
    return change.site;
  }

  /**
   * Removes the site's client certificate (connections made with it are dropped at the next
   * request). `removed` is false, and nothing is written, when the site had none.
   */
  async removeClientCertificate(id: string): Promise<{ site: Site; removed: boolean }> {
    return this.changeClientCertificate(id, () => null);
  }

  private async changeClientCertificate(
    id: string,
    apply: (site: Site, now: Date, errors: FieldErrors) => StoredClientCertificate | null | undefined,
  ): Promise<{ site: Site; removed: boolean }> {
    const { site, result } = await this.changeLocked(id, (site, now, errors) => {
      const stored = apply(site, now, errors);
      if (stored === undefined || !errors.empty) return undefined;
      // Removing what is not there changes nothing: no write, no event.
      if (stored === null && site.storedClientCertificate === null) return { result: false, changed: false };
      site.storedClientCertificate = stored;
      site.clientCertificateExpiresAt = stored ? new Date(stored.notAfter) : null;
      return { result: stored === null, changed: true };
    });
    return { site, removed: result };
  }

  /**
   * One change of a site under its row lock, so two at once both land (two rotations, a rotation
   * and a certificate). `apply` checks into `errors` and changes the site, or refuses — errors, or
   * undefined — and nothing is written; it answers what the caller returns and whether anything
   * changed (false: no write, no event). site.changed is published after the commit.
   */
  private async changeLocked<T>(
    id: string,
    apply: (site: Site, now: Date, errors: FieldErrors) => { result: T; changed: boolean } | undefined,
  ): Promise<{ site: Site; result: T }> {
    if (!isUuid(id)) throw notFound('Site', id);
    const change = await this.em().transactional(async (em) => {
      const site = await em.findOne(Site, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!site) throw notFound('Site', id);
      const errors = new FieldErrors();
      const now = new Date();
      const applied = apply(site, now, errors);
      if (!applied || !errors.empty) throw badInput(errors.list);
      if (applied.changed) site.updatedAt = now;
      return { site, ...applied };
    });
    if (change.changed) await this.events?.siteChanged(change.site, 'updated');
    return { site: change.site, result: change.result };
  }

  private signingSealing(siteId: string) {
    return { box: this.box, context: (field: string) => secretContext(siteId, field) };
  }

  private openSigningSecret(siteId: string, secret: StoredSigningSecret): string {
    return this.box.open(secret.sealed as Sealed, secretContext(siteId, signingSecretKey(secret.id)));
  }

  /**
   * One change of a site's signing (changeLocked: the row locked, so two rotations at once both
   * land). `apply` adds to `errors` and returns undefined to refuse: nothing is written then.
   */
  private async changeSigning(
    id: string,
    apply: (site: Site, now: Date, errors: FieldErrors) => { signing: Site['storedSigning']; created: StoredSigningSecret | null; secret: string | null } | undefined,
  ): Promise<SigningChange> {
    const { site, result } = await this.changeLocked(id, (site, now, errors) => {
      const applied = apply(site, now, errors);
      if (!applied || !errors.empty) return undefined;
      site.storedSigning = applied.signing;
      return { result: { created: applied.created, secret: applied.secret }, changed: true };
    });
    return { site, ...result };
  }

  /**
   * Validates an input against docs/specification.md §2–§3 and applies it to the site, or throws
   * one BAD_USER_INPUT listing every problem. Nothing is written when it throws.
   */
  private async applyInput(site: Site, input: SiteInput | SiteUpdateInput, existing: AuthConfig | undefined): Promise<void> {
    const errors = new FieldErrors();
    const isCreate = existing === undefined;

    const name = input.name === undefined || input.name === null ? (isCreate ? '' : site.name) : input.name.trim();
    if (required(errors, 'name', name, 'Name') && name.length > 120) errors.add('name', 'Must be at most 120 characters');
    // On what was typed: trim() would quietly drop a leading U+FEFF, and the rest should be seen too.
    checkDisplayName(errors, 'name', input.name ?? name);

    // Stored normalised, so the URL shown, previewed and requested is one string.
    const url = checkHttpUrl(errors, 'url', input.url === undefined || input.url === null ? (isCreate ? '' : site.url) : input.url) ?? '';

    const contentType = input.contentType?.trim() || (isCreate || input.contentType === '' ? 'application/json' : site.contentType);
    if (!isMediaType(contentType)) errors.add('contentType', 'Must be a media type such as application/json or text/plain; charset=utf-8');

    const performance = this.parsePerformance(input.performance, isCreate ? undefined : site, errors);
    // Omitted or null: off for a new site, kept for an update (like the other optional fields).
    const sendTraceparent = input.sendTraceparent ?? (isCreate ? false : site.sendTraceparent);

    let auth: AuthConfig | undefined = existing;
    if (isCreate || input.auth) {
      auth = this.parseAuth(site.id, input.auth ?? undefined, existing, errors);
    }

    // After auth: the method's own headers (an API key's, SigV4's x-amz-*) are not for static headers.
    const reserved = auth ? (definitionOf(auth.method).reservedHeaders?.(auth as never) ?? {}) : {};
    const storedHeaders = parseStaticHeaders(
      input.headers,
      isCreate ? [] : site.storedHeaders,
      reserved,
      { box: this.box, context: (header) => secretContext(site.id, headerSecretKey(header)) },
      errors,
    );

    if (name && !errors.list.some((e) => e.path === 'name')) {
      const clash = await this.em().findOne(Site, { nameKey: name.toLowerCase(), id: { $ne: site.id } });
      if (clash) errors.add('name', `A site named "${clash.name}" already exists (names are compared without case)`);
    }
    if (!errors.empty) throw badInput(errors.list);

    Object.assign(site, { name, nameKey: name.toLowerCase(), url, contentType, ...performance, sendTraceparent });
    site.auth = auth!;
    site.authMethod = auth!.method;
    site.storedHeaders = storedHeaders;
  }

  private parsePerformance(input: PerformanceInput | null | undefined, site: Site | undefined, errors: FieldErrors): { maxRps: number; threads: number } {
    const { maxRps: rps, threads: th } = PERFORMANCE_LIMITS;
    const maxRps = input?.maxRps ?? site?.maxRps ?? rps.default;
    const threads = input?.threads ?? site?.threads ?? th.default;
    if (!Number.isFinite(maxRps) || maxRps < rps.min || maxRps > rps.max) {
      errors.add('performance.maxRps', `Must be from ${rps.min} to ${rps.max} requests per second (0.5 = one request every two seconds)`);
    }
    if (!Number.isInteger(threads) || threads < th.min || threads > th.max) {
      errors.add('performance.threads', `Must be a whole number from ${th.min} to ${th.max}`);
    }
    return { maxRps, threads };
  }

  private parseAuth(siteId: string, input: Record<string, unknown> | undefined, existing: AuthConfig | undefined, errors: FieldErrors): AuthConfig | undefined {
    const given = AUTH_METHOD_LIST.filter((d) => input?.[d.inputKey] !== undefined && input?.[d.inputKey] !== null);
    if (given.length !== 1) {
      errors.add(
        'auth',
        given.length === 0
          ? `Choose exactly one authentication method: one of ${AUTH_METHOD_LIST.map(MEMBER_LABEL).join(', ')}`
          : `Choose exactly one authentication method; got ${given.map(MEMBER_LABEL).join(' and ')}`,
      );
      return undefined;
    }
    const definition = given[0]!;
    const member = input![definition.inputKey] as Record<string, unknown>;
    const at = errors.at(`auth.${definition.inputKey}`);
    const sameMethod = existing?.method === definition.method;
    const secretNames = new Set(definition.secrets.map((s) => s.name));

    // An update for the same method starts from what is stored: only the fields it sets change.
    const effective: Record<string, unknown> = {};
    if (sameMethod) {
      for (const [key, value] of Object.entries(existing!)) if (key !== 'method' && key !== 'sealed') effective[key] = value;
    }
    for (const [key, value] of Object.entries(member)) if (value !== undefined && !secretNames.has(key)) effective[key] = value;
    const plain = definition.parse(Object.assign(new definition.inputClass(), effective), at);

    const kept: Secrets<string> = sameMethod ? this.openSecretsOf(siteId, existing!) : {};
    const merged: Secrets<string> = {};
    for (const secret of definition.secrets) {
      const provided = member[secret.name];
      const value = provided === undefined || provided === null ? kept[secret.name] : String(provided);
      if (secret.applies && !secret.applies(plain as never)) continue;
      if (value !== undefined && value !== '') merged[secret.name] = value;
      else if (secret.required(plain as never)) at.add(secret.name, 'This secret is required');
    }
    definition.checkSecrets?.(plain as never, merged, at);

    const sealed: Record<string, Sealed> = {};
    for (const [name, value] of Object.entries(merged)) sealed[name] = this.box.seal(value!, secretContext(siteId, name));
    return hydrateAuthConfig({ ...(plain as Record<string, unknown>), method: definition.method, sealed });
  }

  private openSecretsOf(siteId: string, auth: AuthConfig): Secrets<string> {
    const secrets: Secrets<string> = {};
    for (const [name, sealed] of Object.entries(auth.sealed ?? {})) {
      if (sealed) secrets[name] = this.box.open(sealed as Sealed, secretContext(siteId, name));
    }
    return secrets;
  }
}

