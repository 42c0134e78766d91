import urql from '@urql/vue';
import type { Operation } from '@urql/vue';
import { type VueWrapper, flushPromises, mount } from '@vue/test-utils';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { type MockAnswer, mockClient } from '../test/mockClient';
import SiteListPage from './SiteListPage.vue';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
});

function nameOf(operation: Operation): string {
  const definition = operation.query.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return definition?.name?.value ?? '';
}

const REASON = 'Disabled automatically: every attempt failed for 259200 s (since 2026-11-29T03:00:00.000Z, 412 in a row); last: HTTP 503';
function site(id: string, name: string, status: string, breaker: unknown, statusReason: string | null = null, clientCertificate: unknown = null) {
  return { id, name, url: `https://${id}.example/hooks`, contentType: 'application/json', status, authMethod: 'BASIC', statusReason, token: null, breaker, clientCertificate };
}
const closed = { state: 'CLOSED', consecutiveFailures: 0, nextProbeAt: null };
function page(sites: unknown[]) {
  return {
    data: {
      sites: {
        totalCount: sites.length,
        pageInfo: { hasNextPage: false, endCursor: null },
        edges: sites.map((node) => ({ cursor: (node as { id: string }).id, node })),
      },
    },
  };
}

type Handlers = Partial<Record<string, (operation: Operation) => MockAnswer>>;

async function mountList(handlers: Handlers) {
  const answers: Handlers = { TokenStateChanged: () => ({ data: null }), SiteEventAdded: () => ({ data: null }), ...handlers };
  const { client, operations } = mockClient((operation) => {
    const answer = answers[nameOf(operation)];
    if (!answer) throw new Error(`unexpected operation ${nameOf(operation)}`);
    return answer(operation);
  });
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: SiteListPage }, { path: '/:rest(.*)*', component: { render: () => null } }] });
  await router.push('/');
  wrapper = mount(SiteListPage, { global: { plugins: [router, [urql, client]] } });
  await flushPromises();
  const named = (name: string) => operations.filter((o) => nameOf(o) === name);
  return { wrapper, named };
}

describe('SiteListPage: circuit breaker', () => {
  it('shows each site’s breaker badge and, under an automatic disabling, the service’s reason', async () => {
    const { wrapper } = await mountList({
      Sites: () =>
        page([
          site('a', 'Healthy', 'ACTIVE', closed),
          site('b', 'Flaky', 'ACTIVE', { state: 'CLOSED', consecutiveFailures: 7, nextProbeAt: null }),
          site('c', 'Down', 'ACTIVE', { state: 'OPEN', consecutiveFailures: 20, nextProbeAt: null }),
          site('d', 'Probing', 'ACTIVE', { state: 'HALF_OPEN', consecutiveFailures: 20, nextProbeAt: null }),
          site('e', 'Dead', 'INACTIVE', closed, REASON),
          site('f', 'Paused by hand', 'INACTIVE', closed),
        ]),
    });
    const row = (id: string) => wrapper.get(`tr[data-site-id="${id}"]`);
    expect(row('a').find('.breaker-badge').exists()).toBe(false);
    expect(row('b').get('.breaker-badge').text()).toBe('Breaker closed · 7 failures in a row');
    expect(row('c').get('.breaker-badge').attributes('data-breaker-state')).toBe('OPEN');
    expect(row('d').get('.breaker-badge').text()).toBe('Breaker half-open');
    expect(row('e').find('[data-status="INACTIVE"]').exists()).toBe(true);
    expect(row('e').get('[data-testid="status-reason"]').text()).toBe(REASON);
    // Set inactive by hand: no reason to show.
    expect(row('f').find('[data-testid="status-reason"]').exists()).toBe(false);
  });

  it('reads the list again when a site event arrives, for every site', async () => {
    let reads = 0;
    const { wrapper, named } = await mountList({
      Sites: () => (++reads === 1 ? page([site('a', 'Partner', 'ACTIVE', closed)]) : page([site('a', 'Partner', 'ACTIVE', { state: 'OPEN', consecutiveFailures: 3, nextProbeAt: null })])),
      SiteEventAdded: () => ({
        data: { siteEvents: { id: 'e-1', siteId: 'a', siteName: 'Partner', kind: 'BREAKER_OPENED', fromState: 'CLOSED', toState: 'OPEN', reason: '3 failed', details: {}, createdAt: '2026-12-02T03:00:00Z' } },
      }),
    });
    expect(named('SiteEventAdded')[0]!.variables).toEqual({ siteId: null });
    expect(named('Sites').at(-1)!.context.requestPolicy).toBe('network-only');
    expect(wrapper.get('tr[data-site-id="a"] .breaker-badge').attributes('data-breaker-state')).toBe('OPEN');
  });
});

describe('SiteListPage: client certificates', () => {
  const DAY = 86_400_000;
  /** As the server answers: expiresSoon from 30 days before notAfter, expired once it has passed. */
  function certificate(daysLeft: number) {
    const notAfter = new Date(Date.now() + daysLeft * DAY + 60_000).toISOString();
    return { notAfter, expiresSoon: daysLeft <= 30, expired: daysLeft < 0 };
  }

  it('warns on a site whose certificate expires within 30 days or has expired, and on no other', async () => {
    const { wrapper, named } = await mountList({
      Sites: () =>
        page([
          site('none', 'No certificate', 'ACTIVE', closed),
          site('fine', 'Renewed', 'ACTIVE', closed, null, certificate(31)),
          site('soon', 'Renew soon', 'ACTIVE', closed, null, certificate(12)),
          site('one', 'Renew tomorrow', 'ACTIVE', closed, null, certificate(1)),
          site('today', 'Renew today', 'ACTIVE', closed, null, certificate(0)),
          site('gone', 'Expired', 'ACTIVE', closed, null, { ...certificate(-3), notAfter: new Date(Date.now() - 3 * DAY).toISOString() }),
        ]),
    });
    // The list asks for what the badge needs.
    expect(named('Sites')[0]!.query.loc?.source.body).toMatch(/clientCertificate\s*{\s*notAfter\s+expiresSoon\s+expired\s*}/);
    const badge = (id: string) => wrapper.get(`tr[data-site-id="${id}"]`).find('.certificate-badge');
    expect(badge('none').exists()).toBe(false);
    expect(badge('fine').exists()).toBe(false);
    expect(badge('soon').text()).toBe('Certificate expires in 12 days');
    expect(badge('soon').attributes('data-certificate')).toBe('expiring');
    expect(badge('soon').attributes('title')).toMatch(/^Client certificate expires on .+: paste a renewed one/);
    expect(badge('one').text()).toBe('Certificate expires in 1 day');
    expect(badge('today').text()).toBe('Certificate expires today');
    expect(badge('gone').text()).toBe('Certificate expired');
    expect(badge('gone').attributes('data-certificate')).toBe('expired');
    expect(badge('gone').classes()).toContain('certificate-expired');
    expect(badge('gone').attributes('title')).toMatch(/^Client certificate expired on .+: receivers refuse it/);
    // Beside the site's other badges, not instead of them.
    expect(wrapper.get('tr[data-site-id="gone"]').find('[data-status="ACTIVE"]').exists()).toBe(true);
  });
});
