import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smithyAuthorization } from '../aws/smithy-oracle.testkit.js';
import { MissingSecretError } from '../errors.js';
import { AuthMethod, type OutgoingRequest, type SignContext } from '../types.js';
import type { AwsS3Auth } from './config.js';
import { inferS3Region, objectUrl, s3Region, signAwsS3 } from './sign.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const context: SignContext = {
  now: new Date('2026-02-03T04:05:06.789Z'),
  siteId: '7d2c6a10-3b9e-4c55-9d0e-1f2a3b4c5d6e',
  deliveryId: 'b1e2c3d4-0000-4000-8000-00000000abcd',
  uuid: '123e4567-e89b-42d3-a456-426614174000',
};

function config(overrides: Partial<AwsS3Auth> = {}): AwsS3Auth {
  return Object.assign(Object.create(null), {
    method: AuthMethod.AWS_S3,
    sealed: {},
    service: 's3',
    accessKeyId: 'AKIDEXAMPLE',
    filenameFormat: 'hooks/{yyyy}/{MM}/{dd}/{HH}{mm}{ss}-{deliveryId}.{ext}',
    ...overrides,
  });
}

describe('S3 region', () => {
  it.each([
    ['s3.eu-west-1.amazonaws.com', 'eu-west-1'],
    ['my-bucket.s3.ap-southeast-2.amazonaws.com', 'ap-southeast-2'],
    ['s3-us-west-2.amazonaws.com', 'us-west-2'],
    ['my.bucket.s3-eu-central-1.amazonaws.com', 'eu-central-1'],
    ['bucket.s3.dualstack.us-gov-west-1.amazonaws.com', 'us-gov-west-1'],
    ['bucket.s3.cn-north-1.amazonaws.com.cn', 'cn-north-1'],
    ['S3.EU-WEST-3.AMAZONAWS.COM:443', 'eu-west-3'],
    ['s3-external-1.amazonaws.com', 'us-east-1'],
    ['s3.amazonaws.com', undefined],
    ['bucket.s3.amazonaws.com', undefined],
    ['bucket.s3-accelerate.amazonaws.com', undefined],
    ['bucket.s3-website-us-east-1.amazonaws.com', undefined],
    ['minio.internal:9000', undefined],
    ['s3.example.com', undefined],
  ])('%s → %s', (host, region) => {
    expect(inferS3Region(host)).toBe(region);
  });

  it('the field wins, then the URL, then us-east-1', () => {
    expect(s3Region(config({ region: 'sa-east-1' }), 'https://b.s3.eu-west-1.amazonaws.com/')).toBe('sa-east-1');
    expect(s3Region(config(), 'https://b.s3.eu-west-1.amazonaws.com/')).toBe('eu-west-1');
    expect(s3Region(config(), 'https://minio.local/bucket')).toBe('us-east-1');
  });
});

describe('object URL', () => {
  it.each([
    ['https://b.s3.amazonaws.com', 'https://b.s3.amazonaws.com/k/x.json'],
    ['https://b.s3.amazonaws.com/', 'https://b.s3.amazonaws.com/k/x.json'],
    ['https://s3.amazonaws.com/bucket', 'https://s3.amazonaws.com/bucket/k/x.json'],
    ['https://s3.amazonaws.com/bucket/prefix//', 'https://s3.amazonaws.com/bucket/prefix/k/x.json'],
    ['https://s3.amazonaws.com/bucket?versioning-off=1', 'https://s3.amazonaws.com/bucket/k/x.json?versioning-off=1'],
  ])('%s + k/x.json → %s', (site, expected) => {
    expect(objectUrl(site, 'k/x.json')).toBe(expected);
  });
});

