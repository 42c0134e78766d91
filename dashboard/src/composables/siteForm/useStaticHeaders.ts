import { type Ref, ref } from 'vue';
import type { SiteFieldsFragment, StaticHeaderInput } from '../../graphql/generated/graphql';
import { hasControlCharacters } from '../siteRules';

/** One static header as typed. A secret one that is stored shows blank: leaving it blank keeps it. */
export interface HeaderRow {
  id: number;
  name: string;
  value: string;
  secret: boolean;
  /** The name it was loaded with when its secret value is stored (the server keeps a secret by name). */
  storedSecretName?: string;
}

let rowIds = 0;

// RFC 9110 §5.6.2 (a token), as the server checks it.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** As the server: at most 50 headers (sites/static-headers.ts). */
export const MAX_STATIC_HEADERS = 50;

const isBlankRow = (row: HeaderRow) => row.name.trim() === '' && row.value === '' && !row.storedSecretName;

/**
 * The site's static headers (sent on every request, before signing): rows of name, value and a
 * secret toggle. Server errors arrive as `headers.<i>.name` / `headers.<i>.value` (the index of the
 * row in what was sent, blank rows left out) and `headers`; each shows on its row.
 */
export function useStaticHeaders(errors: Ref<Record<string, string>>) {
  const rows = ref<HeaderRow[]>([]);

  function load(site: Pick<SiteFieldsFragment, 'headers'> | null) {
    rows.value = (site?.headers ?? []).map((h) => ({
      id: ++rowIds,
      name: h.name,
      value: h.secret ? '' : (h.value ?? ''),
      secret: h.secret,
      ...(h.secret && h.valueSet ? { storedSecretName: h.name } : {}),
    }));
  }

  function add() {
    rows.value.push({ id: ++rowIds, name: '', value: '', secret: false });
  }

  function remove(id: number) {
    rows.value = rows.value.filter((row) => row.id !== id);
    dropHeaderErrors();
  }

  /** Rows sent, in order: their index is the one in the server's error paths. */
  const sentRows = () => rows.value.filter((row) => !isBlankRow(row));

  /** A stored secret is kept when the row still names it (case aside) and nothing new is typed. */
  const keepsStoredSecret = (row: HeaderRow) => row.secret && row.value === '' && row.storedSecretName !== undefined && row.storedSecretName === row.name.trim().toLowerCase();

  /** The path prefix of a row's server errors, or undefined for a blank row (not sent). */
  function pathOf(row: HeaderRow): string | undefined {
    const index = sentRows().findIndex((r) => r.id === row.id);
    return index < 0 ? undefined : `headers.${index}`;
  }

  function clientError(row: HeaderRow): { name?: string; value?: string } {
    if (isBlankRow(row)) return {};
    const name = row.name.trim().toLowerCase();
    let nameError: string | undefined;
    if (name === '') nameError = 'A header name is required';
    else if (!HEADER_NAME.test(name)) nameError = "Not a valid header name: letters, digits and !#$%&'*+-.^_`|~ only (RFC 9110 §5.6.2)";
    else if (rows.value.some((other) => other.id < row.id && other.name.trim().toLowerCase() === name)) nameError = 'This header is already listed above';
    let valueError: string | undefined;
    if (keepsStoredSecret(row)) valueError = undefined;
    else if (row.secret && row.value === '') valueError = 'A secret header needs a value';
    else if (hasControlCharacters(row.value)) valueError = 'Must not contain control characters such as line breaks (RFC 9110 §5.5)';
    // eslint-disable-next-line no-control-regex
    else if (/[^\x00-\x7f]/.test(row.value)) valueError = 'Must be ASCII: HTTP header values cannot carry other characters (RFC 9110 §5.5)';
    else if (row.value !== row.value.trim()) valueError = 'Must not start or end with a space or tab (RFC 9110 §5.5)';
    return { name: nameError, value: valueError };
  }

  /** What a row shows: its own check first, else what the server said about it. */
  function rowError(row: HeaderRow): { name?: string; value?: string } {
    const own = clientError(row);
    const path = pathOf(row);
    return {
      name: own.name ?? (path ? errors.value[`${path}.name`] : undefined),
      value: own.value ?? (path ? errors.value[`${path}.value`] : undefined),
    };
  }

  /** The error of the list as a whole (too many, too long). */
  const listError = () => (sentRows().length > MAX_STATIC_HEADERS ? `At most ${MAX_STATIC_HEADERS} headers` : errors.value.headers);

  const hasProblems = () => sentRows().length > MAX_STATIC_HEADERS || rows.value.some((row) => {
    const own = clientError(row);
    return Boolean(own.name || own.value);
  });

  /** Once rows move, index-based server errors no longer point at the right row. */
  function dropHeaderErrors() {
    if (!Object.keys(errors.value).some((p) => p === 'headers' || p.startsWith('headers.'))) return;
    errors.value = Object.fromEntries(Object.entries(errors.value).filter(([p]) => p !== 'headers' && !p.startsWith('headers.')));
  }

  /** Clears a row's server error when it is edited. */
  function edited(row: HeaderRow, part: 'name' | 'value') {
    const path = pathOf(row);
    if (!path || !(`${path}.${part}` in errors.value)) return;
    const next = { ...errors.value };
    delete next[`${path}.${part}`];
    errors.value = next;
  }

  /** The input list: a secret row left blank keeps its stored value (sent without one). */
  function toInput(): StaticHeaderInput[] {
    return sentRows().map((row) =>
      keepsStoredSecret(row) ? { name: row.name.trim(), secret: true } : { name: row.name.trim(), value: row.value, secret: row.secret },
    );
  }

  /** Whether a server error path is for a header (so it shows on a row, not above the form). */
  function owns(path: string): boolean {
    if (path === 'headers') return true;
    const match = /^headers\.(\d+)\.(name|value)$/.exec(path);
    return match !== null && Number(match[1]) < sentRows().length;
  }

  /** What a save would send, comparable between two states; a secret typed is a change. */
  const comparable = () => toInput();

  return { rows, load, add, remove, rowError, listError, hasProblems, edited, toInput, owns, comparable, keepsStoredSecret };
}
