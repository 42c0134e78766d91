import querystring from 'node:querystring';
import aws4 from 'aws4';
import { MissingSecretError } from '../errors.js';
import type { OutgoingRequest, Secrets, SignContext } from '../types.js';
import type { AwsAuth, AwsSecret } from './config.js';
import { AWS_SCHEME, type SigV4Credentials, type SigV4Scheme, amzDate, signSigV4, uriEncode } from './sigv4.js';

export interface AwsSigningParams {
  scheme: SigV4Scheme;
  region: string;
  service: string;
  credentials: SigV4Credentials;
  now: Date;
  /** S3 rules (see `SigV4Options.s3`); the target path must then already be in canonical form (`s3ObjectPath`). */
  s3: boolean;
  /** Tests only: force one implementation. Default: aws4 whenever it can express the request. */
  engine?: 'aws4' | 'generalised';
}

export function isAwsScheme(scheme: SigV4Scheme): boolean {
  return scheme.algorithmPrefix === AWS_SCHEME.algorithmPrefix && scheme.vendorKey === AWS_SCHEME.vendorKey;
}

/**
 * The request target as both signers can take it unchanged. A WHATWG URL may still hold characters
 * such as `[ ] | ^` or a stray `%`; aws4 would then run `encodeURI(decodeURI(…))` over the whole
 * target, which re-encodes existing escapes (`%2F` → `%252F`) and throws on a stray `%`. Escaping
 * those few characters first keeps the target's meaning and makes every signer see the same bytes.
 */