describe('signAwsS3', () => {
  const request: OutgoingRequest = {
    method: 'POST',
    url: 'https://my-bucket.s3.eu-west-1.amazonaws.com/incoming/',
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-delivery-id': context.deliveryId },
    body: Buffer.from('{"points":120}'),
  };

  it('turns the webhook into PUT {site url}/{object key} with x-amz-content-sha256 = payload hash', async () => {
    const signed = await signAwsS3(config(), { secretAccessKey: SECRET }, request, context);
    expect(signed.method).toBe('PUT');
    expect(signed.url).toBe(`https://my-bucket.s3.eu-west-1.amazonaws.com/incoming/hooks/2026/02/03/040506-${context.deliveryId}.json`);
    expect(signed.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(request.body).digest('hex'));
    expect(signed.headers.authorization).toContain('/20260203/eu-west-1/s3/aws4_request');
    expect(signed.body).toBe(request.body);
  });

  it('does not double-encode the key: the path sent is the path signed', async () => {
    const signed = await signAwsS3(config({ filenameFormat: "odd(1)/it's*!/{uuid}.{ext}" }), { secretAccessKey: SECRET }, request, context);
    const path = new URL(signed.url).pathname;
    expect(path).toBe(`/incoming/odd%281%29/it%27s%2A%21/${context.uuid}.json`);
    expect(path).not.toContain('%25');
  });

  it('refuses to sign without a secret', async () => {
    await expect(signAwsS3(config(), {}, request, context)).rejects.toBeInstanceOf(MissingSecretError);
  });
});

describe('signAwsS3 against a receiver that verifies with @smithy/signature-v4', () => {
  let server: http.Server;
  let base: string;
  const received: Array<{ status: number; key: string }> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(',') : String(value);
        const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\//.exec(headers.authorization ?? '');
        let status = 403;
        if (scope && headers['x-amz-content-sha256'] === createHash('sha256').update(body).digest('hex')) {
          const expected = await smithyAuthorization(
            { method: req.method!, target: req.url!, headers, body },
            { region: scope[1]!, service: scope[2]!, accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET, s3: true },
          );
          if (expected === headers.authorization) status = 200;
        }
        received.push({ status, key: decodeURIComponent(req.url!.split('?')[0]!) });
        res.writeHead(status).end(status === 200 ? '' : '<Error><Code>SignatureDoesNotMatch</Code></Error>');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function send(request: OutgoingRequest): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = http.request(request.url, { method: request.method, headers: request.headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      req.end(request.body);
    });
  }

  const webhook = (url: string): OutgoingRequest => ({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', 'x-delivery-id': context.deliveryId },
    body: Buffer.from(JSON.stringify({ event: 'order.created', total: 12.5, name: 'Zoë' })),
  });

  it('accepts the signed upload (region from the field, and the us-east-1 default)', async () => {
    for (const region of ['eu-west-1', undefined]) {
      const signed = await signAwsS3(config({ region, filenameFormat: '{siteId}/{yyyy}-{MM}-{dd}/{uuid}.{ext}' }), { secretAccessKey: SECRET }, webhook(`${base}/bucket-a/`), context);
      expect(signed.headers.authorization).toContain(`/${region ?? 'us-east-1'}/s3/aws4_request`);
      expect(await send(signed)).toBe(200);
    }
    expect(received.at(-1)!.key).toBe(`/bucket-a/${context.siteId}/2026-02-03/${context.uuid}.json`);
  });

  it('rejects a tampered body, header, key or signature', async () => {
    const signed = await signAwsS3(config({ region: 'eu-west-1' }), { secretAccessKey: SECRET }, webhook(`${base}/bucket-a`), context);
    expect(await send(signed)).toBe(200);
    expect(await send({ ...signed, body: Buffer.from(signed.body.toString().replace('12.5', '99.5')) })).toBe(403);
    expect(await send({ ...signed, headers: { ...signed.headers, 'x-delivery-id': 'someone-else' } })).toBe(403);
    expect(await send({ ...signed, url: signed.url.replace('/hooks/', '/hookz/').replace(/\.json$/, '.jsom') })).toBe(403);
    const flipped = signed.headers.authorization!.replace(/Signature=(.)/, (_, c: string) => `Signature=${c === '0' ? '1' : '0'}`);
    expect(await send({ ...signed, headers: { ...signed.headers, authorization: flipped } })).toBe(403);
  });
});
