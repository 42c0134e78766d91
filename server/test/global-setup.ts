import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../src/db/embedded.js';

/**
 * One real PostgreSQL for the whole run: `TEST_DATABASE_URL`/`DATABASE_URL` when set, else an
 * embedded cluster in a temporary folder (fsync off: it is thrown away). Each test file makes
 * its own database in it (see `test/support.ts`).
 */
export default async function setup(project: TestProject) {
  const external = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (external) {
    project.provide('pgAdminUrl', external);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trusted-sites-test-'));
  fs.chmodSync(dir, 0o755);
  const db = await startEmbeddedPostgres(dir, { settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } });
  project.provide('pgAdminUrl', db.url.replace(/\/trusted_sites$/, '/postgres'));
  return async () => {
    await db.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}
