import { Migration } from '@mikro-orm/migrations';

/**
 * Fewer index writes per delivery (issue 5, throughput). Every claim and completion rewrites a
 * delivery row, and a row version is added to every index whose predicate it meets, so each index
 * on `delivery` cost three inserts per delivery; each on `delivery_attempt`, one more.
 *
 * - `delivery_created_idx` goes: the list of all sites' deliveries, newest first, now merges the
 *   per-site index (`delivery_site_created_idx`) site by site (see `listDeliveries`).
 * - The idempotency key's unique index only holds rows that have a key.
 * - `delivery_attempt` loses its bigserial id (nothing refers to it) and its foreign key (a
 *   row-level check per attempt); a statement trigger deletes the attempts of deleted deliveries
 *   instead. Its two B-tree indexes on `started_at` (for the chart) become one BRIN index: attempts
 *   are appended in time order, which is what BRIN needs, and it costs nearly nothing to keep.
 */
export class Migration0004LeanerDeliveryWrites extends Migration {
  override async up(): Promise<void> {
    this.addSql(`DROP INDEX delivery_created_idx`);
    this.addSql(`ALTER TABLE delivery DROP CONSTRAINT delivery_idempotency`);
    this.addSql(`CREATE UNIQUE INDEX delivery_idempotency ON delivery (site_id, idempotency_key) WHERE idempotency_key IS NOT NULL`);
    this.addSql(`ALTER TABLE delivery_attempt DROP CONSTRAINT delivery_attempt_delivery_id_fkey`);
    this.addSql(`ALTER TABLE delivery_attempt DROP COLUMN id`);
    this.addSql(`DROP INDEX delivery_attempt_started_idx`);
    this.addSql(`DROP INDEX delivery_attempt_site_started_idx`);
    this.addSql(`CREATE INDEX delivery_attempt_started_brin ON delivery_attempt USING brin (started_at)`);
    this.addSql(`
      CREATE FUNCTION delete_attempts_of_deleted_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM delivery_attempt a USING gone g WHERE a.delivery_id = g.id;
        RETURN NULL;
      END $$`);
    this.addSql(`
      CREATE TRIGGER delivery_attempts_cascade AFTER DELETE ON delivery
        REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION delete_attempts_of_deleted_deliveries()`);
  }

  override async down(): Promise<void> {
    this.addSql(`DROP TRIGGER delivery_attempts_cascade ON delivery`);
    this.addSql(`DROP FUNCTION delete_attempts_of_deleted_deliveries()`);
    this.addSql(`DROP INDEX delivery_attempt_started_brin`);
    this.addSql(`CREATE INDEX delivery_attempt_site_started_idx ON delivery_attempt (site_id, started_at)`);
    this.addSql(`CREATE INDEX delivery_attempt_started_idx ON delivery_attempt (started_at)`);
    this.addSql(`ALTER TABLE delivery_attempt ADD COLUMN id bigserial PRIMARY KEY`);
    this.addSql(`DELETE FROM delivery_attempt a WHERE NOT EXISTS (SELECT 1 FROM delivery d WHERE d.id = a.delivery_id)`);
    this.addSql(`ALTER TABLE delivery_attempt ADD CONSTRAINT delivery_attempt_delivery_id_fkey FOREIGN KEY (delivery_id) REFERENCES delivery (id) ON DELETE CASCADE`);
    this.addSql(`DROP INDEX delivery_idempotency`);
    this.addSql(`ALTER TABLE delivery ADD CONSTRAINT delivery_idempotency UNIQUE (site_id, idempotency_key)`);
    this.addSql(`CREATE INDEX delivery_created_idx ON delivery (created_at DESC, id DESC)`);
  }
}
