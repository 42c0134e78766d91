import { Migration } from '@mikro-orm/migrations';

export class Migration0001Sites extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE site (
        id uuid PRIMARY KEY,
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
        name_key text NOT NULL,
        url text NOT NULL,
        content_type text NOT NULL,
        status text NOT NULL CHECK (status IN ('DRAFT', 'ACTIVE', 'INACTIVE')),
        auth_method text NOT NULL,
        auth jsonb NOT NULL,
        max_rps double precision NOT NULL CHECK (max_rps >= 0.1 AND max_rps <= 10000),
        threads integer NOT NULL CHECK (threads BETWEEN 1 AND 256),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`CREATE UNIQUE INDEX site_name_key_unique ON site (name_key)`);
    this.addSql(`CREATE INDEX site_status_idx ON site (status, name_key)`);
    this.addSql(`
      CREATE TABLE api_token (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        role text NOT NULL CHECK (role IN ('ADMIN', 'EDITOR', 'VIEWER')),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE api_token');
    this.addSql('DROP TABLE site');
  }
}
