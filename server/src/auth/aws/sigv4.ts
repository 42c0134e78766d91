/**
 * AWS Signature Version 4, generalised over the names a copying vendor substitutes.
 *
 * `aws4` signs the default scheme in production (see `sign.ts`); this implementation exists for the
 * schemes `aws4` cannot express (`GOOG4-HMAC-SHA256`, `x-goog-*`, `goog4_request`). With the
 * default names it reproduces `aws4`'s output byte for byte — the same implied headers, the same
 * canonical request and the same rewritten request target — which `sigv4.test.ts` checks on
 * generated requests, so choosing one or the other is never observable on the wire.
 *
 * Options beyond `aws4` (`normalizePath`, `pathEncoding`, `impliedHeaders`, `signSessionToken`)
 * exist so that the published AWS suites, which vary them, can be run case by case.
 */
import { createHash, createHmac } from 'node:crypto';
import querystring from 'node:querystring';

export interface SigV4Scheme {
  /** e.g. `AWS4` or `GOOG4`: names the algorithm (`<prefix>-HMAC-SHA256`), prefixes the secret, and lower-cased ends the scope. */
  algorithmPrefix: string;
  /** e.g. `amz` or `goog`: the `x-<vendor>-*` header names. */
  vendorKey: string;
}

export const AWS_SCHEME: SigV4Scheme = { algorithmPrefix: 'AWS4', vendorKey: 'amz' };

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SigV4Options {
  scheme?: SigV4Scheme;
  region: string;
  service: string;
  credentials: SigV4Credentials;
  /** The signing time; also the `x-<vendor>-date` value unless the request already carries one. */
  now: Date;
  /**
   * S3's rules: path neither normalised nor encoded twice, only the first value of a repeated query
   * key signed, and the payload hash sent as `x-<vendor>-content-sha256`. Default: `service === 's3'`,
   * as in `aws4`.
   */
  s3?: boolean;
  /** Remove `.`/`..` segments and repeated slashes before encoding. Default: not S3. */
  normalizePath?: boolean;
  /**
   * `double`: each (already percent-encoded) path segment is encoded again, as every AWS service but
   * S3 expects. `single`: segments are decoded first, then encoded once (S3, and the published suites,
   * whose request lines hold raw characters). Default: `single` for S3, else `double`.
   */
  pathEncoding?: 'single' | 'double';
  /** Add `content-type`/`content-length` for a body that lacks them, as `aws4` does. Default true. */
  impliedHeaders?: boolean;
  /** Send the payload hash as `x-<vendor>-content-sha256` (and sign it). Default: S3. */
  signBody?: boolean;
  /** Sign `x-<vendor>-security-token`; when false it is added after signing (some services want that). Default true. */
  signSessionToken?: boolean;
}

export interface SigV4Request {
  method: string;
  /** Used as the `host` header when the request has none. */
  host: string;
  /** The request target: path and optional query, as it would appear on the request line. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
}

export interface SigV4Result {
  /** The request target to send: the query is re-serialised in the form that was signed. */
  path: string;
  /** Lower-case names: the request's headers plus the implied ones and `authorization`. */
  headers: Record<string, string>;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
}

