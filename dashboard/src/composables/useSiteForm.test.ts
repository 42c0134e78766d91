import urql from '@urql/vue';
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h, nextTick, ref } from 'vue';
import type { SiteFieldsFragment } from '../graphql/generated/graphql';
import { type MockAnswer, mockClient } from '../test/mockClient';
import { type SiteFormOptions, useSiteForm } from './useSiteForm';

function withForm(answer: () => MockAnswer = () => ({ data: null }), site: SiteFormOptions['site'] = null) {
  let form!: ReturnType<typeof useSiteForm>;
  const { client, operations } = mockClient(answer);
  mount(
    defineComponent({
      setup() {
        form = useSiteForm({ site });
        return () => h('div');
      },
    }),
    { global: { plugins: [[urql, client]] } },
  );
  return { form, operations };
}

function fillBase(form: ReturnType<typeof useSiteForm>) {
  form.base.name = 'CRM';
  form.base.url = 'https://crm.example.com/hooks';
}

const savedBasic: SiteFieldsFragment = {
  id: '6f1c2d3e-0000-4000-8000-000000000001',
  name: 'CRM',
  url: 'https://crm.example.com/hooks',
  contentType: 'application/json',
  status: 'DRAFT',
  authMethod: 'BASIC',
  redirectUrl: null,
  createdAt: '2026-11-30T00:00:00Z',
  updatedAt: '2026-11-30T00:00:00Z',
  token: null,
  performance: { maxRps: 2.5, threads: 3 },
  sendTraceparent: false,
  auth: { __typename: 'BasicAuth', username: 'alice', passwordSet: true },
  headers: [],
};

