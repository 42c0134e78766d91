import type { CombinedError } from '@urql/vue';

export interface FieldError {
  path: string;
  message: string;
}

/** The `extensions.fieldErrors` of a BAD_USER_INPUT answer (docs/design.md rule 9); empty for any other error. */
export function fieldErrorsOf(error: CombinedError | undefined | null): FieldError[] {
  if (!error) return [];
  const out: FieldError[] = [];
  for (const e of error.graphQLErrors) {
    if (e.extensions?.code !== 'BAD_USER_INPUT') continue;
    const list = e.extensions.fieldErrors;
    if (!Array.isArray(list)) continue;
    for (const item of list as unknown[]) {
      if (item && typeof item === 'object' && typeof (item as FieldError).path === 'string' && typeof (item as FieldError).message === 'string') {
        out.push({ path: (item as FieldError).path, message: (item as FieldError).message });
      }
    }
  }
  return out;
}

/** The code of the first GraphQL error, or NETWORK for a failure to reach the server. */
export function errorCode(error: CombinedError | undefined | null): string | undefined {
  if (!error) return undefined;
  if (error.networkError && !error.graphQLErrors.length) return 'NETWORK';
  return error.graphQLErrors[0]?.extensions?.code as string | undefined;
}

/** A short sentence for a toast. Picked by code; the server's message is shown as given, never parsed. */
export function describeError(error: CombinedError | undefined | null): string {
  switch (errorCode(error)) {
    case 'NETWORK':
      return 'The server could not be reached. Check your connection and try again.';
    case 'UNAUTHENTICATED':
      return 'Your session has ended. Sign in again.';
    case 'FORBIDDEN':
      return 'Your token may read but not change this.';
    case 'NOT_FOUND':
      return 'It no longer exists; it may have been deleted.';
    case 'BAD_USER_INPUT':
      return 'Some fields need attention.';
    default:
      return error?.graphQLErrors[0]?.message ?? error?.message ?? 'Something went wrong.';
  }
}
