import { computed, ref } from 'vue';

/**
 * Unsaved changes: the form is dirty when what a save would carry (`snapshot`) differs from what
 * it carried when last marked clean (after loading or saving). Typing a value and then restoring
 * it is not a change.
 */
export function useDirtyTracking(snapshot: () => string) {
  const pristine = ref('');
  const dirty = computed(() => snapshot() !== pristine.value);
  /** Takes what is on screen as the unchanged state. */
  function markClean() {
    pristine.value = snapshot();
  }
  return { dirty, markClean };
}
