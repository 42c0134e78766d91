import { Migration } from '@mikro-orm/migrations';

/**
 * The audit trail (audit/): one row per change made through the API — who (the API token's id and
 * name as they were), what (operation, target, the site and its name at the time) and which fields
 * changed, as paths only: no value is ever stored, so no secret can be. Not linked to site or
 * api_token by foreign keys: the trail outlives what it describes.
 *
 * oauth_state gets who started each connect, so the callback (a browser redirect, no API token)
 * is recorded against the token that started it.
 */
export class Migration0006AuditEvents extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE audit_event (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        -- NULL: TRUSTED_SITES_ADMIN_TOKEN (it has no row), or an OAuth callback whose start is unknown.
        token_id uuid,
        token_name text NOT NULL,
        operation text NOT NULL,
        target_type text NOT NULL CHECK (target_type IN ('SITE', 'API_TOKEN', 'DELIVERY')),
        target_id text NOT NULL,
        target_name text,
        site_id uuid,
        site_name text,
        changed text[] NOT NULL DEFAULT '{}'
      )`);
    // Newest first by id everywhere; retention and since/until go by time.
    this.addSql(`CREATE INDEX audit_event_at_idx ON audit_event (at)`);
    this.addSql(`CREATE INDEX audit_event_site_idx ON audit_event (site_id, id DESC) WHERE site_id IS NOT NULL`);
    this.addSql(`CREATE INDEX audit_event_token_idx ON audit_event (token_id, id DESC) WHERE token_id IS NOT NULL`);
    this.addSql(`ALTER TABLE oauth_state ADD COLUMN started_by_token_id uuid, ADD COLUMN started_by_token_name text`);
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE oauth_state DROP COLUMN started_by_token_id, DROP COLUMN started_by_token_name');
    this.addSql('DROP TABLE audit_event');
  }
}
