import urql from '@urql/vue';
import { type VueWrapper, flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import { RouterView, createMemoryHistory, createRouter } from 'vue-router';
import type { SiteFieldsFragment } from '../graphql/generated/graphql';
import { useSiteForm } from '../composables/useSiteForm';
import { type MockAnswer, mockClient } from '../test/mockClient';
import SiteForm from './SiteForm.vue';

/*
 * The OAuth2 methods' token request parameters (server auth/token-params.ts): audience, resource
 * indicators (a `list` field) and extra parameters (a `pairs` field), drawn from the published
 * metadata by the generic widgets — no method-specific dashboard code.
 */
let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

const saved = {
  id: '6f1c2d3e-0000-4000-8000-0000000000bb',
  name: 'Partner API',
  url: 'https://partner.example.com/hooks',
  contentType: 'application/json',
  status: 'ACTIVE',
  authMethod: 'OAUTH2_CLIENT_CREDENTIALS',
  redirectUrl: null,
  createdAt: '2026-11-30T00:00:00Z',
  updatedAt: '2026-11-30T00:00:00Z',
  token: null,
  performance: { maxRps: 10, threads: 4 },
  sendTraceparent: false,
  auth: {
    __typename: 'OAuth2ClientCredentialsAuth',
    tokenUrl: 'https://auth.partner.example.com/token',
    contentType: 'application/x-www-form-urlencoded',
    tokenExpirationMinutes: 60,
    clientId: 'machine',
    clientSecretSet: true,
    scope: null,
    clientAuthentication: 'BASIC',
    audience: 'https://api.partner.example.com',
    resource: ['https://orders.partner.example.com/', 'urn:partner:ledger'],
    extraParams: [{ __typename: 'TokenParam', name: 'tenant', value: 'acme' }],
  },
  headers: [],
  // urql's document cache asks for __typename on every object, so the rows come back with it.
} as unknown as SiteFieldsFragment;

async function mountForm(site: SiteFieldsFragment | null, answer: () => MockAnswer = () => ({ data: null })) {
  const { client, operations } = mockClient(answer);
  let form!: ReturnType<typeof useSiteForm>;
  const Host = defineComponent({
    setup() {
      form = useSiteForm({ site });
      return () => h(SiteForm, { form, submitLabel: 'Save', onSubmit: () => void form.submit() });
    },
  });
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/form', component: Host }] });
  await router.push('/form');
  wrapper = mount({ render: () => h(RouterView) }, { global: { plugins: [router, [urql, client]] }, attachTo: document.body });
  await flushPromises();
  return { wrapper, form: () => form, operations };
}

const add = (w: VueWrapper) => w.findAll('button').find((b) => b.text() === '+ Add parameter')!.trigger('click');

async function fillClientCredentials(w: VueWrapper) {
  await w.get('#f-name').setValue('Partner');
  await w.get('#f-url').setValue('https://partner.example.com/hooks');
  await w.get('#f-auth').setValue('OAUTH2_CLIENT_CREDENTIALS');
  await w.get('#f-auth-oauth2ClientCredentials-tokenUrl').setValue('https://auth.partner.example.com/token');
  await w.get('#f-auth-oauth2ClientCredentials-clientId').setValue('machine');
  await w.get('#f-auth-oauth2ClientCredentials-clientSecret').setValue('s3cret');
}

describe('SiteForm: token request parameters', () => {
  it('shows audience, resource indicators and extra parameters for the three OAuth2 methods only, labelled', async () => {
    const { wrapper } = await mountForm(null);
    for (const [method, key] of [['OAUTH2', 'oauth2'], ['OAUTH2_CLIENT_CREDENTIALS', 'oauth2ClientCredentials'], ['OAUTH2_JWT_BEARER', 'oauth2JwtBearer']] as const) {
      await wrapper.get('#f-auth').setValue(method);
      const dialog = wrapper.find('[role="dialog"]');
      if (dialog.exists()) await dialog.findAll('button').find((b) => b.text().startsWith('Switch to'))!.trigger('click');
      expect(wrapper.get(`#f-auth-${key}-audience`).element.tagName, method).toBe('INPUT');
      expect(wrapper.get(`label[for="f-auth-${key}-audience"]`).text()).toContain('Audience');
      expect(wrapper.get(`#f-auth-${key}-resource`).element.tagName, method).toBe('TEXTAREA');
      expect(wrapper.get(`label[for="f-auth-${key}-resource"]`).text()).toContain('Resource indicators');
      expect(wrapper.findAll('legend').map((l) => l.text()), method).toContain('Extra token request parameters');
      await add(wrapper);
      expect(wrapper.get(`label[for="f-auth-${key}-extraParams-0-name"]`).text()).toBe('Parameter 1 name');
      expect(wrapper.get(`label[for="f-auth-${key}-extraParams-0-value"]`).text()).toBe('Parameter 1 value');
      expect(document.activeElement?.id).toBe(`f-auth-${key}-extraParams-0-name`);
    }
    await wrapper.get('#f-auth').setValue('BASIC');
    const dialog = wrapper.find('[role="dialog"]');
    if (dialog.exists()) await dialog.findAll('button').find((b) => b.text().startsWith('Switch to'))!.trigger('click');
    expect(wrapper.find('[id$="-audience"]').exists()).toBe(false);
    expect(wrapper.find('[id$="-resource"]').exists()).toBe(false);
    expect(wrapper.findAll('[data-testid="pair-row"]')).toHaveLength(0);
  });

  it('sends them with createSite: one resource per line, the filled rows as { name, value }', async () => {
    const { wrapper, operations } = await mountForm(null, () => ({ data: { createSite: { ...saved, id: 'x' } } }));
    await fillClientCredentials(wrapper);
    await wrapper.get('#f-auth-oauth2ClientCredentials-audience').setValue(' https://api.partner.example.com ');
    await wrapper.get('#f-auth-oauth2ClientCredentials-resource').setValue('https://orders.partner.example.com/\n\n urn:partner:ledger \n');
    await add(wrapper);
    await add(wrapper);
    await add(wrapper);
    await wrapper.get('#f-auth-oauth2ClientCredentials-extraParams-0-name').setValue('tenant');
    await wrapper.get('#f-auth-oauth2ClientCredentials-extraParams-0-value').setValue('acme & co');
    // A blank row in the middle is not sent.
    await wrapper.get('#f-auth-oauth2ClientCredentials-extraParams-2-name').setValue(' organization ');
    await wrapper.get('#f-auth-oauth2ClientCredentials-extraParams-2-value').setValue('org_42');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(operations).toHaveLength(1);
    expect(operations[0]!.variables).toMatchObject({
      input: {
        auth: {
          oauth2ClientCredentials: {
            audience: 'https://api.partner.example.com',
            resource: ['https://orders.partner.example.com/', 'urn:partner:ledger'],
            extraParams: [
              { name: 'tenant', value: 'acme & co' },
              { name: 'organization', value: 'org_42' },
            ],
          },
        },
      },
    });
  });

  it('refuses, before any round trip, a parameter the grant sets itself and a resource with a fragment', async () => {
    const { wrapper, operations } = await mountForm(null);
    await fillClientCredentials(wrapper);
    await wrapper.get('#f-auth-oauth2ClientCredentials-resource').setValue('https://orders.partner.example.com/#x');
    await add(wrapper);
    await wrapper.get('#f-auth-oauth2ClientCredentials-extraParams-0-name').setValue('Client_Secret');
    await wrapper.get('#f-auth-oauth2ClientCredentials-extraParams-0-value').setValue('x');
    expect(wrapper.get('#f-auth-oauth2ClientCredentials-extraParams-0-name-error').text()).toBe('"Client_Secret" is set by the grant and cannot be given here');
    expect(wrapper.get('#f-auth-oauth2ClientCredentials-extraParams-0-name').attributes('aria-invalid')).toBe('true');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(operations).toHaveLength(0);
    expect(wrapper.get('#f-auth-oauth2ClientCredentials-resource-error').text()).toBe('Must not contain a #fragment (RFC 8707 §2)');
    expect(wrapper.get('#f-auth-oauth2ClientCredentials-extraParams-error').text()).toBe('Fix the parameters marked below');
  });

  it('puts the server’s errors on the entry they name, counting only the filled rows', async () => {
    const { wrapper, operations } = await mountForm(null, () => ({
      errors: [
        {
          message: 'Bad input',
          extensions: {
            code: 'BAD_USER_INPUT',
            fieldErrors: [
              { path: 'auth.oauth2ClientCredentials.extraParams[1].name', message: 'Refused by the server' },
              { path: 'auth.oauth2ClientCredentials.resource[1]', message: 'Not served here' },
            ],
          },
        },
      ],
    }));
    await fillClientCredentials(wrapper);
    await wrapper.get('#f-auth-oauth2ClientCredentials-resource').setValue('urn:a\nurn:b');
    await add(wrapper);
    await add(wrapper);
    await add(wrapper);
    await wrapper.get('#f-auth-oauth2ClientCredentials-extraParams-0-name').setValue('one');
    await wrapper.get('#f-auth-oauth2ClientCredentials-extraParams-0-value').setValue('1');
    await wrapper.get('#f-auth-oauth2ClientCredentials-extraParams-2-name').setValue('two');
    await wrapper.get('#f-auth-oauth2ClientCredentials-extraParams-2-value').setValue('2');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(operations).toHaveLength(1);
    // The second row sent is the third on screen.
    expect(wrapper.get('#f-auth-oauth2ClientCredentials-extraParams-2-name-error').text()).toBe('Refused by the server');
    expect(wrapper.find('#f-auth-oauth2ClientCredentials-extraParams-0-name-error').exists()).toBe(false);
    expect(wrapper.get('.entry-errors').text()).toBe('urn:b: Not served here');
    // Nothing is left for the list above the form.
    expect(wrapper.text()).not.toContain('auth.oauth2ClientCredentials');
    // Typing in the row takes the server's word back.
    await wrapper.get('#f-auth-oauth2ClientCredentials-extraParams-2-name').setValue('three');
    expect(wrapper.find('#f-auth-oauth2ClientCredentials-extraParams-2-name-error').exists()).toBe(false);
  });

  it('loads a saved site’s values, is clean until they change, and an emptied list is sent as []', async () => {
    const { wrapper, form, operations } = await mountForm(saved, () => ({ data: { updateSite: saved } }));
    expect((wrapper.get('#f-auth-oauth2ClientCredentials-audience').element as HTMLInputElement).value).toBe('https://api.partner.example.com');
    expect((wrapper.get('#f-auth-oauth2ClientCredentials-resource').element as HTMLTextAreaElement).value).toBe('https://orders.partner.example.com/\nurn:partner:ledger');
    expect(wrapper.findAll('[data-testid="pair-row"]')).toHaveLength(1);
    expect((wrapper.get('#f-auth-oauth2ClientCredentials-extraParams-0-value').element as HTMLInputElement).value).toBe('acme');
    expect(form().dirty.value).toBe(false);
    await wrapper.get('#f-auth-oauth2ClientCredentials-resource').setValue('');
    expect(form().dirty.value).toBe(true);
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(operations).toHaveLength(1);
    const sent = (operations[0]!.variables as { input: { auth: { oauth2ClientCredentials: Record<string, unknown> } } }).input.auth.oauth2ClientCredentials;
    expect(sent.audience).toBe('https://api.partner.example.com');
    expect(sent.resource).toEqual([]);
    // The loaded row goes back as it is, without the __typename it was read with.
    expect(sent.extraParams).toEqual([{ name: 'tenant', value: 'acme' }]);

    await wrapper.findAll('button').find((b) => b.text() === 'Remove')!.trigger('click');
    expect(wrapper.findAll('[data-testid="pair-row"]')).toHaveLength(0);
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(operations).toHaveLength(2);
    expect(operations[1]!.variables).toMatchObject({ input: { auth: { oauth2ClientCredentials: { extraParams: [] } } } });
  });
});
