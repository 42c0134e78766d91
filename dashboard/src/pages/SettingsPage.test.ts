import urql from '@urql/vue';
import type { Operation } from '@urql/vue';
import { type VueWrapper, flushPromises, mount } from '@vue/test-utils';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { toasts } from '../composables/useToasts';
import { type MockAnswer, mockClient } from '../test/mockClient';
import SettingsPage from './SettingsPage.vue';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
  document.body.innerHTML = '';
  toasts.splice(0);
});

const OPS = { id: 's-ops', name: 'Ops alerts', contentType: 'application/json' };
const CRM = { id: 's-crm', name: 'CRM', contentType: 'application/json' };
const SETTING = { siteId: OPS.id, setAt: '2026-12-02T02:00:00Z', setBy: 'admin', site: { id: OPS.id, name: OPS.name, status: 'ACTIVE' } };

function nameOf(operation: Operation): string {
  const definition = operation.query.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return definition?.name?.value ?? '';
}

type Handlers = Partial<Record<string, (operation: Operation) => MockAnswer>>;

async function mountPage(handlers: Handlers = {}, role = 'ADMIN') {
  const answers: Handlers = {
    Viewer: () => ({ data: { viewer: { name: 'someone', role, tokenId: 't' } } }),
    OperationalWebhook: () => ({ data: { operationalWebhook: null, activeSites: [CRM, OPS] } }),
    ...handlers,
  };
  const { client, operations } = mockClient((operation) => {
    const answer = answers[nameOf(operation)];
    if (!answer) throw new Error(`unexpected operation ${nameOf(operation)}`);
    return answer(operation);
  });
  wrapper = mount(SettingsPage, { global: { plugins: [[urql, client]], stubs: { RouterLink: { template: '<a><slot /></a>' } } }, attachTo: document.body });
  await flushPromises();
  const named = (name: string) => operations.filter((o) => nameOf(o) === name);
  return { wrapper, named };
}

const button = (w: VueWrapper, text: string) => w.findAll('button').find((b) => b.text() === text);

describe('SettingsPage: operational webhooks', () => {
  it('an admin chooses an active site; the setting is read again and shown', async () => {
    let set = false;
    const { wrapper, named } = await mountPage({
      OperationalWebhook: () => ({ data: { operationalWebhook: set ? SETTING : null, activeSites: [CRM, OPS] } }),
      SetOperationalWebhookSite: () => {
        set = true;
        return { data: { setOperationalWebhookSite: SETTING } };
      },
    });
    expect(wrapper.get('[data-testid="operational-current"]').text()).toBe('Not sending site events anywhere.');
    const select = wrapper.get('#operational-site');
    // Labelled, offering the active sites.
    expect(wrapper.find('label[for="operational-site"]').text()).toBe('Site that receives site events');
    expect(select.findAll('option').map((o) => o.text())).toEqual(['None chosen', 'CRM', 'Ops alerts']);
    expect(button(wrapper, 'Save')!.attributes('disabled')).toBeDefined();
    expect(button(wrapper, 'Stop sending site events')).toBeUndefined();

    await select.setValue(OPS.id);
    await button(wrapper, 'Save')!.trigger('click');
    await flushPromises();
    expect(named('SetOperationalWebhookSite').map((o) => o.variables)).toEqual([{ siteId: OPS.id }]);
    expect(wrapper.get('[data-testid="operational-current"]').text()).toContain('Sending site events to Ops alerts');
    expect(wrapper.get('[data-testid="operational-current"]').text()).toContain('chosen by admin');
    expect((wrapper.get('#operational-site').element as HTMLSelectElement).value).toBe(OPS.id);
    expect(toasts.map((t) => t.message)).toContain('Site events are sent to Ops alerts from now on');
  });

  it('shows the server’s field error at the select, and changes nothing', async () => {
    const { wrapper, named } = await mountPage({
      SetOperationalWebhookSite: () => ({
        errors: [{ message: 'bad', extensions: { code: 'BAD_USER_INPUT', fieldErrors: [{ path: 'siteId', message: 'Must have a JSON content type; CRM sends text/plain' }] } }],
      }),
    });
    await wrapper.get('#operational-site').setValue(CRM.id);
    await button(wrapper, 'Save')!.trigger('click');
    await flushPromises();
    expect(named('SetOperationalWebhookSite')).toHaveLength(1);
    expect(wrapper.get('#operational-site-error').text()).toBe('Must have a JSON content type; CRM sends text/plain');
    expect(wrapper.get('#operational-site').attributes('aria-invalid')).toBe('true');
    expect(wrapper.get('#operational-site').attributes('aria-describedby')).toContain('operational-site-error');
    expect(wrapper.get('[data-testid="operational-current"]').text()).toBe('Not sending site events anywhere.');
  });

  it('clearing asks first, then stops sending', async () => {
    let cleared = false;
    const { wrapper, named } = await mountPage({
      OperationalWebhook: () => ({ data: { operationalWebhook: cleared ? null : SETTING, activeSites: [CRM, OPS] } }),
      ClearOperationalWebhookSite: () => {
        cleared = true;
        return { data: { clearOperationalWebhookSite: true } };
      },
    });
    expect((wrapper.get('#operational-site').element as HTMLSelectElement).value).toBe(OPS.id);
    await button(wrapper, 'Stop sending site events')!.trigger('click');
    const dialog = wrapper.get('[role="dialog"]');
    expect(dialog.text()).toContain('Stop sending site events?');
    await dialog.findAll('button').find((b) => b.text() === 'Cancel')!.trigger('click');
    expect(named('ClearOperationalWebhookSite')).toHaveLength(0);

    await button(wrapper, 'Stop sending site events')!.trigger('click');
    await wrapper.get('[role="dialog"]').findAll('button').find((b) => b.text() === 'Stop sending')!.trigger('click');
    await flushPromises();
    expect(named('ClearOperationalWebhookSite')).toHaveLength(1);
    expect(wrapper.get('[data-testid="operational-current"]').text()).toBe('Not sending site events anywhere.');
    expect((wrapper.get('#operational-site').element as HTMLSelectElement).value).toBe('');
  });

  it('an editor or viewer reads the setting without the controls', async () => {
    for (const role of ['EDITOR', 'VIEWER']) {
      const { wrapper: page } = await mountPage({ OperationalWebhook: () => ({ data: { operationalWebhook: SETTING, activeSites: [CRM, OPS] } }) }, role);
      expect(page.get('[data-testid="operational-current"]').text()).toContain('Sending site events to Ops alerts');
      expect(page.find('select').exists()).toBe(false);
      expect(button(page, 'Save')).toBeUndefined();
      expect(button(page, 'Stop sending site events')).toBeUndefined();
      expect(page.text()).toContain(`Only an admin token may change this; this session’s token is ${role.toLowerCase()}.`);
      page.unmount();
      wrapper = undefined;
    }
  });
});
