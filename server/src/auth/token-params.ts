import { Field, InputType, ObjectType } from 'type-graphql';
import type { FieldErrors } from '../validation/field-errors.js';
import { checkMaxLength, checkStorableText, optionalTrimmed } from '../validation/checks.js';
import type { FieldMeta } from './definition.js';

/*
 * What the three OAuth2 methods may add to their token requests (issue 12 item 4): an `audience`
 * (Auth0 and providers like it want one to say which API the token is for), RFC 8707 `resource`
 * indicators, and free extra parameters. They are not secrets: stored plain and returned by the API.
 * Sent in every token request of the method (first request, renewal, code exchange, refresh) and,
 * for the authorization-code method, in the authorization URL too (RFC 8707 §2.1 wants resource in
 * both; a provider reading audience or a prompt-like parameter reads it there).
 */

export const TOKEN_PARAM_LIMITS = {
  /** Extra parameters per method. */
  extraParams: 20,
  /** Characters of one extra parameter's name. */
  nameChars: 128,
  /** Characters of one extra parameter's value. */
  valueChars: 1000,
  /** Resource indicators per method. */
  resources: 10,
  /** Characters of one resource indicator, and of the audience. */
  uriChars: 2048,
} as const;

/**
 * The parameters the grants and the authorization request set themselves (RFC 6749, 7523, 7636,
 * 8707 and this service's audience): an extra parameter may not take one of these names, in any
 * case, since a provider reading the first or the last of two would get either ours or the row's.
 */
export const RESERVED_TOKEN_PARAMS: readonly string[] = [
  'grant_type',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'assertion',
  'code',
  'redirect_uri',
  'code_verifier',
  'refresh_token',
  'scope',
  'audience',
  'resource',
  // The authorization URL's own (authorization-code method).
  'response_type',
  'state',
  'code_challenge',
  'code_challenge_method',
];

@ObjectType('TokenParam', { description: 'An extra parameter sent in token requests (and, for the authorization-code method, the authorization URL).' })
export class TokenParam {
  @Field(() => String) name!: string;
  @Field(() => String) value!: string;
}

@InputType('TokenParamInput')
export class TokenParamInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) value?: string | null;
}

/** The plain fields these add to a method's config. */
export interface TokenParamsConfig {
  audience?: string;
  resource: string[];
  extraParams: TokenParam[];
}

/** The same fields of an input: null or absent means none. */
export interface TokenParamsInput {
  audience?: string | null;
  resource?: readonly (string | null)[] | null;
  extraParams?: readonly (TokenParamInput | null)[] | null;
}

// ---- the fields as the dashboard shows them (FieldMeta, see definition.ts)

export const TOKEN_PARAM_FIELDS: readonly FieldMeta[] = [
  {
    name: 'audience',
    label: 'Audience',
    kind: 'text',
    help: 'Optional. The API the token is for, for providers that ask for one (Auth0 and the like).',
    placeholder: 'https://api.partner.example.com',
    maxLength: TOKEN_PARAM_LIMITS.uriChars,
  },
  {
    name: 'resource',
    label: 'Resource indicators',
    kind: 'list',
    help: `Optional. One absolute URI per line, without a #fragment (RFC 8707); up to ${TOKEN_PARAM_LIMITS.resources}.`,
    placeholder: 'https://api.partner.example.com/',
    maxItems: TOKEN_PARAM_LIMITS.resources,
    maxLength: TOKEN_PARAM_LIMITS.uriChars,
    check: 'resourceIndicator',
  },
  {
    name: 'extraParams',
    label: 'Extra token request parameters',
    kind: 'pairs',
    help: `Optional. Sent as they are with every token request; up to ${TOKEN_PARAM_LIMITS.extraParams}. Parameters the grant sets itself cannot be given here.`,
    maxItems: TOKEN_PARAM_LIMITS.extraParams,
    maxLength: TOKEN_PARAM_LIMITS.valueChars,
    nameMaxLength: TOKEN_PARAM_LIMITS.nameChars,
    reservedNames: RESERVED_TOKEN_PARAMS,
  },
];

// ---- rules

// C0, DEL and C1 control characters: nothing a parameter should carry, and a form or URL built
// from one would not be what is shown.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ":".
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** Why a string cannot be an RFC 8707 resource indicator, or undefined when it can. */
export function resourceProblem(value: string): string | undefined {
  if (CONTROL.test(value) || /\s/.test(value)) return 'Must not contain spaces or control characters';
  if (value.length > TOKEN_PARAM_LIMITS.uriChars) return `Must be at most ${TOKEN_PARAM_LIMITS.uriChars} characters`;
  if (!SCHEME.test(value)) return 'Must be an absolute URI, e.g. https://api.example.com/ (RFC 8707 §2)';
  try {
    new URL(value);
  } catch {
    return 'Must be an absolute URI, e.g. https://api.example.com/ (RFC 8707 §2)';
  }
  if (value.includes('#')) return 'Must not contain a #fragment (RFC 8707 §2)';
  return undefined;
}

