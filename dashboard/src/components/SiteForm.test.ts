import urql from '@urql/vue';
import { type VueWrapper, flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import { RouterView, createMemoryHistory, createRouter } from 'vue-router';
import { useSiteForm } from '../composables/useSiteForm';
import { type MockAnswer, mockClient } from '../test/mockClient';
import SiteForm from './SiteForm.vue';

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

/** The form on a page of its own, as the app shows it: inside a <RouterView>, which its leave guard needs. */
async function mountForm(answer: () => MockAnswer = () => ({ data: null })) {
  const { client, operations } = mockClient(answer);
  let form!: ReturnType<typeof useSiteForm>;
  const Host = defineComponent({
    setup() {
      form = useSiteForm();
      return () => h(SiteForm, { form, submitLabel: 'Create site', onSubmit: () => void form.submit() });
    },
  });
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/form/:id?', component: Host },
      { path: '/elsewhere', component: { render: () => h('h1', 'Elsewhere') } },
      { path: '/sign-in', component: { render: () => h('h1', 'Sign in') }, meta: { public: true } },
    ],
  });
  await router.push('/form');
  wrapper = mount({ render: () => h(RouterView) }, { global: { plugins: [router, [urql, client]] }, attachTo: document.body });
  await flushPromises();
  return { wrapper, form: () => form, operations, router };
}

const byId = (w: VueWrapper, id: string) => w.get(`#${id}`);