// Headers that proxies and clients rewrite in flight; signing them would break the signature. Same list as aws4.
const UNSIGNED_HEADERS = new Set(['authorization', 'connection', 'x-amzn-trace-id', 'user-agent', 'expect', 'presigned-expires', 'range']);
// What a request target may contain without being re-encoded first; anything else means "raw" input.
const ALREADY_ENCODED = /^[0-9A-Za-z;,/?:@&=+$\-_.!~*'()#%]*$/;

/** RFC 3986 unreserved characters stay, everything else is %XX (upper-case hex) of its UTF-8 bytes. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** `20150830T123600Z`. */
export function amzDate(now: Date): string {
  return now.toISOString().replace(/[:-]|\.\d{3}/g, '');
}

const signingKeys = new Map<string, Buffer>();
const SIGNING_KEY_CACHE_SIZE = 256;

/** HMAC chain over date, region, service and terminator, memoised: it changes once a day per credential. */
export function signingKey(scheme: SigV4Scheme, secret: string, date: string, region: string, service: string): Buffer {
  const cacheKey = `${scheme.algorithmPrefix}\0${secret}\0${date}\0${region}\0${service}`;
  const cached = signingKeys.get(cacheKey);
  if (cached) return cached;
  let key = hmac(`${scheme.algorithmPrefix}${secret}`, date);
  key = hmac(key, region);
  key = hmac(key, service);
  key = hmac(key, `${scheme.algorithmPrefix.toLowerCase()}_request`);
  if (signingKeys.size >= SIGNING_KEY_CACHE_SIZE) signingKeys.delete(signingKeys.keys().next().value!);
  signingKeys.set(cacheKey, key);
  return key;
}

type Query = Record<string, string | string[] | undefined>;

function splitTarget(target: string): { path: string; query: Query | null } {
  let text = target || '/';
  if (!ALREADY_ENCODED.test(text)) text = encodeURI(decodeURI(text));
  const mark = text.indexOf('?');
  if (mark < 0) return { path: text, query: null };
  // querystring.parse, not URLSearchParams: it keeps `+` as space and malformed escapes as text, as aws4 does.
  return { path: text.slice(0, mark), query: { ...querystring.parse(text.slice(mark + 1)) } };
}

function canonicalPath(path: string, normalize: boolean, single: boolean, s3: boolean): string {
  if (path === '/') return path;
  const source = normalize ? path.replace(/\/{2,}/g, '/') : path;
  const segments: string[] = [];
  for (const segment of source.split('/')) {
    if (normalize && segment === '..') segments.pop();
    else if (!normalize || segment !== '.') {
      segments.push(uriEncode(single ? decodeURIComponent(segment.replace(/\+/g, ' ')) : segment));
    }
  }
  let result = segments.join('/');
  if (!result.startsWith('/')) result = `/${result}`;
  return s3 ? result.replace(/%2F/g, '/') : result;
}

function canonicalQuery(query: Query | null, firstValueOnly: boolean): string {
  if (!query) return '';
  const byEncodedKey = new Map<string, string[]>();
  for (const [key, value] of Object.entries(query)) {
    if (!key || value === undefined) continue;
    const values = Array.isArray(value) ? (firstValueOnly ? [value[0]!] : value) : [value];
    byEncodedKey.set(uriEncode(key), values.map(uriEncode).sort());
  }
  return [...byEncodedKey.keys()]
    .sort()
    .flatMap((key) => byEncodedKey.get(key)!.map((value) => `${key}=${value}`))
    .join('&');
}

function requestTarget(path: string, query: Query | null): string {
  if (!query) return path;
  const kept = { ...query };
  // Services reject an empty key, and it was not signed.
  delete kept[''];
  return `${path}?${querystring.stringify(kept as querystring.ParsedUrlQueryInput).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

export function signSigV4(request: SigV4Request, options: SigV4Options): SigV4Result {
  const scheme = options.scheme ?? AWS_SCHEME;
  const vendor = scheme.vendorKey.toLowerCase();
  const s3 = options.s3 ?? options.service === 's3';
  const normalize = options.normalizePath ?? !s3;
  const single = (options.pathEncoding ?? (s3 ? 'single' : 'double')) === 'single';
  const signBody = options.signBody ?? s3;
  const { credentials } = options;
  const dateHeader = `x-${vendor}-date`;
  const tokenHeader = `x-${vendor}-security-token`;
  const hashHeader = `x-${vendor}-content-sha256`;

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  delete headers.authorization;
  if (headers.host === undefined) headers.host = request.host;
  const body = request.body !== undefined && request.body.length > 0 ? request.body : undefined;
  if ((options.impliedHeaders ?? true) && body !== undefined) {
    headers['content-type'] ||= 'application/x-www-form-urlencoded; charset=utf-8';
    headers['content-length'] ||= String(Buffer.byteLength(body));
  }
  const signToken = options.signSessionToken ?? true;
  if (credentials.sessionToken && signToken) headers[tokenHeader] ??= credentials.sessionToken;
  if (signBody) headers[hashHeader] ??= sha256Hex(body ?? '');
  headers[dateHeader] ??= amzDate(options.now);
  const datetime = headers[dateHeader]!;
  const date = datetime.slice(0, 8);

  const { path, query } = splitTarget(request.path);
  const signedNames = Object.keys(headers)
    .filter((name) => !UNSIGNED_HEADERS.has(name))
    .sort();
  const canonicalHeaders = signedNames.map((name) => `${name}:${headers[name]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = signedNames.join(';');
  const payloadHash = headers[hashHeader] ?? sha256Hex(body ?? '');
  const canonicalRequest = [
    request.method || 'GET',
    canonicalPath(path, normalize, single, s3),
    canonicalQuery(query, s3),
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');

  const algorithm = `${scheme.algorithmPrefix}-HMAC-SHA256`;
  const scope = `${date}/${options.region}/${options.service}/${scheme.algorithmPrefix.toLowerCase()}_request`;
  const stringToSign = `${algorithm}\n${datetime}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const key = signingKey(scheme, credentials.secretAccessKey, date, options.region, options.service);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');

  headers.authorization = `${algorithm} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  if (credentials.sessionToken && !signToken) headers[tokenHeader] ??= credentials.sessionToken;
  return { path: requestTarget(path, query), headers, canonicalRequest, stringToSign, signature };
}
