import urql from '@urql/vue';
import { type VueWrapper, flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import { RouterView, createMemoryHistory, createRouter } from 'vue-router';
import { AUTH_METHOD_METADATA } from '../graphql/auth-methods.generated';
import type { SiteFieldsFragment } from '../graphql/generated/graphql';
import { useSiteForm } from '../composables/useSiteForm';
import { type MockAnswer, mockClient } from '../test/mockClient';
import SiteForm from './SiteForm.vue';

/** The site form's Headers section (static headers, server sites/static-headers.ts) and the apiKey method drawn from metadata alone. */
let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

const saved: SiteFieldsFragment = {
  id: '6f1c2d3e-0000-4000-8000-0000000000bb',
  name: 'Partner API',
  url: 'https://partner.example.com/hooks',
  contentType: 'application/json',
  status: 'DRAFT',
  authMethod: 'API_KEY',
  redirectUrl: null,
  createdAt: '2026-12-01T00:00:00Z',
  updatedAt: '2026-12-01T00:00:00Z',
  token: null,
  performance: { maxRps: 10, threads: 4 },
  sendTraceparent: false,
  auth: { __typename: 'ApiKeyAuth', placement: 'HEADER', name: 'x-api-key', keySet: true },
  headers: [
    { name: 'x-tenant', value: 'acme', secret: false, valueSet: true },
    { name: 'x-partner-token', value: null, secret: true, valueSet: true },
  ],
};

async function mountForm(site: SiteFieldsFragment | null, answer: () => MockAnswer = () => ({ data: null })) {
  const { client, operations } = mockClient(answer);
  let form!: ReturnType<typeof useSiteForm>;
  const Host = defineComponent({
    setup() {
      form = useSiteForm({ site });
      return () => h(SiteForm, { form, submitLabel: 'Save', onSubmit: () => void form.submit() });
    },
  });
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: Host }] });
  await router.push('/');
  wrapper = mount({ render: () => h(RouterView) }, { global: { plugins: [router, [urql, client]] }, attachTo: document.body });
  await flushPromises();
  return { wrapper, form: () => form, operations };
}

const rows = (w: VueWrapper) => w.findAll('[data-testid="header-row"]');
const inputsOf = (row: ReturnType<VueWrapper['findAll']>[number]) => row.findAll('input');
const mutationVariables = (operations: { kind: string; variables: unknown }[]) => operations.filter((o) => o.kind === 'mutation').at(-1)!.variables as { input: Record<string, unknown> };

