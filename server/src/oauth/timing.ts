/**
 * When a token counts as expiring. Renewal starts `marginSeconds` before expiry, but never earlier
 * than three quarters into the token's life: a 60-minute token with the default 300 s margin is
 * renewed 5 minutes before it expires, a 1-minute token 15 s before, and a short-lived token is not
 * renewed on every use. The margin is `TOKEN_REFRESH_MARGIN_SECONDS` (config.ts).
 */
export function refreshAtFor(obtainedAt: Date, expiresAt: Date | null, marginSeconds: number): Date | null {
  if (!expiresAt) return null;
  const lifetimeMs = Math.max(0, expiresAt.getTime() - obtainedAt.getTime());
  const marginMs = Math.min(marginSeconds * 1000, lifetimeMs / 4);
  return new Date(expiresAt.getTime() - marginMs);
}

/**
 * The token's lifetime in seconds. Authorization code: what the provider says (none said: no
 * clock expiry; a 401 from the receiver still forces a refresh). Client credentials and JWT
 * bearer: the lower of the provider's `expires_in` and the site's configured expiration.
 */
export function lifetimeSeconds(expiresIn: number | undefined, configuredMinutes: number | undefined): number | undefined {
  const configured = configuredMinutes === undefined ? undefined : configuredMinutes * 60;
  if (expiresIn === undefined) return configured;
  if (configured === undefined) return expiresIn;
  return Math.min(expiresIn, configured);
}
