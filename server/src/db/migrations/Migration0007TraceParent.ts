import { Migration } from '@mikro-orm/migrations';

/**
 * Traces (tracing/): a delivery keeps the W3C traceparent of the sendWebhook(s) operation that
 * accepted it, so each attempt's span joins that trace in whichever process sends it, after any
 * restart. NULL when tracing was off (nothing is stored then). And each site says whether its
 * receiver gets a traceparent header (off unless asked for: it tells a receiver our trace ids).
 * Both columns are added without a rewrite of the table (a constant default, PostgreSQL 11+).
 */
export class Migration0007TraceParent extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE delivery ADD COLUMN trace_parent text');
    this.addSql('ALTER TABLE site ADD COLUMN send_traceparent boolean NOT NULL DEFAULT false');
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE site DROP COLUMN send_traceparent');
    this.addSql('ALTER TABLE delivery DROP COLUMN trace_parent');
  }
}
