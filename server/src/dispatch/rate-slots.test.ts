import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { RateSlots } from './rate-slots.js';

const never = () => false;
const nothing = () => undefined;

describe('rate slots', () => {
  it('takeNow takes a slot that is due, in order, without waiting; not one still ahead', () => {
    const slots = new RateSlots(10);
    const now = performance.now();
    slots.add(now - 2, [0, 1, 500], 1);
    expect(slots.takeNow()).toBe(true);
    expect(slots.takeNow()).toBe(true);
    // The third is 500 ms ahead: never started early.
    expect(slots.takeNow()).toBe(false);
    expect(slots.valid()).toBe(1);
  });

  it('takeNow skips slots further behind than the tolerance, and says so', () => {
    let skipped = 0;
    const slots = new RateSlots(10, () => (skipped += 1));
    slots.add(performance.now() - 100, [0, 1, 2], 1);
    expect(slots.takeNow()).toBe(false);
    expect(skipped).toBe(3);
    expect(slots.valid()).toBe(0);
  });

  it('takeNow never passes the pacing bucket: a stalled loop catching up starts no more than the tolerance holds', () => {
    // Tolerance 30 ms at 10 ms a slot: the bucket holds floor(30 / 10) + 2 = 5 starts.
    const slots = new RateSlots(30);
    slots.add(performance.now() - 8, [0, 1, 2, 3, 4, 5, 6], 10);
    const taken = Array.from({ length: 7 }, () => slots.takeNow()).filter(Boolean).length;
    expect(taken).toBe(5);
  });

  it('take waits for a slot ahead and starts it on time, never before', async () => {
    const slots = new RateSlots(50);
    const at = performance.now() + 40;
    slots.add(at, [0], 1);
    expect(slots.takeNow()).toBe(false);
    expect(await slots.take(100, never, nothing)).toBe(true);
    expect(performance.now()).toBeGreaterThanOrEqual(at - 1);
  });

  it('take asks for more when it has none, and goes on when they come', async () => {
    const slots = new RateSlots(50);
    let asked = 0;
    const taking = slots.take(100, never, () => {
      asked += 1;
      setTimeout(() => slots.add(performance.now(), [0], 1), 5);
    });
    expect(await taking).toBe(true);
    expect(asked).toBe(1);
  });
});
