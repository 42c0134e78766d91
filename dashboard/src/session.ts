import { ref } from 'vue';

// sessionStorage, not localStorage: an admin token should not outlive the browser tab it was typed into.
const KEY = 'trusted-sites.token';

function read(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export const sessionToken = ref<string | null>(read());

export function signIn(token: string): void {
  sessionToken.value = token;
  sessionStorage.setItem(KEY, token);
}

export function signOut(): void {
  sessionToken.value = null;
  sessionStorage.removeItem(KEY);
}

export function authorizationHeader(): string | undefined {
  return sessionToken.value ? `Bearer ${sessionToken.value}` : undefined;
}
