import urql from '@urql/vue';
import type { Operation } from '@urql/vue';
import { type VueWrapper, flushPromises, mount } from '@vue/test-utils';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import SiteActivity from '../components/SiteActivity.vue';
import { type MockAnswer, mockClient } from '../test/mockClient';
import AuditPage from './AuditPage.vue';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  document.body.innerHTML = '';
});

const EVENTS = [
  {
    id: '12', at: '2026-01-02T10:00:00Z', tokenId: 't-2', tokenName: 'Workflow engine', operation: 'SITE_UPDATED', targetType: 'SITE',
    targetId: 's-1', targetName: 'CRM', siteId: 's-1', siteName: 'CRM', changed: ['auth.basic.password', 'url'],
  },
  {
    id: '11', at: '2026-01-02T09:00:00Z', tokenId: null, tokenName: 'TRUSTED_SITES_ADMIN_TOKEN', operation: 'API_TOKEN_CREATED', targetType: 'API_TOKEN',
    targetId: 't-2', targetName: 'Workflow engine', siteId: null, siteName: null, changed: ['name', 'role'],
  },
  {
    id: '10', at: '2026-01-01T09:00:00Z', tokenId: 't-2', tokenName: 'Workflow engine', operation: 'DELIVERY_RETRIED', targetType: 'DELIVERY',
    targetId: 'd0d0d0d0-0000-4000-8000-000000000000', targetName: null, siteId: 's-1', siteName: 'CRM', changed: [],
  },
];

function nameOf(operation: Operation): string {
  const definition = operation.query.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return definition?.name?.value ?? '';
}

type Handlers = Partial<Record<string, (operation: Operation) => MockAnswer>>;

function page(events: typeof EVENTS, hasNextPage = false, totalCount = events.length) {
  return { data: { auditEvents: { totalCount, pageInfo: { hasNextPage, endCursor: events.at(-1)?.id ?? null }, edges: events.map((node) => ({ node })) } } };
}

async function mountWith(component: object, props: Record<string, unknown>, handlers: Handlers = {}, path = '/audit') {
  const answers: Handlers = {
    AuditEvents: () => page(EVENTS),
    SiteChoices: () => ({ data: { sites: { edges: [{ node: { id: 's-1', name: 'CRM', status: 'ACTIVE', performance: { maxRps: 10 } } }] } } }),
    ApiTokens: () => ({ data: { apiTokens: [{ id: 't-2', name: 'Workflow engine', role: 'EDITOR', createdAt: '2026-01-01T00:00:00Z', lastUsedAt: null }] } }),
    ...handlers,
  };
  const { client, operations } = mockClient((operation) => {
    const answer = answers[nameOf(operation)];
    if (!answer) throw new Error(`unexpected operation ${nameOf(operation)}`);
    return answer(operation);
  });
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:rest(.*)*', component: { render: () => null } }] });
  await router.push(path);
  wrapper = mount(component, { props, global: { plugins: [router, [urql, client]] }, attachTo: document.body });
  await flushPromises();
  const named = (name: string) => operations.filter((o) => nameOf(o) === name);
  return { wrapper, named };
}

