import urql from '@urql/vue';
import type { Operation } from '@urql/vue';
import { type VueWrapper, flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { toasts } from '../composables/useToasts';
import type { BreakerSettingsFieldsFragment } from '../graphql/generated/graphql';
import { type MockAnswer, mockClient } from '../test/mockClient';
import BreakerSettingsForm from './BreakerSettingsForm.vue';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
  document.body.innerHTML = '';
  toasts.splice(0);
});

const SITE_ID = '33333333-3333-4333-8333-333333333333';
const EFFECTIVE = { failureThreshold: 20, failureWindowSeconds: 300, autoDisableAfterSeconds: 259_200, pauseBaseMs: 30_000, pauseMaxMs: 1_800_000 };
const DEFAULTS: BreakerSettingsFieldsFragment = { settings: { failureThreshold: null, failureWindowSeconds: null, autoDisableAfterSeconds: null }, effective: EFFECTIVE };

async function mountForm(breaker: BreakerSettingsFieldsFragment, answer: (operation: Operation) => MockAnswer = () => new Error('no call expected'), canEdit = true) {
  const { client, operations } = mockClient(answer);
  wrapper = mount(BreakerSettingsForm, { props: { siteId: SITE_ID, breaker, canEdit }, global: { plugins: [[urql, client]] }, attachTo: document.body });
  await flushPromises();
  return { wrapper, operations };
}
const input = (w: VueWrapper, key: string) => w.get(`#breaker-${key}`);
const save = async (w: VueWrapper) => {
  await w.get('form').trigger('submit');
  await flushPromises();
};

describe('BreakerSettingsForm', () => {
  it('names the defaults in force for blank fields; every input is labelled', async () => {
    const { wrapper } = await mountForm(DEFAULTS);
    expect(input(wrapper, 'failureThreshold').attributes('placeholder')).toBe('Default: 20');
    expect(input(wrapper, 'failureWindowSeconds').attributes('placeholder')).toBe('Default: 5 min');
    expect(input(wrapper, 'autoDisableAfterSeconds').attributes('placeholder')).toBe('Default: 3 d');
    expect(wrapper.get('#breaker-autoDisableAfterSeconds-hint').text()).toBe('Blank: the deployment default, now 3 d.');
    expect(wrapper.text()).toContain('The probe waits 30 s after the breaker opens');
    expect(wrapper.text()).toContain('at most 30 min');
    for (const el of wrapper.findAll('input')) expect(wrapper.find(`label[for="${el.attributes('id')}"]`).exists(), el.html()).toBe(true);
  });

  it('saves typed values and blanks as null (the default), then tells the panel', async () => {
    const { wrapper, operations } = await mountForm(DEFAULTS, () => ({
      data: { updateBreakerSettings: { id: SITE_ID, updatedAt: '2026-12-02T03:00:00Z', breaker: { state: 'CLOSED', consecutiveFailures: 0, failingSince: null, openedAt: null, nextProbeAt: null, opens: 0, reason: null, ...DEFAULTS } } },
    }));
    await input(wrapper, 'failureThreshold').setValue('3');
    await input(wrapper, 'autoDisableAfterSeconds').setValue('0');
    // The typed value is read back in words as it is typed.
    expect(wrapper.get('#breaker-autoDisableAfterSeconds-hint').text()).toBe('= never. Blank: the deployment default.');
    await input(wrapper, 'failureWindowSeconds').setValue('5400');
    expect(wrapper.get('#breaker-failureWindowSeconds-hint').text()).toBe('= 1 h 30 min. Blank: the deployment default.');
    await input(wrapper, 'failureWindowSeconds').setValue('');
    await save(wrapper);
    expect(operations.map((o) => o.variables)).toEqual([{ siteId: SITE_ID, input: { failureThreshold: 3, failureWindowSeconds: null, autoDisableAfterSeconds: 0 } }]);
    expect(toasts.map((t) => t.message)).toContain('Breaker settings saved');
    expect(wrapper.emitted('saved')).toHaveLength(1);
  });

  it('checks the bounds before sending, and places the server’s field errors at their inputs', async () => {
    const { wrapper, operations } = await mountForm(DEFAULTS, () => ({
      errors: [{ message: 'bad', extensions: { code: 'BAD_USER_INPUT', fieldErrors: [{ path: 'input.autoDisableAfterSeconds', message: 'Must be a whole number from 0 to 7,776,000' }] } }],
    }));
    await input(wrapper, 'failureThreshold').setValue('0');
    await input(wrapper, 'failureWindowSeconds').setValue('1.5');
    await save(wrapper);
    expect(operations).toHaveLength(0);
    expect(wrapper.get('#breaker-failureThreshold-error').text()).toBe('A whole number from 1 to 10,000, or blank for the deployment default');
    expect(wrapper.get('#breaker-failureWindowSeconds-error').text()).toMatch(/^A whole number from 0 to 604,800 \(0: off\)/);
    expect(input(wrapper, 'failureThreshold').attributes('aria-invalid')).toBe('true');

    await input(wrapper, 'failureThreshold').setValue('');
    await input(wrapper, 'failureWindowSeconds').setValue('');
    await input(wrapper, 'autoDisableAfterSeconds').setValue('60');
    await save(wrapper);
    expect(operations).toHaveLength(1);
    expect(wrapper.find('#breaker-failureThreshold-error').exists()).toBe(false);
    expect(wrapper.get('#breaker-autoDisableAfterSeconds-error').text()).toBe('Must be a whole number from 0 to 7,776,000');
    expect(wrapper.emitted('saved')).toBeUndefined();
  });

  it('shows the site’s own values, and is read-only for a VIEWER', async () => {
    const own: BreakerSettingsFieldsFragment = { settings: { failureThreshold: 5, failureWindowSeconds: null, autoDisableAfterSeconds: 3600 }, effective: { ...EFFECTIVE, failureThreshold: 5, autoDisableAfterSeconds: 3600 } };
    const { wrapper } = await mountForm(own, undefined, false);
    expect((input(wrapper, 'failureThreshold').element as HTMLInputElement).value).toBe('5');
    expect((input(wrapper, 'failureWindowSeconds').element as HTMLInputElement).value).toBe('');
    expect(input(wrapper, 'failureThreshold').attributes('placeholder')).toBe('Deployment default');
    expect(wrapper.get('#breaker-autoDisableAfterSeconds-hint').text()).toBe('= 1 h. Blank: the deployment default.');
    for (const el of wrapper.findAll('input')) expect(el.attributes('disabled')).toBeDefined();
    expect(wrapper.get('button[type="submit"]').attributes('disabled')).toBeDefined();
  });
});
