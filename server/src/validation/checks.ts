import type { FieldErrors } from './field-errors.js';

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
