import 'reflect-metadata';
import jsonwebtoken from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { AUTH_METHODS } from '../registry.js';
import { AuthMethod, type OutgoingRequest, type SignContext } from '../types.js';
import { JwtAlgorithm, type JwtAuth } from './config.js';
import { JwtTokenCache, reuseMarginSeconds, signJwtCached } from './token-cache.js';

const T0 = Date.UTC(2026, 4, 6, 7, 8, 9);
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const request: OutgoingRequest = { method: 'POST', url: 'https://crm.example.com/hook', headers: {}, body: Buffer.alloc(0) };

function config(overrides: Partial<JwtAuth> = {}): JwtAuth {
  return Object.assign(Object.create(null), { method: AuthMethod.JWT, sealed: {}, algorithm: JwtAlgorithm.HS256, payload: { iss: 'a' }, timeToLive: '10 minutes', ...overrides });
}
const secrets = { secret: 'one' };

describe('JWT token reuse', () => {
  it('margin: 20% of the lifetime, at most 60 s', () => {
    expect(reuseMarginSeconds({ iat: 0, exp: 60 })).toBe(12);
    expect(reuseMarginSeconds({ iat: 0, exp: 300 })).toBe(60);
    expect(reuseMarginSeconds({ iat: 0, exp: 86_400 })).toBe(60);
  });

  it('reuses the token until 60 s before a 10-minute token expires, then signs a new one', async () => {
    const cache = new JwtTokenCache();
    const first = await cache.token(config(), secrets, at(0));
    expect((await cache.token(config(), secrets, at(1))).token).toBe(first.token);
    expect((await cache.token(config(), secrets, at(539))).token).toBe(first.token);
    const renewed = await cache.token(config(), secrets, at(540));
    expect(renewed.token).not.toBe(first.token);
    expect(renewed.iat).toBe(first.iat + 540);
    expect(cache.hits).toBe(2);
    expect(cache.misses).toBe(2);
  });

  it('a "1 minute" token is reused for 48 s', async () => {
    const cache = new JwtTokenCache();
    const first = await cache.token(config({ timeToLive: '1 minute' }), secrets, at(0));
    expect((await cache.token(config({ timeToLive: '1 minute' }), secrets, at(47.9))).token).toBe(first.token);
    expect((await cache.token(config({ timeToLive: '1 minute' }), secrets, at(48))).token).not.toBe(first.token);
  });

  it('a changed claim, time-to-live, algorithm or secret misses the cache at once', async () => {
    const cache = new JwtTokenCache();
    const base = (await cache.token(config(), secrets, at(0))).token;
    const variants = await Promise.all([
      cache.token(config({ payload: { iss: 'b' } }), secrets, at(1)),
      cache.token(config({ timeToLive: '11 minutes' }), secrets, at(1)),
      cache.token(config(), { secret: 'two' }, at(1)),
    ]);
    for (const variant of variants) expect(variant.token).not.toBe(base);
    expect(jsonwebtoken.verify(variants[2]!.token, 'two', { clockTimestamp: T0 / 1000 + 1 })).toMatchObject({ iss: 'a' });
    // Same content written in another key order is the same token.
    const reordered = await cache.token(config({ payload: { iss: 'a' } }), { ...secrets }, at(2));
    expect(reordered.token).toBe(base);
  });

  it('never hands out a token issued after "now" (clock went back)', async () => {
    const cache = new JwtTokenCache();
    const later = await cache.token(config(), secrets, at(100));
    const earlier = await cache.token(config(), secrets, at(50));
    expect(earlier.iat).toBe(later.iat - 50);
  });

  it('holds at most maxEntries tokens, dropping the least recently used', async () => {
    const cache = new JwtTokenCache(3);
    for (const iss of ['a', 'b', 'c']) await cache.token(config({ payload: { iss } }), secrets, at(0));
    await cache.token(config({ payload: { iss: 'a' } }), secrets, at(1)); // touch a
    await cache.token(config({ payload: { iss: 'd' } }), secrets, at(1)); // evicts b
    expect(cache.size).toBe(3);
    const misses = cache.misses;
    await cache.token(config({ payload: { iss: 'a' } }), secrets, at(2));
    expect(cache.misses).toBe(misses);
    await cache.token(config({ payload: { iss: 'b' } }), secrets, at(2));
    expect(cache.misses).toBe(misses + 1);
  });

  it('is what the registry row uses', async () => {
    expect(AUTH_METHODS[AuthMethod.JWT].sign).toBe(signJwtCached);
    const context: SignContext = { now: at(0), siteId: 's', deliveryId: 'd', uuid: 'u' };
    const a = await AUTH_METHODS[AuthMethod.JWT].sign(config({ payload: { iss: 'registry' } }), secrets, request, context);
    const b = await AUTH_METHODS[AuthMethod.JWT].sign(config({ payload: { iss: 'registry' } }), secrets, request, { ...context, now: at(30) });
    expect(b.headers.authorization).toBe(a.headers.authorization);
  });
});
