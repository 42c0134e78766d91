import { type CombinedError, useMutation } from '@urql/vue';
import { reactive, ref } from 'vue';
import { CreateApiTokenMutation } from '../graphql/apiTokens';
import type { CreateApiTokenMutation as CreateApiTokenResult, Role } from '../graphql/generated/graphql';
import { type FieldError, fieldErrorsOf } from './fieldErrors';
import { checkTokenName } from './roles';

export type CreatedApiToken = CreateApiTokenResult['createApiToken'];

const PATHS = ['name', 'role'] as const;
type Path = (typeof PATHS)[number];

/**
 * State, client checks and saving for the new-token form (docs/design.md rule 10). Errors are keyed by
 * the server's field paths (`name`, `role`), so the client's checks and the server's
 * `fieldErrors` land under the same field.
 */
export function useApiTokenForm() {
  const values = reactive<{ name: string; role: Role }>({ name: '', role: 'VIEWER' });
  const errors = ref<Partial<Record<Path, string>>>({});
  /** Server errors whose path has no field here: shown above the form rather than lost. */
  const otherErrors = ref<FieldError[]>([]);
  const create = useMutation(CreateApiTokenMutation);

  function check(path: Path): string | undefined {
    return path === 'name' ? checkTokenName(values.name) : undefined;
  }

  /** Paths whose error came from the server: kept on blur until the value is edited (clearError). */
  const fromServer = new Set<Path>();

  /**
   * Re-checks one field on blur. An empty field is left alone: pressing Create blurs it, and an
   * error appearing then would move the button away from the click; submit checks it anyway.
   */
  function touch(path: Path) {
    const message = path === 'name' && !values.name.trim() ? undefined : check(path);
    const next = { ...errors.value };
    if (message) {
      next[path] = message;
      fromServer.delete(path);
    } else if (!fromServer.has(path)) delete next[path];
    errors.value = next;
  }

  function clearError(path: Path) {
    fromServer.delete(path);
    if (!(path in errors.value)) return;
    const next = { ...errors.value };
    delete next[path];
    errors.value = next;
  }

  function validate(): boolean {
    const next: Partial<Record<Path, string>> = {};
    for (const path of PATHS) {
      const message = check(path);
      if (message) next[path] = message;
    }
    errors.value = next;
    otherErrors.value = [];
    fromServer.clear();
    return Object.keys(next).length === 0;
  }

  function applyFieldErrors(list: FieldError[]) {
    const next: Partial<Record<Path, string>> = {};
    const other: FieldError[] = [];
    for (const { path, message } of list) {
      if ((PATHS as readonly string[]).includes(path)) {
        next[path as Path] ??= message;
        fromServer.add(path as Path);
      } else other.push({ path, message });
    }
    errors.value = next;
    otherErrors.value = other;
  }

  /** Checks, then creates. The answer carries the secret: the caller shows it once and drops it. */
  async function submit(): Promise<{ created: CreatedApiToken | null; error?: CombinedError }> {
    if (!validate()) return { created: null };
    const result = await create.executeMutation({ input: { name: values.name.trim(), role: values.role } });
    if (result.error) {
      const list = fieldErrorsOf(result.error);
      if (list.length) applyFieldErrors(list);
      return { created: null, error: result.error };
    }
    const created = result.data?.createApiToken ?? null;
    if (created) {
      values.name = '';
      errors.value = {};
    }
    return { created };
  }

  return { values, errors, otherErrors, submitting: create.fetching, touch, clearError, validate, applyFieldErrors, submit };
}

export type ApiTokenForm = ReturnType<typeof useApiTokenForm>;
