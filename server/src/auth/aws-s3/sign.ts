import { prepareTarget, s3ObjectPath, signAwsRequest } from '../aws/sign.js';
import { MissingSecretError } from '../errors.js';
import { AWS_SCHEME } from '../aws/sigv4.js';
import type { OutgoingRequest, Secrets, SignContext } from '../types.js';
import type { AwsS3Auth, AwsS3Secret } from './config.js';
import { renderObjectKey } from './filename.js';

export const DEFAULT_S3_REGION = 'us-east-1';

/**
 * The region named by an S3 endpoint host, if any:
 * `s3.<region>.amazonaws.com`, `<bucket>.s3.<region>.amazonaws.com`, the legacy dashed
 * `s3-<region>.amazonaws.com`, and the `dualstack` / `-fips` variants (also under `.amazonaws.com.cn`).
 * The global endpoints (`s3.amazonaws.com`, `s3-external-1`) and S3 Accelerate name no region.
 */
export function inferS3Region(host: string): string | undefined {
  const match = /(?:^|\.)s3(?:-fips)?(?:\.dualstack)?[.-]([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(host.toLowerCase().replace(/:\d+$/, ''));
  if (!match) return undefined;
  const region = match[1]!;
  if (region === 'external-1') return DEFAULT_S3_REGION;
  if (region.startsWith('accelerate') || region.startsWith('website')) return undefined;
  // "s3.dualstack.amazonaws.com"-like leftovers are not regions; a region always has a dash and ends in a digit.
  if (!/^[a-z]{2,}(-[a-z]+)+-\d+$/.test(region)) return undefined;
  return region;
}

export function s3Region(config: Pick<AwsS3Auth, 'region'>, siteUrl: string): string {
  return config.region || prepareSite(siteUrl).region || DEFAULT_S3_REGION;
}

interface PreparedSite {
  origin: string;
  host: string;
  /** The site's path in S3's canonical form, without trailing slashes. */
  base: string;
  search: string;
  region: string | undefined;
}

// The site URL is the same for every upload; split and canonicalise it once.
const preparedSites = new Map<string, PreparedSite>();
const PREPARED_SITE_CACHE_SIZE = 1024;

function prepareSite(siteUrl: string): PreparedSite {
  let site = preparedSites.get(siteUrl);
  if (!site) {
    const { origin, host, target } = prepareTarget(siteUrl, true);
    const mark = target.indexOf('?');
    const path = mark < 0 ? target : target.slice(0, mark);
    site = { origin, host, base: path.replace(/\/+$/, ''), search: mark < 0 ? '' : target.slice(mark), region: inferS3Region(host) };
    if (preparedSites.size >= PREPARED_SITE_CACHE_SIZE) preparedSites.delete(preparedSites.keys().next().value!);
    preparedSites.set(siteUrl, site);
  }
  return site;
}

// What renderObjectKey produces from the format's safe characters and ids is already canonical but for these.
const NEEDS_ENCODING = /[^A-Za-z0-9\-_.~/]/;

/** The request target of an object: `{site path}/{key}{site query}`, the key in S3's canonical form. */
function objectTarget(site: PreparedSite, key: string): string {
  return `${site.base}/${NEEDS_ENCODING.test(key) ? s3ObjectPath(key) : key}${site.search}`;
}

/** `{site url}/{key}`: exactly one slash between them, whatever the site URL ends with; its query is kept. */
export function objectUrl(siteUrl: string, key: string): string {
  const site = prepareSite(siteUrl);
  return `${site.origin}${objectTarget(site, key)}`;
}

/** The webhook becomes an object upload: `PUT {site url}/{object key}` with the payload as its body. */
export async function signAwsS3(
  config: AwsS3Auth,
  secrets: Secrets<AwsS3Secret>,
  request: OutgoingRequest,
  context: SignContext,
): Promise<OutgoingRequest> {
  if (!secrets.secretAccessKey) throw new MissingSecretError('AWS-S3', 'secret access key');
  const key = renderObjectKey(config.filenameFormat, {
    now: context.now,
    uuid: context.uuid,
    siteId: context.siteId,
    deliveryId: context.deliveryId,
    contentType: request.headers['content-type'] ?? 'application/octet-stream',
  });
  const site = prepareSite(request.url);
  const target = objectTarget(site, key);
  const upload: OutgoingRequest = { method: 'PUT', url: `${site.origin}${target}`, headers: request.headers, body: request.body };
  return signAwsRequest(
    upload,
    {
      scheme: AWS_SCHEME,
      region: config.region || site.region || DEFAULT_S3_REGION,
      service: config.service || 's3',
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: secrets.secretAccessKey },
      now: context.now,
      s3: true,
    },
    { origin: site.origin, host: site.host, target },
  );
}
