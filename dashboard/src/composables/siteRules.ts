// Client-side copies of the server's site rules (server/src/sites, server/src/auth/*/config.ts).
// They only spare a round trip: the server checks everything again and its fieldErrors win. Bounds,
// defaults and choices of the auth fields come from the server's metadata (authMethods.ts); the
// auth checks here are the ones its fields name (`check`).

export const MAX_RPS = { min: 0.1, max: 10_000, default: 10 } as const;
export const THREADS = { min: 1, max: 256, default: 4 } as const;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function hasControlCharacters(text: string): boolean {
  return CONTROL.test(text);
}

// Control, format (text-direction, zero-width …), line/paragraph separators, lone surrogates: see checkDisplayName on the server.
const HIDDEN_IN_NAME = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/** Display names (sites, API tokens): the message the server gives for the first hidden character. */
export function hiddenCharacterProblem(name: string): string | undefined {
  const hidden = HIDDEN_IN_NAME.exec(name);
  if (!hidden) return undefined;
  return `Must not contain invisible, control or text-direction characters (found U+${hidden[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`;
}

/** The server's URL_MAX_CHARS, counted on the normalised URL. */
export const URL_MAX_CHARS = 2048;
// eslint-disable-next-line no-control-regex
const URL_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function checkHttpUrl(value: string): string | undefined {
  const text = value.trim();
  if (!text) return 'This field is required';
  if (URL_CONTROL.test(value)) return 'Must not contain control characters (line breaks, tabs and the like)';
  if (value.length > URL_MAX_CHARS) return `Must be at most ${URL_MAX_CHARS.toLocaleString('en')} characters`;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return 'Must be an absolute URL, e.g. https://example.com/hook';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'Must be an http:// or https:// URL';
  if (!parsed.hostname) return 'Must name a host';
  if (parsed.username || parsed.password) return 'Must not contain credentials; use the authentication method instead';
  if (parsed.href.length > URL_MAX_CHARS) return `Must be at most ${URL_MAX_CHARS.toLocaleString('en')} characters once normalised (non-ASCII characters are percent-encoded)`;
  return undefined;
}

