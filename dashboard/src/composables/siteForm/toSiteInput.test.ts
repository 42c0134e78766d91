import { describe, expect, it } from 'vitest';
import { methodDef } from '../authMethods';
import { type AuthState, type BaseValues, toAuthMember, toSiteInput } from './toSiteInput';

const base: BaseValues = { name: ' CRM ', url: ' https://crm.example.com/hooks ', contentType: ' application/json ', maxRps: '2.50', threads: ' 3 ' };

function state(method: Parameters<typeof methodDef>[0], values: Record<string, string>, extra: Partial<AuthState> = {}): AuthState {
  const def = methodDef(method);
  return { inputKey: def.inputKey, fields: def.fields, values, structured: {}, removeSecrets: [], ...extra };
}

describe('toSiteInput: what a save sends', () => {
  it('trims the site fields and reads the limits as numbers', () => {
    expect(toSiteInput(base, state('BASIC', { username: ' alice ', password: ' pw ' }), 'create')).toEqual({
      name: 'CRM',
      url: 'https://crm.example.com/hooks',
      contentType: 'application/json',
      performance: { maxRps: 2.5, threads: 3 },
      // A secret is sent as typed, spaces and all; plain text is trimmed.
      auth: { basic: { username: 'alice', password: ' pw ' } },
    });
  });

  it('leaves a blank content type out on create and sends "" on update (the server then uses its default)', () => {
    const blank = { ...base, contentType: '  ' };
    expect(toSiteInput(blank, state('BASIC', { username: 'a', password: '' }), 'create')).not.toHaveProperty('contentType', '');
    expect(toSiteInput(blank, state('BASIC', { username: 'a', password: '' }), 'create').contentType).toBeUndefined();
    expect(toSiteInput(blank, state('BASIC', { username: 'a', password: '' }), 'update').contentType).toBe('');
  });

  it('a blank secret is left out (keep the stored one); "" only for a removal asked for on update', () => {
    const values = { region: 'eu-west-1', service: 'execute-api', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: '', sessionToken: '' };
    expect(toAuthMember(state('AWS', values), true)).not.toHaveProperty('secretAccessKey');
    expect(toAuthMember(state('AWS', values), true)).not.toHaveProperty('sessionToken');
    expect(toAuthMember(state('AWS', values, { removeSecrets: ['sessionToken'] }), true)).toMatchObject({ sessionToken: '' });
    expect(toAuthMember(state('AWS', values, { removeSecrets: ['sessionToken'] }), false)).not.toHaveProperty('sessionToken');
  });

  it('an emptied optional plain field is "" on update and absent on create; a select is always sent as chosen', () => {
    const values = { region: 'eu-west-1', service: 'execute-api', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 's', sessionToken: '', algorithmPrefix: ' ', vendorKey: '' };
    expect(toAuthMember(state('AWS', values), true)).toMatchObject({ algorithmPrefix: '', vendorKey: '' });
    expect(toAuthMember(state('AWS', values), false)).not.toHaveProperty('algorithmPrefix');
    const cc = { tokenUrl: 'https://a.example/token', contentType: 'application/json', tokenExpirationMinutes: '30', clientId: 'c', clientSecret: '', scope: '', clientAuthentication: 'BODY' };
    // Emptied lists (resource indicators, extra parameters) are [] on update, clearing the stored ones.
    expect(toAuthMember(state('OAUTH2_CLIENT_CREDENTIALS', cc), true)).toEqual({
      tokenUrl: 'https://a.example/token', contentType: 'application/json', tokenExpirationMinutes: 30, clientId: 'c', scope: '', clientAuthentication: 'BODY',
      audience: '', resource: [], extraParams: [],
    });
    expect(toAuthMember(state('OAUTH2_CLIENT_CREDENTIALS', cc), false)).toEqual({
      tokenUrl: 'https://a.example/token', contentType: 'application/json', tokenExpirationMinutes: 30, clientId: 'c', clientAuthentication: 'BODY',
    });
  });

  it('sends a list one entry per filled line, and pairs as their filled rows with trimmed names', () => {
    const cc = {
      tokenUrl: 'https://a.example/token', clientId: 'c', clientSecret: 's',
      resource: ' https://a.example/api \n\n urn:b ',
      extraParams: JSON.stringify([{ name: ' tenant ', value: ' acme ' }, { name: '', value: '' }, { name: 'org', value: '42' }]),
    };
    expect(toAuthMember(state('OAUTH2_CLIENT_CREDENTIALS', cc), false)).toMatchObject({
      resource: ['https://a.example/api', 'urn:b'],
      extraParams: [{ name: 'tenant', value: ' acme ' }, { name: 'org', value: '42' }],
    });
  });

  it('sends a whole number field as a number, and null when it is not one (the server names the field)', () => {
    const cc = { tokenUrl: 'https://a.example/token', tokenExpirationMinutes: 'soon', clientId: 'c', clientSecret: 's' };
    expect(toAuthMember(state('OAUTH2_CLIENT_CREDENTIALS', cc), false)).toMatchObject({ tokenExpirationMinutes: null });
    expect(toAuthMember(state('OAUTH2_CLIENT_CREDENTIALS', { ...cc, tokenExpirationMinutes: ' 1440 ' }), false)).toMatchObject({ tokenExpirationMinutes: 1440 });
  });

  it('trims a PEM key but not a shared secret', () => {
    const pem = '\n-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n';
    const member = toAuthMember(state('OAUTH2_JWT_BEARER', { tokenUrl: 'https://a.example/token', clientId: 'c', privateKey: pem, signAlgorithm: 'RS256' }), false);
    expect(member.privateKey).toBe(pem.trim());
    expect(toAuthMember(state('JWT', { algorithm: 'HS256', secret: ' s ', timeToLive: '5 minutes' }, { structured: { payload: {} } }), false).secret).toBe(' s ');
  });

  it('takes a structured field (the claims) from its composable, and sends only the fields it is given', () => {
    const def = methodDef('JWT');
    const fields = def.fields.filter((f) => f.key !== 'privateKey');
    const member = toAuthMember(
      { inputKey: 'jwt', fields, values: { algorithm: 'HS256', secret: 'x', privateKey: 'hidden', timeToLive: '1 day' }, structured: { payload: { iss: 'loyalty', aud: ['a', 2] } }, removeSecrets: [] },
      false,
    );
    expect(member).toEqual({ algorithm: 'HS256', secret: 'x', timeToLive: '1 day', payload: { iss: 'loyalty', aud: ['a', 2] } });
  });
});
