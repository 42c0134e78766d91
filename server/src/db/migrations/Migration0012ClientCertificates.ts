import { Migration } from '@mikro-orm/migrations';

/**
 * A site's client certificate for mutual TLS (sites/client-certificate.ts): jsonb { id, certificate,
 * ca, sealedKey, subject, issuer, fingerprint, notBefore, notAfter, … }, the key held only sealed
 * (crypto/sealed-values.ts re-seals it on master-key rotation). The leaf's expiry also has its own
 * column, so "certificates about to expire" is one indexed range query. Both null without one.
 */
export class Migration0012ClientCertificates extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE site ADD COLUMN client_certificate jsonb NULL, ADD COLUMN client_certificate_expires_at timestamptz NULL`);
    this.addSql(`ALTER TABLE site ADD CONSTRAINT site_client_certificate_expiry CHECK ((client_certificate IS NULL) = (client_certificate_expires_at IS NULL))`);
    this.addSql(`CREATE INDEX site_client_certificate_expires_at_idx ON site (client_certificate_expires_at) WHERE client_certificate_expires_at IS NOT NULL`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX site_client_certificate_expires_at_idx');
    this.addSql('ALTER TABLE site DROP CONSTRAINT site_client_certificate_expiry, DROP COLUMN client_certificate, DROP COLUMN client_certificate_expires_at');
  }
}
