import type { Component } from 'vue';
import type { FieldKind } from '../composables/authMethods';
import JwtPayloadEditor from './JwtPayloadEditor.vue';
import ListFieldInput from './ListFieldInput.vue';
import PairsEditor from './PairsEditor.vue';

/**
 * Field kinds that need more than one input: SiteForm renders the component listed here (with
 * props `form` and `field`) instead of its generic input. Every other kind is drawn by SiteForm.
 */
export const FIELD_WIDGETS: Partial<Record<FieldKind, Component>> = {
  payload: JwtPayloadEditor,
  list: ListFieldInput,
  pairs: PairsEditor,
};
