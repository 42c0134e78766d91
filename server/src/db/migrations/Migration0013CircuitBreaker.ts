import { Migration } from '@mikro-orm/migrations';

/**
 * The circuit breaker, site events and the operational webhook (breaker/README.md).
 *
 * The breaker's state lives on `dispatch_gate`, the per-site row every claim already locks: so
 * the decision to hold a site's deliveries, and to let exactly one probe through, is made under
 * that lock across every process, with no row of its own to read on the hot path. A site without
 * a gate row (nothing ever queued for it) is CLOSED. All columns are added without a rewrite
 * (constant defaults).
 *
 * `site` gets the per-site settings (NULL: the deployment default) and `status_reason`, why the
 * service changed its status (automatic disabling); a status set by hand clears it.
 *
 * `site_event` keeps every change of a site's sending state; not linked to site by a foreign key,
 * like the audit trail (it says what happened to a site that may since have been deleted).
 * `deployment_setting` holds deployment-wide choices made through the API, by key: the
 * operational webhook's site (deleting that site clears it).
 */
export class Migration0013CircuitBreaker extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      ALTER TABLE dispatch_gate
        ADD COLUMN breaker_state text NOT NULL DEFAULT 'CLOSED' CHECK (breaker_state IN ('CLOSED', 'OPEN', 'HALF_OPEN')),
        ADD COLUMN breaker_failures integer NOT NULL DEFAULT 0,
        ADD COLUMN breaker_failing_since timestamptz,
        ADD COLUMN breaker_opened_at timestamptz,
        ADD COLUMN breaker_next_probe_at timestamptz,
        ADD COLUMN breaker_opens integer NOT NULL DEFAULT 0,
        ADD COLUMN breaker_reason text,
        ADD COLUMN breaker_probe_id uuid,
        ADD COLUMN breaker_probe_until timestamptz`);
    this.addSql(`
      ALTER TABLE site
        ADD COLUMN breaker_failure_threshold integer,
        ADD COLUMN breaker_failure_window_seconds integer,
        ADD COLUMN auto_disable_after_seconds integer,
        ADD COLUMN status_reason text`);
    this.addSql(`
      CREATE TABLE site_event (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        site_id uuid NOT NULL,
        site_name text NOT NULL,
        kind text NOT NULL,
        from_state text,
        to_state text,
        reason text,
        details jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    this.addSql(`CREATE INDEX site_event_site_idx ON site_event (site_id, id DESC)`);
    this.addSql(`CREATE INDEX site_event_created_idx ON site_event (created_at)`);
    this.addSql(`
      CREATE TABLE deployment_setting (
        key text PRIMARY KEY,
        site_id uuid REFERENCES site (id) ON DELETE CASCADE,
        set_at timestamptz NOT NULL DEFAULT now(),
        set_by text NOT NULL
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE deployment_setting');
    this.addSql('DROP TABLE site_event');
    this.addSql('ALTER TABLE site DROP COLUMN breaker_failure_threshold, DROP COLUMN breaker_failure_window_seconds, DROP COLUMN auto_disable_after_seconds, DROP COLUMN status_reason');
    this.addSql(`ALTER TABLE dispatch_gate DROP COLUMN breaker_state, DROP COLUMN breaker_failures, DROP COLUMN breaker_failing_since, DROP COLUMN breaker_opened_at,
      DROP COLUMN breaker_next_probe_at, DROP COLUMN breaker_opens, DROP COLUMN breaker_reason, DROP COLUMN breaker_probe_id, DROP COLUMN breaker_probe_until`);
  }
}
