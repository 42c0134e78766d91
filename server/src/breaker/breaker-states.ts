/**
 * The breaker's states and the kinds of site event, as plain values: the SQL, the policy, the token
 * service and the metrics use them without loading GraphQL (breaker.types.ts registers them as the
 * schema's enums). A script that imports the dispatcher's SQL therefore needs no reflect-metadata.
 */

/** A site's circuit breaker (README.md here): the values are the strings stored in dispatch_gate.breaker_state. */
export enum BreakerState {
  CLOSED = 'CLOSED',
  OPEN = 'OPEN',
  HALF_OPEN = 'HALF_OPEN',
}

/** What a site event says happened; the values are the strings stored in site_event.kind. */
export enum SiteEventKind {
  BREAKER_OPENED = 'BREAKER_OPENED',
  BREAKER_HALF_OPEN = 'BREAKER_HALF_OPEN',
  BREAKER_CLOSED = 'BREAKER_CLOSED',
  SITE_AUTO_DISABLED = 'SITE_AUTO_DISABLED',
  TOKEN_NEEDS_RECONNECT = 'TOKEN_NEEDS_RECONNECT',
  CERTIFICATE_EXPIRING = 'CERTIFICATE_EXPIRING',
}