// RFC 9110 §8.3.1 media type: type "/" subtype *( OWS ";" OWS parameter ).
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\t \\x21-\\x7e])*"';
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}([ \\t]*;[ \\t]*${TOKEN}=(${TOKEN}|${QUOTED}))*$`);

export function isMediaType(value: string): boolean {
  return MEDIA_TYPE.test(value.trim());
}

export function checkName(value: string): string | undefined {
  const name = value.trim();
  if (!name) return 'Name is required';
  if (name.length > 120) return 'Must be at most 120 characters';
  return hiddenCharacterProblem(value);
}

/** RFC 7518 §3.2: an HS256 key has at least 256 bits. Bytes of its UTF-8 form, as the server counts. */
export const HS256_MIN_SECRET_BYTES = 32;

export function checkHs256Secret(value: string): string | undefined {
  const bytes = new TextEncoder().encode(value).length;
  return bytes < HS256_MIN_SECRET_BYTES ? `Must be at least ${HS256_MIN_SECRET_BYTES} bytes (256 bits) for HS256 (RFC 7518 §3.2); this one is ${bytes}` : undefined;
}

/** A decimal number as typed, or NaN; blank is NaN so that "required" reads the same as "invalid". */
export function parseNumber(value: string): number {
  const text = value.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number.NaN;
  return Number(text);
}

export function checkMaxRps(value: string): string | undefined {
  const n = parseNumber(value);
  if (!Number.isFinite(n) || n < MAX_RPS.min || n > MAX_RPS.max) {
    return `Must be from ${MAX_RPS.min} to ${MAX_RPS.max} requests per second (0.5 = one request every two seconds)`;
  }
  return undefined;
}

export function checkIntegerRange(value: string, min: number, max: number, unit?: string): string | undefined {
  const n = parseNumber(value);
  if (!value.trim()) return 'This field is required';
  if (!Number.isInteger(n) || n < min || n > max) return unit ? `Must be a whole number of ${unit} from ${min} to ${max}` : `Must be a whole number from ${min} to ${max}`;
  return undefined;
}

export function checkThreads(value: string): string | undefined {
  const n = parseNumber(value);
  if (!Number.isInteger(n) || n < THREADS.min || n > THREADS.max) return `Must be a whole number from ${THREADS.min} to ${THREADS.max}`;
  return undefined;
}

// ---- JWT time-to-live: `{number} minute(s)|hour(s)|day(s)|month(s)|year(s)`, at most 10 years.

const TTL = /^\s*(\d{1,7})\s*(minute|hour|day|month|year)s?\s*$/i;
const UNIT_SECONDS = { minute: 60, hour: 3600, day: 86_400 } as const;

export function checkTimeToLive(value: string): string | undefined {
  if (!value.trim()) return 'Time-to-live is required';
  const match = TTL.exec(value);
  if (!match) return 'Must be a number and a unit, e.g. "5 minutes", "1 hour", "30 days", "6 months", "1 year"';
  const count = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  if (count < 1) return 'Must be at least 1';
  const months = unit === 'month' ? count : unit === 'year' ? count * 12 : 0;
  const seconds = unit in UNIT_SECONDS ? count * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS] : 0;
  if (months > 120 || seconds > 10 * 366 * 86_400) return 'Must be at most 10 years';
  return undefined;
}

/** "5 minutes" → "Tokens expire 5 minutes after they are issued"; undefined while the text is not valid. */
export function describeTimeToLive(value: string): string | undefined {
  if (checkTimeToLive(value)) return undefined;
  const match = TTL.exec(value)!;
  const count = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  return `Each token expires ${count} ${unit}${count === 1 ? '' : 's'} after it is issued`;
}

/** Minutes as a readable span: 90 → "1 h 30 min". */
export function describeMinutes(value: string): string | undefined {
  const n = parseNumber(value);
  if (!Number.isInteger(n) || n < 1) return undefined;
  const hours = Math.floor(n / 60);
  const minutes = n % 60;
  if (!hours) return `${minutes} min`;
  return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
}

// ---- JWT payload rows: key = claim name, value = any JSON.

export const RESERVED_CLAIMS = ['iat', 'exp'] as const;

export function checkJsonValue(text: string): string | undefined {
  if (!text.trim()) return 'Enter a JSON value, e.g. "text", 42, true or ["a"]';
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    return 'Not valid JSON (text needs "double quotes")';
  }
}

export function checkClaimName(key: string): string | undefined {
  if (key.trim() === '') return 'Claim names must not be empty';
  if ((RESERVED_CLAIMS as readonly string[]).includes(key)) return `"${key}" is set from the time-to-live and cannot be given`;
  return undefined;
}

// ---- AWS names.

const REGION = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const SERVICE = /^[a-z0-9][a-z0-9._-]*$/i;
const ACCESS_KEY = /^[A-Za-z0-9+/=_-]{8,128}$/;

export const checkRegion = (v: string) =>
  !REGION.test(v.trim()) ? 'Must be a region name such as us-east-1 (lower-case letters, digits, dashes)' : v.trim().length > 64 ? 'Must be at most 64 characters' : undefined;
export const checkService = (v: string) => (!SERVICE.test(v.trim()) ? 'Must be a service name such as execute-api, es or s3' : undefined);
export const checkAccessKeyId = (v: string) => (!ACCESS_KEY.test(v.trim()) ? 'Must be 8–128 letters, digits or +/=_-' : undefined);
export const checkAlgorithmPrefix = (v: string) => (!/^[A-Z][A-Z0-9]{0,15}$/.test(v.trim()) ? 'Must be upper-case letters and digits, e.g. AWS4 or GOOG4' : undefined);
export const checkVendorKey = (v: string) => (!/^[a-z][a-z0-9]{0,15}$/.test(v.trim()) ? 'Must be lower-case letters and digits, e.g. amz or goog' : undefined);

// ---- AWS-S3 filename format.

export const FILENAME_PLACEHOLDERS = ['yyyy', 'MM', 'dd', 'HH', 'mm', 'ss', 'SSS', 'epoch', 'uuid', 'siteId', 'deliveryId', 'ext'] as const;
const SAFE_LITERAL = /^[A-Za-z0-9/!\-_.*'()]*$/;

export function checkFilenameFormat(format: string): string | undefined {
  const names: string[] = [];
  let skeleton = '';
  // Walk "{name}" tokens; every placeholder expands without "/" or ".", so the literal skeleton decides the shape.
  const token = /\{([^{}]*)\}|([^{}]+)|([{}])/g;
  for (const m of format.matchAll(token)) {
    if (m[3] === '}') return 'Has a "}" without its "{"';
    if (m[3] === '{') return 'Has a "{" without its "}"';
    if (m[1] !== undefined) {
      if (!(FILENAME_PLACEHOLDERS as readonly string[]).includes(m[1])) {
        return `Unknown placeholder {${m[1]}}; known: ${FILENAME_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`;
      }
      names.push(m[1]);
      skeleton += 'x';
    } else {
      const literal = m[2]!;
      if (!SAFE_LITERAL.test(literal)) {
        const bad = [...literal].find((c) => !SAFE_LITERAL.test(c));
        return `"${bad}" is not allowed in an object key; use letters, digits and / ! - _ . * ' ( )`;
      }
      skeleton += literal;
    }
  }
  if (!format) return 'Must not be empty';
  if (!names.includes('uuid') && !names.includes('deliveryId')) return 'Must contain {uuid} or {deliveryId}, or every webhook would overwrite the same object';
  if (skeleton.startsWith('/')) return 'Must not start with "/"';
  if (skeleton.includes('//')) return 'Must not contain "//" (an empty path segment)';
  if (skeleton.split('/').some((s) => s === '.' || s === '..')) return 'Must not contain a "." or ".." path segment';
  if (skeleton.endsWith('/')) return 'Must not end with "/"';
  return undefined;
}

