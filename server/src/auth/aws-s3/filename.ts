/**
 * The AWS-S3 filename format: a template for the object key.
 *
 * Placeholders (all times in UTC, at the moment the request is signed):
 *   {yyyy} {MM} {dd} {HH} {mm} {ss} {SSS}  year, month, day, hour, minute, second, millisecond (zero-padded)
 *   {epoch}        Unix time in milliseconds
 *   {uuid}         a fresh random UUID per object
 *   {siteId}       the site's id
 *   {deliveryId}   the delivery's id (stable across retries: a retried delivery overwrites its own object)
 *   {ext}          the file extension that follows the site's content type (json, xml, csv, txt, bin …)
 * Literal text may use only S3's "safe characters": letters, digits and / ! - _ . * ' ( ).
 * A key must not start with "/", contain "//" or a "." / ".." segment, and must include {uuid} or
 * {deliveryId} so that two webhooks never overwrite each other.
 *
 * The key is appended to the site URL after one "/" (`PUT {site url}/{key}`); characters outside
 * RFC 3986's unreserved set (' ( ) * !) are percent-encoded on the wire, and S3 decodes them back.
 */
export const FILENAME_PLACEHOLDERS = ['yyyy', 'MM', 'dd', 'HH', 'mm', 'ss', 'SSS', 'epoch', 'uuid', 'siteId', 'deliveryId', 'ext'] as const;
export type FilenamePlaceholder = (typeof FILENAME_PLACEHOLDERS)[number];

export const DEFAULT_FILENAME_FORMAT = '{yyyy}/{MM}/{dd}/{deliveryId}.{ext}';

