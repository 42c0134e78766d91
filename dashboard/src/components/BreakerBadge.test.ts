import { type VueWrapper, mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BreakerState } from '../graphql/generated/graphql';
import BreakerBadge from './BreakerBadge.vue';

const NOW = Date.parse('2026-12-02T03:00:00Z');

// Each badge is unmounted after its test, so the shared clock (useNow) stops with the fake timers that drove it.
const mounted: VueWrapper[] = [];
function badge(breaker: { state: BreakerState; consecutiveFailures: number; nextProbeAt?: string | null } | null) {
  const wrapper = mount(BreakerBadge, { props: { breaker } });
  mounted.push(wrapper);
  return wrapper;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
});
afterEach(() => {
  for (const wrapper of mounted.splice(0)) wrapper.unmount();
  vi.useRealTimers();
});

describe('BreakerBadge', () => {
  it('shows nothing for a healthy site (closed, no failures) or a breaker not read', () => {
    expect(badge({ state: 'CLOSED', consecutiveFailures: 0 }).find('.badge').exists()).toBe(false);
    expect(badge(null).find('.badge').exists()).toBe(false);
  });

  it('counts failures while closed', () => {
    expect(badge({ state: 'CLOSED', consecutiveFailures: 1 }).text()).toBe('Breaker closed · 1 failure in a row');
    const many = badge({ state: 'CLOSED', consecutiveFailures: 1234 });
    expect(many.text()).toBe('Breaker closed · 1,234 failures in a row');
    expect(many.get('.badge').attributes('data-breaker-state')).toBe('CLOSED');
  });

  it('shows an open breaker counting down to its probe, and half-open while probing', async () => {
    const open = badge({ state: 'OPEN', consecutiveFailures: 20, nextProbeAt: new Date(NOW + 30_000).toISOString() });
    expect(open.text()).toBe('Breaker open · probe in 0:30');
    expect(open.get('.badge').classes()).toContain('breaker-open');
    expect(open.get('.badge').attributes('title')).toMatch(/deliveries are held/);
    vi.advanceTimersByTime(10_000);
    await open.vm.$nextTick();
    expect(open.text()).toBe('Breaker open · probe in 0:20');
    vi.advanceTimersByTime(25_000);
    await open.vm.$nextTick();
    expect(open.text()).toBe('Breaker open');
    const half = badge({ state: 'HALF_OPEN', consecutiveFailures: 20, nextProbeAt: null });
    expect(half.text()).toBe('Breaker half-open');
    expect(half.get('.badge').attributes('data-breaker-state')).toBe('HALF_OPEN');
    expect(half.get('.badge').classes()).toContain('breaker-half-open');
  });
});
