import { Migration } from '@mikro-orm/migrations';

/**
 * What an audit event needs beyond the changed paths: for DELIVERIES_RETRIED (a bulk replay) the
 * filter it was given and how many deliveries it sent again — never a payload or a secret. NULL for
 * every other event. Added without a rewrite of the table (no default).
 */
export class Migration0011AuditDetails extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE audit_event ADD COLUMN details jsonb`);
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE audit_event DROP COLUMN details');
  }
}
