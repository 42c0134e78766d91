import { createHash } from 'node:crypto';

/*
 * Every PostgreSQL advisory lock this service takes, named in one place so that no two share an id
 * (they used to be kept apart by comments in four files). PostgreSQL keeps the one-key (bigint)
 * and two-key (int4, int4) forms in separate key spaces; the ids here differ across both anyway,
 * so nobody has to know that to add one.
 */

/** One-key locks: `pg_advisory_lock(id)`, `pg_advisory_xact_lock(id)`, `pg_try_advisory_xact_lock(id)`. */
export const ADVISORY_LOCKS = {
  /** Session lock around the migrations: processes starting at once take turns (db/orm.ts). */
  MIGRATIONS: 7261000001,
  /** Transaction lock serialising API token creation, so two requests cannot both take a free name (access/). */
  API_TOKEN_CREATE: 7261000002,
  /** Transaction lock of each retention batch, tried: one process removes at a time (retention/). */
  RETENTION: 7261000003,
  /** Transaction lock of the certificate-expiry check, so two processes do not both record one certificate (breaker/). */
  CERTIFICATE_EXPIRY: 7261000004,
} as const;

/** Two-key locks: the class is the first key, `lockKeyOf(record id)` the second. */
export const ADVISORY_LOCK_CLASSES = {
  /** Session lock per site, held through its OAuth token request, across processes (docs/design.md rule 4; oauth/). */
  SITE_TOKEN_REQUEST: 7261002,
} as const;

/** An int4 from a record id for the second key of a two-key lock; a collision only serialises two records. */
export function lockKeyOf(id: string): number {
  return createHash('sha256').update(id).digest().readInt32BE(0);
}
