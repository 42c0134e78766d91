import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

/**
 * A new delivery id: a UUIDv7 (RFC 9562: 48 bits of Unix milliseconds, then 74 random bits), so
 * ids made one after another sort together. PostgreSQL inserts them at the right-hand edge of the
 * `delivery`, `delivery_body` and `delivery_attempt` indexes on them instead of at random leaf
 * pages: `bench/pg-cycle.ts` against `--random-ids` (v4), three alternating pairs — completion
 * 47/35/37 → 35/28/27 µs, all three statements 133/104/103 → 113/96/95 µs of PostgreSQL CPU per
 * delivery on a table of 20,000; the larger the table, the more random leaves fall out of the cache.
 * The creation time an id reveals is the delivery's `createdAt`, which its readers see anyway.
 *
 * The random bits come from a pool filled 256 ids at a time: `uuid`'s own generator asks WebCrypto
 * for 16 bytes per id (~4.7 µs an id here, against ~0.3 µs from the pool).
 */
const pool = Buffer.allocUnsafe(16 * 256);
let next = pool.length;

export function newDeliveryId(): string {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const random = pool.subarray(next, next + 16);
  next += 16;
  return v7({ random });
}
