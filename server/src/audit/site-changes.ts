import { createHash } from 'node:crypto';
import { definitionOf } from '../auth/registry.js';
import type { Secrets } from '../auth/types.js';
import type { Site } from '../sites/site.entity.js';
import { activeSecrets, signingSecretKey } from '../sites/payload-signing.js';
import { headerSecretKey } from '../sites/static-headers.js';

/**
 * A site as field paths (the input's paths: `url`, `performance.maxRps`, `auth.basic.password`)
 * and something to compare them by. Secrets are compared by a SHA-256 of their plaintext, made and
 * dropped here: the snapshot never holds a secret, and only the paths leave this module.
 */
export type SiteSnapshot = Map<string, string>;

export function snapshotSite(site: Site, openSecrets: (site: Site) => Secrets<string>): SiteSnapshot {
  const paths: SiteSnapshot = new Map([
    ['name', site.name],
    ['url', site.url],
    ['contentType', site.contentType],
    ['performance.maxRps', String(site.maxRps)],
    ['performance.threads', String(site.threads)],
    ['sendTraceparent', String(site.sendTraceparent)],
  ]);
  const definition = definitionOf(site.auth.method);
  const prefix = `auth.${definition.inputKey}`;
  for (const [key, value] of Object.entries(site.auth)) {
    // `…Set` fields say whether a secret is set: the secret's own path says when it changes.
    if (key === 'method' || key === 'sealed' || key.endsWith('Set') || value === undefined || value === null) continue;
    paths.set(`${prefix}.${key}`, JSON.stringify(value));
  }
  const secrets = openSecrets(site);
  const hash = (plaintext: string) => `secret:${createHash('sha256').update(plaintext).digest('hex')}`;
  for (const [name, plaintext] of Object.entries(secrets)) {
    // Secret static headers' and signing secrets' values are opened with the auth secrets; their paths are below.
    if (plaintext !== undefined && !name.startsWith(headerSecretKey('')) && !name.startsWith(signingSecretKey(''))) paths.set(`${prefix}.${name}`, hash(plaintext));
  }
  // By name, as the API identifies a static header: a header moved in the list is no change.
  for (const header of site.storedHeaders ?? []) {
    const secret = secrets[headerSecretKey(header.name)];
    paths.set(`headers.${header.name}`, header.sealed !== null ? (secret === undefined ? 'secret' : hash(secret)) : JSON.stringify(header.value));
  }
  // A signing secret by its id (never its value): added, given an end by a rotation, or gone.
  paths.set('signing.enabled', String(site.storedSigning?.enabled ?? false));
  for (const secret of activeSecrets(site.storedSigning, new Date())) paths.set(`signing.secrets.${secret.id}`, secret.expiresAt ?? 'no end');
  // Client certificate: by fingerprints (the key's is of its public half), never the key itself.
  const certificate = site.storedClientCertificate;
  if (certificate) {
    // The whole chain: a new intermediate under the same leaf is a change too.
    paths.set('clientCertificate.certificate', createHash('sha256').update(certificate.certificate).digest('hex'));
    paths.set('clientCertificate.privateKey', `public:${certificate.keyFingerprint}`);
    if (certificate.caFingerprint) paths.set('clientCertificate.ca', certificate.caFingerprint);
  }
  return paths;
}

/** The paths whose value differs (or that exist on one side only), sorted. No values. */
export function changedPaths(before: SiteSnapshot | undefined, after: SiteSnapshot): string[] {
  const changed = new Set<string>();
  for (const [path, value] of after) if (before?.get(path) !== value) changed.add(path);
  for (const path of before?.keys() ?? []) if (!after.has(path)) changed.add(path);
  return [...changed].sort();
}
