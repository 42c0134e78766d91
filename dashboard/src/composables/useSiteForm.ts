import { type Ref, computed, reactive, ref, unref, watch } from 'vue';
import { useMutation } from '@urql/vue';
import type { AuthMethod, SiteFieldsFragment, SiteInput, SiteUpdateInput } from '../graphql/generated/graphql';
import { CreateSiteMutation, UpdateSiteMutation } from '../graphql/sites';
import { type AuthFieldDef, type AuthMethodDef, type AuthValues, isSecretKind, methodDef } from './authMethods';
import { type FieldError, fieldErrorsOf } from './fieldErrors';
import { MAX_RPS, THREADS, checkClaimName, checkHttpUrl, checkJsonValue, checkMaxRps, checkName, checkThreads, isMediaType, parseNumber } from './siteRules';

export interface PayloadRow {
  id: number;
  key: string;
  value: string;
}

export interface SiteFormOptions {
  /** The saved site when editing; absent for a new one. */
  site?: Ref<SiteFieldsFragment | null | undefined> | SiteFieldsFragment | null;
}

let rowIds = 0;

function rowsFromPayload(payload: unknown): PayloadRow[] {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return [];
  return Object.entries(payload as Record<string, unknown>).map(([key, value]) => ({ id: ++rowIds, key, value: JSON.stringify(value) }));
}

function initialValues(def: AuthMethodDef): AuthValues {
  const values: AuthValues = {};
  for (const field of def.fields) if (field.kind !== 'payload') values[field.key] = field.initial ?? '';
  return values;
}

/**
 * State, client checks and saving for the site form (DESIGN rule 10). Errors are keyed by the
 * server's field paths (`name`, `performance.maxRps`, `auth.jwt.timeToLive` …) so the client's
 * checks and the server's `fieldErrors` land in the same place.
 */
