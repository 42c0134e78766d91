import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { FieldErrors } from '../validation/field-errors.js';
import { checkMaxLength } from '../validation/checks.js';

// What only the auth methods check; the checks every input shares are in validation/.

export const TOKEN_REQUEST_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'application/json'] as const;
export type TokenRequestContentType = (typeof TOKEN_REQUEST_CONTENT_TYPES)[number];

export function checkTokenRequestContentType(errors: FieldErrors, field: string, value: string | null | undefined): void {
  if (value !== undefined && value !== null && !(TOKEN_REQUEST_CONTENT_TYPES as readonly string[]).includes(value.trim())) {
    errors.add(field, `Must be ${TOKEN_REQUEST_CONTENT_TYPES.join(' or ')}`);
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

/** Scopes typed space- or comma-separated, normalised to the space-separated form RFC 6749 §3.3 sends. */
export function normaliseScope(value: string | null | undefined): string | undefined {
  const parts = (value ?? '').split(/[\s,]+/).filter(Boolean);
  return parts.length ? parts.join(' ') : undefined;
}
