import { describe, expect, it } from 'vitest';
import { lifetimeSeconds, refreshAtFor } from './timing.js';

describe('token timing', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const after = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

  it('renews the configured margin before expiry, but not before three quarters of the lifetime', () => {
    expect(refreshAtFor(t0, after(3600), 300)).toEqual(after(3300));
    expect(refreshAtFor(t0, after(60), 300)).toEqual(after(45));
    expect(refreshAtFor(t0, after(2), 300)).toEqual(after(1.5));
    expect(refreshAtFor(t0, after(3600), 0)).toEqual(after(3600));
    expect(refreshAtFor(t0, null, 300)).toBeNull();
  });

  it('uses the lower of the provider\'s expires_in and the configured minutes', () => {
    expect(lifetimeSeconds(3600, 1)).toBe(60);
    expect(lifetimeSeconds(30, 1)).toBe(30);
    expect(lifetimeSeconds(undefined, 5)).toBe(300);
    expect(lifetimeSeconds(120, undefined)).toBe(120);
    expect(lifetimeSeconds(undefined, undefined)).toBeUndefined();
  });
});