export function useSiteForm(options: SiteFormOptions = {}) {
  const saved = computed(() => unref(options.site) ?? null);
  const isEdit = computed(() => saved.value !== null);

  const base = reactive({ name: '', url: '', contentType: 'application/json', maxRps: String(MAX_RPS.default), threads: String(THREADS.default) });
  const method = ref<AuthMethod | ''>('');
  const auth = reactive<AuthValues>({});
  const payloadRows = ref<PayloadRow[]>([]);
  const storedSecrets = ref<Record<string, boolean>>({});
  /** Stored optional secrets the user chose to remove (sent as "", which the API reads as "remove"). */
  const removedSecrets = ref<Record<string, boolean>>({});
  /** The method whose secrets are stored; secrets are only "kept" while the form stays on it. */
  const storedMethod = ref<AuthMethod | null>(null);
  const errors = ref<Record<string, string>>({});
  /** Server errors whose path has no field on screen: shown above the form rather than lost. */
  const otherErrors = ref<FieldError[]>([]);
  const pendingMethod = ref<AuthMethod | null>(null);

  const def = computed(() => (method.value ? methodDef(method.value) : null));
  const visibleFields = computed(() => (def.value ? def.value.fields.filter((f) => !f.visible || f.visible(auth)) : []));

  function replaceAuth(values: AuthValues) {
    for (const key of Object.keys(auth)) delete auth[key];
    Object.assign(auth, values);
  }

  /** What load() reads of a site: the form's fields, not its status or token. */
  function contentOf(site: SiteFieldsFragment | null): string {
    if (!site) return '';
    const { name, url, contentType, performance, authMethod, auth: config } = site;
    return JSON.stringify([name, url, contentType, performance, authMethod, config]);
  }
  let loadedContent = '';

  function load(site: SiteFieldsFragment | null) {
    loadedContent = contentOf(site);
    errors.value = {};
    otherErrors.value = [];
    if (!site) {
      markClean();
      return;
    }
    Object.assign(base, {
      name: site.name,
      url: site.url,
      contentType: site.contentType,
      maxRps: String(site.performance.maxRps),
      threads: String(site.performance.threads),
    });
    const d = methodDef(site.authMethod);
    const { values, secretsSet } = d.read(site.auth);
    method.value = site.authMethod;
    storedMethod.value = site.authMethod;
    storedSecrets.value = secretsSet;
    removedSecrets.value = {};
    replaceAuth({ ...initialValues(d), ...values });
    payloadRows.value = site.auth.__typename === 'JwtAuth' ? rowsFromPayload(site.auth.payload) : [];
    markClean();
  }

  // ---- unsaved changes: the form is dirty when saving it would send something other than
  // what was loaded (or, for a new site, the empty form). Typing a value and then restoring it
  // is not a change; any secret typed is one (blank means "keep the stored one").

  function comparableNumber(text: string): number | string {
    const n = parseNumber(text);
    return Number.isFinite(n) ? n : text.trim();
  }

  function comparableJson(text: string): string {
    try {
      return JSON.stringify(JSON.parse(text));
    } catch {
      return text.trim();
    }
  }

  /** What a save would carry, in a form two states can be compared by. */
  function snapshot(): string {
    const fields = visibleFields.value.map((field) => {
      if (field.kind === 'payload') {
        const rows = payloadRows.value.filter((row) => row.key.trim() !== '' || row.value.trim() !== '');
        return [field.key, rows.map((row) => [row.key.trim(), comparableJson(row.value)])];
      }
      const value = auth[field.key] ?? '';
      return [field.key, isSecretKind(field.kind) ? value : field.kind === 'int' ? comparableNumber(value) : value.trim()];
    });
    const removed = Object.keys(removedSecrets.value).filter((key) => removedSecrets.value[key]).sort();
    return JSON.stringify([
      base.name.trim(),
      base.url.trim(),
      base.contentType.trim(),
      comparableNumber(base.maxRps),
      comparableNumber(base.threads),
      method.value,
      fields,
      removed,
    ]);
  }

  const pristine = ref('');
  const dirty = computed(() => snapshot() !== pristine.value);

  /** Takes what is on screen as the unchanged state (after loading or saving). */
  function markClean() {
    pristine.value = snapshot();
  }

  // The page's query hands over a new object whenever the site is fetched again (after setting
  // it active, on token events): the fields are only reloaded when they changed, so that does
  // not wipe what is being typed.
  watch(saved, (site) => {
    if (site && contentOf(site) === loadedContent) return;
    load(site);
  }, { immediate: true });

  const authPath = (key: string) => (def.value ? `auth.${def.value.inputKey}.${key}` : `auth.${key}`);

  function secretStored(key: string): boolean {
    return storedMethod.value !== null && storedMethod.value === method.value && Boolean(storedSecrets.value[key]);
  }

  /** A stored secret the method can do without (the AWS session token) may be removed. */
  function canRemoveSecret(field: AuthFieldDef): boolean {
    const required = typeof field.required === 'function' ? field.required(auth) : Boolean(field.required);
    return isSecretKind(field.kind) && !required && secretStored(field.key);
  }

  function setSecretRemoved(key: string, removed: boolean): void {
    removedSecrets.value = { ...removedSecrets.value, [key]: removed };
    if (removed) auth[key] = '';
  }

  function isRequired(field: AuthFieldDef): boolean {
    const required = typeof field.required === 'function' ? field.required(auth) : Boolean(field.required);
    return required && !(isSecretKind(field.kind) && secretStored(field.key));
  }

  // ---- method switch: asks before discarding anything typed for the current method.

  /** Whether the current method's fields hold anything beyond their defaults. */
  function hasTypedAuthValues(): boolean {
    if (!def.value) return false;
    const initial = initialValues(def.value);
    if (Object.entries(auth).some(([key, value]) => value.trim() !== (initial[key] ?? '').trim())) return true;
    return payloadRows.value.some((row) => row.key.trim() !== '' || row.value.trim() !== '');
  }

  function applyMethod(next: AuthMethod) {
    method.value = next;
    const d = methodDef(next);
    if (next === storedMethod.value && saved.value) {
      replaceAuth({ ...initialValues(d), ...d.read(saved.value.auth).values });
      payloadRows.value = saved.value.auth.__typename === 'JwtAuth' ? rowsFromPayload(saved.value.auth.payload) : [];
    } else {
      replaceAuth(initialValues(d));
      payloadRows.value = [];
    }
    const kept: Record<string, string> = {};
    for (const [path, message] of Object.entries(errors.value)) if (!path.startsWith('auth')) kept[path] = message;
    errors.value = kept;
  }

  /** Returns true when the method changed now; false when it waits for confirmMethodChange(). */
  function selectMethod(next: AuthMethod): boolean {
    if (next === method.value) return true;
    if (hasTypedAuthValues()) {
      pendingMethod.value = next;
      return false;
    }
    applyMethod(next);
    return true;
  }

  function confirmMethodChange() {
    if (pendingMethod.value) applyMethod(pendingMethod.value);
    pendingMethod.value = null;
  }

  function cancelMethodChange() {
    pendingMethod.value = null;
  }

  // ---- JWT payload rows: values are JSON, checked as they are typed.

  function addPayloadRow() {
    payloadRows.value.push({ id: ++rowIds, key: '', value: '' });
  }

  function removePayloadRow(id: number) {
    payloadRows.value = payloadRows.value.filter((row) => row.id !== id);
  }

  function payloadRowError(row: PayloadRow): { key?: string; value?: string } {
    if (row.key.trim() === '' && row.value.trim() === '') return {};
    const duplicate = payloadRows.value.some((other) => other.id !== row.id && other.key === row.key && other.id < row.id);
    const serverKeyError = errors.value[`auth.jwt.payload.${row.key}`];
    return {
      key: checkClaimName(row.key) ?? (duplicate ? 'This claim is already listed above' : serverKeyError),
      value: checkJsonValue(row.value),
    };
  }

  // ---- checks

  function checkAuthField(field: AuthFieldDef): string | undefined {
    if (field.kind === 'payload') return undefined;
    const value = auth[field.key] ?? '';
    if (value.trim() === '') return isRequired(field) ? (isSecretKind(field.kind) ? 'This secret is required' : `${field.label} is required`) : undefined;
    return field.check?.(value, auth);
  }

  function checkPath(path: string): string | undefined {
    switch (path) {
      case 'name':
        return checkName(base.name);
      case 'url':
        return checkHttpUrl(base.url);
      case 'contentType':
        return base.contentType.trim() && !isMediaType(base.contentType) ? 'Must be a media type such as application/json or text/plain; charset=utf-8' : undefined;
      case 'performance.maxRps':
        return checkMaxRps(base.maxRps);
      case 'performance.threads':
        return checkThreads(base.threads);
      case 'auth':
        return method.value ? undefined : 'Choose an authentication method';
    }
    const field = visibleFields.value.find((f) => authPath(f.key) === path);
    return field ? checkAuthField(field) : undefined;
  }

  function fieldPaths(): string[] {
    return ['name', 'url', 'contentType', 'performance.maxRps', 'performance.threads', 'auth', ...visibleFields.value.filter((f) => f.kind !== 'payload').map((f) => authPath(f.key))];
  }

  // Pressing the submit button blurs the field being typed in. Showing that field's error would
  // move the button down between mousedown and mouseup, and the click would never happen; submit
  // checks everything anyway, so blur checks wait while the button is held.
  let blurChecksHeldUntil = 0;
  function holdBlurChecks() {
    blurChecksHeldUntil = Date.now() + 1500;
  }

  /** Re-checks one field (on blur), keeping a server error on it until the value changes. */
  function touch(path: string) {
    if (Date.now() < blurChecksHeldUntil) return;
    const message = checkPath(path);
    const next = { ...errors.value };
    if (message) next[path] = message;
    else delete next[path];
    errors.value = next;
  }

  function clearError(path: string) {
    if (!(path in errors.value)) return;
    const next = { ...errors.value };
    delete next[path];
    errors.value = next;
  }

  function validate(): boolean {
    blurChecksHeldUntil = 0;
    const next: Record<string, string> = {};
    for (const path of fieldPaths()) {
      const message = checkPath(path);
      if (message) next[path] = message;
    }
    if (method.value === 'JWT') {
      for (const row of payloadRows.value) {
        const problem = payloadRowError(row);
        if (problem.key || problem.value) next[`auth.jwt.payload`] = 'Fix the claims marked below';
      }
    }
    errors.value = next;
    otherErrors.value = [];
    return Object.keys(next).length === 0;
  }

  /**
   * Puts server field errors under their fields by path. A claim error (`auth.jwt.payload.iss`)
   * shows on its row; a path the form has no field for goes to `otherErrors`.
   */
  function applyFieldErrors(list: FieldError[]) {
    const known = new Set(fieldPaths());
    if (method.value === 'JWT') known.add('auth.jwt.payload');
    const next: Record<string, string> = {};
    const other: FieldError[] = [];
    for (const { path, message } of list) {
      const claim = path.startsWith('auth.jwt.payload.') ? path.slice('auth.jwt.payload.'.length) : undefined;
      if (known.has(path) || (claim !== undefined && payloadRows.value.some((r) => r.key === claim))) next[path] ??= message;
      else other.push({ path, message });
    }
    errors.value = next;
    otherErrors.value = other;
  }

  // ---- input

  function payloadObject(): Record<string, unknown> {
    const payload: Record<string, unknown> = {};
    for (const row of payloadRows.value) {
      if (row.key.trim() === '' && row.value.trim() === '') continue;
      payload[row.key] = JSON.parse(row.value);
    }
    return payload;
  }

  function authMember(forUpdate: boolean): Record<string, unknown> {
    const member: Record<string, unknown> = {};
    for (const field of visibleFields.value) {
      const value = auth[field.key] ?? '';
      if (field.kind === 'payload') member.payload = payloadObject();
      else if (isSecretKind(field.kind)) {
        // Blank keeps the stored secret: leaving it out is how the API says "keep"; "" removes it.
        if (value !== '') member[field.key] = field.kind === 'pem' ? value.trim() : value;
        else if (forUpdate && removedSecrets.value[field.key] && canRemoveSecret(field)) member[field.key] = '';
      } else if (field.kind === 'int') {
        const n = parseNumber(value);
        member[field.key] = Number.isFinite(n) ? n : null;
      } else if (value.trim() !== '') member[field.key] = value.trim();
      // An emptied optional field on an update is sent as "" so the stored value is cleared.
      else if (forUpdate && field.kind !== 'select') member[field.key] = '';
    }
    return member;
  }

  function commonInput(forUpdate: boolean) {
    if (!def.value) throw new Error('no authentication method chosen');
    return {
      name: base.name.trim(),
      url: base.url.trim(),
      contentType: base.contentType.trim() || (forUpdate ? '' : undefined),
      performance: { maxRps: parseNumber(base.maxRps), threads: parseNumber(base.threads) },
      auth: { [def.value.inputKey]: authMember(forUpdate) },
    };
  }

  function toCreateInput(): SiteInput {
    return commonInput(false) as SiteInput;
  }

  function toUpdateInput(): SiteUpdateInput {
    return commonInput(true) as SiteUpdateInput;
  }

  // ---- saving

  const create = useMutation(CreateSiteMutation);
  const update = useMutation(UpdateSiteMutation);
  const submitting = computed(() => create.fetching.value || update.fetching.value);

  /** Checks, then creates or updates. Returns the saved site, or null with errors shown. */
  async function submit(): Promise<{ site: SiteFieldsFragment | null; error?: import('@urql/vue').CombinedError }> {
    if (!validate()) return { site: null };
    const result = saved.value
      ? await update.executeMutation({ id: saved.value.id, input: toUpdateInput() })
      : await create.executeMutation({ input: toCreateInput() });
    if (result.error) {
      const list = fieldErrorsOf(result.error);
      if (list.length) applyFieldErrors(list);
      return { site: null, error: result.error };
    }
    const site = result.data && ('createSite' in result.data ? result.data.createSite : result.data.updateSite);
    if (saved.value && site) load(site);
    // A created site opens on its own page; nothing here is unsaved any more.
    else if (site) markClean();
    return { site: site ?? null };
  }

  /** Whether a secret field should read "set — leave blank to keep". */
  const isSecretStored = secretStored;

  return {
    base,
    method,
    auth,
    payloadRows,
    errors,
    otherErrors,
    pendingMethod,
    def,
    visibleFields,
    isEdit,
    submitting,
    dirty,
    markClean,
    authPath,
    isRequired,
    isSecretStored,
    canRemoveSecret,
    removedSecrets,
    setSecretRemoved,
    selectMethod,
    confirmMethodChange,
    cancelMethodChange,
    hasTypedAuthValues,
    addPayloadRow,
    removePayloadRow,
    payloadRowError,
    touch,
    holdBlurChecks,
    clearError,
    validate,
    applyFieldErrors,
    toCreateInput,
    toUpdateInput,
    submit,
    reset: () => load(saved.value),
  };
}

export type SiteForm = ReturnType<typeof useSiteForm>;
