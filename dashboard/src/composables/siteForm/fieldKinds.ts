import type { FieldKind } from '../authMethods';
import { parseNumber } from '../siteRules';
import { filledPairs, listEntries } from './rowFields';

/**
 * How the form treats a value of each scalar field kind: what a save sends and what counts as a
 * change. The structured kind (`payload`, rows of claims) has its own composable, usePayloadRows.
 * `list` and `pairs` hold several values in one string (rowFields.ts), so they are scalar here.
 */
export interface ScalarKind {
  /** Write-only: never filled back in; blank keeps the stored one. */
  secret: boolean;
  /** The input value a save sends; `undefined` leaves the field out (a blank secret: "keep it"). */
  toInput(value: string, forUpdate: boolean): unknown;
  /** A form two values can be compared by: spacing, or `2.50` for `2.5`, is no change. */
  comparable(value: string): unknown;
}

export type ScalarFieldKind = Exclude<FieldKind, 'payload'>;

export function comparableNumber(text: string): number | string {
  const n = parseNumber(text);
  return Number.isFinite(n) ? n : text.trim();
}

const plainText = (clearable: boolean): ScalarKind => ({
  secret: false,
  // An emptied optional field on an update is sent as "" so the stored value is cleared.
  toInput: (value, forUpdate) => (value.trim() !== '' ? value.trim() : forUpdate && clearable ? '' : undefined),
  comparable: (value) => value.trim(),
});

const secretText = (trim: boolean): ScalarKind => ({
  secret: true,
  // Blank keeps the stored secret: leaving it out is how the API says "keep"; "" removes it (see toAuthMember).
  toInput: (value) => (value !== '' ? (trim ? value.trim() : value) : undefined),
  // Any secret typed is a change, spaces included.
  comparable: (value) => value,
});

export const SCALAR_KINDS: { [K in ScalarFieldKind]: ScalarKind } = {
  text: plainText(true),
  url: plainText(true),
  // A select always has a value; there is nothing to clear.
  select: plainText(false),
  int: {
    secret: false,
    toInput: (value) => {
      const n = parseNumber(value);
      return Number.isFinite(n) ? n : null;
    },
    comparable: comparableNumber,
  },
  secret: secretText(false),
  pem: secretText(true),
  // An emptied list on an update is sent as [] so the stored one is cleared.
  list: {
    secret: false,
    toInput: (value, forUpdate) => {
      const entries = listEntries(value);
      return entries.length ? entries : forUpdate ? [] : undefined;
    },
    comparable: listEntries,
  },
  pairs: {
    secret: false,
    toInput: (value, forUpdate) => {
      const rows = filledPairs(value);
      return rows.length ? rows : forUpdate ? [] : undefined;
    },
    comparable: (value) => filledPairs(value).map((row) => [row.name, row.value]),
  },
};

export function isScalarKind(kind: FieldKind): kind is ScalarFieldKind {
  return kind in SCALAR_KINDS;
}
