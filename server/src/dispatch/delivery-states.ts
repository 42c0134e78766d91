/**
 * The delivery state machine, in one place.
 *
 * | from                      | event                                              | to                                   | SQL (transitions.sql.ts) |
 * |---------------------------|----------------------------------------------------|--------------------------------------|--------------------------|
 * | —                         | accepted by sendWebhook(s)                         | PENDING                              | insertDeliveries         |
 * | PENDING, RETRYING (due)   | claimed within the site's lanes and rate slots     | IN_FLIGHT (attempt_count + 1)        | claimDeliveries          |
 * | IN_FLIGHT                 | the attempt got a 2xx                              | SUCCEEDED                            | completeAttempts         |
 * | IN_FLIGHT                 | retryable failure with attempts left in the run    | RETRYING (at next_attempt_at)        | completeAttempts         |
 * | IN_FLIGHT                 | permanent failure, or the run's attempts used up   | FAILED                               | completeAttempts         |
 * | IN_FLIGHT                 | given back unsent (shutdown, missed slot, limits)  | PENDING or RETRYING (count restored) | releaseDeliveries        |
 * | IN_FLIGHT                 | lease ran out, or its process is gone              | RETRYING, or FAILED when used up     | reclaimExpiredLeases     |
 * | FAILED                    | retryDelivery (a fresh run of attempts)            | RETRYING                             | requeueFailedDelivery    |
 * | FAILED (a site's, by time)| retryDeliveries (each as above, 1,000 a statement) | RETRYING                             | requeueFailedDeliveries  |
 *
 * SUCCEEDED is final. Every IN_FLIGHT → * transition except a give-back records an attempt row.
 * A site that is not ACTIVE, or whose circuit breaker is not CLOSED (breaker/), is not claimed
 * from — its deliveries are held in PENDING/RETRYING — except the breaker's one probe.
 * Whether a run has "given up" is decided here only (`gaveUp`, and `GAVE_UP_SQL` for the one
 * statement that decides it in PostgreSQL).
 */

/** Every state a delivery can be in (the GraphQL enum `DeliveryStatus` has the same values). */
export const DELIVERY_STATES = ['PENDING', 'IN_FLIGHT', 'RETRYING', 'SUCCEEDED', 'FAILED'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** States waiting for a claim (when due). */
export const QUEUED_STATES = ['PENDING', 'RETRYING'] as const satisfies readonly DeliveryState[];

/** What one attempt did to its delivery: the attempt row's `outcome`, the metrics' and the spans' label. */
export const ATTEMPT_OUTCOMES = ['SUCCEEDED', 'RETRYING', 'FAILED'] as const satisfies readonly DeliveryState[];
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

export interface Transition {
  from: readonly DeliveryState[] | null;
  to: readonly DeliveryState[];
  /** The function in transitions.sql.ts that makes it. */
  sql: string;
}

/** The table above, as data (the state machine test checks it against the SQL module). */
export const TRANSITIONS: readonly Transition[] = [
  { from: null, to: ['PENDING'], sql: 'insertDeliveries' },
  { from: QUEUED_STATES, to: ['IN_FLIGHT'], sql: 'claimDeliveries' },
  { from: ['IN_FLIGHT'], to: ATTEMPT_OUTCOMES, sql: 'completeAttempts' },
  { from: ['IN_FLIGHT'], to: QUEUED_STATES, sql: 'releaseDeliveries' },
  { from: ['IN_FLIGHT'], to: ['RETRYING', 'FAILED'], sql: 'reclaimExpiredLeases' },
  { from: ['FAILED'], to: ['RETRYING'], sql: 'requeueFailedDelivery' },
  { from: ['FAILED'], to: ['RETRYING'], sql: 'requeueFailedDeliveries' },
];

/** Whether a run that has made `attemptsInRun` attempts may make no more. */
export function gaveUp(attemptsInRun: number, maxAttempts: number): boolean {
  return attemptsInRun >= maxAttempts;
}

/** The error a delivery fails with once its run is used up. */
export function gaveUpMessage(attemptsInRun: number, reason: string): string {
  return `gave up after ${attemptsInRun} attempt${attemptsInRun === 1 ? '' : 's'}: ${reason}`;
}

/**
 * `gaveUp` and `gaveUpMessage` as SQL, for the statement that decides it for many rows at once
 * (reclaimExpiredLeases): `attempts` and `max` are SQL expressions, `reason` a text expression.
 */
export const GAVE_UP_SQL = {
  test: (attempts: string, max: string) => `(${attempts}) >= (${max})`,
  message: (attempts: string, reason: string) =>
    `'gave up after ' || (${attempts}) || CASE WHEN (${attempts}) = 1 THEN ' attempt: ' ELSE ' attempts: ' END || (${reason})`,
};
