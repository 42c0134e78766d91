import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support.js';
import { parseKeyList } from './keyring.js';
import { UsageError, embeddedDatabaseUrl, parseArgs, run } from './rotate-master-key.js';

async function runQuietly(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, env, (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
}

describe('rotate-master-key command line', () => {
  it('reads its options and refuses others', () => {
    expect(parseArgs([])).toEqual({ mode: 'rotate', batchSize: 100 });
    expect(parseArgs(['--check'])).toEqual({ mode: 'check', batchSize: 100 });
    expect(parseArgs(['--batch-size', '7'])).toEqual({ mode: 'rotate', batchSize: 7 });
    expect(parseArgs(['--batch-size=9'])).toEqual({ mode: 'rotate', batchSize: 9 });
    for (const argv of [['--batch-size', '0'], ['--batch-size'], ['--batch-size=x'], ['--check', '--generate'], ['rotate']]) {
      expect(() => parseArgs(argv)).toThrow(UsageError);
    }
  });

  it('--generate prints a new usable key each time', async () => {
    const first = await runQuietly(['--generate'], {});
    const second = await runQuietly(['--generate'], {});
    expect(first.code).toBe(0);
    expect(first.out[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(first.out[0]).not.toBe(second.out[0]);
    expect(parseKeyList(first.out[0]!, 'generated')).toHaveLength(1);
  });

  it('without DATABASE_URL finds the embedded PostgreSQL of the running service in DATA_DIR', () => {
    const dataDir = tempDir();
    expect(() => embeddedDatabaseUrl(dataDir)).toThrow(`no DATABASE_URL, and no embedded PostgreSQL running in ${dataDir}`);
    fs.mkdirSync(path.join(dataDir, 'pg'));
    // postmaster.pid: pid, data directory, start time, port, …
    fs.writeFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), `4242\n${dataDir}/pg\n1764587000\n54011\n\n127.0.0.1\n`);
    fs.writeFileSync(path.join(dataDir, 'pg-password'), 'p@ss/word\n');
    expect(embeddedDatabaseUrl(dataDir)).toBe('postgres://postgres:p%40ss%2Fword@127.0.0.1:54011/trusted_sites');
  });

  it('never makes a key: with no key set and no DATA_DIR/master.key it stops (exit 2) saying so', async () => {
    const dataDir = tempDir();
    const result = await runQuietly(['--check'], { DATA_DIR: dataDir, DATABASE_URL: 'postgres://127.0.0.1:1/none' });
    expect(result.code).toBe(2);
    expect(result.err[0]).toBe(`rotate-master-key: no master key configured and none in ${path.join(dataDir, 'master.key')}: run this with the service's settings`);
    expect(fs.existsSync(path.join(dataDir, 'master.key'))).toBe(false);
    const bad = await runQuietly([], { DATA_DIR: dataDir, TRUSTED_SITES_MASTER_KEYS: 'nonsense', DATABASE_URL: 'postgres://127.0.0.1:1/none' });
    expect(bad.code).toBe(2);
    expect(bad.err[0]).toBe('rotate-master-key: TRUSTED_SITES_MASTER_KEYS: key 1 must be 32 bytes, written as 64 hex digits or base64');
  });
});
