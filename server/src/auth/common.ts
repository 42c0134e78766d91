import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { FieldError } from './types.js';

/** Collects field errors under a path prefix; the resolver throws them together as one BAD_USER_INPUT. */
export class FieldErrors {
  readonly list: FieldError[] = [];
  constructor(private readonly prefix = '') {}

  at(prefix: string): FieldErrors {
    const child = new FieldErrors(this.join(prefix));
    // Children share the parent's list so every error ends up in one place.
    (child as { list: FieldError[] }).list = this.list;
    return child;
  }

  add(field: string, message: string): void {
    this.list.push({ path: this.join(field), message });
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  private join(field: string): string {
    return this.prefix ? (field ? `${this.prefix}.${field}` : this.prefix) : field;
  }
}

export function isBlank(value: string | null | undefined): boolean {
  return value === undefined || value === null || value.trim() === '';
}

export function required(errors: FieldErrors, field: string, value: string | null | undefined, label = 'This field'): boolean {
  if (isBlank(value)) {
    errors.add(field, `${label} is required`);
    return false;
  }
  return true;
}

export function optionalTrimmed(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * Longest URL accepted (site URLs, token and authorization URLs), counted on the normalised form
 * that is stored and sent. 2,048 is what the common browsers, proxies and CDNs are known to pass
 * everywhere; a longer URL works with some receivers and not others.
 */
export const URL_MAX_CHARS = 2048;

// C0, DEL and C1: a URL carrying one is either refused by the HTTP client on every attempt or
// silently rewritten by the URL parser (WHATWG drops TAB/CR/LF), so what is shown is not what is sent.
// eslint-disable-next-line no-control-regex
const URL_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks an absolute http(s) URL and returns its normalised form (`new URL(x).href`): the one string
 * that is stored, previewed and sent. Undefined when it adds an error.
 */
export function checkHttpUrl(errors: FieldErrors, field: string, value: string | null | undefined): string | undefined {
  if (!required(errors, field, value)) return undefined;
  if (URL_CONTROL.test(value!)) {
    errors.add(field, 'Must not contain control characters (line breaks, tabs and the like)');
    return undefined;
  }
  if (value!.length > URL_MAX_CHARS) {
    errors.add(field, `Must be at most ${URL_MAX_CHARS.toLocaleString('en')} characters`);
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(value!.trim());
  } catch {
    errors.add(field, 'Must be an absolute URL, e.g. https://example.com/hook');
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    errors.add(field, 'Must be an http:// or https:// URL');
  } else if (!parsed.hostname) {
    errors.add(field, 'Must name a host');
  } else if (parsed.username || parsed.password) {
    errors.add(field, 'Must not contain credentials; use the authentication method instead');
  } else if (parsed.href.length > URL_MAX_CHARS) {
    // Percent-encoding can triple a character; the limit holds for what is sent.
    errors.add(field, `Must be at most ${URL_MAX_CHARS.toLocaleString('en')} characters once normalised (non-ASCII characters are percent-encoded)`);
  } else {
    return parsed.href;
  }
  return undefined;
}

// RFC 9110 §5.6.2: a field name is a token.
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// RFC 9110 §5.5: field-content is VCHAR with SP/HTAB inside; obs-text (bytes above 0x7f) is obsolete
// and undici, like most clients, refuses it, so such a value fails every attempt.
const FIELD_VALUE = /^(?:[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?)?$/;

export function checkHeaderName(errors: FieldErrors, field: string, name: string): boolean {
  if (FIELD_NAME.test(name)) return true;
  errors.add(field, name === '' ? 'A header name is required' : "Not a valid header name: letters, digits and !#$%&'*+-.^_`|~ only (RFC 9110 §5.6.2)");
  return false;
}

/** The reason a string cannot be an HTTP header value, or undefined when it can. */
export function headerValueProblem(value: string): string | undefined {
  if (FIELD_VALUE.test(value)) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) return 'Must not contain control characters such as line breaks (RFC 9110 §5.5)';
  if (/[^\x00-\x7f]/.test(value)) return 'Must be ASCII: HTTP header values cannot carry other characters (RFC 9110 §5.5); encode them first';
  return 'Must not start or end with a space or tab (RFC 9110 §5.5)';
}

export function checkHeaderValue(errors: FieldErrors, field: string, value: string): boolean {
  const problem = headerValueProblem(value);
  if (problem) errors.add(field, problem);
  return !problem;
}

// Control characters, format characters (bidirectional overrides and isolates U+202A–U+202E,
// U+2066–U+2069; zero-width U+200B–U+200D, U+2060, U+FEFF; soft hyphen …), line and paragraph
// separators and lone surrogates: a name carrying one displays as something it is not, or two
// names that look the same are different.
const HIDDEN_IN_NAME = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/** Display names (sites, API tokens): refuses characters that hide or reorder what is shown. */
export function checkDisplayName(errors: FieldErrors, field: string, name: string): boolean {
  const hidden = HIDDEN_IN_NAME.exec(name);
  if (!hidden) return true;
  const code = `U+${hidden[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  errors.add(field, `Must not contain invisible, control or text-direction characters (found ${code})`);
  return false;
}

// Characters PostgreSQL cannot store in text or jsonb (NUL) or that do not survive UTF-8 (lone surrogates).
const UNSTORABLE = /\u0000|\p{Cs}/u;

/** Plain text that is stored: refuses what PostgreSQL cannot keep as given. */
export function checkStorableText(errors: FieldErrors, field: string, value: string | null | undefined): boolean {
  if (value === undefined || value === null || !UNSTORABLE.test(value)) return true;
  errors.add(field, 'Must not contain NUL characters or unpaired UTF-16 surrogates');
  return false;
}

export function checkMaxLength(errors: FieldErrors, field: string, value: string | null | undefined, max: number): void {
  if (value && value.length > max) errors.add(field, `Must be at most ${max} characters`);
}

// RFC 9110 §8.3.1: type "/" subtype *( OWS ";" OWS parameter ), tokens of tchar.
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
// OWS is SP/HTAB only, and a quoted parameter value holds visible ASCII (qdtext, quoted-pair): the
// content type is sent as a header, where anything else (line breaks, non-ASCII) fails every attempt.
const QUOTED = '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\t \\x21-\\x7e])*"';
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}([ \\t]*;[ \\t]*${TOKEN}=(${TOKEN}|${QUOTED}))*$`);

export function isMediaType(value: string): boolean {
  return MEDIA_TYPE.test(value.trim());
}

export const TOKEN_REQUEST_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'application/json'] as const;
export type TokenRequestContentType = (typeof TOKEN_REQUEST_CONTENT_TYPES)[number];

export function checkTokenRequestContentType(errors: FieldErrors, field: string, value: string | null | undefined): void {
  if (value !== undefined && value !== null && !(TOKEN_REQUEST_CONTENT_TYPES as readonly string[]).includes(value.trim())) {
    errors.add(field, `Must be ${TOKEN_REQUEST_CONTENT_TYPES.join(' or ')}`);
  }
}

export function checkIntegerRange(
  errors: FieldErrors,
  field: string,
  value: number | null | undefined,
  min: number,
  max: number,
  unit: string,
): void {
  if (value === undefined || value === null) {
    errors.add(field, 'This field is required');
  } else if (!Number.isInteger(value) || value < min || value > max) {
    errors.add(field, `Must be a whole number of ${unit} from ${min} to ${max}`);
  }
}

export type PemAlgorithm = 'RS256' | 'ES256';

/**
 * Parses a PEM private key and checks that it fits the algorithm: RSA (≥ 2048 bits) for RS256,
 * an EC P-256 key for ES256. Returns the message to show, or undefined when the key is good.
 */
export function checkPrivateKey(pem: string, algorithm: PemAlgorithm): string | undefined {
  const text = pem.trim();
  if (!/^-----BEGIN [A-Z ]+-----/.test(text)) return 'Must be a PEM private key (-----BEGIN PRIVATE KEY----- …)';
  if (/-----BEGIN (RSA |EC )?PUBLIC KEY-----/.test(text) || /-----BEGIN CERTIFICATE-----/.test(text)) {
    return 'This is a public key or certificate; a private key is needed to sign';
  }
  if (/ENCRYPTED PRIVATE KEY/.test(text) || /Proc-Type: 4,ENCRYPTED/.test(text)) {
    return 'Encrypted private keys are not supported; give the key without a passphrase';
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch {
    return 'Not a valid PEM private key';
  }
  if (algorithm === 'RS256') {
    if (key.asymmetricKeyType !== 'rsa') return `RS256 needs an RSA private key, this is an ${key.asymmetricKeyType?.toUpperCase()} key`;
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) return `RS256 needs an RSA key of at least 2048 bits, this one has ${bits}`;
  } else {
    if (key.asymmetricKeyType !== 'ec') return `ES256 needs an EC P-256 private key, this is an ${key.asymmetricKeyType?.toUpperCase()} key`;
    if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      return `ES256 needs a key on curve P-256, this one is on ${key.asymmetricKeyDetails?.namedCurve}`;
    }
  }
  return undefined;
}

