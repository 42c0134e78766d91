import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import net from 'node:net';

/**
 * X.509 certificates made with node:crypto alone (no openssl binary, no extra package): an EC
 * P-256 key and a v3 certificate in PEM. A self-signed one is its own CA: pass it as `ca` to trust
 * it (tests' https servers). `certificateAuthority` makes a CA that issues server and client
 * certificates (mutual TLS tests), with any validity (expired, not yet valid).
 */

function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

const sequence = (...parts: Buffer[]) => der(0x30, ...parts);
const set = (...parts: Buffer[]) => der(0x31, ...parts);
const octets = (value: Buffer) => der(0x04, value);
const utf8 = (text: string) => der(0x0c, Buffer.from(text, 'utf8'));

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const value of rest) {
    const chunk = [value & 0x7f];
    for (let v = value >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

/**
 * A positive DER INTEGER: minimal (leading zero bytes dropped — OpenSSL refuses a non-minimal
 * encoding with ERR_OSSL_ASN1_ILLEGAL_PADDING, which a random serial starting 0x00 0x00–0x7f gave
 * one time in 512), then a leading 0 when the high bit is set.
 */
function integer(value: Buffer): Buffer {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  const minimal = value.subarray(start);
  return der(0x02, minimal[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), minimal]) : minimal);
}

function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return der(0x17, Buffer.from(text, 'ascii'));
}

function ipBytes(address: string): Buffer {
  if (net.isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  const [head, tail] = address.split('::');
  const groups = (text: string | undefined) => (text ? text.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const all = [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  return Buffer.from(all.flatMap((g) => [g >> 8, g & 0xff]));
}

export interface TestCertificate {
  cert: string;
  key: string;
}

export interface CertificateOptions {
  /** subjectAltName entries; none for a CA or a client certificate. */
  names?: { dns?: string[]; ip?: string[] };
  commonName?: string;
  /** Signs it (its issuer name is the CA's common name); unset: self-signed. */
  issuer?: { cert: string; key: string; commonName: string };
  /** basicConstraints CA:TRUE (a self-signed certificate always is: it is its own trust anchor). */
  isCa?: boolean;
  notBefore?: Date;
  notAfter?: Date;
  /** The serial number's bytes; unset: 16 random bytes. */
  serial?: Buffer;
  /** A PEM private key to certify again (a renewal with the same key); unset: a new EC P-256 key. */
  key?: string;
}

function pem(label: string, body: Buffer): string {
  const base64 = body.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${base64}${base64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

/**
 * An X.509 v3 certificate with an EC P-256 key: self-signed, or issued by `issuer` (a CA made by
 * this function with `isCa`). Validity defaults to an hour ago until a day from now.
 */
export function makeCertificate(options: CertificateOptions = {}): TestCertificate {
  const { privateKey, publicKey } = options.key
    ? { privateKey: createPrivateKey(options.key), publicKey: createPublicKey(options.key) }
    : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ecdsaSha256 = sequence(oid('1.2.840.10045.4.3.2'));
  const nameOf = (cn: string) => sequence(set(sequence(oid('2.5.4.3'), utf8(cn))));
  const subject = nameOf(options.commonName ?? 'trusted-sites test');
  const issuerName = options.issuer ? nameOf(options.issuer.commonName) : subject;
  const signingKey = options.issuer ? createPrivateKey(options.issuer.key) : privateKey;
  const isCa = options.isCa ?? !options.issuer;
  const now = Date.now();
  const names = options.names ?? {};
  const extensionList: Buffer[] = [];
  if ((names.dns ?? []).length + (names.ip ?? []).length > 0) {
    const altNames = sequence(
      ...(names.dns ?? []).map((dns) => der(0x82, Buffer.from(dns, 'ascii'))),
      ...(names.ip ?? []).map((ip) => der(0x87, ipBytes(ip))),
    );
    extensionList.push(sequence(oid('2.5.29.17'), octets(altNames)));
  }
  // basicConstraints, critical: CA:TRUE for a trust anchor, CA:FALSE for a leaf.
  extensionList.push(sequence(oid('2.5.29.19'), der(0x01, Buffer.from([0xff])), octets(isCa ? sequence(der(0x01, Buffer.from([0xff]))) : sequence())));
  const tbs = sequence(
    der(0xa0, integer(Buffer.from([2]))),
    integer(options.serial ?? randomBytes(16)),
    ecdsaSha256,
    issuerName,
    sequence(utcTime(options.notBefore ?? new Date(now - 3_600_000)), utcTime(options.notAfter ?? new Date(now + 86_400_000))),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
    der(0xa3, sequence(...extensionList)),
  );
  const signature = sign('sha256', tbs, { key: signingKey, dsaEncoding: 'der' });
  const certificate = sequence(tbs, ecdsaSha256, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return {
    cert: pem('CERTIFICATE', certificate),
    key: createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })).export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

export function selfSignedCertificate(names: { dns?: string[]; ip?: string[] } = { dns: ['localhost'], ip: ['127.0.0.1'] }, commonName = 'trusted-sites test'): TestCertificate {
  return makeCertificate({ names, commonName });
}

/** A certificate authority and what it issued: for mutual TLS tests (a server, clients, one from another CA). */
export interface TestAuthority extends TestCertificate {
  commonName: string;
  issue(options: Omit<CertificateOptions, 'issuer'>): TestCertificate;
}

export function certificateAuthority(commonName: string): TestAuthority {
  const ca = makeCertificate({ commonName, isCa: true, notAfter: new Date(Date.now() + 30 * 86_400_000) });
  return { ...ca, commonName, issue: (options) => makeCertificate({ ...options, issuer: { ...ca, commonName } }) };
}
