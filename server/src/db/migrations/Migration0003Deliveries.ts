import { Migration } from '@mikro-orm/migrations';

/**
 * The delivery queue (docs/design.md rules 5–7): `delivery` is the queue itself,
 * `delivery_attempt` keeps one row per attempt, and `dispatch_gate` is the per-site row every
 * dispatcher locks to take its share of the site's rate and concurrency limits.
 */
export class Migration0003Deliveries extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE delivery (
        id uuid PRIMARY KEY,
        site_id uuid NOT NULL REFERENCES site (id) ON DELETE CASCADE,
        status text NOT NULL CHECK (status IN ('PENDING', 'IN_FLIGHT', 'RETRYING', 'SUCCEEDED', 'FAILED')),
        method text NOT NULL,
        headers jsonb NOT NULL DEFAULT '[]',
        body bytea NOT NULL,
        idempotency_key text,
        attempt_count integer NOT NULL DEFAULT 0,
        -- attempt_count when the current run of attempts began: retryDelivery gives a fresh budget.
        attempt_base integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        -- A claim: which process holds it, until when, and on which of the site's lanes (threads).
        leased_by text,
        lease_until timestamptz,
        lane integer,
        -- Set after a 401 from an OAuth2 site: the next attempt refreshes the token first; only once.
        force_token_refresh boolean NOT NULL DEFAULT false,
        token_refreshed boolean NOT NULL DEFAULT false,
        last_error text,
        last_status_code integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        CONSTRAINT delivery_idempotency UNIQUE (site_id, idempotency_key)
      )`);
    // Every claim and completion rewrites a row and every index it is in, so there are as few as
    // the queries need. What a claim scans (and when the next retry is due): the due deliveries
    // of one site, oldest first.
    this.addSql(`CREATE INDEX delivery_due_idx ON delivery (site_id, next_attempt_at) WHERE status IN ('PENDING', 'RETRYING')`);
    // Lanes in use; also what expired leases are looked for in (IN_FLIGHT rows are few).
    this.addSql(`CREATE INDEX delivery_in_flight_idx ON delivery (site_id, lane) WHERE status = 'IN_FLIGHT'`);
    // The dashboard's lists, newest first.
    this.addSql(`CREATE INDEX delivery_created_idx ON delivery (created_at DESC, id DESC)`);
    this.addSql(`CREATE INDEX delivery_site_created_idx ON delivery (site_id, created_at DESC, id DESC)`);
    this.addSql(`
      CREATE TABLE delivery_attempt (
        id bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES delivery (id) ON DELETE CASCADE,
        site_id uuid NOT NULL,
        number integer NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms double precision,
        status_code integer,
        error text,
        response_excerpt text,
        response_truncated boolean NOT NULL DEFAULT false,
        outcome text NOT NULL CHECK (outcome IN ('SUCCEEDED', 'RETRYING', 'FAILED')),
        next_attempt_at timestamptz
      )`);
    this.addSql(`CREATE INDEX delivery_attempt_delivery_idx ON delivery_attempt (delivery_id, number)`);
    this.addSql(`CREATE INDEX delivery_attempt_started_idx ON delivery_attempt (started_at)`);
    this.addSql(`CREATE INDEX delivery_attempt_site_started_idx ON delivery_attempt (site_id, started_at)`);
    this.addSql(`
      CREATE TABLE dispatch_gate (
        site_id uuid PRIMARY KEY REFERENCES site (id) ON DELETE CASCADE,
        -- The earliest start time not yet handed out: rate slots are reserved from here on.
        next_start_at timestamptz NOT NULL DEFAULT '-infinity'
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE dispatch_gate');
    this.addSql('DROP TABLE delivery_attempt');
    this.addSql('DROP TABLE delivery');
  }
}
