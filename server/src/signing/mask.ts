/**
 * Masking for what an administrator is shown of a signed request or a receiver's answer: enough
 * to compare with the receiver's documentation (scheme, key id, signed headers, JWT claims), never
 * a usable credential.
 */
export const MASK = '••••••••';

/** Headers whose whole value is a credential. */
const SECRET_HEADER = /^(x-[a-z0-9]+-security-token|cookie|proxy-authorization|x-api-key)$/;

function maskAuthorization(value: string): string {
  const space = value.indexOf(' ');
  if (space === -1) return MASK;
  const scheme = value.slice(0, space);
  const rest = value.slice(space + 1).trim();
  if (/^basic$/i.test(scheme)) return `${scheme} ${MASK}`;
  if (/^bearer$/i.test(scheme)) {
    // A JWT's header and claims are not secret and help debugging; without its signature it cannot be replayed.
    const parts = rest.split('.');
    if (parts.length === 3 && parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p))) return `${scheme} ${parts[0]}.${parts[1]}.${MASK}`;
    return `${scheme} ${MASK}`;
  }
  if (/-HMAC-SHA256$/i.test(scheme)) return `${scheme} ${rest.replace(/Signature=[0-9a-f]+/i, `Signature=${MASK}`)}`;
  return `${scheme} ${MASK}`;
}

/** Replaces every occurrence of any secret in `text`. Secrets shorter than 4 characters are left: they would mask noise. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of secrets) {
    if (secret.length >= 4) masked = masked.split(secret).join(MASK);
  }
  return masked;
}

export function maskHeader(name: string, value: string, secrets: readonly string[]): string {
  const lower = name.toLowerCase();
  if (lower === 'authorization') return maskAuthorization(value);
  // A header whose whole value is a secret (an API key under any name, a secret static header) is
  // masked whatever its length: maskSecrets leaves short ones.
  if (SECRET_HEADER.test(lower) || secrets.includes(value)) return MASK;
  return maskSecrets(value, secrets);
}

/** The values a response or preview must not show: the site's secrets and the exact credentials sent. */
export function secretsOf(siteSecrets: Record<string, string | undefined>, sentHeaders: Record<string, string>, accessToken?: string): string[] {
  const list = Object.values(siteSecrets).filter((v): v is string => typeof v === 'string');
  // As a query parameter (an API key) a secret travels percent-encoded: mask that form in URLs and echoes too.
  for (const secret of [...list]) {
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) list.push(encoded);
  }
  if (accessToken) list.push(accessToken);
  for (const [name, value] of Object.entries(sentHeaders)) {
    const lower = name.toLowerCase();
    if (lower === 'authorization') {
      list.push(value);
      const credentials = value.slice(value.indexOf(' ') + 1).trim();
      if (credentials) list.push(credentials);
    } else if (SECRET_HEADER.test(lower)) {
      list.push(value);
    }
  }
  // Longest first, so a secret that contains another is masked whole.
  return [...new Set(list)].sort((a, b) => b.length - a.length);
}
