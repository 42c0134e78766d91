import { Migration } from '@mikro-orm/migrations';

/**
 * The statement trigger of Migration0004 finds the attempts of deleted deliveries by joining the
 * transition table. PL/pgSQL plans that join once per connection, for however many rows the
 * first deletion there had: after a deletion of a few thousand deliveries (a retention batch, a
 * busy site deleted) it is a hash join over a sequential scan of every attempt, kept for that
 * connection's later deletions too — 180 ms to remove 5,000 deliveries' attempts out of 600,000,
 * growing with the table, where index probes take 20 ms. `= ANY (ARRAY(...))` is always answered
 * from `delivery_attempt_delivery_idx`, so the cost follows the rows deleted, not the table.
 * No index is added: nothing changes for inserts and completions.
 */
export class Migration0005AttemptCascadeByIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE OR REPLACE FUNCTION delete_attempts_of_deleted_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM delivery_attempt WHERE delivery_id = ANY (ARRAY(SELECT id FROM gone));
        RETURN NULL;
      END $$`);
  }

  override async down(): Promise<void> {
    this.addSql(`
      CREATE OR REPLACE FUNCTION delete_attempts_of_deleted_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM delivery_attempt a USING gone g WHERE a.delivery_id = g.id;
        RETURN NULL;
      END $$`);
  }
}
