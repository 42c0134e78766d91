import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { FieldErrors } from '../../validation/field-errors.js';
import { AuthMethod, type OutgoingRequest, type SignContext } from '../types.js';
import { type ApiKeyAuth, ApiKeyAuthInput, ApiKeyPlacement, checkApiKeySecrets, parseApiKey } from './config.js';
import { signApiKey, withQueryParameter } from './sign.js';

const request = (url: string): OutgoingRequest => ({ method: 'POST', url, headers: { 'content-type': 'application/json', 'x-delivery-id': 'd' }, body: Buffer.from('{}') });
const context: SignContext = { now: new Date(0), siteId: 's', deliveryId: 'd', uuid: 'u' };
const config = (placement: ApiKeyPlacement, name: string) => ({ method: AuthMethod.API_KEY, sealed: {}, placement, name }) as unknown as ApiKeyAuth;

describe('apiKey signer', () => {
  it('HEADER: adds the key under its header name and changes nothing else', async () => {
    const signed = await signApiKey(config(ApiKeyPlacement.HEADER, 'x-api-key'), { key: 'k-123' }, request('https://api.example.com/hook?a=1'), context);
    expect(signed.headers).toEqual({ 'content-type': 'application/json', 'x-delivery-id': 'd', 'x-api-key': 'k-123' });
    expect(signed.url).toBe('https://api.example.com/hook?a=1');
    expect(signed.body.toString()).toBe('{}');
  });

  it('QUERY: appends the parameter, percent-encoded (RFC 3986: space as %20, & = + / % encoded), headers untouched', async () => {
    const key = 'a b&c=d+e/f%g?h#é';
    const signed = await signApiKey(config(ApiKeyPlacement.QUERY, 'api_key'), { key }, request('https://api.example.com/hook'), context);
    expect(signed.url).toBe('https://api.example.com/hook?api_key=a%20b%26c%3Dd%2Be%2Ff%25g%3Fh%23%C3%A9');
    expect(new URL(signed.url).searchParams.get('api_key')).toBe(key);
    expect(signed.headers).toEqual(request('').headers);
  });

  it('QUERY: replaces every parameter of that name in the site URL, in the first one’s place, and keeps the others byte for byte', () => {
    const url = 'https://api.example.com/hook?x=1&api_key=old&y=%7E~a+b&api_key=older&z#frag';
    expect(withQueryParameter(url, 'api_key', 'new')).toBe('https://api.example.com/hook?x=1&api_key=new&y=%7E~a+b&z#frag');
    // A name written encoded, or with an empty value, is the same parameter.
    expect(withQueryParameter('https://h.example/p?api%5Fkey=1&api_key', 'api_key', 'v')).toBe('https://h.example/p?api_key=v');
    // Other names that merely start alike stay.
    expect(withQueryParameter('https://h.example/p?api_key2=1', 'api_key', 'v')).toBe('https://h.example/p?api_key2=1&api_key=v');
    // A malformed escape elsewhere is left as it is.
    expect(withQueryParameter('https://h.example/p?bad=%E0%A4%A', 'k', 'v')).toBe('https://h.example/p?bad=%E0%A4%A&k=v');
  });

  it('refuses to sign without a stored key', async () => {
    await expect(signApiKey(config(ApiKeyPlacement.HEADER, 'x-api-key'), {}, request('https://h.example/'), context)).rejects.toThrow(/key is not set/);
  });
});

describe('apiKey validation', () => {
  function parse(input: Partial<ApiKeyAuthInput>, key?: string) {
    const errors = new FieldErrors('auth.apiKey');
    const plain = parseApiKey(Object.assign(new ApiKeyAuthInput(), input), errors);
    checkApiKeySecrets(plain, key === undefined ? {} : { key }, errors);
    return { plain, errors: errors.list };
  }

  it('defaults: a header named x-api-key; header names are stored lower-case', () => {
    expect(parse({}, 'k').plain).toEqual({ placement: 'HEADER', name: 'x-api-key' });
    expect(parse({ name: ' X-Partner-Key ' }, 'k').plain).toEqual({ placement: 'HEADER', name: 'x-partner-key' });
    expect(parse({ placement: ApiKeyPlacement.QUERY, name: 'Api.Key~1' }, 'k').plain).toEqual({ placement: 'QUERY', name: 'Api.Key~1' });
  });

  it.each([
    [{ name: 'x api key' }, 'k', 'auth.apiKey.name', /RFC 9110/],
    [{ name: 'Authorization' }, 'k', 'auth.apiKey.name', /authentication sets authorization/],
    [{ name: 'content-type' }, 'k', 'auth.apiKey.name', /site sets content-type/],
    [{ name: 'x-delivery-id' }, 'k', 'auth.apiKey.name', /cannot be set/],
    [{ name: 'host' }, 'k', 'auth.apiKey.name', /cannot be set/],
    [{ name: 'traceparent' }, 'k', 'auth.apiKey.name', /cannot be set/],
    [{ name: 'webhook-signature' }, 'k', 'auth.apiKey.name', /webhook-\* headers/],
    [{ name: 'x'.repeat(129) }, 'k', 'auth.apiKey.name', /at most 128/],
    [{ placement: ApiKeyPlacement.QUERY }, 'k', 'auth.apiKey.name', /required/],
    [{ placement: ApiKeyPlacement.QUERY, name: 'api key' }, 'k', 'auth.apiKey.name', /RFC 3986/],
    [{ placement: ApiKeyPlacement.QUERY, name: 'a&b' }, 'k', 'auth.apiKey.name', /RFC 3986/],
    [{ placement: 'BODY' as ApiKeyPlacement }, 'k', 'auth.apiKey.placement', /HEADER or QUERY/],
    [{}, 'line\nbreak', 'auth.apiKey.key', /control characters/],
    [{}, ' padded', 'auth.apiKey.key', /start or end with a space/],
    [{}, 'clé', 'auth.apiKey.key', /ASCII/],
    [{}, 'k'.repeat(8193), 'auth.apiKey.key', /at most 8,192/],
    [{ placement: ApiKeyPlacement.QUERY, name: 'k' }, 'nul\u0000', 'auth.apiKey.key', /NUL/],
  ])('%j with key %j: error at %s', (input, key, path, message) => {
    const { errors } = parse(input, key);
    expect(errors.map((e) => e.path)).toEqual([path]);
    expect(errors[0]!.message).toMatch(message);
  });

  it('a query parameter key may hold what a header cannot (it is percent-encoded)', () => {
    expect(parse({ placement: ApiKeyPlacement.QUERY, name: 'k' }, ' clé avec espaces\n').errors).toEqual([]);
  });
});
