import { validate, version } from 'uuid';
import { describe, expect, it, vi } from 'vitest';
import { newDeliveryId } from './delivery-id.js';

describe('delivery ids', () => {
  it('are distinct UUIDv7s whose leading 48 bits are the time they were made', () => {
    const ids = Array.from({ length: 2000 }, () => newDeliveryId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
    }
    const ms = (id: string) => Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    expect(Math.abs(ms(ids[0]!) - Date.now())).toBeLessThan(60_000);
  });

  it('made later sort later (the index locality they are for)', () => {
    vi.useFakeTimers({ now: new Date('2026-12-02T10:00:00.000Z'), toFake: ['Date'] });
    try {
      const first = newDeliveryId();
      vi.setSystemTime(new Date('2026-12-02T10:00:00.002Z'));
      const second = newDeliveryId();
      expect(first.slice(0, 13)).toBe('01a23632-5d00');
      expect(second > first).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