const SAFE_LITERAL = /^[A-Za-z0-9/!\-_.*'()]*$/;
const MAX_KEY_BYTES = 1024;
/** Longest expansion of each placeholder, to bound the key length at save time. */
const MAX_WIDTH: Record<FilenamePlaceholder, number> = {
  yyyy: 4, MM: 2, dd: 2, HH: 2, mm: 2, ss: 2, SSS: 3, epoch: 16, uuid: 36, siteId: 36, deliveryId: 36, ext: 8,
};

type Part = { literal: string } | { placeholder: FilenamePlaceholder };

/** Parses a format; returns the parts or the reason it cannot produce a valid key. */
export function parseFilenameFormat(format: string): { parts: Part[] } | { error: string } {
  const parts: Part[] = [];
  let rest = format;
  while (rest.length > 0) {
    const open = rest.indexOf('{');
    const close = rest.indexOf('}');
    if (close !== -1 && (open === -1 || close < open)) return { error: 'Has a "}" without its "{"' };
    if (open === -1) {
      parts.push({ literal: rest });
      break;
    }
    if (open > 0) parts.push({ literal: rest.slice(0, open) });
    const end = rest.indexOf('}', open);
    if (end === -1) return { error: 'Has a "{" without its "}"' };
    const name = rest.slice(open + 1, end);
    if (!(FILENAME_PLACEHOLDERS as readonly string[]).includes(name)) {
      return { error: `Unknown placeholder {${name}}; known: ${FILENAME_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}` };
    }
    parts.push({ placeholder: name as FilenamePlaceholder });
    rest = rest.slice(end + 1);
  }
  for (const part of parts) {
    if ('literal' in part && !SAFE_LITERAL.test(part.literal)) {
      const bad = [...part.literal].find((c) => !SAFE_LITERAL.test(c));
      return { error: `"${bad}" is not allowed in an object key; use letters, digits and / ! - _ . * ' ( )` };
    }
  }
  if (parts.length === 0) return { error: 'Must not be empty' };
  if (!parts.some((p) => 'placeholder' in p && (p.placeholder === 'uuid' || p.placeholder === 'deliveryId'))) {
    return { error: 'Must contain {uuid} or {deliveryId}, or every webhook would overwrite the same object' };
  }
  // Check the shape on a sample expansion: placeholders never produce "/" or ".", so the literal skeleton decides.
  const skeleton = parts.map((p) => ('literal' in p ? p.literal : 'x')).join('');
  if (skeleton.startsWith('/')) return { error: 'Must not start with "/"' };
  if (skeleton.includes('//')) return { error: 'Must not contain "//" (an empty path segment)' };
  if (skeleton.split('/').some((segment) => segment === '.' || segment === '..')) return { error: 'Must not contain a "." or ".." path segment' };
  if (skeleton.endsWith('/')) return { error: 'Must not end with "/"' };
  const maxBytes = parts.reduce((n, p) => n + ('literal' in p ? Buffer.byteLength(p.literal) : MAX_WIDTH[p.placeholder]), 0);
  if (maxBytes > MAX_KEY_BYTES) return { error: `Can produce keys longer than S3's ${MAX_KEY_BYTES} bytes` };
  return { parts };
}

const extensions = new Map<string, string>();

export function extensionFor(contentType: string): string {
  let extension = extensions.get(contentType);
  if (extension === undefined) {
    extension = extensionOfEssence(contentType);
    // Content types come from a handful of site settings; the bound only guards against odd callers.
    if (extensions.size < 256) extensions.set(contentType, extension);
  }
  return extension;
}

function extensionOfEssence(contentType: string): string {
  const essence = contentType.split(';')[0]!.trim().toLowerCase();
  if (essence === 'application/json' || essence.endsWith('+json')) return 'json';
  if (essence === 'application/xml' || essence === 'text/xml' || essence.endsWith('+xml')) return 'xml';
  if (essence === 'text/csv') return 'csv';
  if (essence === 'text/plain') return 'txt';
  if (essence === 'text/html') return 'html';
  if (essence === 'application/x-www-form-urlencoded') return 'txt';
  if (essence === 'application/x-ndjson') return 'ndjson';
  if (essence === 'application/yaml' || essence === 'text/yaml') return 'yaml';
  return 'bin';
}

export interface FilenameValues {
  now: Date;
  uuid: string;
  siteId: string;
  deliveryId: string;
  contentType: string;
}

// Formats are few (one per site) and parsed on every upload; remembering them keeps signing near aws4's own cost.
const parsedFormats = new Map<string, Part[]>();
const PARSED_FORMAT_CACHE_SIZE = 256;

function partsOf(format: string): Part[] {
  let parts = parsedFormats.get(format);
  if (!parts) {
    const parsed = parseFilenameFormat(format);
    if ('error' in parsed) throw new Error(`invalid filename format: ${parsed.error}`);
    parts = parsed.parts;
    if (parsedFormats.size >= PARSED_FORMAT_CACHE_SIZE) parsedFormats.delete(parsedFormats.keys().next().value!);
    parsedFormats.set(format, parts);
  }
  return parts;
}

/** Expands a format already accepted by `parseFilenameFormat`. */
export function renderObjectKey(format: string, values: FilenameValues): string {
  const parsed = { parts: partsOf(format) };
  const d = values.now;
  let key = '';
  for (const part of parsed.parts) key += 'literal' in part ? part.literal : expand(part.placeholder, d, values);
  return key;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function expand(placeholder: FilenamePlaceholder, d: Date, values: FilenameValues): string {
  switch (placeholder) {
    case 'yyyy':
      return pad(d.getUTCFullYear(), 4);
    case 'MM':
      return pad(d.getUTCMonth() + 1);
    case 'dd':
      return pad(d.getUTCDate());
    case 'HH':
      return pad(d.getUTCHours());
    case 'mm':
      return pad(d.getUTCMinutes());
    case 'ss':
      return pad(d.getUTCSeconds());
    case 'SSS':
      return pad(d.getUTCMilliseconds(), 3);
    case 'epoch':
      return String(d.getTime());
    case 'uuid':
      return values.uuid;
    case 'siteId':
      return values.siteId;
    case 'deliveryId':
      return values.deliveryId;
    case 'ext':
      return extensionFor(values.contentType);
    default: {
      const unknown: never = placeholder;
      throw new Error(`unknown placeholder ${String(unknown)}`);
    }
  }
}