/** Checks and normalises the token parameters of an input; errors relative to the method's member. */
export function parseTokenParams(input: TokenParamsInput, errors: FieldErrors): TokenParamsConfig {
  const audience = optionalTrimmed(input.audience);
  if (audience !== undefined) {
    if (CONTROL.test(audience)) errors.add('audience', 'Must not contain control characters');
    checkMaxLength(errors, 'audience', audience, TOKEN_PARAM_LIMITS.uriChars);
    checkStorableText(errors, 'audience', audience);
  }

  const resource: string[] = [];
  const resources = input.resource ?? [];
  if (resources.length > TOKEN_PARAM_LIMITS.resources) errors.add('resource', `At most ${TOKEN_PARAM_LIMITS.resources} resource indicators`);
  resources.forEach((raw, index) => {
    const value = (raw ?? '').trim();
    const path = `resource[${index}]`;
    const problem = value === '' ? 'A resource indicator is required here; remove the empty entry' : resourceProblem(value);
    if (problem) errors.add(path, problem);
    else if (resource.includes(value)) errors.add(path, 'This resource indicator is already listed');
    else if (checkStorableText(errors, path, value)) resource.push(value);
  });

  const extraParams: TokenParam[] = [];
  const rows = input.extraParams ?? [];
  if (rows.length > TOKEN_PARAM_LIMITS.extraParams) errors.add('extraParams', `At most ${TOKEN_PARAM_LIMITS.extraParams} extra parameters`);
  const seen = new Set<string>();
  rows.forEach((row, index) => {
    const at = `extraParams[${index}]`;
    const name = (row?.name ?? '').trim();
    const value = row?.value ?? '';
    let good = true;
    if (name === '') {
      errors.add(`${at}.name`, 'A parameter name is required');
      good = false;
    } else if (CONTROL.test(name) || /\s/.test(name)) {
      errors.add(`${at}.name`, 'Must not contain spaces or control characters');
      good = false;
    } else if (name.length > TOKEN_PARAM_LIMITS.nameChars) {
      errors.add(`${at}.name`, `Must be at most ${TOKEN_PARAM_LIMITS.nameChars} characters`);
      good = false;
    } else if (RESERVED_TOKEN_PARAMS.includes(name.toLowerCase())) {
      errors.add(`${at}.name`, `"${name}" is set by the grant${['audience', 'resource', 'scope'].includes(name.toLowerCase()) ? ` (use the ${name.toLowerCase()} field)` : ''} and cannot be given here`);
      good = false;
    } else if (seen.has(name.toLowerCase())) {
      errors.add(`${at}.name`, 'This parameter is already listed');
      good = false;
    }
    seen.add(name.toLowerCase());
    good = checkStorableText(errors, `${at}.name`, name) && good;
    if (value.trim() === '') {
      errors.add(`${at}.value`, 'A value is required');
      good = false;
    } else if (CONTROL.test(value)) {
      errors.add(`${at}.value`, 'Must not contain control characters (line breaks, tabs and the like)');
      good = false;
    } else if (value.length > TOKEN_PARAM_LIMITS.valueChars) {
      errors.add(`${at}.value`, `Must be at most ${TOKEN_PARAM_LIMITS.valueChars.toLocaleString('en')} characters`);
      good = false;
    }
    good = checkStorableText(errors, `${at}.value`, value) && good;
    if (good) extraParams.push(Object.assign(new TokenParam(), { name, value }));
  });

  return { audience, resource, extraParams };
}

// ---- what is sent

/** A parameter's value: one string, or several (`resource`) sent as repeated form fields or a JSON array. */
export type ParamValue = string | readonly string[] | undefined;

/** The parameters a config adds, in the order they are sent: audience, resource, then the extra ones. */
export function tokenParamsOf(config: Partial<TokenParamsConfig>): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {};
  if (config.audience) params.audience = config.audience;
  if (config.resource?.length) params.resource = config.resource;
  for (const { name, value } of config.extraParams ?? []) params[name] = value;
  return params;
}

/** Adds them to an authorization URL (resource repeated, RFC 8707 §2.1). */
export function addTokenParamsTo(url: URL, config: Partial<TokenParamsConfig>): void {
  for (const [name, value] of Object.entries(tokenParamsOf(config))) {
    if (value === undefined) continue;
    for (const one of typeof value === 'string' ? [value] : value) url.searchParams.append(name, one);
  }
}
