import urql from '@urql/vue';
import type { Operation } from '@urql/vue';
import { type VueWrapper, flushPromises, mount } from '@vue/test-utils';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { type MockAnswer, mockClient } from '../test/mockClient';
import PayloadSigningPanel from './PayloadSigningPanel.vue';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  document.body.innerHTML = '';
});

const SITE_ID = '11111111-1111-4111-8111-111111111111';
const GENERATED = 'whsec_R2VuZXJhdGVkLXNlY3JldC1zaG93bi1vbmNlLTEyMzQ1Ng==';
const OLD = { id: 's-1', createdAt: '2026-01-01T10:00:00Z', expiresAt: null, fingerprint: 'a1b2c3d4' };
const NEW = { id: 's-2', createdAt: '2026-01-02T10:00:00Z', expiresAt: null, fingerprint: 'e5f6a7b8' };

function nameOf(operation: Operation): string {
  const definition = operation.query.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return definition?.name?.value ?? '';
}

type Handlers = Partial<Record<string, (operation: Operation) => MockAnswer>>;
const site = (signing: unknown) => ({ id: SITE_ID, updatedAt: '2026-01-02T10:00:00Z', signing });

async function mountPanel(signing: unknown, handlers: Handlers = {}) {
  const answers: Handlers = { SiteSigning: () => ({ data: { site: { id: SITE_ID, signing } } }), ...handlers };
  const { client, operations } = mockClient((operation) => {
    const answer = answers[nameOf(operation)];
    if (!answer) throw new Error(`unexpected operation ${nameOf(operation)}`);
    return answer(operation);
  });
  wrapper = mount(PayloadSigningPanel, { props: { siteId: SITE_ID }, global: { plugins: [[urql, client]] }, attachTo: document.body });
  await flushPromises();
  const named = (name: string) => operations.filter((o) => nameOf(o) === name);
  return { wrapper, named };
}

const button = (w: VueWrapper, text: string) => w.findAll('button').find((b) => b.text() === text);

