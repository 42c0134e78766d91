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

export function resetApiClient(): void {
  current?.dispose();
  current = createApiClient(() => onUnauthenticated());
  apiClient.value = current.client;
}
