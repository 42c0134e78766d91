import { Migration } from '@mikro-orm/migrations';

/**
 * Webhook bodies in a table of their own (issue 14). PostgreSQL writes a whole new row version for
 * every UPDATE, and a body under ~2 KB is stored inside the row (TOAST only moves values out of
 * rows over that size), so the claim and the completion each copied the body again: about 25–30 µs
 * of PostgreSQL CPU and 1 KB of WAL per row version for a 1 KB body. A body is written once, with
 * its delivery, and read once per attempt (by the claim); the delivery rows the state changes
 * rewrite stay small.
 *
 * No foreign key (a row-level check per insert): a statement trigger deletes the bodies of deleted
 * deliveries, as Migration0004/0005 do for attempts, by index (`= ANY (ARRAY(...))`).
 *
 * Rows written before this keep their body in `delivery.body` (now nullable, NULL for new rows):
 * the claim reads `coalesce(delivery_body.body, delivery.body)`, so nothing is copied here and the
 * migration takes no time on a large table. Those rows go with retention.
 */
export class Migration0014DeliveryBody extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE delivery_body (id uuid PRIMARY KEY, body bytea NOT NULL)`);
    this.addSql(`ALTER TABLE delivery ALTER COLUMN body DROP NOT NULL`);
    this.addSql(`
      CREATE FUNCTION delete_bodies_of_deleted_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM delivery_body WHERE id = ANY (ARRAY(SELECT id FROM gone));
        RETURN NULL;
      END $$`);
    this.addSql(`
      CREATE TRIGGER delivery_bodies_cascade AFTER DELETE ON delivery
        REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION delete_bodies_of_deleted_deliveries()`);
  }

  override async down(): Promise<void> {
    this.addSql(`UPDATE delivery d SET body = b.body FROM delivery_body b WHERE b.id = d.id AND d.body IS NULL`);
    this.addSql(`DROP TRIGGER delivery_bodies_cascade ON delivery`);
    this.addSql(`DROP FUNCTION delete_bodies_of_deleted_deliveries()`);
    this.addSql(`ALTER TABLE delivery ALTER COLUMN body SET NOT NULL`);
    this.addSql(`DROP TABLE delivery_body`);
  }
}