describe('useSiteForm: client rules mirror the server, keyed by its paths', () => {
  it('reports every broken rule under the path the server would use', () => {
    const { form } = withForm();
    form.base.url = 'ftp://example.com';
    form.base.maxRps = '0';
    form.base.threads = '2.5';
    form.base.contentType = 'json';
    form.selectMethod('JWT');
    form.auth.timeToLive = '5 parsecs';
    expect(form.validate()).toBe(false);
    expect(form.errors.value).toMatchObject({
      name: 'Name is required',
      url: 'Must be an http:// or https:// URL',
      contentType: expect.stringContaining('media type'),
      'performance.maxRps': expect.stringContaining('0.1 to 10000'),
      'performance.threads': 'Must be a whole number from 1 to 256',
      'auth.jwt.secret': 'This secret is required',
      'auth.jwt.timeToLive': expect.stringContaining('number and a unit'),
    });
  });

  it.each([
    ['name', 'Invoice\u202Etxt.exe', 'Must not contain invisible, control or text-direction characters (found U+202E)'],
    ['name', 'Pay\u200Bments', 'Must not contain invisible, control or text-direction characters (found U+200B)'],
    ['name', '\uFEFFCRM', 'Must not contain invisible, control or text-direction characters (found U+FEFF)'],
    ['url', 'https://crm.example.com/\thooks', 'Must not contain control characters (line breaks, tabs and the like)'],
    ['url', `https://crm.example.com/${'a'.repeat(2048)}`, 'Must be at most 2,048 characters'],
    ['contentType', 'text/plain; name="日本"', expect.stringContaining('media type')],
  ] as const)('%s %j is refused as the server would: %s', (field, value, message) => {
    const { form } = withForm();
    fillBase(form);
    form.selectMethod('BASIC');
    Object.assign(form.auth, { username: 'u', password: 'p' });
    form.base[field] = value;
    expect(form.validate()).toBe(false);
    expect(form.errors.value).toEqual({ [field]: message });
  });

  it('an HS256 secret of 32 bytes, counted in UTF-8, passes', () => {
    const { form } = withForm();
    fillBase(form);
    form.selectMethod('JWT');
    form.auth.secret = '日'.repeat(11);
    expect(form.validate()).toBe(true);
  });

  it('asks for a method before anything else about authentication', () => {
    const { form } = withForm();
    fillBase(form);
    expect(form.validate()).toBe(false);
    expect(Object.keys(form.errors.value)).toEqual(['auth']);
  });

  it.each([
    ['BASIC', { username: 'a:b', password: 'x' }, 'auth.basic.username', 'Must not contain ":" (RFC 7617 §2)'],
    ['AWS', { region: 'EU West', service: 'execute-api', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 's' }, 'auth.aws.region', expect.stringContaining('region name')],
    ['AWS', { region: 'eu-west-1', service: 'execute-api', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 's', algorithmPrefix: 'goog4' }, 'auth.aws.algorithmPrefix', expect.stringContaining('upper-case')],
    ['AWS_S3', { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 's', filenameFormat: 'hooks/{yyyy}.json' }, 'auth.awsS3.filenameFormat', expect.stringContaining('{uuid} or {deliveryId}')],
    ['AWS_S3', { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 's', filenameFormat: '{deliveryId}/{nope}' }, 'auth.awsS3.filenameFormat', expect.stringContaining('Unknown placeholder {nope}')],
    ['OAUTH2', { consumerKey: 'k', consumerSecret: 's', authorizationUrl: 'not a url', tokenUrl: 'https://a.example/token' }, 'auth.oauth2.authorizationUrl', expect.stringContaining('absolute URL')],
    ['OAUTH2_CLIENT_CREDENTIALS', { tokenUrl: 'https://a.example/token', tokenExpirationMinutes: '1441', clientId: 'c', clientSecret: 's' }, 'auth.oauth2ClientCredentials.tokenExpirationMinutes', 'Must be a whole number of minutes from 1 to 1440'],
    ['OAUTH2_JWT_BEARER', { tokenUrl: 'https://a.example/token', tokenExpirationMinutes: '121', clientId: 'c', privateKey: '-----BEGIN PRIVATE KEY-----\nx' }, 'auth.oauth2JwtBearer.tokenExpirationMinutes', 'Must be a whole number of minutes from 1 to 120'],
    ['OAUTH2_JWT_BEARER', { tokenUrl: 'https://a.example/token', clientId: 'c', privateKey: '-----BEGIN PUBLIC KEY-----\nx' }, 'auth.oauth2JwtBearer.privateKey', expect.stringContaining('public key')],
    ['JWT', { algorithm: 'HS256', secret: 'a'.repeat(31), timeToLive: '5 minutes' }, 'auth.jwt.secret', 'Must be at least 32 bytes (256 bits) for HS256 (RFC 7518 §3.2); this one is 31'],
    ['OAUTH2_CLIENT_CREDENTIALS', { tokenUrl: 'https://a.example/token\r\nx', clientId: 'c', clientSecret: 's' }, 'auth.oauth2ClientCredentials.tokenUrl', expect.stringContaining('control characters')],
  ] as const)('%s: %s → %s', (method, values, path, message) => {
    const { form } = withForm();
    fillBase(form);
    form.selectMethod(method);
    Object.assign(form.auth, values);
    expect(form.validate()).toBe(false);
    expect(form.errors.value).toEqual({ [path]: message });
  });

  it('builds the create input: numbers as numbers, blank optionals left out, payload parsed', () => {
    const { form } = withForm();
    fillBase(form);
    form.base.maxRps = '0.5';
    form.selectMethod('JWT');
    form.auth.secret = 'a-shared-secret-of-32-bytes-or-more';
    form.addPayloadRow();
    form.payloadRows.value[0]!.key = 'aud';
    form.payloadRows.value[0]!.value = '["crm", 2]';
    expect(form.validate()).toBe(true);
    expect(form.toCreateInput()).toEqual({
      name: 'CRM',
      url: 'https://crm.example.com/hooks',
      contentType: 'application/json',
      performance: { maxRps: 0.5, threads: 4 },
      auth: { jwt: { algorithm: 'HS256', secret: 'a-shared-secret-of-32-bytes-or-more', timeToLive: '5 minutes', payload: { aud: ['crm', 2] } } },
    });
  });
});