describe('AuditPage', () => {
  it('lists who did what to which target, and the field paths changed (never values)', async () => {
    const { wrapper } = await mountWith(AuditPage, {});
    const rows = wrapper.findAll('tbody tr');
    expect(rows.map((r) => r.attributes('data-audit-id'))).toEqual(['12', '11', '10']);
    expect(rows[0]!.get('[data-label="Who"]').text()).toBe('Workflow engine');
    expect(rows[0]!.get('[data-label="What"]').text()).toBe('Site changed');
    expect(rows[0]!.get('[data-label="Target"] a').attributes('href')).toBe('/sites/s-1');
    expect(rows[0]!.findAll('[data-label="Fields changed"] code').map((c) => c.text())).toEqual(['auth.basic.password', 'url']);
    expect(rows[1]!.get('[data-label="Target"]').text()).toBe('API token Workflow engine');
    expect(rows[2]!.get('[data-label="Target"]').text()).toContain('delivery d0d0d0d0');
    expect(rows[2]!.get('[data-label="Fields changed"]').text()).toBe('—');
    expect(wrapper.get('.pagination').text()).toContain('3 in all');
    for (const input of wrapper.findAll('input, select')) expect(wrapper.find(`label[for="${input.attributes('id')}"]`).exists(), input.html()).toBe(true);
  });

  it('a bulk replay shows how many were resent and its window, from details', async () => {
    const replay = {
      id: '13', at: '2026-01-03T10:00:00Z', tokenId: 't-2', tokenName: 'Workflow engine', operation: 'DELIVERIES_RETRIED', targetType: 'SITE',
      targetId: 's-1', targetName: 'CRM', siteId: 's-1', siteName: 'CRM', changed: [],
      details: { status: 'FAILED', since: '2026-01-01T00:00:00.000Z', until: null, count: 37 },
    };
    const { wrapper } = await mountWith(AuditPage, {}, { AuditEvents: () => page([replay] as unknown as typeof EVENTS) });
    const row = wrapper.get('tbody tr[data-audit-id="13"]');
    expect(row.get('[data-label="What"]').text()).toBe('Failed deliveries resent');
    expect(row.get('[data-label="Target"] a').attributes('href')).toBe('/sites/s-1');
    expect(row.get('[data-label="Fields changed"]').text()).toBe('37 resent (created from 2026-01-01T00:00:00.000Z)');
    expect(wrapper.findAll('#audit-operation option').map((o) => o.attributes('value'))).toContain('DELIVERIES_RETRIED');
  });

  it('sends the filters to the server, each change starting from the first page', async () => {
    const { wrapper, named } = await mountWith(AuditPage, {}, {}, '/audit?siteId=s-1');
    expect(named('AuditEvents')[0]!.variables).toMatchObject({ siteId: 's-1', tokenId: null, operation: null, since: null, until: null, after: null });
    await wrapper.get('#audit-token').setValue('t-2');
    await wrapper.get('#audit-operation').setValue('SITE_UPDATED');
    await wrapper.get('#audit-since').setValue('2026-01-02');
    await wrapper.get('#audit-until').setValue('2026-01-02');
    await flushPromises();
    const last = named('AuditEvents').at(-1)!.variables as Record<string, string>;
    expect(last).toMatchObject({ siteId: 's-1', tokenId: 't-2', operation: 'SITE_UPDATED', after: null });
    // Local days: since the start of the 2nd, until the start of the 3rd.
    expect(new Date(last.since!).getTime()).toBe(new Date(2026, 0, 2).getTime());
    expect(new Date(last.until!).getTime()).toBe(new Date(2026, 0, 3).getTime());
  });

  it('pages older and newer with the cursor of the page shown', async () => {
    const { wrapper, named } = await mountWith(AuditPage, {}, { AuditEvents: (op) => (op.variables as { after: string | null }).after ? page(EVENTS.slice(2), false, 3) : page(EVENTS.slice(0, 2), true, 3) });
    const older = wrapper.findAll('.pagination button').find((b) => b.text().startsWith('Older'))!;
    await older.trigger('click');
    await flushPromises();
    expect(named('AuditEvents').at(-1)!.variables).toMatchObject({ after: '11' });
    expect(wrapper.findAll('tbody tr').map((r) => r.attributes('data-audit-id'))).toEqual(['10']);
    await wrapper.findAll('.pagination button').find((b) => b.text().startsWith('← Newer'))!.trigger('click');
    await flushPromises();
    expect(wrapper.findAll('tbody tr').map((r) => r.attributes('data-audit-id'))).toEqual(['12', '11']);
  });

  it('says so when the token may not read it', async () => {
    const { wrapper } = await mountWith(AuditPage, {}, { AuditEvents: () => ({ errors: [{ message: 'This needs the ADMIN role', extensions: { code: 'FORBIDDEN' } }] }) });
    expect(wrapper.get('[role="alert"]').text()).not.toBe('');
    expect(wrapper.find('table').exists()).toBe(false);
  });
});

describe('SiteActivity', () => {
  it('shows the site\'s last events, links to all of them, and reads again when the site changes', async () => {
    const { wrapper, named } = await mountWith(SiteActivity, { siteId: 's-1', version: 'v1' }, { AuditEvents: () => page(EVENTS.filter((e) => e.siteId === 's-1')) });
    expect(named('AuditEvents')[0]!.variables).toMatchObject({ siteId: 's-1', first: 10 });
    expect(wrapper.findAll('tbody tr').map((r) => r.attributes('data-operation'))).toEqual(['SITE_UPDATED', 'DELIVERY_RETRIED']);
    expect(wrapper.get('a[href="/audit?siteId=s-1"]').text()).toBe('All activity');
    const before = named('AuditEvents').length;
    await wrapper.setProps({ version: 'v2' });
    await flushPromises();
    expect(named('AuditEvents').length).toBe(before + 1);
  });
});