describe('PayloadSigningPanel', () => {
  it('generates a secret on enable and shows it once, with a copy field; dismissed, it is gone', async () => {
    const { wrapper } = await mountPanel({ enabled: false, secrets: [] });
    expect(wrapper.get('[data-testid="signing-state"]').text()).toBe('Off');
    expect(wrapper.text()).toContain('No signing secret yet');
    // Every input is labelled.
    for (const input of wrapper.findAll('input')) expect(wrapper.find(`label[for="${input.attributes('id')}"]`).exists(), input.html()).toBe(true);

    const mutationAnswer = { data: { enableSigning: { site: site({ enabled: true, secrets: [OLD] }), secret: GENERATED } } };
    wrapper.unmount();
    const mounted = await mountPanel({ enabled: false, secrets: [] }, { EnableSigning: () => mutationAnswer });
    await button(mounted.wrapper, 'Generate secret and turn on')!.trigger('click');
    await flushPromises();
    expect(mounted.named('EnableSigning')[0]!.variables).toEqual({ siteId: SITE_ID, secret: null });
    const once = mounted.wrapper.get('[data-testid="signing-secret-once"]');
    expect(once.text()).toContain('you will not see this secret again');
    expect((once.get('input').element as HTMLInputElement).value).toBe(GENERATED);
    expect(once.get('input').attributes('readonly')).toBeDefined();
    expect(document.activeElement?.tagName).toBe('H3');
    expect(mounted.wrapper.get('[data-testid="signing-state"]').text()).toBe('On');
    expect(mounted.wrapper.find(`tr[data-secret-id="s-1"]`).text()).toContain('a1b2c3d4');
    await button(mounted.wrapper, 'I have copied it')!.trigger('click');
    expect(mounted.wrapper.find('[data-testid="signing-secret-once"]').exists()).toBe(false);
    expect(mounted.wrapper.html()).not.toContain(GENERATED);
  });

  it('rotates with the overlap typed; both secrets are listed, the old one with its end', async () => {
    const ends = '2026-01-03T10:00:00Z';
    const { wrapper, named } = await mountPanel(
      { enabled: true, secrets: [OLD] },
      { RotateSigningSecret: () => ({ data: { rotateSigningSecret: { site: site({ enabled: true, secrets: [{ ...OLD, expiresAt: ends }, NEW] }), secret: GENERATED } } }) },
    );
    expect(wrapper.get('[data-testid="signing-state"]').text()).toBe('On');
    expect((wrapper.get('#signing-overlap').element as HTMLInputElement).value).toBe('1440');
    await wrapper.get('#signing-overlap').setValue('90');
    await button(wrapper, 'Generate new secret (rotate)')!.trigger('click');
    await flushPromises();
    expect(named('RotateSigningSecret')[0]!.variables).toEqual({ siteId: SITE_ID, overlapMinutes: 90, secret: null });
    const rows = wrapper.findAll('tbody tr');
    expect(rows.map((r) => r.attributes('data-secret-id'))).toEqual(['s-1', 's-2']);
    expect(rows[0]!.get('[data-label="Signs until"]').text()).not.toContain('No end');
    expect(rows[1]!.get('[data-label="Signs until"]').text()).toBe('No end (newest)');
    expect((wrapper.get('#signing-secret').element as HTMLInputElement).value).toBe(GENERATED);
  });

  it('checks the overlap and a supplied secret before sending, and shows the server’s field errors at their fields', async () => {
    const { wrapper, named } = await mountPanel(
      { enabled: true, secrets: [OLD] },
      {
        RotateSigningSecret: () => ({
          errors: [{ message: 'bad', extensions: { code: 'BAD_USER_INPUT', fieldErrors: [{ path: 'secret', message: 'Must decode to 24–64 bytes; this is 3' }] } }],
        }),
      },
    );
    await wrapper.get('#signing-overlap').setValue('-5');
    await wrapper.get('#signing-secret-input').setValue('not-a-secret');
    await button(wrapper, 'Rotate to this secret')!.trigger('click');
    await flushPromises();
    expect(named('RotateSigningSecret')).toHaveLength(0);
    expect(wrapper.get('#signing-overlap-error').text()).toMatch(/0 to 43,200/);
    expect(wrapper.get('#signing-secret-input-error').text()).toMatch(/whsec_/);
    expect(wrapper.get('#signing-overlap').attributes('aria-invalid')).toBe('true');

    await wrapper.get('#signing-overlap').setValue('0');
    await wrapper.get('#signing-secret-input').setValue('whsec_YWJj');
    await button(wrapper, 'Rotate to this secret')!.trigger('click');
    await flushPromises();
    expect(named('RotateSigningSecret')[0]!.variables).toEqual({ siteId: SITE_ID, overlapMinutes: 0, secret: 'whsec_YWJj' });
    expect(wrapper.find('#signing-overlap-error').exists()).toBe(false);
    expect(wrapper.get('#signing-secret-input-error').text()).toBe('Must decode to 24–64 bytes; this is 3');
    expect(wrapper.find('[data-testid="signing-secret-once"]').exists()).toBe(false);
  });

  it('turns signatures off, keeping the secrets listed', async () => {
    const { wrapper, named } = await mountPanel(
      { enabled: true, secrets: [OLD] },
      { DisableSigning: () => ({ data: { disableSigning: { id: SITE_ID, updatedAt: '2026-01-02T10:00:00Z', signing: { enabled: false, secrets: [OLD] } } } }) },
    );
    await button(wrapper, 'Turn off')!.trigger('click');
    await flushPromises();
    expect(named('DisableSigning')[0]!.variables).toEqual({ siteId: SITE_ID });
    expect(wrapper.get('[data-testid="signing-state"]').text()).toBe('Off');
    expect(wrapper.findAll('tbody tr')).toHaveLength(1);
    expect(button(wrapper, 'Turn on')).toBeDefined();
  });
});
