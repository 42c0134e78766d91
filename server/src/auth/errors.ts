/** Thrown by a signer whose required secret is not stored: the site must be edited, retrying will not help. */
export class MissingSecretError extends Error {
  readonly code = 'MISSING_SECRET';
  constructor(method: string, secret: string) {
    super(`${method}: the ${secret} is not set; save it on the site first`);
    this.name = 'MissingSecretError';
  }
}

/**
 * The dispatcher (and testSite / preview) must fetch the site's access token through the token
 * provider and pass it in `SignContext.accessToken` before calling an OAuth2 method's signer.
 * Reaching a signer without one is a wiring bug, not a provider failure, hence its own code.
 */
export class AccessTokenMissingError extends Error {
  readonly code = 'ACCESS_TOKEN_MISSING';
  constructor(readonly methodLabel: string) {
    super(`${methodLabel}: no access token was supplied to the signer; fetch it from the token provider first`);
    this.name = 'AccessTokenMissingError';
  }
}
