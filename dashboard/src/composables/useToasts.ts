import { reactive } from 'vue';

export type ToastKind = 'success' | 'error' | 'info';

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
}

let nextId = 0;
export const toasts = reactive<Toast[]>([]);

export function dismissToast(id: number): void {
  const index = toasts.findIndex((t) => t.id === id);
  if (index !== -1) toasts.splice(index, 1);
}

/** Shows a short outcome message; errors stay longer because they usually need reading. */
export function toast(message: string, kind: ToastKind = 'success'): void {
  const id = ++nextId;
  toasts.push({ id, kind, message });
  if (toasts.length > 4) toasts.shift();
  setTimeout(() => dismissToast(id), kind === 'error' ? 8000 : 4000);
}
