import { type Ref, computed, reactive, ref, unref, watch } from 'vue';
import { type CombinedError, useMutation } from '@urql/vue';
import type { SiteFieldsFragment, SiteInput, SiteUpdateInput } from '../graphql/generated/graphql';
import { CreateSiteMutation, UpdateSiteMutation } from '../graphql/sites';
import { type FieldError, fieldErrorsOf } from './fieldErrors';
import { comparableNumber } from './siteForm/fieldKinds';
import { type BaseValues, toSiteInput } from './siteForm/toSiteInput';
import { useAuthFields } from './siteForm/useAuthFields';
import { useDirtyTracking } from './siteForm/useDirtyTracking';
import { useStaticHeaders } from './siteForm/useStaticHeaders';
import { MAX_RPS, THREADS, checkHttpUrl, checkMaxRps, checkName, checkThreads, isMediaType } from './siteRules';

export type { PayloadRow } from './siteForm/usePayloadRows';
export type { HeaderRow } from './siteForm/useStaticHeaders';

export interface SiteFormOptions {
  /** The saved site when editing; absent for a new one. */
  site?: Ref<SiteFieldsFragment | null | undefined> | SiteFieldsFragment | null;
}

/**
 * State, client checks and saving for the site form (docs/design.md rule 10). Errors are keyed by the
 * server's field paths (`name`, `performance.maxRps`, `auth.jwt.timeToLive` …) so the client's
 * checks and the server's `fieldErrors` land in the same place. The parts live in siteForm/: the
 * method's fields (useAuthFields, with claim rows in usePayloadRows), what a save sends
 * (toSiteInput, pure) and unsaved changes (useDirtyTracking).
 */
export function useSiteForm(options: SiteFormOptions = {}) {
  const saved = computed(() => unref(options.site) ?? null);
  const isEdit = computed(() => saved.value !== null);

  const base = reactive<BaseValues>({ name: '', url: '', contentType: 'application/json', maxRps: String(MAX_RPS.default), threads: String(THREADS.default), sendTraceparent: false });
  const errors = ref<Record<string, string>>({});
  /** Server errors whose path has no field on screen: shown above the form rather than lost. */
  const otherErrors = ref<FieldError[]>([]);
  const a = useAuthFields(saved, errors);
  const headers = useStaticHeaders(errors);
  /** The static headers as loaded: an update sends the list only when it differs. */
  let loadedHeaders = '[]';

  // ---- unsaved changes: the form is dirty when saving it would send something other than what
  // was loaded (or, for a new site, the empty form); any secret typed is a change (blank means
  // "keep the stored one").
  const { dirty, markClean } = useDirtyTracking(() =>
    JSON.stringify([base.name.trim(), base.url.trim(), base.contentType.trim(), comparableNumber(base.maxRps), comparableNumber(base.threads), Boolean(base.sendTraceparent), a.comparable(), headers.comparable()]),
  );

  /** What load() reads of a site: the form's fields, not its status or token. */
  function contentOf(site: SiteFieldsFragment | null): string {
    if (!site) return '';
    const { name, url, contentType, performance, sendTraceparent, authMethod, auth: config, headers: stored } = site;
    return JSON.stringify([name, url, contentType, performance, sendTraceparent, authMethod, config, stored]);
  }
  let loadedContent = '';

  function load(site: SiteFieldsFragment | null) {
    loadedContent = contentOf(site);
    errors.value = {};
    otherErrors.value = [];
    if (site) {
      Object.assign(base, {
        name: site.name,
        url: site.url,
        contentType: site.contentType,
        maxRps: String(site.performance.maxRps),
        threads: String(site.performance.threads),
        sendTraceparent: site.sendTraceparent,
      });
      a.load(site);
    }
    headers.load(site);
    loadedHeaders = JSON.stringify(headers.toInput());
    markClean();
  }

  // The page's query hands over a new object whenever the site is fetched again (after setting
  // it active, on token events): the fields are only reloaded when they changed, so that does
  // not wipe what is being typed.
  watch(saved, (site) => {
    if (site && contentOf(site) === loadedContent) return;
    load(site);
  }, { immediate: true });

  // ---- checks

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
        return a.method.value ? undefined : 'Choose an authentication method';
    }
    const field = a.visibleFields.value.find((f) => a.authPath(f.key) === path);
    return field ? a.checkField(field) : undefined;
  }

  /** The paths of the fields on screen that have an input of their own (claims are rows, see usePayloadRows). */
  function fieldPaths(): string[] {
    return ['name', 'url', 'contentType', 'performance.maxRps', 'performance.threads', 'auth', ...a.visibleFields.value.filter((f) => f.kind !== 'payload').map((f) => a.authPath(f.key))];
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
    for (const field of a.visibleFields.value) {
      if (field.kind === 'payload' && a.payload.hasProblems()) next[a.authPath(field.key)] = 'Fix the claims marked below';
    }
    if (headers.hasProblems()) next.headers = 'Fix the headers marked below';
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
    const next: Record<string, string> = {};
    const other: FieldError[] = [];
    for (const { path, message } of list) {
      if (known.has(path) || a.payload.owns(path) || headers.owns(path)) next[path] ??= message;
      else other.push({ path, message });
    }
    errors.value = next;
    otherErrors.value = other;
  }

  // ---- input and saving

  const toCreateInput = (): SiteInput => {
    const list = headers.toInput();
    return toSiteInput(base, a.state(), 'create', list.length ? list : undefined);
  };
  const toUpdateInput = (): SiteUpdateInput => {
    const list = headers.toInput();
    return toSiteInput(base, a.state(), 'update', JSON.stringify(list) !== loadedHeaders ? list : undefined);
  };

  const create = useMutation(CreateSiteMutation);
  const update = useMutation(UpdateSiteMutation);
  const submitting = computed(() => create.fetching.value || update.fetching.value);

  /** Checks, then creates or updates. Returns the saved site, or null with errors shown. */
  async function submit(): Promise<{ site: SiteFieldsFragment | null; error?: CombinedError }> {
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

  return {
    base,
    method: a.method,
    auth: a.auth,
    payloadRows: a.payload.rows,
    errors,
    otherErrors,
    pendingMethod: a.pendingMethod,
    def: a.def,
    visibleFields: a.visibleFields,
    isEdit,
    submitting,
    dirty,
    markClean,
    authPath: a.authPath,
    isRequired: a.isRequired,
    /** Whether a secret field should read "set — leave blank to keep". */
    isSecretStored: a.secretStored,
    canRemoveSecret: a.canRemoveSecret,
    removedSecrets: a.removedSecrets,
    setSecretRemoved: a.setSecretRemoved,
    selectMethod: a.selectMethod,
    confirmMethodChange: a.confirmMethodChange,
    cancelMethodChange: a.cancelMethodChange,
    hasTypedAuthValues: a.hasTypedAuthValues,
    addPayloadRow: a.payload.add,
    removePayloadRow: a.payload.remove,
    payloadRowError: a.payload.rowError,
    /** The static headers' rows (name, value, secret) and their errors. */
    headers,
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
