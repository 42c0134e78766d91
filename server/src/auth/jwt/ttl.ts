/**
 * The JWT time-to-live grammar (docs/specification.md §3): `{number} minute(s)|hour(s)|day(s)|month(s)|year(s)`.
 *
 * - The number is a positive whole number (digits only: no sign, fraction or exponent); singular
 *   and plural are both accepted ("1 minutes", "2 day"), case-insensitive; surrounding blanks are
 *   ignored and the blank between number and unit may be omitted ("5minutes").
 * - minute = 60 s, hour = 3,600 s, day = 86,400 s (UTC has no daylight saving).
 * - month = a calendar month in UTC: `exp` falls on the same day of the month and time of day,
 *   N months after `iat`; when that month is shorter, on its last day (31 Jan + 1 month =
 *   28 Feb, or 29 Feb in a leap year).
 * - year = 12 calendar months, by the same rule (29 Feb 2028 + 1 year = 28 Feb 2029).
 * - At most 10 years in all, so a typo cannot mint a token that never expires: 120 months, or for
 *   the fixed units 10 × 366 days (3,660 days, 87,840 hours, 5,270,400 minutes).
 */
export type TtlUnit = 'minute' | 'hour' | 'day' | 'month' | 'year';
export interface TimeToLive {
  count: number;
  unit: TtlUnit;
}

const GRAMMAR = /^\s*(\d{1,7})\s*(minute|hour|day|month|year)s?\s*$/i;
const SECONDS: Record<'minute' | 'hour' | 'day', number> = { minute: 60, hour: 3600, day: 86_400 };
const MAX_SECONDS = 10 * 366 * 86_400;

export function parseTimeToLive(text: string): TimeToLive | { error: string } {
  const match = GRAMMAR.exec(text);
  if (!match) return { error: 'Must be a number and a unit, e.g. "5 minutes", "1 hour", "30 days", "6 months", "1 year"' };
  const count = Number(match[1]);
  const unit = match[2]!.toLowerCase() as TtlUnit;
  if (count < 1) return { error: 'Must be at least 1' };
  const months = unit === 'month' ? count : unit === 'year' ? count * 12 : 0;
  if (months > 120 || (months === 0 && count * SECONDS[unit as keyof typeof SECONDS] > MAX_SECONDS)) {
    return { error: 'Must be at most 10 years' };
  }
  return { count, unit };
}

function addCalendarMonths(from: Date, months: number): Date {
  const year = from.getUTCFullYear();
  const month = from.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(from.getUTCDate(), lastDay);
  return new Date(
    Date.UTC(year, month, day, from.getUTCHours(), from.getUTCMinutes(), from.getUTCSeconds(), from.getUTCMilliseconds()),
  );
}

/** The expiry of a token issued at `issuedAt`; a whole-second `issuedAt` (as JWT `iat` is) gives a whole-second expiry. */
export function expiresAt(issuedAt: Date, ttl: TimeToLive): Date {
  switch (ttl.unit) {
    case 'minute':
    case 'hour':
    case 'day':
      return new Date(issuedAt.getTime() + ttl.count * SECONDS[ttl.unit] * 1000);
    case 'month':
      return addCalendarMonths(issuedAt, ttl.count);
    case 'year':
      return addCalendarMonths(issuedAt, ttl.count * 12);
    default: {
      const unreachable: never = ttl.unit;
      throw new Error(`unknown unit ${String(unreachable)}`);
    }
  }
}
