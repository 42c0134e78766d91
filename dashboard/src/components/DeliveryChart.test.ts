import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import DeliveryChart from './DeliveryChart.vue';

const NOW = Date.parse('2026-11-30T03:00:00Z');
const bucket = (secondsAgo: number, sent: number, failed = 0) => ({
  at: new Date(NOW - secondsAgo * 1000).toISOString(),
  sent,
  succeeded: sent - failed,
  failed,
  retried: 0,
  avgLatencyMs: 20,
  p50LatencyMs: 18,
});

describe('DeliveryChart', () => {
  it('draws sent per second as stacked bars under the dashed maxRps line, with a summary for screen readers', () => {
    const wrapper = mount(DeliveryChart, { props: { buckets: [bucket(10, 4, 1), bucket(9, 5), bucket(400, 99)], minutes: 5, maxRps: 5, nowMs: NOW } });
    expect(wrapper.findAll('rect.bar-succeeded')).toHaveLength(2);
    expect(wrapper.findAll('rect.bar-failed')).toHaveLength(1);
    expect(wrapper.find('.cap line').exists()).toBe(true);
    expect(wrapper.get('[data-testid="peak-rps"]').text()).toBe('5/s');
    expect(wrapper.get('svg').attributes('aria-label')).toBe(
      'Last 5 minutes: 9 attempts, 8 succeeded, 1 failed, 0 to retry. Peak 5 per second against a cap of 5 per second.',
    );
    expect(wrapper.find('path.latency').exists()).toBe(true);
  });

  it('marks a peak above the cap and says when there is nothing to show', () => {
    const over = mount(DeliveryChart, { props: { buckets: [bucket(3, 7)], minutes: 5, maxRps: 5, nowMs: NOW } });
    expect(over.get('[data-testid="peak-rps"]').classes()).toContain('bad');
    const empty = mount(DeliveryChart, { props: { buckets: [], minutes: 15, maxRps: null, nowMs: NOW } });
    expect(empty.text()).toContain('No attempts in the last 15 minutes');
    expect(empty.find('.cap').exists()).toBe(false);
  });

  it('names a cap far above the traffic instead of flattening the bars under it', () => {
    const wrapper = mount(DeliveryChart, { props: { buckets: [bucket(3, 7)], minutes: 5, maxRps: 1000, nowMs: NOW } });
    expect(wrapper.find('.cap line').exists()).toBe(false);
    expect(wrapper.get('.cap-off-scale').text()).toContain('max 1k/s, above this scale');
  });
});