// RFC 6749 §3.3: scope-token = 1*NQCHAR (visible ASCII but " and \).
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export function checkScope(errors: FieldErrors, field: string, value: string | null | undefined): void {
  const bad = (value ?? '').split(/[\s,]+/).filter(Boolean).find((token) => !SCOPE_TOKEN.test(token));
  if (bad !== undefined) errors.add(field, 'Scopes are visible ASCII characters other than " and \\ (RFC 6749 §3.3), separated by spaces or commas');
  else checkMaxLength(errors, field, value, 2048);
}

/**
 * The deepest JSON accepted anywhere (the JSON scalar, graphql/json-scalar.ts): JSON.stringify recurses, so a
 * payload a few thousand levels deep overflows the stack when it is encoded, and common parsers at
 * the receiving end refuse far less (Ruby's JSON stops at 100 by default).
 */
export const MAX_JSON_DEPTH = 100;

/** Nesting depth of a JSON value, counted without recursion, stopping once past `max`. */
export function jsonDepthOver(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(item)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

export interface JsonLimits {
  maxDepth: number;
  maxBytes: number;
}

/**
 * A JSON value that is stored (jsonb) and sent: bounded in depth and size, and free of what jsonb
 * cannot hold (NUL, lone surrogates). Walks iteratively, so a hostile depth cannot exhaust the stack.
 */
export function checkJson(errors: FieldErrors, field: string, value: unknown, limits: JsonLimits): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    if (typeof item === 'string') {
      if (UNSTORABLE.test(item)) return fail(errors, field, 'Must not contain NUL characters or unpaired UTF-16 surrogates');
    } else if (typeof item === 'number') {
      if (!Number.isFinite(item)) return fail(errors, field, 'Numbers must be finite');
    } else if (item !== null && typeof item === 'object') {
      if (depth >= limits.maxDepth) return fail(errors, field, `Must be nested at most ${limits.maxDepth} levels deep`);
      for (const [key, child] of Object.entries(item)) {
        if (!Array.isArray(item) && UNSTORABLE.test(key)) return fail(errors, field, 'Must not contain NUL characters or unpaired UTF-16 surrogates');
        stack.push([child, depth + 1]);
      }
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
  if (bytes > limits.maxBytes) return fail(errors, field, `Must be at most ${limits.maxBytes.toLocaleString('en')} bytes as JSON; this is ${bytes.toLocaleString('en')}`);
  return true;
}

function fail(errors: FieldErrors, field: string, message: string): false {
  errors.add(field, message);
  return false;
}

/** Scopes typed space- or comma-separated, normalised to the space-separated form RFC 6749 §3.3 sends. */
export function normaliseScope(value: string | null | undefined): string | undefined {
  const parts = (value ?? '').split(/[\s,]+/).filter(Boolean);
  return parts.length ? parts.join(' ') : undefined;
}
