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

export function checkHttpUrl(errors: FieldErrors, field: string, value: string | null | undefined): void {
  if (!required(errors, field, value)) return;
  let parsed: URL;
  try {
    parsed = new URL(value!.trim());
  } catch {
    errors.add(field, 'Must be an absolute URL, e.g. https://example.com/hook');
    return;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    errors.add(field, 'Must be an http:// or https:// URL');
  } else if (!parsed.hostname) {
    errors.add(field, 'Must name a host');
  } else if (parsed.username || parsed.password) {
    errors.add(field, 'Must not contain credentials; use the authentication method instead');
  }
}

export function checkMaxLength(errors: FieldErrors, field: string, value: string | null | undefined, max: number): void {
  if (value && value.length > max) errors.add(field, `Must be at most ${max} characters`);
}

// RFC 9110 §8.3.1: type "/" subtype *( OWS ";" OWS parameter ), tokens of tchar.
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=(${TOKEN}|"([^"\\\\]|\\\\.)*"))*$`);

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

/** Scopes typed space- or comma-separated, normalised to the space-separated form RFC 6749 §3.3 sends. */
export function normaliseScope(value: string | null | undefined): string | undefined {
  const parts = (value ?? '').split(/[\s,]+/).filter(Boolean);
  return parts.length ? parts.join(' ') : undefined;
}
