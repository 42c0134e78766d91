import { Migration } from '@mikro-orm/migrations';

/**
 * A site's payload signatures (sites/payload-signing.ts): jsonb { enabled, secrets: [{ id, createdAt,
 * expiresAt, fingerprint, sealed }] }, each secret held only sealed (crypto/sealed-values.ts re-seals
 * them on master-key rotation). Added without a rewrite of the table (a constant default, PostgreSQL 11+).
 */
export class Migration0010PayloadSigning extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE site ADD COLUMN signing jsonb NOT NULL DEFAULT '{"enabled": false, "secrets": []}'::jsonb`);
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE site DROP COLUMN signing');
  }
}
