import { CombinedError } from '@urql/vue';
import { describe, expect, it } from 'vitest';
import { fieldErrorsOf } from '../composables/fieldErrors';
import { isUnauthenticated } from './client';

describe('error codes, never messages', () => {
  it('treats HTTP 401 and the UNAUTHENTICATED code as signed out', () => {
    expect(isUnauthenticated(new CombinedError({ graphQLErrors: [{ message: 'whatever', extensions: { code: 'UNAUTHENTICATED' } }] }))).toBe(true);
    expect(isUnauthenticated(new CombinedError({ networkError: new Error('x'), response: { status: 401 } }))).toBe(true);
    expect(isUnauthenticated(new CombinedError({ graphQLErrors: [{ message: 'Unauthenticated', extensions: { code: 'FORBIDDEN' } }] }))).toBe(false);
    expect(isUnauthenticated(undefined)).toBe(false);
  });

  it('reads fieldErrors only from BAD_USER_INPUT', () => {
    const fieldErrors = [{ path: 'url', message: 'm' }];
    expect(fieldErrorsOf(new CombinedError({ graphQLErrors: [{ message: 'x', extensions: { code: 'BAD_USER_INPUT', fieldErrors } }] }))).toEqual(fieldErrors);
    expect(fieldErrorsOf(new CombinedError({ graphQLErrors: [{ message: 'x', extensions: { code: 'CONFLICT', fieldErrors } }] }))).toEqual([]);
  });
});
