import { describe, expect, it } from 'vitest';
import { FIELD_WIDGETS } from '../components/fieldWidgets';
import { AUTH_METHOD_METADATA } from '../graphql/auth-methods.generated';
import { AUTH_METHODS, CLIENT_CHECKS, LIVE_HINTS, OAUTH2_METHODS, isConnectMethod, methodDef, methodLabel } from './authMethods';
import { SCALAR_KINDS } from './siteForm/fieldKinds';

/**
 * The dashboard side of "a registered method appears everywhere": every method the server
 * publishes (graphql/auth-methods.generated.ts, kept fresh by server/src/auth/registry.test.ts)
 * gets a label, its fields, a way to draw each field kind and a function for each named check.
 */
describe('auth methods from the server’s metadata', () => {
  it('offers every published method, labelled, with its fields in order', () => {
    expect(AUTH_METHODS.map((m) => m.method)).toEqual(AUTH_METHOD_METADATA.map((m) => m.method));
    for (const meta of AUTH_METHOD_METADATA) {
      expect(methodLabel(meta.method)).toBe(meta.label);
      expect(methodDef(meta.method).fields.map((f) => f.key)).toEqual(meta.fields.map((f) => f.name));
    }
  });

  it('can draw every field kind: a generic input or a registered widget', () => {
    for (const meta of AUTH_METHOD_METADATA) {
      for (const field of meta.fields) {
        expect(field.kind in SCALAR_KINDS || FIELD_WIDGETS[field.kind] !== undefined, `${meta.method}.${field.name}: no widget for kind ${field.kind}`).toBe(true);
      }
    }
  });

  it('has a function for every named check and live hint', () => {
    for (const meta of AUTH_METHOD_METADATA) {
      for (const field of meta.fields) {
        if (field.check) expect(CLIENT_CHECKS[field.check], `${meta.method}.${field.name}`).toBeTypeOf('function');
        if (field.liveHint) expect(LIVE_HINTS[field.liveHint], `${meta.method}.${field.name}`).toBeTypeOf('function');
      }
    }
  });

  it('shows tokens for the methods with tokens, and Connect for those a person connects', () => {
    expect(OAUTH2_METHODS).toEqual(AUTH_METHOD_METADATA.filter((m) => m.tokens).map((m) => m.method));
    for (const meta of AUTH_METHOD_METADATA) expect(isConnectMethod(meta.method), meta.method).toBe(Boolean(meta.tokens?.connect));
  });

  it('reads a saved config generically: plain fields by name, secrets as <name>Set', () => {
    const aws = methodDef('AWS').read({
      __typename: 'AwsAuth', region: 'eu-west-1', service: 'execute-api', accessKeyId: 'AKIDEXAMPLE', algorithmPrefix: null, vendorKey: 'goog', secretAccessKeySet: true, sessionTokenSet: false,
    });
    expect(aws).toEqual({
      values: { region: 'eu-west-1', service: 'execute-api', accessKeyId: 'AKIDEXAMPLE', algorithmPrefix: '', vendorKey: 'goog' },
      secretsSet: { secretAccessKey: true, sessionToken: false },
    });
    expect(() => methodDef('BASIC').read({ __typename: 'JwtAuth' } as never)).toThrow('expected BasicAuth');
  });

  it('turns bounds and kinds into the same client checks as before', () => {
    const field = (method: Parameters<typeof methodDef>[0], key: string) => methodDef(method).fields.find((f) => f.key === key)!;
    expect(field('OAUTH2_CLIENT_CREDENTIALS', 'tokenExpirationMinutes').check!('1441', {})).toBe('Must be a whole number of minutes from 1 to 1440');
    expect(field('OAUTH2_JWT_BEARER', 'tokenExpirationMinutes').check!('121', {})).toBe('Must be a whole number of minutes from 1 to 120');
    expect(field('OAUTH2_JWT_BEARER', 'keyId').check!('k'.repeat(257), {})).toBe('Must be at most 256 characters');
    expect(field('BASIC', 'username').check!('a:b', {})).toBe('Must not contain ":" (RFC 7617 §2)');
    expect(field('BASIC', 'username').check!('a'.repeat(257), {})).toBe('Must be at most 256 characters');
    expect(field('OAUTH2', 'authorizationUrl').check!('not a url', {})).toContain('absolute URL');
    expect(field('OAUTH2_JWT_BEARER', 'privateKey').check!('-----BEGIN PUBLIC KEY-----', {})).toContain('public key');
    expect(field('JWT', 'secret').visible!({ algorithm: 'RS256' })).toBe(false);
    expect(field('JWT', 'privateKey').visible!({ algorithm: 'RS256' })).toBe(true);
  });
});
