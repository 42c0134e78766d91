import { Migration } from '@mikro-orm/migrations';

/**
 * OAuth2 token store (docs/specification.md §3, methods 5–7): one row per site with the current
 * tokens (sealed), a history row per token request, and the server-side `state` of pending
 * authorization-code connects (single-use, expiring, bound to one site).
 */
export class Migration0002Tokens extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE site_token (
        site_id uuid PRIMARY KEY REFERENCES site(id) ON DELETE CASCADE,
        -- The last transition the watcher or a token request wrote; REFRESHING is refreshing_since
        -- (NONE: a first token request is in flight, nothing obtained yet).
        status text NOT NULL CHECK (status IN ('NONE', 'VALID', 'EXPIRING', 'EXPIRED', 'FAILED')),
        access_token text,
        refresh_token text,
        token_type text,
        obtained_at timestamptz,
        expires_at timestamptz,
        -- When renewal starts: expires_at minus the refresh margin (see oauth/timing.ts).
        refresh_at timestamptz,
        -- Hash of the non-secret config the token was obtained with; a different config discards it.
        config_fingerprint text,
        refreshing_since timestamptz,
        last_error text,
        failed_at timestamptz,
        needs_reconnect boolean NOT NULL DEFAULT false,
        retry_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`CREATE INDEX site_token_expiry_idx ON site_token (expires_at) WHERE status IN ('VALID', 'EXPIRING')`);
    this.addSql(`CREATE INDEX site_token_refresh_idx ON site_token (refresh_at) WHERE status = 'VALID'`);
    this.addSql(`
      CREATE TABLE token_history (
        id bigserial PRIMARY KEY,
        site_id uuid NOT NULL REFERENCES site(id) ON DELETE CASCADE,
        at timestamptz NOT NULL DEFAULT now(),
        grant_type text NOT NULL,
        trigger text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('SUCCEEDED', 'FAILED')),
        http_status integer,
        error text,
        expires_at timestamptz,
        refresh_token_rotated boolean NOT NULL DEFAULT false,
        duration_ms integer
      )`);
    this.addSql(`CREATE INDEX token_history_site_idx ON token_history (site_id, id DESC)`);
    this.addSql(`
      CREATE TABLE oauth_state (
        -- sha256 of the state: the database never holds a usable state value.
        state_hash text PRIMARY KEY,
        site_id uuid NOT NULL REFERENCES site(id) ON DELETE CASCADE,
        code_verifier text NOT NULL,
        redirect_uri text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    this.addSql(`CREATE INDEX oauth_state_expiry_idx ON oauth_state (expires_at)`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE oauth_state');
    this.addSql('DROP TABLE token_history');
    this.addSql('DROP TABLE site_token');
  }
}
