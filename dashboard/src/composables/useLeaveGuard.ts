import { type Ref, onBeforeUnmount, onMounted, ref } from 'vue';
import { type RouteLocationNormalized, onBeforeRouteLeave, onBeforeRouteUpdate } from 'vue-router';

/**
 * Asks before unsaved changes are left behind. Navigation inside the app waits on a dialog the
 * caller shows while `asking` is true (answered with `stay()` or `leave()`); closing or reloading
 * the tab gets the browser's own prompt. Nothing is asked while `dirty()` is false.
 *
 * Must be called in a component rendered by <RouterView>.
 */
export function useLeaveGuard(dirty: () => boolean): { asking: Ref<boolean>; stay: () => void; leave: () => void } {
  const asking = ref(false);
  let answer: ((leave: boolean) => void) | null = null;

  function settle(leave: boolean) {
    const resolve = answer;
    answer = null;
    asking.value = false;
    resolve?.(leave);
  }

  function guard(to: RouteLocationNormalized): boolean | Promise<boolean> {
    // A public page is where an ended session goes (sign-in): staying could not save anything.
    if (!dirty() || to.meta.public) return true;
    // A second navigation (the back button while the dialog is open) replaces the first.
    settle(false);
    asking.value = true;
    return new Promise<boolean>((resolve) => {
      answer = resolve;
    });
  }

  onBeforeRouteLeave((to) => guard(to));
  // The same page for another site (/sites/a → /sites/b) is an update, not a leave; the form is
  // replaced all the same. A change of query alone keeps it.
  onBeforeRouteUpdate((to, from) => (to.path === from.path ? true : guard(to)));

  function onBeforeUnload(event: BeforeUnloadEvent) {
    if (!dirty()) return;
    event.preventDefault();
    // Older browsers prompt only for a non-empty returnValue (its text is never shown).
    event.returnValue = 'unsaved changes';
  }
  onMounted(() => window.addEventListener('beforeunload', onBeforeUnload));
  onBeforeUnmount(() => {
    window.removeEventListener('beforeunload', onBeforeUnload);
    settle(false);
  });

  return { asking, stay: () => settle(false), leave: () => settle(true) };
}
