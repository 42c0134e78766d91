import { type KeyObject, X509Certificate, createHash, createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import tls from 'node:tls';
import { GraphQLDateTime } from 'graphql-scalars';
import { Field, InputType, Int, ObjectType } from 'type-graphql';
import type { SecretBox } from '../crypto/secrets.js';
import type { ClientTls } from '../net/outgoing.js';
import type { FieldErrors } from '../validation/field-errors.js';

/**
 * A site's client certificate (issue 12 item 3, mutual TLS): a PEM certificate chain and its
 * private key, presented on every TLS connection to the site — webhooks, test connection and the
 * site's OAuth token requests — with, optionally, the certificate authorities that verify the
 * site's own server certificate instead of Node's bundle. Per site, not per auth method: any
 * method can sit on top of it. The key is sealed like the other secrets and never read back.
 */

/** Days before notAfter from which the API says `expiresSoon` and the dashboard warns. */
export const EXPIRES_SOON_DAYS = 30;

export const CLIENT_CERTIFICATE_LIMITS = {
  /** A leaf and its intermediates: real chains are 1–4 certificates of 1–2 KiB each. */
  certificateBytes: 65_536,
  certificates: 10,
  /** An RSA 8192 key in PEM is about 6.5 KiB. */
  privateKeyBytes: 16_384,
  /** Room for a whole public bundle (Mozilla's is about 220 KiB); it is read with the site. */
  caBytes: 262_144,
  caCertificates: 300,
} as const;

/** As stored in `site.client_certificate` (jsonb). Only the key is secret: it is held sealed. */
export interface StoredClientCertificate {
  /** New on every set: the version outgoing clients key their TLS connections by. */
  id: string;
  /** The chain as PEM, leaf first, normalised (one block per certificate, nothing else). */
  certificate: string;
  /** PEM bundle trusted for the site's server certificate; null: Node's bundle. */
  ca: string | null;
  sealedKey: string;
  subject: string;
  issuer: string;
  /** SHA-256 of the leaf's DER, colon-separated upper-case hex (as openssl and browsers show it). */
  fingerprint: string;
  /** ISO timestamps of the leaf's validity. */
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the key's public half (not secret): says in the audit whether the key changed. */
  keyFingerprint: string;
  /** SHA-256 of the CA bundle as stored, null without one. */
  caFingerprint: string | null;
  certificates: number;
  caCertificates: number;
  /** When it was set (ISO). */
  setAt: string;
}

@ObjectType('ClientCertificate', { description: 'The client certificate presented to the site (mutual TLS). The private key is never returned.' })
export class ClientCertificate {
  @Field(() => String, { description: 'The leaf certificate’s subject, as CN=…, O=….' }) subject!: string;
  @Field(() => String, { description: 'The leaf certificate’s issuer.' }) issuer!: string;
  @Field(() => String, { description: 'SHA-256 of the leaf certificate (DER), colon-separated hex.' }) fingerprint!: string;
  @Field(() => GraphQLDateTime) notBefore!: Date;
  @Field(() => GraphQLDateTime) notAfter!: Date;
  @Field(() => Boolean, { description: `True from ${EXPIRES_SOON_DAYS} days before notAfter (and once it has passed).` }) expiresSoon!: boolean;
  @Field(() => Boolean, { description: 'True once notAfter has passed: receivers refuse it.' }) expired!: boolean;
  @Field(() => Int, { description: 'Certificates in the chain sent (the leaf and its intermediates).' }) certificates!: number;
  @Field(() => Int, { description: 'Certificates in the CA bundle that verifies the site’s server; 0: Node’s bundle.' }) caCertificates!: number;
  @Field(() => GraphQLDateTime) setAt!: Date;
}

@InputType('ClientCertificateInput', { description: 'A client certificate for mutual TLS, in PEM. Replaces the stored one as a whole, except an omitted private key.' })
export class ClientCertificateInput {
  @Field(() => String, { description: 'The certificate chain: the client certificate first, then any intermediates that issued it, as PEM CERTIFICATE blocks.' })
  certificate!: string;
  @Field(() => String, {
    nullable: true,
    description: 'Write-only. The certificate’s private key, unencrypted PEM (PKCS#8, PKCS#1 or SEC1). Omit to keep the stored key (it must match the new certificate).',
  })
  privateKey?: string | null;
  @Field(() => String, { nullable: true, description: 'PEM CERTIFICATE blocks that verify the site’s server certificate instead of Node’s bundle. Omit or empty: Node’s bundle.' })
  ca?: string | null;
}

/** The sealing context field of the key (secretContext(siteId, CLIENT_KEY_FIELD)). */
export const CLIENT_KEY_FIELD = 'clientCertificate:privateKey';

export function toClientCertificate(stored: StoredClientCertificate | null | undefined, now = new Date()): ClientCertificate | null {
  if (!stored) return null;
  const notAfter = new Date(stored.notAfter);
  return Object.assign(new ClientCertificate(), {
    subject: stored.subject,
    issuer: stored.issuer,
    fingerprint: stored.fingerprint,
    notBefore: new Date(stored.notBefore),
    notAfter,
    expiresSoon: notAfter.getTime() - now.getTime() <= EXPIRES_SOON_DAYS * 86_400_000,
    expired: notAfter.getTime() <= now.getTime(),
    certificates: stored.certificates,
    caCertificates: stored.caCertificates,
    setAt: new Date(stored.setAt),
  });
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

interface PemBlock {
  label: string;
  text: string;
}

/** The PEM blocks of a text, and whether anything but blocks and white space was there. */
function pemBlocks(text: string): { blocks: PemBlock[]; stray: boolean } {
  const blocks: PemBlock[] = [];
  let rest = text;
  for (const match of text.matchAll(PEM_BLOCK)) {
    blocks.push({ label: match[1]!, text: `${match[0]}\n` });
    rest = rest.replace(match[0], '');
  }
  return { blocks, stray: rest.trim() !== '' };
}

/** `CN=a\nO=b` as one line, `CN=a, O=b` (subjects may hold several lines, one per attribute). */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Reads certificate blocks at `path`. Never puts the text in a message (a pasted key in the
 * wrong field must not come back in an error).
 */
function readCertificates(errors: FieldErrors, path: string, text: string, what: string, maxBytes: number, maxCount: number): X509Certificate[] | undefined {
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    errors.add(path, `Must be at most ${maxBytes.toLocaleString('en')} bytes of PEM`);
    return undefined;
  }
  const { blocks, stray } = pemBlocks(text);
  if (blocks.some((b) => b.label.includes('PRIVATE KEY'))) {
    errors.add(path, 'This holds a private key: it belongs in privateKey, never here');
    return undefined;
  }
  const certificates = blocks.filter((b) => b.label === 'CERTIFICATE');
  if (!certificates.length || stray || certificates.length !== blocks.length) {
    errors.add(path, `Must be ${what} as PEM: -----BEGIN CERTIFICATE----- blocks and nothing else`);
    return undefined;
  }
  if (certificates.length > maxCount) {
    errors.add(path, `Must hold at most ${maxCount} certificates; this holds ${certificates.length}`);
    return undefined;
  }
  const parsed: X509Certificate[] = [];
  for (const [index, block] of certificates.entries()) {
    try {
      parsed.push(new X509Certificate(block.text));
    } catch {
      errors.add(path, `Certificate ${index + 1} of ${certificates.length} is not a readable X.509 certificate`);
      return undefined;
    }
  }
  return parsed;
}

/** A private key from unencrypted PEM, or undefined with an error at `path` (never holding the key). */
function readPrivateKey(errors: FieldErrors, path: string, text: string): KeyObject | undefined {
  if (Buffer.byteLength(text, 'utf8') > CLIENT_CERTIFICATE_LIMITS.privateKeyBytes) {
    errors.add(path, `Must be at most ${CLIENT_CERTIFICATE_LIMITS.privateKeyBytes.toLocaleString('en')} bytes of PEM`);
    return undefined;
  }
  const { blocks, stray } = pemBlocks(text);
  const keys = blocks.filter((b) => b.label.endsWith('PRIVATE KEY'));
  if (keys.some((b) => b.label === 'ENCRYPTED PRIVATE KEY') || /Proc-Type: 4,ENCRYPTED/.test(text)) {
    // Decrypting needs its passphrase at every use: store the key unencrypted (it is sealed here).
    errors.add(path, 'Encrypted private keys are not accepted: decrypt it first (openssl pkey -in key.pem -out plain.pem); it is stored sealed');
    return undefined;
  }
  if (keys.length !== 1 || blocks.length !== 1 || stray) {
    errors.add(path, 'Must be one unencrypted private key as PEM (-----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY) and nothing else');
    return undefined;
  }
  try {
    return createPrivateKey({ key: keys[0]!.text, format: 'pem' });
  } catch {
    errors.add(path, 'Is not a readable private key');
    return undefined;
  }
}

export interface ClientCertificateSealing {
  box: SecretBox;
  /** The sealing context of the key: `site:<id>:clientCertificate:privateKey`. */
  context: string;
  /** Opens the stored key (when the input keeps it). */
  openStored(stored: StoredClientCertificate): string;
}

/**
 * Checks an input against the rules below and returns what to store, or undefined with errors at
 * `clientCertificate.*`. Rules: the chain parses, leaf first and each certificate issued by the
 * next; the leaf is valid now; the key (given, or the stored one when omitted) matches the leaf;
 * the CA bundle, if any, parses; sizes are capped; and OpenSSL accepts the whole as a TLS context.
 */
export function parseClientCertificate(
  input: ClientCertificateInput,
  current: StoredClientCertificate | null,
  now: Date,
  errors: FieldErrors,
  sealing: ClientCertificateSealing,
): StoredClientCertificate | undefined {
  const at = errors.at('clientCertificate');
  const limits = CLIENT_CERTIFICATE_LIMITS;
  const chain = typeof input.certificate === 'string' ? readCertificates(at, 'certificate', input.certificate, 'the certificate chain (client certificate first)', limits.certificateBytes, limits.certificates) : undefined;
  if (typeof input.certificate !== 'string') at.add('certificate', 'The certificate is required');
  // Out of order, the first certificate may not be the client's: its key is not checked then.
  let leaf = chain?.[0];
  if (chain && leaf) {
    for (let i = 0; i + 1 < chain.length; i++) {
      if (!chain[i]!.checkIssued(chain[i + 1]!)) {
        at.add('certificate', `Certificate ${i + 2} did not issue certificate ${i + 1}: put the client certificate first, then each certificate that issued the one before it`);
        leaf = undefined;
        break;
      }
    }
  }
  if (leaf) {
    const notBefore = Date.parse(leaf.validFrom);
    const notAfter = Date.parse(leaf.validTo);
    if (Number.isNaN(notBefore) || Number.isNaN(notAfter)) {
      at.add('certificate', 'The client certificate’s validity dates cannot be read');
      leaf = undefined;
    } else if (notAfter <= now.getTime()) at.add('certificate', `The client certificate expired on ${new Date(notAfter).toISOString()}`);
    else if (notBefore > now.getTime()) at.add('certificate', `The client certificate is not valid before ${new Date(notBefore).toISOString()}`);
  }

  const given = input.privateKey !== undefined && input.privateKey !== null && input.privateKey !== '';
  let keyPem: string | undefined;
  let key: KeyObject | undefined;
  if (given) {
    key = readPrivateKey(at, 'privateKey', input.privateKey!);
    keyPem = key ? (key.export({ type: 'pkcs8', format: 'pem' }) as string) : undefined;
  } else if (current) {
    keyPem = sealing.openStored(current);
    key = createPrivateKey(keyPem);
  } else {
    at.add('privateKey', 'The private key is required');
  }
  if (leaf && key && !keyMatches(leaf, key)) {
    at.add('privateKey', given ? 'This private key does not match the client certificate' : 'The stored private key does not match this certificate: give the certificate’s own key');
  }

  const caText = input.ca?.trim() ? input.ca : null;
  const ca = caText !== null ? readCertificates(at, 'ca', caText, 'certificate authorities', limits.caBytes, limits.caCertificates) : null;
  if (!errors.empty || !chain || !leaf || !key || !keyPem || ca === undefined) return undefined;

  const certificate = chain.map((c) => c.toString().trim()).join('\n') + '\n';
  const caPem = ca ? ca.map((c) => c.toString().trim()).join('\n') + '\n' : null;
  try {
    // What the TLS connection will do with them: OpenSSL's own check of the key against the chain.
    tls.createSecureContext({ cert: certificate, key: keyPem, ...(caPem ? { ca: caPem } : {}) });
  } catch {
    at.add('certificate', 'The TLS library refuses this certificate and key together (an unsupported key type, say)');
    return undefined;
  }
  // The public half (never the private bytes) says in the audit whether the key changed.
  const publicKey = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return {
    id: randomUUID(),
    certificate,
    ca: caPem,
    sealedKey: sealing.box.seal(keyPem, sealing.context),
    subject: oneLine(leaf.subject),
    issuer: oneLine(leaf.issuer),
    fingerprint: leaf.fingerprint256,
    notBefore: new Date(Date.parse(leaf.validFrom)).toISOString(),
    notAfter: new Date(Date.parse(leaf.validTo)).toISOString(),
    keyFingerprint: sha256(publicKey),
    caFingerprint: caPem ? sha256(caPem) : null,
    certificates: chain.length,
    caCertificates: ca?.length ?? 0,
    setAt: now.toISOString(),
  };
}

/** Whether `key` is the private half of the certificate's public key (a key of another type is not: OpenSSL may throw for it). */
function keyMatches(certificate: X509Certificate, key: KeyObject): boolean {
  try {
    return certificate.checkPrivateKey(key);
  } catch {
    return false;
  }
}

/** What an outgoing client needs to present the certificate: the stored chain and CA with the key opened. */
export function clientTlsOf(stored: StoredClientCertificate | null | undefined, openKey: (stored: StoredClientCertificate) => string): ClientTls | null {
  if (!stored) return null;
  return { version: stored.id, cert: stored.certificate, key: openKey(stored), ca: stored.ca };
}
