import urql from '@urql/vue';
import { type VueWrapper, flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import { useSiteForm } from '../composables/useSiteForm';
import { type MockAnswer, mockClient } from '../test/mockClient';
import SiteForm from './SiteForm.vue';

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

function mountForm(answer: () => MockAnswer = () => ({ data: null })) {
  const { client, operations } = mockClient(answer);
  let form!: ReturnType<typeof useSiteForm>;
  const Host = defineComponent({
    setup() {
      form = useSiteForm();
      return () => h(SiteForm, { form, submitLabel: 'Create site', onSubmit: () => void form.submit() });
    },
  });
  wrapper = mount(Host, { global: { plugins: [[urql, client]] }, attachTo: document.body });
  return { wrapper, form: () => form, operations };
}

const byId = (w: VueWrapper, id: string) => w.get(`#${id}`);

describe('SiteForm', () => {
  it('labels every input', async () => {
    const { wrapper } = mountForm();
    await byId(wrapper, 'f-auth').setValue('OAUTH2_JWT_BEARER');
    for (const input of wrapper.findAll('input, select, textarea')) {
      const id = input.attributes('id');
      expect(id, input.html()).toBeTruthy();
      expect(wrapper.find(`label[for="${id}"]`).exists(), `no label for ${id}`).toBe(true);
    }
  });

  it('shows exactly the chosen method’s fields', async () => {
    const { wrapper } = mountForm();
    await byId(wrapper, 'f-auth').setValue('BASIC');
    expect(wrapper.find('#f-auth-basic-username').exists()).toBe(true);
    expect(wrapper.find('#f-auth-basic-password').exists()).toBe(true);
    expect(wrapper.find('#f-auth-aws-region').exists()).toBe(false);
    await byId(wrapper, 'f-auth').setValue('JWT');
    expect(wrapper.find('#f-auth-jwt-secret').exists()).toBe(true);
    expect(wrapper.find('#f-auth-jwt-privateKey').exists()).toBe(false);
    await byId(wrapper, 'f-auth-jwt-algorithm').setValue('RS256');
    expect(wrapper.find('#f-auth-jwt-secret').exists()).toBe(false);
    expect(wrapper.find('#f-auth-jwt-privateKey').element.tagName).toBe('TEXTAREA');
  });

  it('asks in a dialog before a method switch discards typed fields', async () => {
    const { wrapper, form } = mountForm();
    await byId(wrapper, 'f-auth').setValue('BASIC');
    await byId(wrapper, 'f-auth-basic-username').setValue('alice');
    await byId(wrapper, 'f-auth').setValue('AWS');
    const dialog = wrapper.get('[role="dialog"]');
    expect(dialog.text()).toContain('Discard the fields you typed?');
    // The picker keeps showing the method whose fields are still on screen.
    expect((byId(wrapper, 'f-auth').element as HTMLSelectElement).value).toBe('BASIC');
    await dialog.findAll('button').find((b) => b.text() === 'Keep editing')!.trigger('click');
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false);
    expect((byId(wrapper, 'f-auth-basic-username').element as HTMLInputElement).value).toBe('alice');

    await byId(wrapper, 'f-auth').setValue('AWS');
    await wrapper.get('[role="dialog"]').findAll('button').find((b) => b.text().startsWith('Switch to'))!.trigger('click');
    expect(form().method.value).toBe('AWS');
    expect(wrapper.find('#f-auth-aws-region').exists()).toBe(true);
    expect(wrapper.find('#f-auth-basic-username').exists()).toBe(false);
  });

  it('closes the dialog on Escape without switching', async () => {
    const { wrapper, form } = mountForm();
    await byId(wrapper, 'f-auth').setValue('BASIC');
    await byId(wrapper, 'f-auth-basic-username').setValue('alice');
    await byId(wrapper, 'f-auth').setValue('JWT');
    await wrapper.get('[role="dialog"]').trigger('keydown', { key: 'Escape' });
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false);
    expect(form().method.value).toBe('BASIC');
  });

  it('checks each JWT claim value as JSON while it is typed', async () => {
    const { wrapper } = mountForm();
    await byId(wrapper, 'f-auth').setValue('JWT');
    await wrapper.findAll('button').find((b) => b.text() === '+ Add claim')!.trigger('click');
    const value = wrapper.get('[data-testid="payload-row"] input.mono');
    await value.setValue('{"a": ');
    expect(wrapper.get('[data-testid="payload-row"]').text()).toContain('Not valid JSON');
    expect(value.attributes('aria-invalid')).toBe('true');
    await value.setValue('{"a": 1}');
    expect(wrapper.get('[data-testid="payload-row"]').text()).not.toContain('Not valid JSON');
    expect(value.attributes('aria-invalid')).toBeUndefined();
  });

  it('explains a time-to-live as it is typed', async () => {
    const { wrapper } = mountForm();
    await byId(wrapper, 'f-auth').setValue('JWT');
    await byId(wrapper, 'f-auth-jwt-timeToLive').setValue('3 days');
    expect(wrapper.get('#f-auth-jwt-timeToLive-hint').text()).toContain('Each token expires 3 days after it is issued');
  });

  it('puts server field errors under their fields, linked for screen readers', async () => {
    const { wrapper, operations } = mountForm(() => ({
      errors: [{ message: 'Bad input', extensions: { code: 'BAD_USER_INPUT', fieldErrors: [{ path: 'name', message: 'Taken, says the server' }, { path: 'auth.basic.username', message: 'Nope' }] } }],
    }));
    await byId(wrapper, 'f-name').setValue('CRM');
    await byId(wrapper, 'f-url').setValue('https://crm.example.com');
    await byId(wrapper, 'f-auth').setValue('BASIC');
    await byId(wrapper, 'f-auth-basic-username').setValue('alice');
    await byId(wrapper, 'f-auth-basic-password').setValue('pw');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(operations).toHaveLength(1);
    expect(byId(wrapper, 'f-name-error').text()).toBe('Taken, says the server');
    expect(byId(wrapper, 'f-name').attributes('aria-invalid')).toBe('true');
    expect(byId(wrapper, 'f-name').attributes('aria-describedby')).toContain('f-name-error');
    expect(byId(wrapper, 'f-auth-basic-username-error').text()).toBe('Nope');
    // Typing again clears the server's message for that field.
    await byId(wrapper, 'f-name').setValue('CRM 2');
    expect(wrapper.find('#f-name-error').exists()).toBe(false);
  });
});