export function tidyTarget(url: URL): string {
  const raw = `${url.pathname}${url.search}`;
  return raw.replace(/%(?![0-9A-Fa-f]{2})|[^0-9A-Za-z;,/?:@&=+$\-_.!~*'()#%]/gu, (c) => (c === '%' ? '%25' : encodeURIComponent(c)));
}

/**
 * For S3 the canonical path is the path as sent, so the path is sent in canonical form: each
 * segment decoded and re-encoded with RFC 3986 rules, except `/`: S3 decodes an escaped `%2F` into
 * the key, and signs the key with its slashes bare, so it is sent bare too. `+` is escaped first
 * because aws4 (and form decoding) would otherwise read it as a space while S3 reads it as a plus.
 */
export function s3ObjectPath(pathname: string): string {
  return pathname
    .split('/')
    .map((segment) => {
      try {
        return uriEncode(decodeURIComponent(segment.replace(/\+/g, '%2B'))).replace(/%2F/g, '/');
      } catch {
        throw new Error(`The URL path segment "${segment}" is not valid percent-encoded UTF-8`);
      }
    })
    .join('/');
}

/**
 * S3 signs only the first value of a repeated query key (and aws4 follows it) but would read all of
 * them from the wire; dropping the repeats keeps what is sent equal to what is signed.
 */
function firstValuesOnly(search: string): string {
  if (search.length <= 1) return search;
  const seen = new Set<string>();
  const kept = search
    .slice(1)
    .split('&')
    .filter((pair) => {
      const key = querystring.unescape(pair.split('=')[0]!.replace(/\+/g, ' '));
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  return `?${kept.join('&')}`;
}

/** A URL split the way the signers need it: where to connect, the `host` header, the request target. */
export interface PreparedTarget {
  /** `https://host[:port]` */
  origin: string;
  host: string;
  /** Path and query, tidied (and for S3 in canonical form). */
  target: string;
}

function prepare(url: string, s3: boolean): PreparedTarget {
  const parsed = new URL(url);
  if (s3) {
    parsed.pathname = s3ObjectPath(parsed.pathname);
    parsed.search = firstValuesOnly(parsed.search);
  }
  return { origin: `${parsed.protocol}//${parsed.host}`, host: parsed.host, target: tidyTarget(parsed) };
}

// A site's URL is the same on every delivery; parsing and tidying it once per URL keeps the signer
// close to aws4's own cost (bench/signing.bench.ts).
const preparedTargets = new Map<string, PreparedTarget>();
const PREPARED_TARGET_CACHE_SIZE = 1024;

export function prepareTarget(url: string, s3: boolean): PreparedTarget {
  const key = s3 ? `s3 ${url}` : url;
  let prepared = preparedTargets.get(key);
  if (!prepared) {
    prepared = prepare(url, s3);
    if (preparedTargets.size >= PREPARED_TARGET_CACHE_SIZE) preparedTargets.delete(preparedTargets.keys().next().value!);
    preparedTargets.set(key, prepared);
  }
  return prepared;
}

let lastDate: { time: number; text: string } = { time: Number.NaN, text: '' };
/** `amzDate`, remembered for the last instant: a batch of deliveries is signed within the same second. */
function requestDate(now: Date): string {
  const time = Math.floor(now.getTime() / 1000);
  if (lastDate.time !== time) lastDate = { time, text: amzDate(now) };
  return lastDate.text;
}

const EMPTY_MEANS_ABSENT = ['content-type', 'content-length', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'];

function needsCleaning(headers: Record<string, string>): boolean {
  if (headers.authorization !== undefined) return true;
  for (const name of EMPTY_MEANS_ABSENT) if (headers[name] === '') return true;
  return false;
}

/**
 * Signs a request for an AWS-style service: aws4 for AWS's own names, the generalised signer for a
 * vendor's copy. `target` may be given when the caller already split the URL (the S3 upload does).
 */
export function signAwsRequest(request: OutgoingRequest, params: AwsSigningParams, target?: PreparedTarget): OutgoingRequest {
  const { origin, host, target: path } = target ?? prepareTarget(request.url, params.s3);
  // An empty body is sent as no body: aws4 would otherwise add content-length: 0 to a GET.
  const body = request.body.length > 0 ? request.body : undefined;
  let headers = request.headers;
  if (needsCleaning(headers)) {
    headers = { ...headers };
    delete headers.authorization;
    // aws4 tests these by truthiness: an empty one would be added a second time under its capitalised name.
    for (const name of EMPTY_MEANS_ABSENT) if (headers[name] === '') delete headers[name];
  }
  const aws4Fits = isAwsScheme(params.scheme) && (params.service === 's3') === params.s3;
  if ((params.engine ?? (aws4Fits ? 'aws4' : 'generalised')) === 'aws4') {
    if (!aws4Fits) throw new Error('aws4 cannot sign this scheme');
    // aws4 copies the headers before adding its own, so ours are passed as they are.
    const signer = new aws4.RequestSigner(
      { method: request.method, host, path, headers, body, service: params.service, region: params.region },
      params.credentials,
    ) as aws4.RequestSigner & { datetime?: string };
    // Pins aws4 to the caller's clock instead of its own `new Date()` (a request's own x-amz-date still wins).
    signer.datetime = headers['x-amz-date'] || requestDate(params.now);
    const signed = signer.sign();
    const out: Record<string, string> = {};
    const signedHeaders = signed.headers as Record<string, string | number>;
    for (const name in signedHeaders) {
      const value = signedHeaders[name]!;
      out[name.toLowerCase()] = typeof value === 'string' ? value : String(value);
    }
    return { method: request.method, url: `${origin}${signed.path}`, headers: out, body: request.body };
  }
  const signed = signSigV4(
    { method: request.method, host, path, headers, body },
    {
      scheme: params.scheme,
      region: params.region,
      service: params.service,
      credentials: params.credentials,
      now: params.now,
      s3: params.s3,
      // A vendor's copy (GCS's GOOG4 above all) expects the payload hash header on every request, as S3 does (docs/specification.md §3).
      signBody: params.s3 || !isAwsScheme(params.scheme),
    },
  );
  return { method: request.method, url: `${origin}${signed.path}`, headers: signed.headers, body: request.body };
}

export function awsScheme(config: Pick<AwsAuth, 'algorithmPrefix' | 'vendorKey'>): SigV4Scheme {
  return {
    algorithmPrefix: config.algorithmPrefix || AWS_SCHEME.algorithmPrefix,
    vendorKey: config.vendorKey || AWS_SCHEME.vendorKey,
  };
}

export async function signAws(
  config: AwsAuth,
  secrets: Secrets<AwsSecret>,
  request: OutgoingRequest,
  context: SignContext,
): Promise<OutgoingRequest> {
  if (!secrets.secretAccessKey) throw new MissingSecretError('AWS', 'secret access key');
  return signAwsRequest(request, {
    scheme: awsScheme(config),
    region: config.region,
    service: config.service,
    credentials: {
      accessKeyId: config.accessKeyId,
      secretAccessKey: secrets.secretAccessKey,
      ...(secrets.sessionToken ? { sessionToken: secrets.sessionToken } : {}),
    },
    now: context.now,
    s3: config.service === 's3',
  });
}
