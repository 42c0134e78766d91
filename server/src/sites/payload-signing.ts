import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { GraphQLDateTime } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import type { Secrets } from '../auth/types.js';
import type { SecretBox } from '../crypto/secrets.js';
import type { FieldErrors } from '../validation/field-errors.js';

/**
 * Payload signatures (issue 12 item 1, the Standard Webhooks scheme, standardwebhooks.com): on top of
 * any auth method, every request to the site carries `webhook-id`, `webhook-timestamp` and
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one `v1,…` per active secret,
 * space-separated, so a receiver can move to a new secret while the old one still verifies.
 */

export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

export const SECRET_PREFIX = 'whsec_';
export const SIGNING_LIMITS = {
  /** Generated secrets: 32 random bytes (the scheme asks for 24–64). */
  generatedBytes: 32,
  minBytes: 24,
  maxBytes: 64,
  /** Secrets sending signatures at once: each adds about 50 bytes to every request. */
  activeSecrets: 5,
  overlapMinutes: { min: 0, max: 43_200, default: 1440 },
} as const;

/** One secret as stored in `site.signing` (jsonb): only its sealed value, never the plaintext. */
export interface StoredSigningSecret {
  id: string;
  /** ISO timestamps. */
  createdAt: string;
  /** Null while it is the newest; set by a rotation to when the old secret stops signing. */
  expiresAt: string | null;
  fingerprint: string;
  sealed: string;
}

export interface StoredSigning {
  enabled: boolean;
  secrets: StoredSigningSecret[];
}

export const SIGNING_OFF: StoredSigning = { enabled: false, secrets: [] };

@ObjectType('SigningSecret', { description: 'A payload-signing secret. The secret itself is shown only by the mutation that made it.' })
export class SigningSecret {
  @Field(() => ID) id!: string;
  @Field(() => GraphQLDateTime) createdAt!: Date;
  @Field(() => GraphQLDateTime, { nullable: true, description: 'When it stops signing (set by a rotation); null for the newest secret.' })
  expiresAt!: Date | null;
  @Field(() => String, { description: 'The first 8 hex digits of the SHA-256 of the secret’s bytes, to tell secrets apart.' })
  fingerprint!: string;
}

@ObjectType('PayloadSigning', { description: 'Standard Webhooks payload signatures (webhook-id, webhook-timestamp, webhook-signature).' })
export class PayloadSigning {
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => [SigningSecret], { description: 'The secrets that sign now, oldest first (expired ones are not listed).' })
  secrets!: SigningSecret[];
}

/** The key under which a signing secret's plaintext sits in a site's opened secrets, and the field of its sealing context. */
export function signingSecretKey(id: string): string {
  return `signing:${id}`;
}

/** The secrets still signing at `now`. */
export function activeSecrets(signing: StoredSigning | undefined | null, now: Date): StoredSigningSecret[] {
  return (signing?.secrets ?? []).filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > now.getTime());
}

export function toPayloadSigning(signing: StoredSigning | undefined | null, now = new Date()): PayloadSigning {
  return Object.assign(new PayloadSigning(), {
    enabled: signing?.enabled ?? false,
    secrets: activeSecrets(signing, now).map((s) =>
      Object.assign(new SigningSecret(), { id: s.id, createdAt: new Date(s.createdAt), expiresAt: s.expiresAt ? new Date(s.expiresAt) : null, fingerprint: s.fingerprint }),
    ),
  });
}

function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(SIGNING_LIMITS.generatedBytes).toString('base64');
}

/** Checks a supplied secret: `whsec_` and canonical base64 of 24–64 bytes. Never puts the value in a message. */
export function checkSecret(errors: FieldErrors, path: string, secret: string): boolean {
  if (!secret.startsWith(SECRET_PREFIX)) {
    errors.add(path, `Must start with ${SECRET_PREFIX} followed by the base64 of ${SIGNING_LIMITS.minBytes}–${SIGNING_LIMITS.maxBytes} bytes`);
    return false;
  }
  const encoded = secret.slice(SECRET_PREFIX.length);
  // Canonical base64 only, so the bytes a receiver decodes are the bytes signed with.
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0 || Buffer.from(encoded, 'base64').toString('base64') !== encoded) {
    errors.add(path, `After ${SECRET_PREFIX}, must be standard base64 (A–Z, a–z, 0–9, +, /, = padding)`);
    return false;
  }
  const bytes = Buffer.from(encoded, 'base64').length;
  if (bytes < SIGNING_LIMITS.minBytes || bytes > SIGNING_LIMITS.maxBytes) {
    errors.add(path, `Must decode to ${SIGNING_LIMITS.minBytes}–${SIGNING_LIMITS.maxBytes} bytes; this is ${bytes}`);
    return false;
  }
  return true;
}

export function fingerprintOf(secret: string): string {
  return createHash('sha256').update(secretBytes(secret)).digest('hex').slice(0, 8);
}

export interface SigningSealing {
  box: SecretBox;
  /** The sealing context of a secret: `site:<id>:signing:<secretId>`. */
  context(secretId: string): string;
}

/**
 * The stored signing after adding `secret` (already checked): the secrets still active get
 * `expiresAt` = now + overlap (or keep an earlier one), expired ones are dropped from storage.
 */
export function addSecret(current: StoredSigning, secret: string, overlapMinutes: number, now: Date, sealing: SigningSealing): { signing: StoredSigning; added: StoredSigningSecret } {
  const until = new Date(now.getTime() + overlapMinutes * 60_000);
  const kept = activeSecrets(current, now)
    .map((s) => ({ ...s, expiresAt: s.expiresAt !== null && Date.parse(s.expiresAt) < until.getTime() ? s.expiresAt : until.toISOString() }))
    // An overlap of 0 ends the old secrets now.
    .filter((s) => Date.parse(s.expiresAt) > now.getTime());
  const id = randomUUID();
  const added: StoredSigningSecret = { id, createdAt: now.toISOString(), expiresAt: null, fingerprint: fingerprintOf(secret), sealed: sealing.box.seal(secret, sealing.context(signingSecretKey(id))) };
  return { signing: { enabled: current.enabled, secrets: [...kept, added] }, added };
}

/** The stored signing without the secrets that have stopped signing. */
export function purgeExpired(current: StoredSigning | undefined | null, now: Date): StoredSigning {
  return { enabled: current?.enabled ?? false, secrets: activeSecrets(current, now) };
}

/**
 * The three headers for one request: `secrets` are the site's opened secrets (SiteService.openSecrets,
 * under signingSecretKey). The timestamp is `now` in whole seconds: every attempt signs anew.
 */
export function signatureHeaders(signing: StoredSigning, secrets: Secrets<string>, id: string, body: Buffer, now: Date): Array<[string, string]> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const signatures: string[] = [];
  for (const secret of activeSecrets(signing, now)) {
    const plaintext = secrets[signingSecretKey(secret.id)];
    if (plaintext === undefined) continue;
    const mac = createHmac('sha256', secretBytes(plaintext)).update(`${id}.${timestamp}.`).update(body).digest('base64');
    signatures.push(`v1,${mac}`);
  }
  return [
    [WEBHOOK_ID_HEADER, id],
    [WEBHOOK_TIMESTAMP_HEADER, timestamp],
    [WEBHOOK_SIGNATURE_HEADER, signatures.join(' ')],
  ];
}
