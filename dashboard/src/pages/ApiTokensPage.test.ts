import urql from '@urql/vue';
import { type VueWrapper, flushPromises, mount } from '@vue/test-utils';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import type { Operation } from '@urql/vue';
import { type MockAnswer, mockClient } from '../test/mockClient';
import ApiTokensPage from './ApiTokensPage.vue';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  document.body.innerHTML = '';
});

const SECRET = 'ts_the-secret-shown-once-0123456789abcdefghijklmnop';

const TOKENS = [
  { id: 't-2', name: 'Workflow engine', role: 'EDITOR', createdAt: '2026-01-02T10:00:00Z', lastUsedAt: '2026-01-03T09:00:00Z' },
  { id: 't-1', name: 'Me', role: 'ADMIN', createdAt: '2026-01-01T10:00:00Z', lastUsedAt: null },
];

function nameOf(operation: Operation): string {
  const definition = operation.query.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return definition?.name?.value ?? '';
}

type Handlers = Partial<Record<string, (operation: Operation) => MockAnswer>>;

async function mountPage(handlers: Handlers = {}) {
  const answers: Handlers = {
    Viewer: () => ({ data: { viewer: { name: 'Me', role: 'ADMIN', tokenId: 't-1' } } }),
    ApiTokens: () => ({ data: { apiTokens: TOKENS } }),
    ...handlers,
  };
  const { client, operations } = mockClient((operation) => {
    const answer = answers[nameOf(operation)];
    if (!answer) throw new Error(`unexpected operation ${nameOf(operation)}`);
    return answer(operation);
  });
  wrapper = mount(ApiTokensPage, { global: { plugins: [[urql, client]] }, attachTo: document.body });
  await flushPromises();
  const named = (name: string) => operations.filter((o) => nameOf(o) === name);
  return { wrapper, operations, named };
}

const button = (w: VueWrapper, text: string) => w.findAll('button').find((b) => b.text() === text || b.attributes('aria-label') === text)!;

