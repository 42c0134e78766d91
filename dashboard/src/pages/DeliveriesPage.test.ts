import urql from '@urql/vue';
import type { Operation } from '@urql/vue';
import { type VueWrapper, flushPromises, mount } from '@vue/test-utils';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { toasts } from '../composables/useToasts';
import { type MockAnswer, mockClient } from '../test/mockClient';
import DeliveriesPage from './DeliveriesPage.vue';

/** The deliveries page's "Retry all failed" (issue 12 item 6): confirmation with the count, the toast, VIEWER. */

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  document.body.innerHTML = '';
  toasts.splice(0);
});

const SITE = 'a0a0a0a0-0000-4000-8000-000000000000';

function nameOf(operation: Operation): string {
  const definition = operation.query.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return definition?.name?.value ?? '';
}

type Handlers = Partial<Record<string, (operation: Operation) => MockAnswer>>;

async function mountPage(role: string, handlers: Handlers = {}) {
  const answers: Handlers = {
    SiteChoices: () => ({ data: { sites: { edges: [{ node: { id: SITE, name: 'CRM', status: 'ACTIVE', performance: { maxRps: 10 } } }] } } }),
    Deliveries: () => ({ data: { deliveries: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] } } }),
    DeliveryStats: () => ({ data: { deliveryStats: [] } }),
    Viewer: () => ({ data: { viewer: { name: 'me', role, tokenId: null } } }),
    // No live socket here: the subscription answers with an error and the page carries on.
    DeliveryUpdated: () => new Error('no socket in this test'),
    ...handlers,
  };
  const { client, operations } = mockClient((operation) => {
    const answer = answers[nameOf(operation)];
    if (!answer) throw new Error(`unexpected operation ${nameOf(operation)}`);
    return answer(operation);
  });
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:rest(.*)*', component: { render: () => null } }] });
  await router.push(`/sites/${SITE}/deliveries`);
  wrapper = mount(DeliveriesPage, { props: { siteId: SITE }, global: { plugins: [router, [urql, client]] }, attachTo: document.body });
  await flushPromises();
  const named = (name: string) => operations.filter((o) => nameOf(o) === name);
  return { wrapper, named };
}

function retryAllButton(w: VueWrapper) {
  return w.findAll('button').find((b) => b.text().includes('Retry all failed'));
}

describe('DeliveriesPage: Retry all failed', () => {
  it('appears with a site and the FAILED filter, asks "Resend 37 failed deliveries?", resends and says how many', async () => {
    const { wrapper: w, named } = await mountPage('EDITOR', {
      FailedCount: () => ({ data: { deliveries: { totalCount: 37 } } }),
      RetryDeliveries: () => ({ data: { retryDeliveries: 37 } }),
    });
    expect(retryAllButton(w)).toBeUndefined();
    await w.find('#delivery-status').setValue('FAILED');
    await flushPromises();
    const button = retryAllButton(w)!;
    expect(button.attributes('disabled')).toBeUndefined();
    await button.trigger('click');
    await flushPromises();
    expect(named('FailedCount').at(-1)?.variables).toEqual({ siteId: SITE });
    const dialog = w.find('[role="dialog"]');
    expect(dialog.find('h2').text()).toBe('Resend 37 failed deliveries?');
    expect(named('RetryDeliveries')).toHaveLength(0);
    await dialog.findAll('button').find((b) => b.text() === 'Resend')!.trigger('click');
    await flushPromises();
    expect(named('RetryDeliveries').map((o) => o.variables)).toEqual([{ siteId: SITE }]);
    expect(w.find('[role="dialog"]').exists()).toBe(false);
    expect(toasts.map((t) => t.message)).toContain('37 deliveries resent');
  });

  it('Cancel sends nothing; a count of 0 opens no dialog; a second press that finds nothing says so', async () => {
    let count = 2;
    const { wrapper: w, named } = await mountPage('ADMIN', {
      FailedCount: () => ({ data: { deliveries: { totalCount: count } } }),
      RetryDeliveries: () => ({ data: { retryDeliveries: 0 } }),
    });
    await w.find('#delivery-status').setValue('FAILED');
    await flushPromises();
    await retryAllButton(w)!.trigger('click');
    await flushPromises();
    expect(w.find('[role="dialog"] h2').text()).toBe('Resend 2 failed deliveries?');
    await w.findAll('[role="dialog"] button').find((b) => b.text() === 'Cancel')!.trigger('click');
    await flushPromises();
    expect(w.find('[role="dialog"]').exists()).toBe(false);
    expect(named('RetryDeliveries')).toHaveLength(0);

    // Confirmed after someone else resent them: the server answers 0 and the toast says so.
    await retryAllButton(w)!.trigger('click');
    await flushPromises();
    await w.findAll('[role="dialog"] button').find((b) => b.text() === 'Resend')!.trigger('click');
    await flushPromises();
    expect(toasts.map((t) => t.message)).toContain('Nothing resent: no delivery was FAILED any more');

    count = 0;
    await retryAllButton(w)!.trigger('click');
    await flushPromises();
    expect(w.find('[role="dialog"]').exists()).toBe(false);
    expect(toasts.map((t) => t.message)).toContain('No failed deliveries to resend');
    expect(named('RetryDeliveries')).toHaveLength(1);
  });

  it('is disabled for a VIEWER token', async () => {
    const { wrapper: w, named } = await mountPage('VIEWER');
    await w.find('#delivery-status').setValue('FAILED');
    await flushPromises();
    const button = retryAllButton(w)!;
    expect(button.attributes('disabled')).toBeDefined();
    expect(button.attributes('title')).toContain('Viewer');
    await button.trigger('click');
    await flushPromises();
    expect(named('FailedCount')).toHaveLength(0);
  });

  it('a refused replay shows the server\'s error', async () => {
    const { wrapper: w } = await mountPage('EDITOR', {
      FailedCount: () => ({ data: { deliveries: { totalCount: 1 } } }),
      RetryDeliveries: () => ({ errors: [{ message: 'Not allowed', extensions: { code: 'FORBIDDEN' } }] }),
    });
    await w.find('#delivery-status').setValue('FAILED');
    await flushPromises();
    await retryAllButton(w)!.trigger('click');
    await flushPromises();
    expect(w.find('[role="dialog"] h2').text()).toBe('Resend 1 failed delivery?');
    await w.findAll('[role="dialog"] button').find((b) => b.text() === 'Resend')!.trigger('click');
    await flushPromises();
    expect(toasts.some((t) => t.kind === 'error')).toBe(true);
  });
});