describe('useSiteForm: JWT payload values are checked as JSON while typed', () => {
  it('flags a value until it parses, and a reserved claim name', () => {
    const { form } = withForm();
    form.selectMethod('JWT');
    form.addPayloadRow();
    const row = form.payloadRows.value[0]!;
    row.key = 'iss';
    row.value = 'loyalty';
    expect(form.payloadRowError(row).value).toContain('Not valid JSON');
    row.value = '"loyalty"';
    expect(form.payloadRowError(row)).toEqual({ key: undefined, value: undefined });
    row.key = 'exp';
    expect(form.payloadRowError(row).key).toContain('set from the time-to-live');
  });
});

describe('useSiteForm: server fieldErrors land on fields by path, never by message', () => {
  it('maps each path to its field, a claim path to its row, and keeps unknown paths visible', async () => {
    const { form } = withForm(() => ({
      errors: [
        {
          message: 'Bad input',
          extensions: {
            code: 'BAD_USER_INPUT',
            fieldErrors: [
              { path: 'name', message: 'zzz one' },
              { path: 'auth.jwt.timeToLive', message: 'zzz two' },
              { path: 'auth.jwt.payload.iss', message: 'zzz three' },
              { path: 'somewhere.else', message: 'zzz four' },
            ],
          },
        },
      ],
    }));
    fillBase(form);
    form.selectMethod('JWT');
    form.auth.secret = 'a-shared-secret-of-32-bytes-or-more';
    form.addPayloadRow();
    Object.assign(form.payloadRows.value[0]!, { key: 'iss', value: '"x"' });
    const { site, error } = await form.submit();
    expect(site).toBeNull();
    expect(error?.graphQLErrors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(form.errors.value).toEqual({ name: 'zzz one', 'auth.jwt.timeToLive': 'zzz two', 'auth.jwt.payload.iss': 'zzz three' });
    expect(form.payloadRowError(form.payloadRows.value[0]!).key).toBe('zzz three');
    expect(form.otherErrors.value).toEqual([{ path: 'somewhere.else', message: 'zzz four' }]);
  });

  it('ignores fieldErrors of other codes', () => {
    const { form } = withForm();
    form.applyFieldErrors([]);
    expect(form.errors.value).toEqual({});
  });

  it('sends nothing while the client rules fail', async () => {
    const { form, operations } = withForm();
    await form.submit();
    expect(operations).toHaveLength(0);
  });
});

describe('useSiteForm: switching method asks before discarding typed fields', () => {
  it('switches at once when nothing was typed beyond the defaults', () => {
    const { form } = withForm();
    form.selectMethod('JWT');
    expect(form.selectMethod('BASIC')).toBe(true);
    expect(form.method.value).toBe('BASIC');
    expect(form.pendingMethod.value).toBeNull();
  });

  it('waits for confirmation; cancel keeps the fields, confirm clears them', () => {
    const { form } = withForm();
    form.selectMethod('BASIC');
    form.auth.username = 'alice';
    expect(form.selectMethod('AWS')).toBe(false);
    expect(form.pendingMethod.value).toBe('AWS');
    expect(form.method.value).toBe('BASIC');
    form.cancelMethodChange();
    expect(form.auth.username).toBe('alice');
    expect(form.selectMethod('AWS')).toBe(false);
    form.confirmMethodChange();
    expect(form.method.value).toBe('AWS');
    expect(form.auth.username).toBeUndefined();
    expect(form.auth.region).toBe('');
  });

  it('counts payload rows as typed', () => {
    const { form } = withForm();
    form.selectMethod('JWT');
    form.addPayloadRow();
    form.payloadRows.value[0]!.key = 'iss';
    expect(form.selectMethod('BASIC')).toBe(false);
  });
});

describe('useSiteForm: editing a saved site', () => {
  it('loads plain fields, never secrets, and keeps a stored secret when left blank', async () => {
    const { form, operations } = withForm(() => ({ data: { updateSite: savedBasic } }), savedBasic);
    await nextTick();
    expect(form.base.maxRps).toBe('2.5');
    expect(form.auth).toEqual({ username: 'alice', password: '' });
    expect(form.isSecretStored('password')).toBe(true);
    expect(form.validate()).toBe(true);
    expect(form.toUpdateInput().auth).toEqual({ basic: { username: 'alice' } });
    await form.submit();
    expect(operations[0]?.variables).toMatchObject({ id: savedBasic.id, input: { auth: { basic: { username: 'alice' } } } });
  });

  it('removes a stored optional secret only when asked, and keeps a required one', () => {
    const savedAws = {
      ...savedBasic,
      authMethod: 'AWS',
      auth: {
        __typename: 'AwsAuth',
        region: 'eu-west-1',
        service: 'execute-api',
        accessKeyId: 'AKIDEXAMPLE',
        algorithmPrefix: null,
        vendorKey: null,
        secretAccessKeySet: true,
        sessionTokenSet: true,
      },
    } as unknown as SiteFieldsFragment;
    const { form } = withForm(undefined, savedAws);
    const field = (key: string) => form.visibleFields.value.find((f) => f.key === key)!;
    expect(form.canRemoveSecret(field('sessionToken'))).toBe(true);
    expect(form.canRemoveSecret(field('secretAccessKey'))).toBe(false);
    expect(form.toUpdateInput().auth?.aws).not.toHaveProperty('sessionToken');
    form.setSecretRemoved('sessionToken', true);
    expect(form.toUpdateInput().auth?.aws).toMatchObject({ sessionToken: '' });
    expect(form.toUpdateInput().auth?.aws).not.toHaveProperty('secretAccessKey');
    form.setSecretRemoved('sessionToken', false);
    expect(form.toUpdateInput().auth?.aws).not.toHaveProperty('sessionToken');
  });

  it('needs the secrets again after switching to another method', () => {
    const { form } = withForm(undefined, savedBasic);
    form.selectMethod('OAUTH2_CLIENT_CREDENTIALS');
    form.confirmMethodChange();
    Object.assign(form.auth, { tokenUrl: 'https://a.example/token', clientId: 'c' });
    expect(form.validate()).toBe(false);
    expect(form.errors.value).toEqual({ 'auth.oauth2ClientCredentials.clientSecret': 'This secret is required' });
  });
});

describe('useSiteForm: knows whether there are unsaved changes', () => {
  const savedJwt = {
    ...savedBasic,
    authMethod: 'JWT',
    auth: { __typename: 'JwtAuth', algorithm: 'HS256', payload: { aud: ['crm', 2] }, timeToLive: '5 minutes', secretSet: true, privateKeySet: false },
  } as unknown as SiteFieldsFragment;

  it('a new form is clean until something is typed, and clean again once it is taken back', () => {
    const { form } = withForm();
    expect(form.dirty.value).toBe(false);
    form.base.name = 'CRM';
    expect(form.dirty.value).toBe(true);
    form.base.name = '';
    expect(form.dirty.value).toBe(false);
    form.base.threads = ' 4 ';
    expect(form.dirty.value).toBe(false);
    form.selectMethod('BASIC');
    expect(form.dirty.value).toBe(true);
  });

  it('a loaded site is clean; a changed field is a change until restored, however it is spelled', async () => {
    const { form } = withForm(undefined, savedBasic);
    await nextTick();
    expect(form.dirty.value).toBe(false);
    form.auth.username = 'bob';
    expect(form.dirty.value).toBe(true);
    form.auth.username = 'alice ';
    expect(form.dirty.value).toBe(false);
    form.base.maxRps = '2.50';
    expect(form.dirty.value).toBe(false);
    form.base.maxRps = '3';
    expect(form.dirty.value).toBe(true);
    form.reset();
    expect(form.dirty.value).toBe(false);
  });

  it('a secret typed is a change; left blank it keeps the stored one, which is not', async () => {
    const { form } = withForm(undefined, savedBasic);
    await nextTick();
    form.auth.password = 'new password';
    expect(form.dirty.value).toBe(true);
    form.auth.password = ' ';
    expect(form.dirty.value).toBe(true);
    form.auth.password = '';
    expect(form.dirty.value).toBe(false);
  });

  it('removing a stored optional secret is a change', () => {
    const savedAws = {
      ...savedBasic,
      authMethod: 'AWS',
      auth: { __typename: 'AwsAuth', awsRegion: 'eu-west-1', service: 'execute-api', accessKeyId: 'AKIDEXAMPLE', algorithmPrefix: null, vendorKey: null, secretAccessKeySet: true, sessionTokenSet: true },
    } as unknown as SiteFieldsFragment;
    const { form } = withForm(undefined, savedAws);
    expect(form.dirty.value).toBe(false);
    form.setSecretRemoved('sessionToken', true);
    expect(form.dirty.value).toBe(true);
    form.setSecretRemoved('sessionToken', false);
    expect(form.dirty.value).toBe(false);
  });

  it('switching method is a change; switching back to the stored one is not', () => {
    const { form } = withForm(undefined, savedBasic);
    form.selectMethod('AWS');
    form.confirmMethodChange();
    expect(form.dirty.value).toBe(true);
    form.selectMethod('BASIC');
    expect(form.dirty.value).toBe(false);
  });

  it('JWT claims: an empty row is nothing, a claim added or a value changed is a change, JSON spacing is not', () => {
    const { form } = withForm(undefined, savedJwt);
    expect(form.dirty.value).toBe(false);
    form.addPayloadRow();
    expect(form.dirty.value).toBe(false);
    form.payloadRows.value[1]!.key = 'iss';
    expect(form.dirty.value).toBe(true);
    form.removePayloadRow(form.payloadRows.value[1]!.id);
    expect(form.dirty.value).toBe(false);
    form.payloadRows.value[0]!.value = '[ "crm",  2 ]';
    expect(form.dirty.value).toBe(false);
    form.payloadRows.value[0]!.value = '["crm", 3]';
    expect(form.dirty.value).toBe(true);
  });

  it('keeps what is being typed when the page fetches the same site again; takes a changed one', async () => {
    const site = ref<SiteFieldsFragment | null>(savedBasic);
    const { form } = withForm(undefined, site);
    form.base.url = 'https://crm.example.com/typed';
    // Setting the site active fetches it again: a new object, another status, the same fields.
    site.value = { ...savedBasic, status: 'ACTIVE', auth: { ...savedBasic.auth } };
    await nextTick();
    expect(form.base.url).toBe('https://crm.example.com/typed');
    expect(form.dirty.value).toBe(true);
    site.value = { ...savedBasic, url: 'https://crm.example.com/changed-elsewhere' };
    await nextTick();
    expect(form.base.url).toBe('https://crm.example.com/changed-elsewhere');
    expect(form.dirty.value).toBe(false);
  });

  it('is clean after a successful create or update, and stays dirty when saving fails', async () => {
    const created = withForm(() => ({ data: { createSite: { ...savedBasic, name: 'CRM' } } }));
    fillBase(created.form);
    created.form.selectMethod('BASIC');
    Object.assign(created.form.auth, { username: 'alice', password: 'pw' });
    expect(created.form.dirty.value).toBe(true);
    expect((await created.form.submit()).site).not.toBeNull();
    expect(created.form.dirty.value).toBe(false);

    const updated = withForm(() => ({ data: { updateSite: { ...savedBasic, url: 'https://crm.example.com/v2' } } }), savedBasic);
    updated.form.base.url = 'https://crm.example.com/v2';
    updated.form.auth.password = 'rotated';
    await updated.form.submit();
    expect(updated.form.auth.password).toBe('');
    expect(updated.form.dirty.value).toBe(false);

    const refused = withForm(() => ({ errors: [{ message: 'Taken', extensions: { code: 'CONFLICT' } }] }), savedBasic);
    refused.form.base.name = 'Other';
    expect((await refused.form.submit()).site).toBeNull();
    expect(refused.form.dirty.value).toBe(true);
  });
});