describe('ApiTokensPage', () => {
  it('lists every token with its role, created and last-used times; this session’s cannot be revoked', async () => {
    const { wrapper } = await mountPage();
    const rows = wrapper.findAll('tbody tr');
    expect(rows.map((r) => r.attributes('data-token-id'))).toEqual(['t-2', 't-1']);
    expect(rows[0]!.find('[data-label="Name"]').text()).toBe('Workflow engine');
    expect(rows[0]!.find('[data-label="Role"]').text()).toBe('Editor');
    expect(rows[0]!.find('[data-label="Created"]').text()).not.toBe('');
    expect(rows[0]!.find('[data-label="Last used"]').text()).not.toBe('Never');
    expect(rows[1]!.find('[data-label="Last used"]').text()).toBe('Never');
    expect(rows[1]!.text()).toContain('This session');
    expect(button(wrapper, 'Revoke Me').attributes('disabled')).toBeDefined();
    expect(button(wrapper, 'Revoke Workflow engine').attributes('disabled')).toBeUndefined();
  });

  it('offers the three roles, each with a one-line description, and labels every input', async () => {
    const { wrapper } = await mountPage();
    const options = wrapper.findAll('#token-role option');
    expect(options.map((o) => o.attributes('value'))).toEqual(['VIEWER', 'EDITOR', 'ADMIN']);
    const help = wrapper.findAll('.role-help li').map((li) => li.text());
    expect(help).toHaveLength(3);
    expect(help[0]).toMatch(/^Viewer\s+Reads .*changes nothing/);
    expect(help[1]).toMatch(/^Editor\s+.*sends webhooks/);
    expect(help[2]).toMatch(/^Admin\s+.*API tokens/);
    await wrapper.get('#token-role').setValue('EDITOR');
    expect(wrapper.get('.role-help li.selected').text()).toMatch(/^Editor/);
    expect(wrapper.get('#token-role').attributes('aria-describedby')).toBe('token-role-help');
    for (const input of wrapper.findAll('input, select')) {
      expect(wrapper.find(`label[for="${input.attributes('id')}"]`).exists(), input.html()).toBe(true);
    }
  });

  it('checks the name before sending anything', async () => {
    const { wrapper, named } = await mountPage();
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('#token-name-error').text()).toBe('Name is required');
    expect(wrapper.get('#token-name').attributes('aria-invalid')).toBe('true');
    await wrapper.get('#token-name').setValue('x'.repeat(101));
    await wrapper.get('form').trigger('submit');
    expect(wrapper.get('#token-name-error').text()).toMatch(/100/);
    expect(named('CreateApiToken')).toHaveLength(0);
  });

  it('shows the server’s field errors at their fields', async () => {
    const { wrapper, named } = await mountPage({
      CreateApiToken: () => ({
        errors: [{ message: 'name: taken', extensions: { code: 'BAD_USER_INPUT', fieldErrors: [{ path: 'name', message: 'A token named "Me" already exists' }, { path: 'role', message: 'Must be one of VIEWER, EDITOR, ADMIN' }] } }],
      }),
    });
    await wrapper.get('#token-name').setValue('me');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(named('CreateApiToken')).toHaveLength(1);
    expect(wrapper.get('#token-name-error').text()).toBe('A token named "Me" already exists');
    expect(wrapper.get('#token-role-error').text()).toBe('Must be one of VIEWER, EDITOR, ADMIN');
    expect(wrapper.find('[data-testid="created-token"]').exists()).toBe(false);
    // A server error stays through a blur, and goes once the name is edited.
    await wrapper.get('#token-name').trigger('blur');
    expect(wrapper.find('#token-name-error').exists()).toBe(true);
    await wrapper.get('#token-name').setValue('me too');
    expect(wrapper.find('#token-name-error').exists()).toBe(false);
  });

  it('creates a token and shows its secret once, with a copy field and a warning', async () => {
    const created = { id: 't-3', name: 'Nightly export', role: 'VIEWER', createdAt: '2026-01-04T10:00:00Z', lastUsedAt: null };
    let listed = TOKENS;
    const { wrapper, named } = await mountPage({
      ApiTokens: () => ({ data: { apiTokens: listed } }),
      CreateApiToken: () => {
        listed = [created, ...TOKENS];
        return { data: { createApiToken: { secret: SECRET, token: created } } };
      },
    });
    await wrapper.get('#token-name').setValue('  Nightly export ');
    await wrapper.get('#token-role').setValue('VIEWER');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(named('CreateApiToken')[0]!.variables).toEqual({ input: { name: 'Nightly export', role: 'VIEWER' } });

    const card = wrapper.get('[data-testid="created-token"]');
    expect(card.text()).toContain('Token “Nightly export” created');
    expect(card.text()).toContain('you will not see this token again');
    const copy = card.get('.copy-field');
    expect(copy.get('label').text()).toBe('Viewer token');
    expect((copy.get('input').element as HTMLInputElement).value).toBe(SECRET);
    expect(copy.get('input').attributes('readonly')).toBeDefined();
    expect(document.activeElement?.id).toBe('created-token-title');
    // The list was asked again and shows the new token; the form is ready for another.
    expect(named('ApiTokens').length).toBeGreaterThanOrEqual(2);
    expect(wrapper.findAll('tbody tr')[0]!.attributes('data-token-id')).toBe('t-3');
    expect((wrapper.get('#token-name').element as HTMLInputElement).value).toBe('');

    await button(wrapper, 'I have copied it').trigger('click');
    expect(wrapper.find('[data-testid="created-token"]').exists()).toBe(false);
    expect(wrapper.html()).not.toContain(SECRET);
  });

  it('revokes through the confirmation dialog; cancelling sends nothing', async () => {
    const { wrapper, named } = await mountPage({ RevokeApiToken: () => ({ data: { revokeApiToken: true } }) });
    await button(wrapper, 'Revoke Workflow engine').trigger('click');
    let dialog = wrapper.get('[role="dialog"]');
    expect(dialog.text()).toContain('Revoke Workflow engine?');
    await button(wrapper, 'Cancel').trigger('click');
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false);
    expect(named('RevokeApiToken')).toHaveLength(0);

    const listsBefore = named('ApiTokens').length;
    await button(wrapper, 'Revoke Workflow engine').trigger('click');
    dialog = wrapper.get('[role="dialog"]');
    await dialog.findAll('button').find((b) => b.text() === 'Revoke token')!.trigger('click');
    await flushPromises();
    expect(named('RevokeApiToken').map((o) => o.variables)).toEqual([{ id: 't-2' }]);
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false);
    expect(named('ApiTokens').length).toBeGreaterThan(listsBefore);
  });

  it('a token without the ADMIN role is told so instead of a form', async () => {
    const { wrapper } = await mountPage({
      Viewer: () => ({ data: { viewer: { name: 'Reporting', role: 'EDITOR', tokenId: 't-9' } } }),
      ApiTokens: () => ({ errors: [{ message: 'This needs the ADMIN role; your token has EDITOR', extensions: { code: 'FORBIDDEN' } }] }),
    });
    expect(wrapper.get('[role="alert"]').text()).toBe('Managing API tokens needs an admin token; this session’s token is editor.');
    expect(wrapper.find('form').exists()).toBe(false);
    expect(wrapper.find('table').exists()).toBe(false);
  });
});
