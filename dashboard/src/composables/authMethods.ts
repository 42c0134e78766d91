import { AUTH_METHOD_METADATA, type ClientCheck, type FieldKind, type FieldMeta, type LiveHint, type MethodMeta, SECRET_KINDS } from '../graphql/auth-methods.generated';
import type { AuthConfigInput, AuthMethod, SiteFieldsFragment } from '../graphql/generated/graphql';
import {
  checkAccessKeyId,
  checkAlgorithmPrefix,
  checkFilenameFormat,
  checkHs256Secret,
  checkHttpUrl,
  checkIntegerRange,
  checkMaxLength,
  checkPemShape,
  checkRegion,
  checkResourceIndicator,
  checkService,
  checkTimeToLive,
  checkVendorKey,
  describeMinutes,
  describeTimeToLive,
  hasControlCharacters,
} from './siteRules';
import { type PairRow, type PairRules, checkPairs, listEntries, pairsText } from './siteForm/rowFields';

// The methods, their fields and what each field means come from the server (each method's
// definition, published by `npm run schema` into graphql/auth-methods.generated.ts). This file
// only turns that metadata into the form's field list: named client checks and live hints map to
// functions here, and field kinds that need a widget are in components/fieldWidgets.ts.

export type { FieldKind };
export type AuthValues = Record<string, string>;
export type SiteAuth = SiteFieldsFragment['auth'];
export type AuthInputKey = keyof AuthConfigInput;

export interface AuthFieldDef {
  /** The input field name; the server's error path is `auth.<inputKey>.<key>`. */
  key: string;
  label: string;
  kind: FieldKind;
  /** Plain fields: required to be non-blank. Secrets: required unless one is stored (see useAuthFields). */
  required?: boolean | ((values: AuthValues) => boolean);
  hint?: string;
  /** A hint computed from what is typed (e.g. what a time-to-live means). */
  liveHint?: (value: string) => string | undefined;
  placeholder?: string;
  options?: readonly { value: string; label: string }[];
  initial?: string;
  /** Fields that mean nothing for the current values (an HS256 secret under RS256) are hidden and not sent. */
  visible?: (values: AuthValues) => boolean;
  /** Runs on non-blank values only; "required" is checked separately. */
  check?: (value: string, values: AuthValues) => string | undefined;
  /** For `list` and `pairs`: the most entries; for `pairs`, the rules of each row too. */
  maxItems?: number;
  pairRules?: PairRules;
}

export interface AuthMethodDef {
  method: AuthMethod;
  inputKey: AuthInputKey;
  label: string;
  summary: string;
  fields: readonly AuthFieldDef[];
  /** Null for a method without tokens; `connect`: a person connects it (Connect button, redirect URL). */
  tokens: { connect: boolean } | null;
  /** Plain values (as form strings) and which secrets are stored, from a saved site. */
  read(auth: SiteAuth): { values: AuthValues; secretsSet: Record<string, boolean> };
}

/** One function per client check the server names (the server's parse is the rule; these spare a round trip). */
export const CLIENT_CHECKS = {
  basicUsername: (v) => (v.includes(':') ? 'Must not contain ":" (RFC 7617 §2)' : hasControlCharacters(v) ? 'Must not contain control characters' : undefined),
  region: checkRegion,
  service: checkService,
  accessKeyId: checkAccessKeyId,
  algorithmPrefix: checkAlgorithmPrefix,
  vendorKey: checkVendorKey,
  filenameFormat: checkFilenameFormat,
  hs256Secret: checkHs256Secret,
  timeToLive: checkTimeToLive,
  responseType: (v) => (!/^[a-z_]+( [a-z_]+)*$/.test(v.trim()) ? 'Must be a response type such as "code"' : undefined),
  resourceIndicator: checkResourceIndicator,
} satisfies Record<ClientCheck, (value: string) => string | undefined>;

export const LIVE_HINTS = {
  timeToLive: describeTimeToLive,
  minutes: describeMinutes,
} satisfies Record<LiveHint, (value: string) => string | undefined>;

export function isSecretKind(kind: FieldKind): boolean {
  return SECRET_KINDS.includes(kind);
}

/** A `list` field's rules: its count, then each entry's (named check, length), the first line at fault named. */
function listCheckOf(field: FieldMeta): AuthFieldDef['check'] {
  const { maxItems, maxLength } = field;
  const entryCheck = field.check ? CLIENT_CHECKS[field.check] : undefined;
  return (value) => {
    const entries = listEntries(value);
    if (maxItems !== undefined && entries.length > maxItems) return `At most ${maxItems} entries`;
    for (const [index, entry] of entries.entries()) {
      const problem = entryCheck?.(entry) ?? (maxLength !== undefined ? checkMaxLength(entry, maxLength) : undefined);
      if (problem) return entries.length > 1 ? `Entry ${index + 1}: ${problem}` : problem;
      if (entries.indexOf(entry) < index) return `Entry ${index + 1} is already listed`;
    }
    return undefined;
  };
}

