import { type Ref, ref } from 'vue';
import { checkClaimName, checkJsonValue } from '../siteRules';

/** One claim of a `payload` field: a name and a JSON value, as typed. */
export interface PayloadRow {
  id: number;
  key: string;
  value: string;
}

let rowIds = 0;

function comparableJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text.trim();
  }
}

const isBlankRow = (row: PayloadRow) => row.key.trim() === '' && row.value.trim() === '';

/**
 * The rows of a field of kind `payload` (a JSON object edited as name → JSON value; the JWT
 * method's claims). `path` is the field's error path (`auth.jwt.payload`): a server error on
 * `<path>.<name>` shows on that row, one on `<path>` above the rows.
 */
export function usePayloadRows(path: () => string | undefined, errors: Ref<Record<string, string>>) {
  const rows = ref<PayloadRow[]>([]);

  /** Rows from a stored value; anything but a JSON object gives none. */
  function load(payload: unknown) {
    rows.value =
      payload && typeof payload === 'object' && !Array.isArray(payload)
        ? Object.entries(payload as Record<string, unknown>).map(([key, value]) => ({ id: ++rowIds, key, value: JSON.stringify(value) }))
        : [];
  }

  function add() {
    rows.value.push({ id: ++rowIds, key: '', value: '' });
  }

  function remove(id: number) {
    rows.value = rows.value.filter((row) => row.id !== id);
  }

  /** Values are JSON, checked as they are typed; a name listed twice is flagged on the later row. */
  function rowError(row: PayloadRow): { key?: string; value?: string } {
    if (isBlankRow(row)) return {};
    const duplicate = rows.value.some((other) => other.id !== row.id && other.key === row.key && other.id < row.id);
    const serverKeyError = errors.value[`${path()}.${row.key}`];
    return {
      key: checkClaimName(row.key) ?? (duplicate ? 'This claim is already listed above' : serverKeyError),
      value: checkJsonValue(row.value),
    };
  }

  const hasProblems = () => rows.value.some((row) => {
    const problem = rowError(row);
    return Boolean(problem.key || problem.value);
  });

  const hasTyped = () => rows.value.some((row) => !isBlankRow(row));

  /** What a save would send, in a form two states can be compared by. */
  const comparable = () => rows.value.filter((row) => !isBlankRow(row)).map((row) => [row.key.trim(), comparableJson(row.value)]);

  /** The input value; call after the rows checked out (blank rows are skipped). */
  function toValue(): Record<string, unknown> {
    const payload: Record<string, unknown> = {};
    for (const row of rows.value) if (!isBlankRow(row)) payload[row.key] = JSON.parse(row.value);
    return payload;
  }

  /** Whether a server error path belongs here: the field itself, or a claim that has a row. */
  function owns(errorPath: string): boolean {
    const base = path();
    if (!base) return false;
    if (errorPath === base) return true;
    const claim = errorPath.startsWith(`${base}.`) ? errorPath.slice(base.length + 1) : undefined;
    return claim !== undefined && rows.value.some((row) => row.key === claim);
  }

  return { rows, load, add, remove, rowError, hasProblems, hasTyped, comparable, toValue, owns };
}
