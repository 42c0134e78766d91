import { hasControlCharacters } from '../siteRules';

/*
 * The two field kinds that hold several values, kept in the form as one string each (like every
 * scalar field, so loading, sending, dirty tracking and method switching need nothing new):
 *
 * - `list`: one entry per line (RFC 8707 resource indicators).
 * - `pairs`: a JSON array of `{ name, value }` rows as typed (extra token request parameters).
 *
 * The server's error paths name an entry by its place among those sent: `resource[1]`,
 * `extraParams[2].name`. Blank lines and blank rows are not sent, so the place is counted among
 * the filled ones.
 */

export interface PairRow {
  name: string;
  value: string;
}

/** The rules a `pairs` field's metadata gives (auth-methods.generated.ts). */
export interface PairRules {
  maxItems?: number;
  maxLength?: number;
  nameMaxLength?: number;
  reservedNames?: readonly string[];
}

export function listEntries(text: string): string[] {
  return text.split('\n').map((line) => line.trim()).filter(Boolean);
}

export function parsePairs(text: string): PairRow[] {
  if (text.trim() === '') return [];
  try {
    const rows = JSON.parse(text) as unknown;
    return Array.isArray(rows) ? rows.map((row) => ({ name: String(row?.name ?? ''), value: String(row?.value ?? '') })) : [];
  } catch {
    return [];
  }
}

/** The form string for rows; none is "" (the form's empty value). */
export function pairsText(rows: readonly PairRow[]): string {
  return rows.length ? JSON.stringify(rows.map(({ name, value }) => ({ name, value }))) : '';
}

const isBlankRow = (row: PairRow) => row.name.trim() === '' && row.value.trim() === '';

/** The rows a save sends, names trimmed (as the server stores them). */
export function filledPairs(text: string): PairRow[] {
  return parsePairs(text)
    .filter((row) => !isBlankRow(row))
    .map((row) => ({ name: row.name.trim(), value: row.value }));
}

/** For each row as typed, its place among the rows sent (undefined for a blank row, which is not sent). */
export function sentIndexes(rows: readonly PairRow[]): (number | undefined)[] {
  let next = 0;
  return rows.map((row) => (isBlankRow(row) ? undefined : next++));
}

/** The same rules as the server's (auth/token-params.ts), so most mistakes show before the round trip. */
export function pairRowProblems(rows: readonly PairRow[], rules: PairRules): { name?: string; value?: string }[] {
  const reserved = new Set((rules.reservedNames ?? []).map((n) => n.toLowerCase()));
  const seen = new Set<string>();
  return rows.map((row) => {
    if (isBlankRow(row)) return {};
    const name = row.name.trim();
    const key = name.toLowerCase();
    let nameProblem: string | undefined;
    if (name === '') nameProblem = 'A parameter name is required';
    else if (hasControlCharacters(name) || /\s/.test(name)) nameProblem = 'Must not contain spaces or control characters';
    else if (rules.nameMaxLength !== undefined && name.length > rules.nameMaxLength) nameProblem = `Must be at most ${rules.nameMaxLength} characters`;
    else if (reserved.has(key)) nameProblem = `"${name}" is set by the grant${['audience', 'resource', 'scope'].includes(key) ? ` (use the ${key} field)` : ''} and cannot be given here`;
    else if (seen.has(key)) nameProblem = 'This parameter is already listed';
    seen.add(key);
    let valueProblem: string | undefined;
    if (row.value.trim() === '') valueProblem = 'A value is required';
    else if (hasControlCharacters(row.value)) valueProblem = 'Must not contain control characters (line breaks, tabs and the like)';
    else if (rules.maxLength !== undefined && row.value.length > rules.maxLength) valueProblem = `Must be at most ${rules.maxLength.toLocaleString('en')} characters`;
    return { ...(nameProblem ? { name: nameProblem } : {}), ...(valueProblem ? { value: valueProblem } : {}) };
  });
}

/** The field's own message, shown above its rows: too many, or some row to fix. */
export function checkPairs(text: string, rules: PairRules): string | undefined {
  const rows = parsePairs(text);
  const filled = rows.filter((row) => !isBlankRow(row));
  if (rules.maxItems !== undefined && filled.length > rules.maxItems) return `At most ${rules.maxItems} parameters`;
  return pairRowProblems(rows, rules).some((p) => p.name || p.value) ? 'Fix the parameters marked below' : undefined;
}