describe('SiteForm', () => {
  it('labels every input', async () => {
    const { wrapper } = await mountForm();
    await byId(wrapper, 'f-auth').setValue('OAUTH2_JWT_BEARER');
    for (const input of wrapper.findAll('input, select, textarea')) {
      const id = input.attributes('id');
      expect(id, input.html()).toBeTruthy();
      expect(wrapper.find(`label[for="${id}"]`).exists(), `no label for ${id}`).toBe(true);
    }
  });

  it('types a secret into one masked input and shows it nowhere else; every id is used once', async () => {
    const { wrapper } = await mountForm();
    for (const [method, id] of [['BASIC', 'f-auth-basic-password'], ['AWS', 'f-auth-aws-sessionToken'], ['JWT', 'f-auth-jwt-secret']] as const) {
      await byId(wrapper, 'f-auth').setValue(method);
      const dialog = wrapper.find('[role="dialog"]');
      if (dialog.exists()) await dialog.findAll('button').find((b) => b.text().startsWith('Switch to'))!.trigger('click');
      await byId(wrapper, id).setValue('s3cr3t value');
      expect(wrapper.findAll(`#${id}`)).toHaveLength(1);
      expect(byId(wrapper, id).attributes('type')).toBe('password');
      const clear = wrapper.findAll('input').filter((i) => (i.element as HTMLInputElement).value === 's3cr3t value' && i.attributes('type') !== 'password');
      expect(clear, method).toHaveLength(0);
      const ids = wrapper.findAll('[id]').map((e) => e.attributes('id'));
      expect(ids.filter((x, i) => ids.indexOf(x) !== i), method).toEqual([]);
    }
  });

  it('shows exactly the chosen method’s fields', async () => {
    const { wrapper } = await mountForm();
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
    const { wrapper, form } = await mountForm();
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
    const { wrapper, form } = await mountForm();
    await byId(wrapper, 'f-auth').setValue('BASIC');
    await byId(wrapper, 'f-auth-basic-username').setValue('alice');
    await byId(wrapper, 'f-auth').setValue('JWT');
    await wrapper.get('[role="dialog"]').trigger('keydown', { key: 'Escape' });
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false);
    expect(form().method.value).toBe('BASIC');
  });

  it('checks each JWT claim value as JSON while it is typed', async () => {
    const { wrapper } = await mountForm();
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
    const { wrapper } = await mountForm();
    await byId(wrapper, 'f-auth').setValue('JWT');
    await byId(wrapper, 'f-auth-jwt-timeToLive').setValue('3 days');
    expect(wrapper.get('#f-auth-jwt-timeToLive-hint').text()).toContain('Each token expires 3 days after it is issued');
  });

  it('says the HS256 secret rule under the field', async () => {
    const { wrapper } = await mountForm();
    await byId(wrapper, 'f-auth').setValue('JWT');
    expect(wrapper.get('#f-auth-jwt-secret-hint').text()).toContain('At least 32 bytes (256 bits), as RFC 7518 §3.2 requires for HS256');
  });

  it('puts server field errors under their fields, linked for screen readers', async () => {
    const { wrapper, operations } = await mountForm(() => ({
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

describe('SiteForm: leaving with unsaved changes', () => {
  const leaveDialog = () => document.querySelector<HTMLElement>('[role="dialog"]');
  const button = (w: VueWrapper, text: string) => w.findAll('[role="dialog"] button').find((b) => b.text() === text)!;

  function beforeUnloadCancelled(): boolean {
    const event = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(event);
    return event.defaultPrevented;
  }

  it('leaves a clean form without asking', async () => {
    const { wrapper, router } = await mountForm();
    await router.push('/elsewhere');
    await flushPromises();
    expect(router.currentRoute.value.path).toBe('/elsewhere');
    expect(wrapper.text()).toContain('Elsewhere');
    expect(leaveDialog()).toBeNull();
  });

  it('asks in the dialog: Stay keeps everything typed, Leave goes', async () => {
    const { wrapper, router } = await mountForm();
    await byId(wrapper, 'f-name').setValue('CRM');
    await byId(wrapper, 'f-auth').setValue('BASIC');
    await byId(wrapper, 'f-auth-basic-password').setValue('typed secret');

    const stayed = router.push('/elsewhere');
    await flushPromises();
    expect(leaveDialog()?.textContent).toContain('Leave without saving?');
    await button(wrapper, 'Stay').trigger('click');
    expect(await stayed).toBeTruthy(); // a NavigationFailure: aborted
    await flushPromises();
    expect(leaveDialog()).toBeNull();
    expect(router.currentRoute.value.path).toBe('/form');
    expect((byId(wrapper, 'f-name').element as HTMLInputElement).value).toBe('CRM');
    expect((byId(wrapper, 'f-auth-basic-password').element as HTMLInputElement).value).toBe('typed secret');

    const left = router.push('/elsewhere');
    await flushPromises();
    await button(wrapper, 'Leave').trigger('click');
    expect(await left).toBeUndefined();
    await flushPromises();
    expect(router.currentRoute.value.path).toBe('/elsewhere');
    expect(leaveDialog()).toBeNull();
  });

  it('asks when the same page opens for another site, not when only the query changes', async () => {
    const { wrapper, router } = await mountForm();
    await byId(wrapper, 'f-name').setValue('CRM');
    await router.push('/form?oauth=connected');
    expect(router.currentRoute.value.fullPath).toBe('/form?oauth=connected');
    expect(leaveDialog()).toBeNull();
    const navigation = router.push('/form/another-site');
    await flushPromises();
    expect(leaveDialog()?.textContent).toContain('Leave without saving?');
    await button(wrapper, 'Stay').trigger('click');
    await navigation;
    expect(router.currentRoute.value.path).toBe('/form');
  });

  it('Escape means Stay', async () => {
    const { wrapper, router } = await mountForm();
    await byId(wrapper, 'f-url').setValue('https://crm.example.com');
    const navigation = router.push('/elsewhere');
    await flushPromises();
    await wrapper.get('[role="dialog"]').trigger('keydown', { key: 'Escape' });
    await navigation;
    expect(router.currentRoute.value.path).toBe('/form');
  });

  it('asks nothing once the typing is taken back', async () => {
    const { wrapper, router } = await mountForm();
    await byId(wrapper, 'f-name').setValue('CRM');
    await byId(wrapper, 'f-name').setValue('');
    await router.push('/elsewhere');
    expect(router.currentRoute.value.path).toBe('/elsewhere');
  });

  it('lets an ended session go to sign-in without asking', async () => {
    const { wrapper, router } = await mountForm();
    await byId(wrapper, 'f-name').setValue('CRM');
    await router.push('/sign-in');
    expect(router.currentRoute.value.path).toBe('/sign-in');
  });

  it('has the browser ask before closing or reloading only while dirty', async () => {
    const { wrapper, router } = await mountForm();
    expect(beforeUnloadCancelled()).toBe(false);
    await byId(wrapper, 'f-name').setValue('CRM');
    expect(beforeUnloadCancelled()).toBe(true);
    await byId(wrapper, 'f-name').setValue('');
    expect(beforeUnloadCancelled()).toBe(false);
    // Once the form is gone, so is its listener.
    await byId(wrapper, 'f-name').setValue('CRM');
    const left = router.push('/elsewhere');
    await flushPromises();
    await button(wrapper, 'Leave').trigger('click');
    await left;
    expect(beforeUnloadCancelled()).toBe(false);
  });

  it('asks nothing after a successful save', async () => {
    const { wrapper, router, form } = await mountForm(() => ({
      data: {
        createSite: {
          id: '6f1c2d3e-0000-4000-8000-000000000001', name: 'CRM', url: 'https://crm.example.com/hooks', contentType: 'application/json', status: 'DRAFT', authMethod: 'BASIC',
          redirectUrl: null, createdAt: '2026-11-30T00:00:00Z', updatedAt: '2026-11-30T00:00:00Z', token: null, performance: { maxRps: 10, threads: 4 },
          auth: { __typename: 'BasicAuth', username: 'alice', passwordSet: true },
        },
      },
    }));
    await byId(wrapper, 'f-name').setValue('CRM');
    await byId(wrapper, 'f-url').setValue('https://crm.example.com/hooks');
    await byId(wrapper, 'f-auth').setValue('BASIC');
    await byId(wrapper, 'f-auth-basic-username').setValue('alice');
    await byId(wrapper, 'f-auth-basic-password').setValue('pw');
    expect(form().dirty.value).toBe(true);
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(form().dirty.value).toBe(false);
    expect(beforeUnloadCancelled()).toBe(false);
    await router.push('/elsewhere');
    expect(router.currentRoute.value.path).toBe('/elsewhere');
  });
});
