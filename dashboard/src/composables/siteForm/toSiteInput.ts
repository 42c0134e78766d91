import type { SiteInput, SiteUpdateInput, StaticHeaderInput } from '../../graphql/generated/graphql';
import type { AuthFieldDef, AuthValues } from '../authMethods';
import { parseNumber } from '../siteRules';
import { SCALAR_KINDS, isScalarKind } from './fieldKinds';

/** The site's own fields as typed. */
export interface BaseValues {
  name: string;
  url: string;
  contentType: string;
  maxRps: string;
  threads: string;
  /** Send a W3C traceparent to the receiver (server tracing/). */
  sendTraceparent?: boolean;
}

/** The chosen method's part of the form. */
export interface AuthState {
  /** The member of AuthConfigInput, e.g. `jwt`. */
  inputKey: string;
  /** The fields on screen: a field hidden for the current values (an HS256 secret under RS256) is not sent. */
  fields: readonly AuthFieldDef[];
  /** Scalar fields, as typed. */
  values: AuthValues;
  /** Structured fields (kind `payload`), already turned into their input value by their composable. */
  structured: Readonly<Record<string, unknown>>;
  /** Stored optional secrets to remove on this save: sent as "", which the API reads as "remove". */
  removeSecrets: readonly string[];
}

/** The AuthConfigInput member for the chosen method. Pure. */
export function toAuthMember(auth: AuthState, forUpdate: boolean): Record<string, unknown> {
  const member: Record<string, unknown> = {};
  for (const field of auth.fields) {
    if (!isScalarKind(field.kind)) {
      member[field.key] = auth.structured[field.key];
      continue;
    }
    const kind = SCALAR_KINDS[field.kind];
    const value = kind.toInput(auth.values[field.key] ?? '', forUpdate);
    if (value !== undefined) member[field.key] = value;
    else if (kind.secret && forUpdate && auth.removeSecrets.includes(field.key)) member[field.key] = '';
  }
  return member;
}

/**
 * What a save sends: `createSite`'s SiteInput, or `updateSite`'s SiteUpdateInput (where an emptied
 * optional field is sent as "" to clear it). `headers`, the static headers, go only when given: the
 * form leaves them out of an update that did not change them (the stored list is kept) and out of a
 * create without any. Pure, so every rule of what is sent is unit-tested.
 */
export function toSiteInput(base: BaseValues, auth: AuthState, mode: 'create', headers?: StaticHeaderInput[]): SiteInput;
export function toSiteInput(base: BaseValues, auth: AuthState, mode: 'update', headers?: StaticHeaderInput[]): SiteUpdateInput;
export function toSiteInput(base: BaseValues, auth: AuthState, mode: 'create' | 'update', headers?: StaticHeaderInput[]): SiteInput | SiteUpdateInput {
  const forUpdate = mode === 'update';
  return {
    name: base.name.trim(),
    url: base.url.trim(),
    contentType: base.contentType.trim() || (forUpdate ? '' : undefined),
    performance: { maxRps: parseNumber(base.maxRps), threads: parseNumber(base.threads) },
    // A new site leaves it out unless ticked (the server's default is off); an update says what the box says.
    sendTraceparent: forUpdate ? Boolean(base.sendTraceparent) : base.sendTraceparent || undefined,
    auth: { [auth.inputKey]: toAuthMember(auth, forUpdate) },
    ...(headers ? { headers } : {}),
  } as SiteInput | SiteUpdateInput;
}
