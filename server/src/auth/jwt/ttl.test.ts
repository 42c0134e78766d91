import { describe, expect, it } from 'vitest';
import { type TimeToLive, expiresAt, parseTimeToLive } from './ttl.js';

const ttl = (text: string): TimeToLive => {
  const parsed = parseTimeToLive(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
};
const after = (iso: string, text: string) => expiresAt(new Date(iso), ttl(text)).toISOString();

describe('time-to-live grammar', () => {
  it.each([
    ['5 minutes', 5, 'minute'],
    ['1 minute', 1, 'minute'],
    ['1 minutes', 1, 'minute'],
    ['2 day', 2, 'day'],
    ['1 Hour', 1, 'hour'],
    ['  6 MONTHS ', 6, 'month'],
    ['10 years', 10, 'year'],
    ['5minutes', 5, 'minute'],
  ])('accepts %j', (text, count, unit) => {
    expect(parseTimeToLive(text)).toEqual({ count, unit });
  });

  it.each(['', '5', 'minutes', '0 minutes', '-1 day', '1.5 hours', '1e3 minutes', 'five minutes', '5 weeks', '5 seconds', '5 minutes ago', '1 day 2 hours'])(
    'refuses %j',
    (text) => {
      expect(parseTimeToLive(text)).toHaveProperty('error');
    },
  );

  it('bounds every unit at 10 years', () => {
    for (const ok of ['10 years', '120 months', '3660 days', '87840 hours', '5270400 minutes']) expect(parseTimeToLive(ok)).not.toHaveProperty('error');
    for (const tooLong of ['11 years', '121 months', '3661 days', '87841 hours', '5270401 minutes', '9999999 years']) {
      expect(parseTimeToLive(tooLong)).toEqual({ error: 'Must be at most 10 years' });
    }
  });
});

describe('expiry', () => {
  it('fixed units are exact durations', () => {
    expect(after('2026-03-29T00:30:00Z', '5 minutes')).toBe('2026-03-29T00:35:00.000Z');
    expect(after('2026-03-29T00:30:00Z', '24 hours')).toBe('2026-03-30T00:30:00.000Z');
    expect(after('2028-02-28T12:00:00Z', '1 day')).toBe('2028-02-29T12:00:00.000Z');
  });

  it('a month keeps the day and time, or takes the last day of a shorter month', () => {
    expect(after('2027-01-31T10:11:12Z', '1 month')).toBe('2027-02-28T10:11:12.000Z');
    expect(after('2028-01-31T10:11:12Z', '1 month')).toBe('2028-02-29T10:11:12.000Z');
    expect(after('2026-03-31T23:59:59Z', '1 month')).toBe('2026-04-30T23:59:59.000Z');
    expect(after('2026-01-15T00:00:00Z', '1 month')).toBe('2026-02-15T00:00:00.000Z');
    expect(after('2026-12-31T08:00:00Z', '2 months')).toBe('2027-02-28T08:00:00.000Z');
    expect(after('2026-11-30T08:00:00Z', '3 months')).toBe('2027-02-28T08:00:00.000Z');
    // Not chained: 31 Jan + 2 months is 31 Mar, not 28 Mar.
    expect(after('2027-01-31T00:00:00Z', '2 months')).toBe('2027-03-31T00:00:00.000Z');
  });

  it('a year is 12 calendar months: 29 Feb + 1 year = 28 Feb, + 4 years = 29 Feb', () => {
    expect(after('2028-02-29T06:00:00Z', '1 year')).toBe('2029-02-28T06:00:00.000Z');
    expect(after('2028-02-29T06:00:00Z', '4 years')).toBe('2032-02-29T06:00:00.000Z');
    expect(after('2027-02-28T06:00:00Z', '1 year')).toBe('2028-02-28T06:00:00.000Z');
    expect(after('2026-06-01T00:00:00Z', '12 months')).toBe(after('2026-06-01T00:00:00Z', '1 year'));
  });

  it('the 10-year bound: exactly 10 calendar years, and 2100 is not a leap year', () => {
    expect(after('2026-02-03T04:05:06Z', '10 years')).toBe('2036-02-03T04:05:06.000Z');
    expect(after('2096-02-29T00:00:00Z', '4 years')).toBe('2100-02-28T00:00:00.000Z');
  });

  it('keeps whole seconds whole', () => {
    expect(expiresAt(new Date(1_700_000_000_000), ttl('1 month')).getTime() % 1000).toBe(0);
  });
});
