import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { type RotationFailure, SEALED_TABLES, type SealedTable } from './sealed-values.js';
import type { SecretBox } from './secrets.js';
import { withTransaction } from '../db/sql.js';

/**
 * Re-sealing every stored secret under the sealing (first) master key, online: small transactions
 * that lock their rows (`FOR UPDATE SKIP LOCKED`) and read the values inside the lock, so a value
 * written meanwhile by the service is the one re-sealed, never overwritten with an older one. The
 * service keeps running on every process: each opens both keys, and rows a request holds are
 * skipped and come back in a later batch.
 */

export interface KeyCount {
  table: string;
  keyId: string;
  count: number;
}

export interface RotationOptions {
  /** Rows per transaction. */
  batchSize?: number;
  /** How long rows held by others may keep the rotation waiting before it gives up on them. */
  lockWaitMs?: number;
  /** Whole passes over every table; another one runs when values under an old key appear again. */
  maxPasses?: number;
  /** Awaited after each committed batch. */
  onBatch?: (table: string, batch: { rows: number; values: number }) => void | Promise<void>;
}

export interface RotationReport {
  sealingKeyId: string;
  /** Per table, what was re-sealed. */
  resealed: Array<{ table: string; rows: number; values: number }>;
  failures: RotationFailure[];
  /** Values not under the sealing key at the end (failures included). */
  remaining: KeyCount[];
  /** Key ids values were found under before, other than the sealing key. */
  oldKeyIds: string[];
}

export async function countSealedByKey(db: Pick<pg.Pool, 'query'>, tables: readonly SealedTable[] = SEALED_TABLES): Promise<KeyCount[]> {
  const counts: KeyCount[] = [];
  for (const table of tables) {
    for (const [keyId, count] of await table.countByKey(db)) counts.push({ table: table.name, keyId, count });
  }
  return counts.sort((a, b) => a.table.localeCompare(b.table) || a.keyId.localeCompare(b.keyId));
}

async function rotateTable(pool: pg.Pool, box: SecretBox, table: SealedTable, options: Required<Omit<RotationOptions, 'onBatch'>> & Pick<RotationOptions, 'onBatch'>) {
  const skip: string[] = [];
  const failures: RotationFailure[] = [];
  let rows = 0;
  let values = 0;
  let waitingSince: number | undefined;
  for (;;) {
    const batch = await withTransaction(pool, (client) => table.rotateBatch(client, box, options.batchSize, skip));
    skip.push(...batch.failedRecords);
    failures.push(...batch.failures);
    rows += batch.rows;
    values += batch.values;
    if (batch.rows) await options.onBatch?.(table.name, { rows: batch.rows, values: batch.values });
    if (batch.claimed) {
      waitingSince = undefined;
      continue;
    }
    // Nothing to claim: done, unless the rest is locked by the service right now.
    const locked = await table.countPending(pool, box.sealingKeyId, skip);
    if (!locked) break;
    waitingSince ??= Date.now();
    if (Date.now() - waitingSince > options.lockWaitMs) {
      failures.push({ table: table.name, record: `${locked} rows`, field: '*', reason: `still locked by another transaction after ${options.lockWaitMs} ms` });
      break;
    }
    await sleep(100);
  }
  return { rows, values, failures };
}

export async function rotateSecrets(pool: pg.Pool, box: SecretBox, options: RotationOptions = {}): Promise<RotationReport> {
  const settings = { batchSize: options.batchSize ?? 100, lockWaitMs: options.lockWaitMs ?? 60_000, maxPasses: options.maxPasses ?? 3, onBatch: options.onBatch };
  const before = await countSealedByKey(pool);
  const oldKeyIds = [...new Set(before.filter((c) => c.keyId !== box.sealingKeyId).map((c) => c.keyId))].sort();
  const resealed = new Map(SEALED_TABLES.map((t) => [t.name, { table: t.name, rows: 0, values: 0 }]));
  let failures: RotationFailure[] = [];
  let remaining: KeyCount[] = [];
  for (let pass = 0; pass < settings.maxPasses; pass++) {
    failures = [];
    for (const table of SEALED_TABLES) {
      const done = await rotateTable(pool, box, table, settings);
      const total = resealed.get(table.name)!;
      total.rows += done.rows;
      total.values += done.values;
      failures.push(...done.failures);
    }
    remaining = (await countSealedByKey(pool)).filter((c) => c.keyId !== box.sealingKeyId);
    // Values sealed under an old key again during the pass (a process not yet given the new key
    // as its first) are taken in another pass; failures would only fail again.
    if (!remaining.length || failures.length) break;
  }
  for (const keyId of remaining.map((c) => c.keyId)) if (!oldKeyIds.includes(keyId)) oldKeyIds.push(keyId);
  return { sealingKeyId: box.sealingKeyId, resealed: [...resealed.values()], failures, remaining, oldKeyIds };
}
