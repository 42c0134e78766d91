import urql from '@urql/vue';
import type { Operation } from '@urql/vue';
import { type VueWrapper, flushPromises, mount } from '@vue/test-utils';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toasts } from '../composables/useToasts';
import { type MockAnswer, mockClient } from '../test/mockClient';
import SiteHealthPanel from './SiteHealthPanel.vue';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
  document.body.innerHTML = '';
  toasts.splice(0);
  vi.useRealTimers();
});

const SITE_ID = '22222222-2222-4222-8222-222222222222';
const NOW = Date.parse('2026-12-02T03:00:00Z');

function nameOf(operation: Operation): string {
  const definition = operation.query.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return definition?.name?.value ?? '';
}

const SETTINGS = {
  settings: { failureThreshold: null, failureWindowSeconds: null, autoDisableAfterSeconds: null },
  effective: { failureThreshold: 20, failureWindowSeconds: 300, autoDisableAfterSeconds: 259_200, pauseBaseMs: 30_000, pauseMaxMs: 1_800_000 },
};
const CLOSED = { ...SETTINGS, state: 'CLOSED', consecutiveFailures: 0, failingSince: null, openedAt: null, nextProbeAt: null, opens: 0, reason: null };
const OPEN = {
  ...SETTINGS,
  state: 'OPEN',
  consecutiveFailures: 3,
  failingSince: new Date(NOW - 60_000).toISOString(),
  openedAt: new Date(NOW - 5_000).toISOString(),
  nextProbeAt: new Date(NOW + 95_000).toISOString(),
  opens: 1,
  reason: '3 failed attempts in a row; last: HTTP 503',
};

function event(n: number, kind: string, fromState: string | null, toState: string | null, reason: string | null) {
  return { id: `e-${n}`, siteId: SITE_ID, siteName: 'Partner', kind, fromState, toState, reason, details: {}, createdAt: new Date(NOW - n * 1000).toISOString() };
}
const OPENED = event(1, 'BREAKER_OPENED', 'CLOSED', 'OPEN', '3 failed attempts in a row; last: HTTP 503');

function health(breaker: unknown, events: unknown[], opts: { status?: string; statusReason?: string | null; totalCount?: number; hasNextPage?: boolean } = {}) {
  return {
    data: {
      site: {
        id: SITE_ID,
        status: opts.status ?? 'ACTIVE',
        statusReason: opts.statusReason ?? null,
        breaker,
        events: {
          totalCount: opts.totalCount ?? events.length,
          pageInfo: { hasNextPage: opts.hasNextPage ?? false, endCursor: events.length ? `c-${(events.at(-1) as { id: string }).id}` : null },
          edges: events.map((node) => ({ cursor: `c-${(node as { id: string }).id}`, node })),
        },
      },
    },
  };
}

type Handlers = Partial<Record<string, (operation: Operation) => MockAnswer>>;
const NO_EVENT: MockAnswer = { data: null };

async function mountPanel(handlers: Handlers, role = 'EDITOR') {
  const answers: Handlers = {
    Viewer: () => ({ data: { viewer: { name: 'someone', role, tokenId: 't' } } }),
    SiteEventAdded: () => NO_EVENT,
    DeliveryUpdated: () => NO_EVENT,
    ...handlers,
  };
  const { client, operations } = mockClient((operation) => {
    const answer = answers[nameOf(operation)];
    if (!answer) throw new Error(`unexpected operation ${nameOf(operation)}`);
    return answer(operation);
  });
  wrapper = mount(SiteHealthPanel, { props: { siteId: SITE_ID, siteName: 'Partner' }, global: { plugins: [[urql, client]], stubs: { RouterLink: true } }, attachTo: document.body });
  await flushPromises();
  const named = (name: string) => operations.filter((o) => nameOf(o) === name);
  return { wrapper, named };
}

const button = (w: VueWrapper, text: string) => w.findAll('button').find((b) => b.text() === text);

