import { mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TokenStateFieldsFragment } from '../graphql/generated/graphql';
import TokenBadge from './TokenBadge.vue';

const NOW = Date.parse('2026-11-30T03:00:00Z');
const state = (over: Partial<TokenStateFieldsFragment>): TokenStateFieldsFragment => ({
  siteId: 's',
  status: 'VALID',
  expiresAt: new Date(NOW + 125_000).toISOString(),
  hasRefreshToken: true,
  lastError: null,
  needsReconnect: false,
  updatedAt: new Date(NOW).toISOString(),
  ...over,
});

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
});
afterEach(() => vi.useRealTimers());

describe('TokenBadge', () => {
  it('counts down to expiry and shows expired once the time passes, before the server says so', async () => {
    const wrapper = mount(TokenBadge, { props: { token: state({}) } });
    expect(wrapper.text()).toBe('Token: Valid · 2:05');
    vi.advanceTimersByTime(5_000);
    await wrapper.vm.$nextTick();
    expect(wrapper.text()).toBe('Token: Valid · 2:00');
    vi.advanceTimersByTime(121_000);
    await wrapper.vm.$nextTick();
    expect(wrapper.attributes('data-token-status')).toBe('EXPIRED');
    wrapper.unmount();
  });

  it('shows no token and failures with their reason', () => {
    expect(mount(TokenBadge, { props: { token: null } }).text()).toBe('Token: No token');
    const failed = mount(TokenBadge, { props: { token: state({ status: 'FAILED', lastError: 'invalid_grant', expiresAt: null }) } });
    expect(failed.text()).toBe('Token: Failed');
    expect(failed.attributes('title')).toBe('Last error: invalid_grant');
  });
});
