import 'reflect-metadata';
import { createHmac, createPrivateKey, createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import { CompactSign, compactVerify, importJWK } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { RSA_PRIVATE_PEM, RSA_PUBLIC_PEM } from '../../../test/fixtures.js';
import { MissingSecretError } from '../errors.js';
import { AuthMethod, type OutgoingRequest, type SignContext } from '../types.js';
import { JwtAlgorithm, type JwtAuth } from './config.js';
import { mintJwt, privateKeyFromPem, signJwt } from './sign.js';
import { vectorPath } from '../../../test/vectors.js';

const VECTORS = JSON.parse(fs.readFileSync(vectorPath('jwt', 'jws_compact_vectors.json'), 'utf8')).vectors as Array<{
  id: string;
  alg: string;
  deterministic: boolean;
  jwk: Record<string, string>;
  compact: string;
}>;
const vector = (id: string) => VECTORS.find((v) => v.id === id)!;
const b64 = (part: string) => Buffer.from(part, 'base64url');

describe('RFC 7515 / 7520 vectors', () => {
  it('A.1 HS256: the signature reproduces from the signing input and key; jose and jsonwebtoken verify it', async () => {
    const v = vector('RFC7515-A.1');
    const [header, payload, signature] = v.compact.split('.') as [string, string, string];
    const key = b64(v.jwk.k!);
    expect(createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url')).toBe(signature);
    const verified = await compactVerify(v.compact, await importJWK(v.jwk, 'HS256'));
    expect(JSON.parse(new TextDecoder().decode(verified.payload))).toMatchObject({ iss: 'joe', exp: 1300819380 });
    expect(jsonwebtoken.verify(v.compact, key, { algorithms: ['HS256'], ignoreExpiration: true })).toMatchObject({ iss: 'joe' });
  });

  it.each(['RFC7515-A.2', 'RFC7520-4.1', 'RFC7520-4.4'])('%s: jose, with the key as the signer loads it, reproduces the token byte for byte', async (id) => {
    const v = vector(id);
    const [header, payload] = v.compact.split('.') as [string, string];
    let key;
    if (v.jwk.kty === 'RSA') {
      // Through PEM, as a stored RS256 key reaches the signer.
      const pem = createPrivateKey({ key: v.jwk as never, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' }).toString();
      key = privateKeyFromPem(pem);
    } else {
      key = b64(v.jwk.k!);
    }
    const produced = await new CompactSign(b64(payload)).setProtectedHeader(JSON.parse(b64(header).toString())).sign(key);
    expect(produced).toBe(v.compact);
  });

  it('A.2 RS256 verifies with jsonwebtoken', () => {
    const v = vector('RFC7515-A.2');
    const publicKey = createPublicKey({ key: { kty: 'RSA', n: v.jwk.n!, e: v.jwk.e! }, format: 'jwk' });
    expect(jsonwebtoken.verify(v.compact, publicKey, { algorithms: ['RS256'], ignoreExpiration: true })).toMatchObject({ iss: 'joe', 'http://example.com/is_root': true });
  });
});

const context: SignContext = { now: new Date('2026-05-06T07:08:09.999Z'), siteId: 's', deliveryId: 'd', uuid: 'u' };
const request: OutgoingRequest = { method: 'POST', url: 'https://crm.example.com/hook', headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') };
const payload = { iss: 'loyalty', aud: ['crm', 'erp'], scope: 'write', nested: { tier: 'gold', points: 120 }, flag: true, nothing: null };

function config(algorithm: JwtAlgorithm, timeToLive = '5 minutes'): JwtAuth {
  return Object.assign(Object.create(null), { method: AuthMethod.JWT, sealed: {}, algorithm, payload, timeToLive });
}

function bearer(signed: OutgoingRequest): string {
  const match = /^Bearer (.+)$/.exec(signed.headers.authorization ?? '');
  expect(match).not.toBeNull();
  return match![1]!;
}

describe('signJwt', () => {
  const iat = Math.floor(context.now.getTime() / 1000);

  it('HS256: Authorization: Bearer, claims merged with iat/exp, verified by jsonwebtoken', async () => {
    const signed = await signJwt(config(JwtAlgorithm.HS256), { secret: 'correct horse battery staple' }, request, context);
    const token = bearer(signed);
    const claims = jsonwebtoken.verify(token, 'correct horse battery staple', { algorithms: ['HS256'], clockTimestamp: iat }) as Record<string, unknown>;
    expect(claims).toEqual({ ...payload, iat, exp: iat + 300 });
    expect(jsonwebtoken.decode(token, { complete: true })!.header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(() => jsonwebtoken.verify(token, 'wrong secret', { algorithms: ['HS256'], clockTimestamp: iat })).toThrow(/invalid signature/);
    expect(() => jsonwebtoken.verify(token, 'correct horse battery staple', { algorithms: ['HS256'], clockTimestamp: iat + 300 })).toThrow(/expired/);
    expect(signed.headers['content-type']).toBe('application/json');
  });

  it('RS256 with a PEM key, verified with the public key by jsonwebtoken; calendar TTL', async () => {
    const signed = await signJwt(config(JwtAlgorithm.RS256, '1 month'), { privateKey: RSA_PRIVATE_PEM }, request, { ...context, now: new Date('2027-01-31T12:00:00.500Z') });
    const claims = jsonwebtoken.verify(bearer(signed), RSA_PUBLIC_PEM, { algorithms: ['RS256'], clockTimestamp: Date.UTC(2027, 0, 31, 12) / 1000 }) as Record<string, number>;
    expect(claims.iat).toBe(Date.UTC(2027, 0, 31, 12) / 1000);
    expect(new Date(claims.exp! * 1000).toISOString()).toBe('2027-02-28T12:00:00.000Z');
  });

  it('is pure: same inputs, same token (HS256 and RS256 are deterministic)', async () => {
    for (const [alg, secrets] of [
      [JwtAlgorithm.HS256, { secret: 's3cret' }],
      [JwtAlgorithm.RS256, { privateKey: RSA_PRIVATE_PEM }],
    ] as const) {
      expect(await signJwt(config(alg), secrets, request, context)).toEqual(await signJwt(config(alg), secrets, request, context));
    }
  });

  it('refuses to sign without the secret the algorithm needs', async () => {
    await expect(signJwt(config(JwtAlgorithm.HS256), { privateKey: RSA_PRIVATE_PEM }, request, context)).rejects.toBeInstanceOf(MissingSecretError);
    await expect(signJwt(config(JwtAlgorithm.RS256), { secret: 'x' }, request, context)).rejects.toBeInstanceOf(MissingSecretError);
  });

  it('refuses a stored time-to-live that does not parse', async () => {
    await expect(mintJwt(config(JwtAlgorithm.HS256, 'forever'), { secret: 'x' }, context.now)).rejects.toThrow(/time-to-live/);
  });
});