function pairRulesOf(field: FieldMeta): PairRules {
  return { maxItems: field.maxItems, maxLength: field.maxLength, nameMaxLength: field.nameMaxLength, reservedNames: field.reservedNames };
}

/** The field's own rules, first problem wins: its kind's, its named check, then its length bound. */
function checkOf(field: FieldMeta): AuthFieldDef['check'] {
  if (field.kind === 'list') return listCheckOf(field);
  if (field.kind === 'pairs') {
    const rules = pairRulesOf(field);
    return (value) => checkPairs(value, rules);
  }
  const rules: Array<(value: string) => string | undefined> = [];
  if (field.kind === 'url') rules.push(checkHttpUrl);
  if (field.kind === 'pem') rules.push(checkPemShape);
  if (field.kind === 'int' && field.min !== undefined && field.max !== undefined) {
    const { min, max, unit } = field;
    rules.push((v) => checkIntegerRange(v, min, max, unit));
  }
  if (field.check) rules.push(CLIENT_CHECKS[field.check]);
  if (field.maxLength !== undefined) {
    const max = field.maxLength;
    rules.push((v) => checkMaxLength(v, max));
  }
  if (!rules.length) return undefined;
  return (value) => {
    for (const rule of rules) {
      const problem = rule(value);
      if (problem) return problem;
    }
    return undefined;
  };
}

function fieldDef(field: FieldMeta): AuthFieldDef {
  const when = field.when;
  return {
    key: field.name,
    label: field.label,
    kind: field.kind,
    required: field.required,
    hint: field.help,
    liveHint: field.liveHint ? LIVE_HINTS[field.liveHint] : undefined,
    placeholder: field.placeholder,
    options: field.options,
    initial: field.initial,
    visible: when ? (values) => values[when.field] === when.equals : undefined,
    check: checkOf(field),
    maxItems: field.maxItems,
    pairRules: field.kind === 'pairs' ? pairRulesOf(field) : undefined,
  };
}

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));

function methodOf(meta: MethodMeta): AuthMethodDef {
  return {
    method: meta.method,
    inputKey: meta.inputKey,
    label: meta.label,
    summary: meta.summary,
    tokens: meta.tokens,
    fields: meta.fields.map(fieldDef),
    // The saved config carries each plain field by its name and each secret as `<name>Set` (the AuthFields fragment).
    read(auth) {
      if (auth.__typename !== meta.typename) throw new Error(`expected ${meta.typename}, got ${auth.__typename}`);
      const config = auth as Record<string, unknown>;
      const values: AuthValues = {};
      const secretsSet: Record<string, boolean> = {};
      for (const field of meta.fields) {
        if (isSecretKind(field.kind)) secretsSet[field.name] = Boolean(config[`${field.name}Set`]);
        else if (field.kind === 'list') values[field.name] = Array.isArray(config[field.name]) ? (config[field.name] as string[]).join('\n') : '';
        else if (field.kind === 'pairs') values[field.name] = Array.isArray(config[field.name]) ? pairsText(config[field.name] as PairRow[]) : '';
        else if (field.kind !== 'payload') values[field.name] = str(config[field.name]);
      }
      return { values, secretsSet };
    },
  };
}

export const AUTH_METHODS: readonly AuthMethodDef[] = AUTH_METHOD_METADATA.map(methodOf);

export function methodDef(method: AuthMethod): AuthMethodDef {
  const def = AUTH_METHODS.find((m) => m.method === method);
  if (!def) throw new Error(`unknown auth method ${method}`);
  return def;
}

export function methodLabel(method: AuthMethod): string {
  return AUTH_METHODS.find((m) => m.method === method)?.label ?? method;
}

/** The methods that hold an OAuth2 access token (token badge and panel). */
export const OAUTH2_METHODS: readonly AuthMethod[] = AUTH_METHODS.filter((m) => m.tokens).map((m) => m.method);

/** Whether a person connects the method's sites in a browser (Connect, redirect URL) rather than the service fetching tokens. */
export function isConnectMethod(method: AuthMethod): boolean {
  return Boolean(AUTH_METHODS.find((m) => m.method === method)?.tokens?.connect);
}
