import { onScopeDispose, ref } from 'vue';

/** A clock that ticks once a second while some component uses it: drives countdowns. */
const now = ref(Date.now());
let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;

export function useNow() {
  users += 1;
  if (!timer) {
    // The clock may have stood still since the last user left.
    now.value = Date.now();
    timer = setInterval(() => (now.value = Date.now()), 1000);
  }
  onScopeDispose(() => {
    users -= 1;
    if (users === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  });
  return now;
}

/** "4:05", "1 h 02 min", "3 d 4 h": time left until `iso`, or undefined once passed. */
export function formatCountdown(iso: string | null | undefined, nowMs: number): string | undefined {
  if (!iso) return undefined;
  const left = Math.floor((Date.parse(iso) - nowMs) / 1000);
  if (!(left > 0)) return undefined;
  const d = Math.floor(left / 86_400);
  const h = Math.floor((left % 86_400) / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  if (d) return `${d} d ${h} h`;
  if (h) return `${h} h ${String(m).padStart(2, '0')} min`;
  return `${m}:${String(s).padStart(2, '0')}`;
}

/** Today's times as a clock time with seconds; older ones with their date. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (date.toDateString() === new Date().toDateString()) return date.toLocaleTimeString(undefined, { timeStyle: 'medium' });
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}
