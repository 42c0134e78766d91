import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MissingSecretError } from '../errors.js';
import { AuthMethod, type OutgoingRequest, type SignContext } from '../types.js';
import type { AwsAuth } from './config.js';
import { signAws } from './sign.js';
import { smithyAuthorization } from './smithy-oracle.testkit.js';

const context: SignContext = { now: new Date('2026-03-01T10:20:30.456Z'), siteId: 'site-1', deliveryId: 'delivery-1', uuid: '00000000-0000-4000-8000-000000000000' };
const request: OutgoingRequest = {
  method: 'POST',
  url: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/hooks/order created?b=2&a=1&a=0',
  headers: { 'content-type': 'application/json', 'x-delivery-id': 'delivery-1' },
  body: Buffer.from('{"order":42,"name":"Zoë"}'),
};
const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

function config(overrides: Partial<AwsAuth> = {}): AwsAuth {
  return Object.assign(Object.create(null), { method: AuthMethod.AWS, sealed: {}, region: 'eu-west-1', service: 'execute-api', accessKeyId: 'AKIDEXAMPLE', ...overrides });
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

describe('signAws', () => {
  it('signs the whole request with AWS4-HMAC-SHA256, verifiable by @smithy/signature-v4', async () => {
    const signed = await signAws(config(), { secretAccessKey: secret }, request, context);
    expect(signed.headers['x-amz-date']).toBe('20260301T102030Z');
    expect(signed.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20260301\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date;x-delivery-id, Signature=[0-9a-f]{64}$/,
    );
    expect(signed.headers['x-amz-content-sha256']).toBeUndefined();
    const url = new URL(signed.url);
    const expected = await smithyAuthorization(
      { method: signed.method, target: `${url.pathname}${url.search}`, headers: signed.headers, body: signed.body },
      { region: 'eu-west-1', service: 'execute-api', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: secret, s3: false },
    );
    expect(signed.headers.authorization).toBe(expected);
  });

  it('adds and signs X-Amz-Security-Token when a session token is stored', async () => {
    const signed = await signAws(config(), { secretAccessKey: secret, sessionToken: 'FQoGZXIvYXdzE//token+=' }, request, context);
    expect(signed.headers['x-amz-security-token']).toBe('FQoGZXIvYXdzE//token+=');
    expect(signed.headers.authorization).toContain('x-amz-date;x-amz-security-token;x-delivery-id');
  });

  it('is pure: the same inputs give the same output, and the input request is not modified', async () => {
    const before = { ...request, headers: { ...request.headers }, body: Buffer.from(request.body) };
    const a = await signAws(config(), { secretAccessKey: secret }, request, context);
    const b = await signAws(config(), { secretAccessKey: secret }, request, context);
    expect(a).toEqual(b);
    expect(request).toEqual(before);
  });

  it('with prefix GOOG4 and vendor goog: GOOG4-HMAC-SHA256, x-goog-* headers, key from GOOG4+secret, goog4_request', async () => {
    const signed = await signAws(config({ region: 'auto', service: 'storage', algorithmPrefix: 'GOOG4', vendorKey: 'goog' }), { secretAccessKey: secret }, request, context);
    const h = signed.headers;
    expect(h['x-goog-date']).toBe('20260301T102030Z');
    expect(h['x-goog-content-sha256']).toBe(createHash('sha256').update(request.body).digest('hex'));
    expect(Object.keys(h).filter((name) => name.startsWith('x-amz-'))).toEqual([]);
    const match = /^GOOG4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20260301\/auto\/storage\/goog4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(h.authorization!);
    expect(match).not.toBeNull();
    // Recompute by hand from the request as sent: canonical request, string to sign, derived key.
    const url = new URL(signed.url);
    const names = match![1]!.split(';');
    const canonical = [
      'POST',
      url.pathname.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/'),
      'a=0&a=1&b=2',
      ...names.map((n) => `${n}:${h[n]!.trim()}`),
      '',
      names.join(';'),
      h['x-goog-content-sha256'],
    ].join('\n');
    const stringToSign = `GOOG4-HMAC-SHA256\n20260301T102030Z\n20260301/auto/storage/goog4_request\n${createHash('sha256').update(canonical).digest('hex')}`;
    const key = ['20260301', 'auto', 'storage', 'goog4_request'].reduce<Buffer | string>((k, part) => hmac(k, part), `GOOG4${secret}`);
    expect(match![2]).toBe(hmac(key, stringToSign).toString('hex'));
  });

  it('refuses to sign without a secret access key', async () => {
    await expect(signAws(config(), {}, request, context)).rejects.toBeInstanceOf(MissingSecretError);
  });
});