// ---- PEM keys: the browser cannot parse them cheaply, so only the shape; the server checks the key itself.

export function checkPemShape(value: string): string | undefined {
  const text = value.trim();
  if (!/^-----BEGIN [A-Z ]+-----/.test(text)) return 'Must be a PEM private key (-----BEGIN PRIVATE KEY----- …)';
  if (/-----BEGIN (RSA |EC )?PUBLIC KEY-----/.test(text) || /-----BEGIN CERTIFICATE-----/.test(text)) {
    return 'This is a public key or certificate; a private key is needed to sign';
  }
  if (/ENCRYPTED PRIVATE KEY/.test(text) || /Proc-Type: 4,ENCRYPTED/.test(text)) {
    return 'Encrypted private keys are not supported; give the key without a passphrase';
  }
  return undefined;
}

export function checkMaxLength(value: string, max: number): string | undefined {
  return value.trim().length > max ? `Must be at most ${max} characters` : undefined;
}

// ---- OAuth2 token request parameters (server auth/token-params.ts).

/** RFC 8707 §2: an absolute URI without a fragment. */
export function checkResourceIndicator(value: string): string | undefined {
  const text = value.trim();
  if (hasControlCharacters(text) || /\s/.test(text)) return 'Must not contain spaces or control characters';
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(text)) return 'Must be an absolute URI, e.g. https://api.example.com/ (RFC 8707 §2)';
  try {
    new URL(text);
  } catch {
    return 'Must be an absolute URI, e.g. https://api.example.com/ (RFC 8707 §2)';
  }
  if (text.includes('#')) return 'Must not contain a #fragment (RFC 8707 §2)';
  return undefined;
}
