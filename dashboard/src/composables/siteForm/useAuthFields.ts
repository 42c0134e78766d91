import { type ComputedRef, type Ref, computed, reactive, ref } from 'vue';
import type { AuthMethod, SiteFieldsFragment } from '../../graphql/generated/graphql';
import { type AuthFieldDef, type AuthMethodDef, type AuthValues, isSecretKind, methodDef } from '../authMethods';
import { SCALAR_KINDS, isScalarKind } from './fieldKinds';
import type { AuthState } from './toSiteInput';
import { usePayloadRows } from './usePayloadRows';

function initialValues(def: AuthMethodDef): AuthValues {
  const values: AuthValues = {};
  for (const field of def.fields) if (isScalarKind(field.kind)) values[field.key] = field.initial ?? '';
  return values;
}

function isRequiredFor(field: AuthFieldDef, values: AuthValues): boolean {
  return typeof field.required === 'function' ? field.required(values) : Boolean(field.required);
}

/**
 * The authentication part of the site form: the chosen method, its fields' values (scalar ones in
 * `auth`, claims in `payload`), which secrets are stored, kept or removed, and switching method
 * (which asks before discarding anything typed). Nothing here knows a particular method: the
 * method's field list says what to show, and the field kind how to treat it.
 */
export function useAuthFields(saved: ComputedRef<SiteFieldsFragment | null>, errors: Ref<Record<string, string>>) {
  const method = ref<AuthMethod | ''>('');
  const auth = reactive<AuthValues>({});
  const storedSecrets = ref<Record<string, boolean>>({});
  /** Stored optional secrets the user chose to remove (sent as "", which the API reads as "remove"). */
  const removedSecrets = ref<Record<string, boolean>>({});
  /** The method whose secrets are stored; secrets are only "kept" while the form stays on it. */
  const storedMethod = ref<AuthMethod | null>(null);
  const pendingMethod = ref<AuthMethod | null>(null);

  const def = computed(() => (method.value ? methodDef(method.value) : null));
  const visibleFields = computed(() => (def.value ? def.value.fields.filter((f) => !f.visible || f.visible(auth)) : []));
  const authPath = (key: string) => (def.value ? `auth.${def.value.inputKey}.${key}` : `auth.${key}`);

  const payloadField = computed(() => visibleFields.value.find((f) => f.kind === 'payload'));
  const claims = usePayloadRows(() => (payloadField.value ? authPath(payloadField.value.key) : undefined), errors);
  /**
   * The server's paths of one entry of a `list` or `pairs` field (`auth.x.resource[1]`,
   * `auth.x.extraParams[0].name`) belong to that field's widget, which shows them on the entry.
   */
  function ownsEntryPath(path: string): boolean {
    return visibleFields.value.some((f) => (f.kind === 'list' || f.kind === 'pairs') && path.startsWith(`${authPath(f.key)}[`));
  }
  // useSiteForm asks `payload.owns` which server errors have a place in the method's widgets.
  const payload = { ...claims, owns: (path: string) => claims.owns(path) || ownsEntryPath(path) };

  function replaceAuth(values: AuthValues) {
    for (const key of Object.keys(auth)) delete auth[key];
    Object.assign(auth, values);
  }

  /** Fills the fields from a saved site's config (plain values only: secrets are never readable). */
  function fillFrom(d: AuthMethodDef, config: SiteFieldsFragment['auth'] | null) {
    if (!config) {
      replaceAuth(initialValues(d));
      payload.load(undefined);
      return;
    }
    replaceAuth({ ...initialValues(d), ...d.read(config).values });
    const structured = d.fields.find((f) => f.kind === 'payload');
    payload.load(structured ? (config as Record<string, unknown>)[structured.key] : undefined);
  }

  function load(site: SiteFieldsFragment) {
    const d = methodDef(site.authMethod);
    method.value = site.authMethod;
    storedMethod.value = site.authMethod;
    storedSecrets.value = d.read(site.auth).secretsSet;
    removedSecrets.value = {};
    fillFrom(d, site.auth);
  }

  function secretStored(key: string): boolean {
    return storedMethod.value !== null && storedMethod.value === method.value && Boolean(storedSecrets.value[key]);
  }

  /** A stored secret the method can do without (the AWS session token) may be removed. */
  function canRemoveSecret(field: AuthFieldDef): boolean {
    return isSecretKind(field.kind) && !isRequiredFor(field, auth) && secretStored(field.key);
  }

  function setSecretRemoved(key: string, removed: boolean): void {
    removedSecrets.value = { ...removedSecrets.value, [key]: removed };
    if (removed) auth[key] = '';
  }

  function isRequired(field: AuthFieldDef): boolean {
    return isRequiredFor(field, auth) && !(isSecretKind(field.kind) && secretStored(field.key));
  }

  /** The client check of one scalar field: required first, then the field's own rule on what is typed. */
  function checkField(field: AuthFieldDef): string | undefined {
    if (!isScalarKind(field.kind)) return undefined;
    const value = auth[field.key] ?? '';
    if (value.trim() === '') return isRequired(field) ? (isSecretKind(field.kind) ? 'This secret is required' : `${field.label} is required`) : undefined;
    return field.check?.(value, auth);
  }

  // ---- method switch: asks before discarding anything typed for the current method.

  /** Whether the current method's fields hold anything beyond their defaults. */
  function hasTypedAuthValues(): boolean {
    if (!def.value) return false;
    const initial = initialValues(def.value);
    if (Object.entries(auth).some(([key, value]) => value.trim() !== (initial[key] ?? '').trim())) return true;
    return payload.hasTyped();
  }

  function applyMethod(next: AuthMethod) {
    method.value = next;
    fillFrom(methodDef(next), next === storedMethod.value && saved.value ? saved.value.auth : null);
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

  // ---- what a save carries

  /** The method's part of the input, for toSiteInput. */
  function state(): AuthState {
    if (!def.value) throw new Error('no authentication method chosen');
    const fields = visibleFields.value;
    return {
      inputKey: def.value.inputKey,
      fields,
      values: auth,
      structured: Object.fromEntries(fields.filter((f) => f.kind === 'payload').map((f) => [f.key, payload.toValue()])),
      removeSecrets: fields.filter((f) => removedSecrets.value[f.key] && canRemoveSecret(f)).map((f) => f.key),
    };
  }

  /** The same, in a form two states can be compared by (see useDirtyTracking). */
  function comparable(): unknown {
    const fields = visibleFields.value.map((field) =>
      isScalarKind(field.kind) ? [field.key, SCALAR_KINDS[field.kind].comparable(auth[field.key] ?? '')] : [field.key, payload.comparable()],
    );
    const removed = Object.keys(removedSecrets.value).filter((key) => removedSecrets.value[key]).sort();
    return [method.value, fields, removed];
  }

  return {
    method,
    auth,
    def,
    visibleFields,
    payload,
    pendingMethod,
    removedSecrets,
    authPath,
    load,
    secretStored,
    canRemoveSecret,
    setSecretRemoved,
    isRequired,
    checkField,
    hasTypedAuthValues,
    selectMethod,
    confirmMethodChange,
    cancelMethodChange,
    state,
    comparable,
  };
}
