import type { Site } from '../sites/site.entity.js';

/**
 * What the dispatcher, `testSite` and the preview need from the OAuth2 token store: a usable
 * access token for a site of one of the three OAuth2 methods. The token store (oauth/) implements
 * it; callers never learn how the token was obtained.
 */
export interface AccessTokenProvider {
  /**
   * A valid access token, fetched or refreshed first when needed (one request per site at a time,
   * across processes). `forceRefresh` is for a 401 from the receiver: refresh even if the stored
   * token looks valid. `retryFailure` is for a person testing the site: a stored failure is asked
   * again rather than repeated. Rejects with `TokenUnavailableError` when no token can be had.
   */
  accessTokenFor(site: Site, options?: { forceRefresh?: boolean; retryFailure?: boolean }): Promise<string>;
}

export class TokenUnavailableError extends Error {
  readonly code = 'TOKEN_UNAVAILABLE';
  constructor(
    message: string,
    /** True when only a person can fix it (Connect again, correct the credentials); retrying will not help. */
    readonly needsReconnect: boolean,
  ) {
    super(message);
  }
}
