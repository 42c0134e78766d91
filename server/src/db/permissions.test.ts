import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support.js';
import { loadMasterKey } from '../crypto/secrets.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './embedded.js';

/**
 * DATA_DIR holds the master key, the admin token, the database password and the cluster: nobody
 * but its owner (and, as root, the `postgres` user PostgreSQL runs as, which may only pass
 * through) reaches into it (issue 10 item 8).
 */

const asRoot = process.getuid?.() === 0;
const postgresGid = () => Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
const mode = (file: string) => fs.statSync(file).mode & 0o777;
const started: EmbeddedDatabase[] = [];
const SETTINGS = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };

afterAll(async () => {
  for (const db of started) await db.stop();
});

function expectPrivateDataDir(dataDir: string) {
  if (asRoot) {
    // PostgreSQL, running as postgres, passes through to its own folder; it cannot list this one, nor can anyone else.
    expect(mode(dataDir)).toBe(0o710);
    expect(fs.statSync(dataDir).gid).toBe(postgresGid());
  } else {
    expect(mode(dataDir)).toBe(0o700);
  }
  expect(mode(path.join(dataDir, 'postgres.log'))).toBe(0o600);
  expect(mode(path.join(dataDir, 'pg-password'))).toBe(0o600);
  expect(mode(path.join(dataDir, 'pg'))).toBe(0o700);
}

describe('DATA_DIR permissions', () => {
  it('a fresh data folder: the folder 0700 (0710 for the postgres group as root), postgres.log 0600, the cluster 0700', async () => {
    const parent = tempDir();
    const dataDir = path.join(parent, 'nested', 'data');
    const db = await startEmbeddedPostgres(dataDir, { settings: SETTINGS });
    started.push(db);
    expectPrivateDataDir(dataDir);
    // The parents are left as the umask makes them: they may be shared.
    expect(mode(path.join(parent, 'nested')) & 0o005).toBe(0o005);
    // The server keeps writing its log through the descriptor it was given.
    expect(fs.statSync(path.join(dataDir, 'postgres.log')).size).toBeGreaterThan(0);
    await db.stop();
  });

  it('a data folder made by an earlier version (0755, log 0644) is tightened on the next start', async () => {
    const dataDir = tempDir();
    const first = await startEmbeddedPostgres(dataDir, { settings: SETTINGS });
    started.push(first);
    await first.stop();
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(path.join(dataDir, 'postgres.log'), 0o644);
    const again = await startEmbeddedPostgres(dataDir, { settings: SETTINGS });
    started.push(again);
    expectPrivateDataDir(dataDir);
    await again.stop();
  });

  it('with an external database, the folder made for the master key is 0700', () => {
    const dataDir = path.join(tempDir(), 'data');
    loadMasterKey(undefined, dataDir);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(path.join(dataDir, 'master.key'))).toBe(0o600);
  });
});