describe('Headers section', () => {
  it('shows stored headers: a plain value filled in, a secret one blank with "leave blank to keep"; every input labelled', async () => {
    const { wrapper } = await mountForm(saved);
    expect(wrapper.find('#headers-heading').text()).toBe('Headers');
    const [plain, secret] = rows(wrapper);
    expect((inputsOf(plain!)[0]!.element as HTMLInputElement).value).toBe('x-tenant');
    expect((inputsOf(plain!)[1]!.element as HTMLInputElement).value).toBe('acme');
    const secretValue = inputsOf(secret!)[1]!;
    expect(secretValue.attributes('type')).toBe('password');
    expect((secretValue.element as HTMLInputElement).value).toBe('');
    expect(secretValue.attributes('placeholder')).toBe('set — leave blank to keep');
    expect(secret!.text()).toContain('A value is stored; leave blank to keep it.');
    for (const input of wrapper.findAll('[data-testid="header-row"] input')) {
      const id = input.attributes('id');
      expect(wrapper.find(`label[for="${id}"]`).exists(), `no label for ${id}`).toBe(true);
    }
  });

  it('an unchanged update leaves headers out; a changed one sends the list, the untouched secret without a value (kept)', async () => {
    const { wrapper, form, operations } = await mountForm(saved, () => ({ data: { updateSite: saved } }));
    expect(form().toUpdateInput()).not.toHaveProperty('headers');
    expect(form().dirty.value).toBe(false);
    await inputsOf(rows(wrapper)[0]!)[1]!.setValue('globex');
    expect(form().dirty.value).toBe(true);
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(mutationVariables(operations).input.headers).toEqual([
      { name: 'x-tenant', value: 'globex', secret: false },
      { name: 'x-partner-token', secret: true },
    ]);
  });

  it('adds a secret header and removes one; a create sends them (and none when there are none)', async () => {
    const { wrapper, form } = await mountForm(null);
    form().selectMethod('BASIC');
    expect(form().toCreateInput()).not.toHaveProperty('headers');
    const add = wrapper.findAll('button').find((b) => b.text() === '+ Add header')!;
    await add.trigger('click');
    await add.trigger('click');
    await inputsOf(rows(wrapper)[0]!)[0]!.setValue('X-Drop');
    await inputsOf(rows(wrapper)[1]!)[0]!.setValue('X-Signature-Key');
    await inputsOf(rows(wrapper)[1]!)[2]!.setValue(true);
    const value = inputsOf(rows(wrapper)[1]!)[1]!;
    expect(value.attributes('type')).toBe('password');
    await value.setValue('s3cr3t');
    await rows(wrapper)[0]!.findAll('button').find((b) => b.text() === 'Remove')!.trigger('click');
    expect(rows(wrapper)).toHaveLength(1);
    expect(form().toCreateInput().headers).toEqual([{ name: 'X-Signature-Key', value: 's3cr3t', secret: true }]);
    // Unticking "Secret" does not show the typed secret in clear: it is cleared.
    await inputsOf(rows(wrapper)[0]!)[2]!.setValue(false);
    expect((inputsOf(rows(wrapper)[0]!)[1]!.element as HTMLInputElement).value).toBe('');
  });

  it('checks rows before the round trip: name shape, duplicates, a value for a new secret', async () => {
    const { wrapper, form } = await mountForm(saved);
    const add = wrapper.findAll('button').find((b) => b.text() === '+ Add header')!;
    await add.trigger('click');
    await add.trigger('click');
    await inputsOf(rows(wrapper)[2]!)[0]!.setValue('X-Tenant');
    await inputsOf(rows(wrapper)[2]!)[1]!.setValue('x');
    await inputsOf(rows(wrapper)[3]!)[0]!.setValue('bad name');
    await inputsOf(rows(wrapper)[3]!)[2]!.setValue(true);
    expect(form().validate()).toBe(false);
    await flushPromises();
    expect(form().errors.value.headers).toBe('Fix the headers marked below');
    expect(rows(wrapper)[2]!.text()).toContain('This header is already listed above');
    expect(rows(wrapper)[3]!.text()).toContain('Not a valid header name');
    expect(rows(wrapper)[3]!.text()).toContain('A secret header needs a value');
  });

  it("puts the server's headers.<i> errors on their rows, not above the form", async () => {
    const answer = () => ({
      errors: [{ message: 'Bad input', extensions: { code: 'BAD_USER_INPUT', fieldErrors: [{ path: 'headers.1.name', message: 'x-partner-token cannot be set, says the server' }, { path: 'headers', message: 'Too many bytes' }] } }],
    });
    const { wrapper, form } = await mountForm(saved, answer);
    await inputsOf(rows(wrapper)[0]!)[1]!.setValue('changed');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(form().otherErrors.value).toEqual([]);
    expect(rows(wrapper)[1]!.text()).toContain('x-partner-token cannot be set, says the server');
    expect(rows(wrapper)[0]!.text()).not.toContain('says the server');
    expect(wrapper.get('#headers-error').text()).toBe('Too many bytes');
    expect(inputsOf(rows(wrapper)[1]!)[0]!.attributes('aria-invalid')).toBe('true');
  });
});

describe('the apiKey method, from the server’s metadata alone', () => {
  it('is offered, and its fields are drawn by the generic widgets: a select, a text input, a masked secret', async () => {
    expect(AUTH_METHOD_METADATA.map((m) => m.method)).toContain('API_KEY');
    const { wrapper, form } = await mountForm(null);
    const option = wrapper.get('#f-auth').findAll('option').find((o) => o.attributes('value') === 'API_KEY')!;
    expect(option.text()).toBe('API key');
    await wrapper.get('#f-auth').setValue('API_KEY');
    expect(wrapper.get('#f-auth-apiKey-placement').element.tagName).toBe('SELECT');
    expect(wrapper.get('#f-auth-apiKey-placement').findAll('option').map((o) => o.attributes('value'))).toEqual(['HEADER', 'QUERY']);
    expect((wrapper.get('#f-auth-apiKey-name').element as HTMLInputElement).value).toBe('x-api-key');
    expect(wrapper.get('#f-auth-apiKey-key').attributes('type')).toBe('password');
    Object.assign(form().base, { name: 'Partner', url: 'https://partner.example.com' });
    await wrapper.get('#f-auth-apiKey-placement').setValue('QUERY');
    await wrapper.get('#f-auth-apiKey-name').setValue('api_key');
    await wrapper.get('#f-auth-apiKey-key').setValue('k-123');
    expect(form().toCreateInput().auth).toEqual({ apiKey: { placement: 'QUERY', name: 'api_key', key: 'k-123' } });
  });

  it('reads a saved apiKey site back: key stored, not filled in', async () => {
    const { wrapper } = await mountForm(saved);
    expect((wrapper.get('#f-auth-apiKey-placement').element as HTMLSelectElement).value).toBe('HEADER');
    expect((wrapper.get('#f-auth-apiKey-key').element as HTMLInputElement).value).toBe('');
    expect(wrapper.get('#f-auth-apiKey-key').attributes('placeholder')).toBe('set — leave blank to keep');
  });
});
