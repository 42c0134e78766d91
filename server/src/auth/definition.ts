import type { TokenRequest } from './oauth2-requests.js';
import type { FieldErrors } from '../validation/field-errors.js';
import type { HeaderReservations } from '../validation/reserved-headers.js';
import type { AuthMethod, OutgoingRequest, Secrets, SignContext, StoredAuthConfig } from './types.js';

/** The plain (non-secret) fields of a stored config. */
export type PlainFields<C extends StoredAuthConfig> = Omit<C, 'method' | 'sealed' | Extract<keyof C, `${string}Set`>>;

export interface SecretField<C extends StoredAuthConfig, S extends string> {
  name: S;
  /** Whether the config, as its plain fields stand, needs this secret set. */
  required(plain: PlainFields<C>): boolean;
  /** Whether the secret means anything for these plain fields; one that does not is dropped on save. Default: always. */
  applies?(plain: PlainFields<C>): boolean;
}

/**
 * How a field is entered. `secret` and `pem` are secrets (write-only, stored sealed, shown as
 * `<name>Set`); `payload` is a JSON object edited as rows of name → JSON value; `list` is a list
 * of strings (one per line); `pairs` is a list of `{ name, value }` rows (GraphQL: an object type
 * with those two String fields, selected as `<field> { name value }`).
 */
export const FIELD_KINDS = ['text', 'url', 'secret', 'pem', 'select', 'int', 'payload', 'list', 'pairs'] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

export const SECRET_KINDS: readonly FieldKind[] = ['secret', 'pem'];

/**
 * Checks the dashboard runs on a typed value before the round trip, by name (its siteRules.ts has
 * one function per name). They only spare a round trip: `parse` below is the rule. Kinds and bounds
 * bring their own checks (`url` → an http(s) URL, `pem` → PEM shape, `int` → `min`..`max`,
 * `maxLength`), so only rules no bound expresses are named here.
 */
export const CLIENT_CHECKS = [
  'basicUsername',
  'region',
  'service',
  'accessKeyId',
  'algorithmPrefix',
  'vendorKey',
  'filenameFormat',
  'hs256Secret',
  'timeToLive',
  'responseType',
  'resourceIndicator',
] as const;
export type ClientCheck = (typeof CLIENT_CHECKS)[number];

/** A line the dashboard computes from what is typed (what a time-to-live or a number of minutes means). */
export const LIVE_HINTS = ['timeToLive', 'minutes'] as const;
export type LiveHint = (typeof LIVE_HINTS)[number];

/**
 * One input field of a method, as the dashboard shows it. Published to the dashboard by
 * `npm run schema` (auth/metadata.ts → dashboard/src/graphql/auth-methods.generated.ts), so a new
 * method's form needs no dashboard code. `name` is the input field (error path
 * `auth.<inputKey>.<name>`); a plain field is also the config type's field of that name, a secret
 * `<name>Set`.
 */
export interface FieldMeta {
  name: string;
  label: string;
  kind: FieldKind;
  help?: string;
  placeholder?: string;
  /** Needed when the field applies. A secret that is stored counts as given. */
  required?: boolean;
  /** The field applies only while another field has this value (shown, sent and, for a secret, kept only then). */
  when?: { field: string; equals: string };
  /** What the form starts with; for a select, the option chosen first. */
  initial?: string;
  options?: readonly { value: string; label: string }[];
  /** For `int`: the bounds `parse` enforces, and the unit its message names. */
  min?: number;
  max?: number;
  unit?: string;
  /** Characters of the value (for `list`, of each entry; for `pairs`, of each row's value). */
  maxLength?: number;
  /** For `list` and `pairs`: the most entries `parse` accepts. */
  maxItems?: number;
  /** For `pairs`: characters of each row's name. */
  nameMaxLength?: number;
  /** For `pairs`: names `parse` refuses (compared without case). */
  reservedNames?: readonly string[];
  /** For `list`, run on each entry. */
  check?: ClientCheck;
  liveHint?: LiveHint;
}

