import urql from '@urql/vue';
import { type VueWrapper, flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import { RouterView, createMemoryHistory, createRouter } from 'vue-router';
import type { SiteFieldsFragment } from '../graphql/generated/graphql';
import { useSiteForm } from '../composables/useSiteForm';
import { type MockAnswer, mockClient } from '../test/mockClient';
import SiteForm from './SiteForm.vue';

/** The site form's "Send a W3C traceparent header" box (server: tracing/, Site.sendTraceparent). */
let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

const saved: SiteFieldsFragment = {
  id: '6f1c2d3e-0000-4000-8000-0000000000aa',
  name: 'Traced CRM',
  url: 'https://crm.example.com/hooks',
  contentType: 'application/json',
  status: 'ACTIVE',
  authMethod: 'BASIC',
  redirectUrl: null,
  createdAt: '2026-11-30T00:00:00Z',
  updatedAt: '2026-11-30T00:00:00Z',
  token: null,
  performance: { maxRps: 10, threads: 4 },
  sendTraceparent: true,
  auth: { __typename: 'BasicAuth', username: 'alice', passwordSet: true },
  headers: [],
};

async function mountForm(site: SiteFieldsFragment | null, answer: () => MockAnswer) {
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

describe('SiteForm: send traceparent', () => {
  it('is a labelled box, off for a new site, and a ticked one is sent with createSite', async () => {
    const { wrapper, operations } = await mountForm(null, () => ({ data: { createSite: { ...saved, id: 'x' } } }));
    const box = wrapper.get<HTMLInputElement>('#f-sendTraceparent');
    expect(box.attributes('type')).toBe('checkbox');
    expect(wrapper.get('label[for="f-sendTraceparent"]').text()).toContain('traceparent');
    expect(box.attributes('aria-describedby')).toBe('f-sendTraceparent-hint');
    expect(wrapper.get('#f-sendTraceparent-hint').text()).toContain('not covered by the signature');
    expect(box.element.checked).toBe(false);
    await wrapper.get('#f-name').setValue('CRM');
    await wrapper.get('#f-url').setValue('https://crm.example.com');
    await wrapper.get('#f-auth').setValue('BASIC');
    await wrapper.get('#f-auth-basic-username').setValue('alice');
    await wrapper.get('#f-auth-basic-password').setValue('pw');
    await box.setValue(true);
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(operations).toHaveLength(1);
    expect(operations[0]!.variables).toMatchObject({ input: { name: 'CRM', sendTraceparent: true } });
  });

  it("shows a saved site's value, makes the form dirty when changed, and an update sends false when unticked", async () => {
    const { wrapper, form, operations } = await mountForm(saved, () => ({ data: { updateSite: { ...saved, sendTraceparent: false } } }));
    const box = wrapper.get<HTMLInputElement>('#f-sendTraceparent');
    expect(box.element.checked).toBe(true);
    expect(form().dirty.value).toBe(false);
    await box.setValue(false);
    expect(form().dirty.value).toBe(true);
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(operations).toHaveLength(1);
    expect(operations[0]!.variables).toMatchObject({ id: saved.id, input: { sendTraceparent: false } });
  });
});
