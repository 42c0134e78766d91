import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { AccessTokenMissingError } from './errors.js';
import { AUTH_METHODS, TOKEN_METHODS } from './registry.js';
import { AuthMethod, type OutgoingRequest, type SignContext } from './types.js';

const request: OutgoingRequest = { method: 'POST', url: 'https://api.example.com/hook', headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') };
const context: SignContext = { now: new Date(0), siteId: 's', deliveryId: 'd', uuid: 'u' };
const methods = [...TOKEN_METHODS];

describe('the three OAuth2 methods', () => {
  it.each(methods)('%s adds Authorization: Bearer <access token> and nothing else', async (method) => {
    const signed = await AUTH_METHODS[method].sign({} as never, {}, request, { ...context, accessToken: 'at-123.xyz' });
    expect(signed.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer at-123.xyz' });
    expect(signed.url).toBe(request.url);
    expect(signed.body).toBe(request.body);
    expect(request.headers.authorization).toBeUndefined();
  });

  it.each(methods)('%s without an access token throws AccessTokenMissingError (code ACCESS_TOKEN_MISSING)', async (method) => {
    const attempt = AUTH_METHODS[method].sign({} as never, {}, request, context);
    await expect(attempt).rejects.toBeInstanceOf(AccessTokenMissingError);
    await expect(attempt).rejects.toMatchObject({ code: 'ACCESS_TOKEN_MISSING' });
  });

  it('covers exactly the OAuth2 methods', () => {
    expect(methods.sort()).toEqual([AuthMethod.OAUTH2, AuthMethod.OAUTH2_CLIENT_CREDENTIALS, AuthMethod.OAUTH2_JWT_BEARER].sort());
  });
});