describe('SiteHealthPanel', () => {
  it('shows an open breaker: failures, when it opened, the probe counting down, the reason and its event', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(NOW);
    const { wrapper } = await mountPanel({ SiteHealth: () => health(OPEN, [OPENED]) });
    expect(wrapper.get('[data-testid="breaker-state"]').attributes('data-breaker-state')).toBe('OPEN');
    expect(wrapper.get('[data-testid="breaker-state"]').text()).toBe('Open');
    expect(wrapper.get('[data-testid="breaker-meaning"]').text()).toBe('sending paused, deliveries held');
    expect(wrapper.get('[data-testid="breaker-failures"]').text()).toBe('3');
    expect(wrapper.text()).toContain('Opened at');
    expect(wrapper.get('[data-testid="breaker-next-probe"]').text()).toMatch(/^in 1:35 \(/);
    vi.advanceTimersByTime(5_000);
    await flushPromises();
    expect(wrapper.get('[data-testid="breaker-next-probe"]').text()).toMatch(/^in 1:30 \(/);
    vi.advanceTimersByTime(91_000);
    await flushPromises();
    expect(wrapper.get('[data-testid="breaker-next-probe"]').text()).toBe('due now');
    expect(wrapper.get('[data-testid="breaker-reason"]').text()).toBe('3 failed attempts in a row; last: HTTP 503');
    const row = wrapper.get('tr[data-event-id="e-1"]');
    expect(row.attributes('data-event-kind')).toBe('BREAKER_OPENED');
    expect(row.get('[data-label="Event"]').text()).toBe('Sending paused (breaker opened)');
    expect(row.get('[data-label="Change"]').text()).toBe('Closed → Open');
    expect(row.get('[data-label="Reason"]').text()).toBe('3 failed attempts in a row; last: HTTP 503');
    expect(button(wrapper, 'Resume sending')!.attributes('disabled')).toBeUndefined();
  });

  it('a closed breaker offers no Resume button and says there are no events', async () => {
    const { wrapper } = await mountPanel({ SiteHealth: () => health(CLOSED, []) });
    expect(wrapper.get('[data-testid="breaker-state"]').text()).toBe('Closed');
    expect(wrapper.get('[data-testid="breaker-meaning"]').text()).toBe('sending');
    expect(button(wrapper, 'Resume sending')).toBeUndefined();
    expect(wrapper.find('[data-testid="breaker-next-probe"]').exists()).toBe(false);
    expect(wrapper.text()).toContain('No events yet');
  });

  it('Resume sending asks first; confirmed, it calls resetBreaker and reads the panel again', async () => {
    let reads = 0;
    const { wrapper, named } = await mountPanel({
      SiteHealth: () => (++reads === 1 ? health(OPEN, [OPENED]) : health(CLOSED, [event(0, 'BREAKER_CLOSED', 'OPEN', 'CLOSED', 'closed by hand'), OPENED])),
      ResetBreaker: () => ({ data: { resetBreaker: { id: SITE_ID, status: 'ACTIVE', updatedAt: new Date(NOW).toISOString(), breaker: CLOSED } } }),
    });
    await button(wrapper, 'Resume sending')!.trigger('click');
    const dialog = wrapper.get('[role="dialog"]');
    expect(dialog.text()).toContain('Resume sending to Partner?');
    // Cancel sends nothing.
    await dialog.findAll('button').find((b) => b.text() === 'Cancel')!.trigger('click');
    expect(named('ResetBreaker')).toHaveLength(0);

    await button(wrapper, 'Resume sending')!.trigger('click');
    await wrapper.get('[role="dialog"]').findAll('button').find((b) => b.text() === 'Resume sending')!.trigger('click');
    await flushPromises();
    expect(named('ResetBreaker').map((o) => o.variables)).toEqual([{ siteId: SITE_ID }]);
    expect(wrapper.get('[data-testid="breaker-state"]').attributes('data-breaker-state')).toBe('CLOSED');
    expect(wrapper.findAll('tbody tr').map((r) => r.attributes('data-event-kind'))).toEqual(['BREAKER_CLOSED', 'BREAKER_OPENED']);
    expect(toasts.map((t) => t.message)).toContain('Sending to Partner resumed: held deliveries go out now');
    expect(wrapper.emitted('changed')).toBeTruthy();
  });

  it('a VIEWER sees Resume sending disabled, saying why', async () => {
    const { wrapper } = await mountPanel({ SiteHealth: () => health(OPEN, [OPENED]) }, 'VIEWER');
    const resume = button(wrapper, 'Resume sending')!;
    expect(resume.attributes('disabled')).toBeDefined();
    expect(resume.attributes('title')).toBe('Your token may read but not change this');
  });

  it('a site event pushed by siteEvents reads the panel again and tells the page', async () => {
    let reads = 0;
    const { wrapper, named } = await mountPanel({
      SiteHealth: () => (++reads === 1 ? health(CLOSED, []) : health(OPEN, [OPENED])),
      SiteEventAdded: () => ({ data: { siteEvents: OPENED } }),
    });
    expect(named('SiteEventAdded')[0]!.variables).toEqual({ siteId: SITE_ID });
    expect(named('SiteHealth').length).toBeGreaterThanOrEqual(2);
    expect(named('SiteHealth').at(-1)!.context.requestPolicy).toBe('network-only');
    expect(wrapper.get('[data-testid="breaker-state"]').attributes('data-breaker-state')).toBe('OPEN');
    expect(wrapper.find('tr[data-event-id="e-1"]').exists()).toBe(true);
    expect(wrapper.emitted('changed')![0]).toEqual([OPENED]);
  });

  it('shows an automatic disabling with its reason, and pages through older events', async () => {
    const newer = Array.from({ length: 10 }, (_, n) => event(n + 1, n % 2 ? 'BREAKER_OPENED' : 'BREAKER_HALF_OPEN', 'OPEN', 'HALF_OPEN', null));
    const older = [event(11, 'BREAKER_OPENED', 'CLOSED', 'OPEN', 'first opening')];
    const reason = 'Disabled automatically: every attempt failed for 259200 s';
    const { wrapper, named } = await mountPanel({
      SiteHealth: (op) =>
        (op.variables as { after?: string | null }).after
          ? health(CLOSED, older, { status: 'INACTIVE', statusReason: reason, totalCount: 11 })
          : health(CLOSED, [event(0, 'SITE_AUTO_DISABLED', 'ACTIVE', 'INACTIVE', reason), ...newer.slice(0, 9)], { status: 'INACTIVE', statusReason: reason, totalCount: 11, hasNextPage: true }),
    });
    expect(wrapper.get('[data-testid="status-reason"]').text()).toMatch(new RegExp(`^Inactive — ${reason}`));
    const first = wrapper.get('tbody tr');
    expect(first.get('[data-label="Event"]').text()).toBe('Disabled automatically');
    expect(first.get('[data-label="Change"]').text()).toBe('Active → Inactive');
    expect(wrapper.text()).toContain('1–10 of 11');
    await button(wrapper, 'Older →')!.trigger('click');
    await flushPromises();
    expect(named('SiteHealth').at(-1)!.variables).toMatchObject({ id: SITE_ID, first: 10, after: 'c-e-9' });
    expect(wrapper.findAll('tbody tr').map((r) => r.attributes('data-event-id'))).toEqual(['e-11']);
    expect(wrapper.text()).toContain('11–11 of 11');
    expect(button(wrapper, '← Newer')!.attributes('disabled')).toBeUndefined();
  });
});
