import fs from 'node:fs';
import { type GraphQLInputObjectType, type GraphQLObjectType, type GraphQLUnionType, isInputObjectType, isObjectType, isUnionType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SITE_FIELDS, validAuthInputs } from '../../test/fixtures.js';
import { buildAppSchema } from '../graphql/schema.js';
import { FieldErrors } from '../validation/field-errors.js';
import { isSecretField } from './definition.js';
import { DASHBOARD_METADATA_FILE, renderDashboardMetadata } from './metadata.js';
import { AUTH_METHOD_LIST, CONNECT_METHODS, TOKEN_METHODS, hasTokens } from './registry.js';

/**
 * A registered method must appear everywhere the product reaches it; this fails, naming the place,
 * when one is left out. The dashboard's side (a label, a widget for each field kind, a function
 * for each client check) is checked by dashboard/src/composables/authMethods.test.ts against the
 * generated metadata that the first test here keeps fresh.
 */
describe('every registered auth method appears wherever it must', () => {
  it('the dashboard metadata is fresh (run `npm run schema`, then `npm run codegen`, when this fails)', () => {
    const committed = fs.readFileSync(DASHBOARD_METADATA_FILE, 'utf8');
    expect(committed).toBe(renderDashboardMetadata());
    for (const d of AUTH_METHOD_LIST) expect(committed, d.method).toContain(`"method": "${d.method}"`);
  });

  it('in the GraphQL schema: a member of union AuthConfig and of AuthConfigInput, whose fields are the definition’s fields', async () => {
    const schema = await buildAppSchema();
    const union = schema.getType('AuthConfig') as GraphQLUnionType;
    const input = schema.getType('AuthConfigInput') as GraphQLInputObjectType;
    expect(isUnionType(union) && isInputObjectType(input)).toBe(true);
    expect(union.getTypes().map((t) => t.name).sort()).toEqual(AUTH_METHOD_LIST.map((d) => d.configClass.name).sort());
    expect(Object.keys(input.getFields()).sort()).toEqual(AUTH_METHOD_LIST.map((d) => d.inputKey).sort());
    for (const d of AUTH_METHOD_LIST) {
      const member = input.getFields()[d.inputKey]!.type as GraphQLInputObjectType;
      // Every input field has its metadata (label, kind …) and every metadata field is an input field.
      expect(Object.keys(member.getFields()).sort(), `${d.method} input fields`).toEqual(d.fields.map((f) => f.name).sort());
      const config = schema.getType(d.configClass.name) as GraphQLObjectType;
      expect(isObjectType(config)).toBe(true);
      const readable = d.fields.map((f) => (isSecretField(f) ? `${f.name}Set` : f.name)).sort();
      expect(Object.keys(config.getFields()).sort(), `${d.method} readable fields`).toEqual(readable);
    }
  });

  it('in the test fixtures: a valid input that parses cleanly, and its config type in SITE_FIELDS', () => {
    const inputs = validAuthInputs() as Record<string, Record<string, unknown>>;
    expect(Object.keys(inputs).sort()).toEqual(AUTH_METHOD_LIST.map((d) => d.inputKey).sort());
    for (const d of AUTH_METHOD_LIST) {
      const errors = new FieldErrors(`auth.${d.inputKey}`);
      const given = inputs[d.inputKey]!;
      const plain = d.parse(Object.assign(new d.inputClass(), given), errors);
      d.checkSecrets?.(plain as never, given as never, errors);
      expect(errors.list, d.method).toEqual([]);
      const block = new RegExp(`\\.\\.\\. on ${d.configClass.name} \\{([^}]*)\\}`).exec(SITE_FIELDS)?.[1];
      expect(block, `SITE_FIELDS has no "... on ${d.configClass.name}"`).toBeDefined();
      for (const f of d.fields) expect(block!.split(/\s+/), `${d.method} ${f.name}`).toContain(isSecretField(f) ? `${f.name}Set` : f.name);
    }
  });

  it('with tokens: builds its own token request from its config, and is served by the token store', async () => {
    const inputs = validAuthInputs('https://auth.example.com/token') as Record<string, Record<string, unknown>>;
    expect(TOKEN_METHODS.length).toBeGreaterThan(0);
    for (const d of AUTH_METHOD_LIST.filter((d) => d.tokens)) {
      const given = inputs[d.inputKey]!;
      const plain = d.parse(Object.assign(new d.inputClass(), given), new FieldErrors());
      const request = await d.tokens!.renewalRequest({ ...plain, method: d.method, sealed: {} } as never, given as never, {
        refreshToken: 'a-refresh-token',
        now: new Date('2026-12-01T00:00:00Z'),
      });
      expect(request.tokenUrl, d.method).toBe('https://auth.example.com/token');
      expect(request.params.grant_type, d.method).toBeTruthy();
      if (d.tokens!.connect) {
        expect(CONNECT_METHODS).toContain(d.method);
        const url = new URL(d.tokens!.connect.authorizationUrl(plain as never, { redirectUri: 'https://ts.example/cb', state: 's', codeChallenge: 'c' }));
        expect(url.searchParams.get('state')).toBe('s');
        expect(d.tokens!.connect.codeExchange(plain as never, given as never, { code: 'x', redirectUri: 'https://ts.example/cb', codeVerifier: 'v' }).params.code).toBe('x');
      }
    }
    for (const d of AUTH_METHOD_LIST) expect(hasTokens(d.method), d.method).toBe(Boolean(d.tokens));
  });
});
