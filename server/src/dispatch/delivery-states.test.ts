import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { ATTEMPT_OUTCOMES, DELIVERY_STATES, TRANSITIONS, gaveUp, gaveUpMessage } from './delivery-states.js';
import { DeliveryStatus } from './delivery.types.js';
import * as transitions from './transitions.sql.js';

describe('delivery states', () => {
  it('are the GraphQL enum, and every transition names a statement of transitions.sql.ts', () => {
    expect([...DELIVERY_STATES].sort()).toEqual(Object.values(DeliveryStatus).sort());
    for (const t of TRANSITIONS) {
      expect(typeof (transitions as Record<string, unknown>)[t.sql], t.sql).toBe('function');
      for (const state of [...(t.from ?? []), ...t.to]) expect(DELIVERY_STATES).toContain(state);
    }
    // Every state but a new one is reached, and only SUCCEEDED is left by nothing.
    const reached = new Set(TRANSITIONS.flatMap((t) => t.to));
    expect([...reached].sort()).toEqual([...DELIVERY_STATES].sort());
    const left = new Set(TRANSITIONS.flatMap((t) => t.from ?? []));
    expect(DELIVERY_STATES.filter((s) => !left.has(s))).toEqual(['SUCCEEDED']);
    expect(ATTEMPT_OUTCOMES.every((o) => DELIVERY_STATES.includes(o))).toBe(true);
  });

  it('a run gives up at the most attempts allowed, and says so in one wording', () => {
    expect(gaveUp(4, 5)).toBe(false);
    expect(gaveUp(5, 5)).toBe(true);
    expect(gaveUpMessage(5, 'HTTP 503')).toBe('gave up after 5 attempts: HTTP 503');
    expect(gaveUpMessage(1, 'HTTP 503')).toBe('gave up after 1 attempt: HTTP 503');
  });
});