/** What an OAuth2 method's token needs from its definition; oauth/ does the rest (storage, locks, watcher). */
export interface TokenDefinition<C extends StoredAuthConfig = StoredAuthConfig, S extends string = string> {
  /**
   * A person connects the site in a browser (authorization code): no token until they do, and the
   * service renews it only with a refresh token. Otherwise the service fetches tokens itself.
   */
  connect?: ConnectFlow<C, S>;
  /**
   * The token request that renews (or, without `connect`, first obtains) the token. `refreshToken`
   * is the stored one, opened; `now` dates a signed assertion.
   */
  renewalRequest(config: C, secrets: Secrets<S>, context: { refreshToken: string | undefined; now: Date }): Promise<TokenRequest>;
  /** The longest a token may be used, in minutes, whatever the provider says; undefined: as the provider says. */
  lifetimeMinutes?(config: C): number | undefined;
}

/** The authorization-code steps a method with `connect` takes (docs/specification.md §3, OAuth2). */
export interface ConnectFlow<C extends StoredAuthConfig, S extends string> {
  /** Where the browser goes: the provider's authorization URL with the request's parameters. */
  authorizationUrl(config: C, request: { redirectUri: string; state: string; codeChallenge: string }): string;
  /** The code exchange at the token endpoint after the provider sent the browser back. */
  codeExchange(config: C, secrets: Secrets<S>, grant: { code: string; redirectUri: string; codeVerifier: string }): TokenRequest;
}

/**
 * Everything the rest of the product knows about one auth method. Each method's folder exports one
 * of these; `registry.ts` lists them. Nothing outside the folder switches on the method: others ask
 * the definition (its fields, `tokens`, `sign`).
 */
export interface AuthMethodDefinition<
  M extends AuthMethod = AuthMethod,
  C extends StoredAuthConfig<M, S> = StoredAuthConfig<M, any>,
  I extends object = any,
  S extends string = string,
> {
  method: M;
  /** The member of `AuthConfigInput` that selects this method, e.g. `jwt`. */
  inputKey: string;
  label: string;
  /** One sentence under the method picker. */
  summary: string;
  /** Every input field, in form order. The secrets below are derived from these. */
  fields: readonly FieldMeta[];
  configClass: new () => C;
  inputClass: new () => I;
  secrets: readonly SecretField<C, S>[];
  /** Checks and normalises the plain fields of an input; adds field errors relative to the member. */
  parse(input: I, errors: FieldErrors): PlainFields<C>;
  /** Checks secrets against the plain fields (e.g. a PEM key against the algorithm). Secrets here are merged: new or kept. */
  checkSecrets?(plain: PlainFields<C>, secrets: Secrets<S>, errors: FieldErrors): void;
  /**
   * Headers this config sets or signs besides `authorization` (an API key's header, SigV4's
   * `x-amz-*`): a site's static headers may not take them. Lower-case names and prefixes.
   */
  reservedHeaders?(plain: PlainFields<C>): HeaderReservations;
  /** Pure: adds this method's authentication to a request. */
  sign(config: C, secrets: Secrets<S>, request: OutgoingRequest, context: SignContext): Promise<OutgoingRequest>;
  /** For the methods that send an OAuth2 access token: how the token is obtained and how long it lives. */
  tokens?: TokenDefinition<C, S>;
}

export function isSecretField(field: FieldMeta): boolean {
  return SECRET_KINDS.includes(field.kind);
}

function appliesWhen(field: FieldMeta): ((plain: Record<string, unknown>) => boolean) | undefined {
  const when = field.when;
  return when ? (plain) => plain[when.field] === when.equals : undefined;
}

/** A definition whose `secrets` are read from its fields: one place says which fields are secret, required and when. */
export function defineAuthMethod<M extends AuthMethod, C extends StoredAuthConfig<M, S>, I extends object, S extends string>(
  definition: Omit<AuthMethodDefinition<M, C, I, S>, 'secrets'>,
): AuthMethodDefinition<M, C, I, S> {
  const secrets = definition.fields.filter(isSecretField).map((field) => {
    const applies = appliesWhen(field);
    return {
      name: field.name as S,
      required: (plain: PlainFields<C>) => Boolean(field.required) && (!applies || applies(plain as Record<string, unknown>)),
      ...(applies ? { applies: (plain: PlainFields<C>) => applies(plain as Record<string, unknown>) } : {}),
    };
  });
  return { ...definition, secrets };
}
