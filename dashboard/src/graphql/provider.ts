import type { Client } from '@urql/vue';
import { shallowRef } from 'vue';
import { type ApiClient, createApiClient } from './client';

let current: ApiClient | null = null;
let onUnauthenticated: () => void = () => {};

/** The client the app provides; replaced on every sign-in so no cached data crosses sessions. */
export const apiClient = shallowRef<Client>(null as unknown as Client);

export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

const connectedListeners = new Set<() => void>();

/**
 * Calls `listener` whenever the live connection (subscriptions) is established or re-established;
 * returns the function that stops it. A view fed by a subscription reads its data again then,
 * since what happened before its subscription was in place reached nobody.
 */
export function onLiveConnected(listener: () => void): () => void {
  connectedListeners.add(listener);
  return () => connectedListeners.delete(listener);
}

export function resetApiClient(): void {
  current?.dispose();
  current = createApiClient(
    () => onUnauthenticated(),
    window.location.origin,
    () => {
      for (const listener of connectedListeners) listener();
    },
  );
  apiClient.value = current.client;
}
