import { Migration } from '@mikro-orm/migrations';

/**
 * A site's static headers (sites/static-headers.ts): a jsonb array of { name, value, sealed }, a
 * secret header holding only its sealed value (crypto/sealed-values.ts re-seals them on master-key
 * rotation). Added without a rewrite of the table (a constant default, PostgreSQL 11+).
 */
export class Migration0009StaticHeaders extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE site ADD COLUMN headers jsonb NOT NULL DEFAULT '[]'::jsonb`);
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE site DROP COLUMN headers');
  }
}
