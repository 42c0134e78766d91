import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type Config, ConfigError, loadConfig } from '../config.js';
import { MasterKeyError, generateMasterKey, loadMasterKeys } from './keyring.js';
import { type KeyCount, countSealedByKey, rotateSecrets } from './rotation.js';
import { SecretBox } from './secrets.js';

/**
 * `npm run rotate-master-key [-- --generate | --check | --batch-size N]`, with the service's own
 * settings (the same master-key source and database). See crypto/README.md for the procedure.
 */

const USAGE = `usage: npm run rotate-master-key -- [--generate | --check] [--batch-size N]
  (no option)   re-seal every stored secret under the first configured master key, online
  --generate    print a new random master key (64 hex digits) and exit
  --check       count stored values per master key id; exit 0 only if all are under the first key
  --batch-size  rows per transaction (default 100)`;

export class UsageError extends Error {}

interface Options {
  mode: 'rotate' | 'check' | 'generate';
  batchSize: number;
}

export function parseArgs(argv: readonly string[]): Options {
  const options: Options = { mode: 'rotate', batchSize: 100 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--generate' || arg === '--check') {
      if (options.mode !== 'rotate') throw new UsageError('--generate and --check go alone');
      options.mode = arg === '--generate' ? 'generate' : 'check';
    } else if (arg === '--batch-size' || arg.startsWith('--batch-size=')) {
      const raw = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      const value = Number(raw);
      if (!Number.isInteger(value) || value < 1 || value > 10_000) throw new UsageError('--batch-size must be an integer from 1 to 10000');
      options.batchSize = value;
    } else {
      throw new UsageError(`unknown argument ${arg}`);
    }
  }
  return options;
}

/**
 * The embedded PostgreSQL that `npm start` runs in DATA_DIR, when no DATABASE_URL is set: its port
 * from postmaster.pid (4th line), its password from the file the service made.
 */
export function embeddedDatabaseUrl(dataDir: string): string {
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  let lines: string[];
  try {
    lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  } catch {
    throw new UsageError(`no DATABASE_URL, and no embedded PostgreSQL running in ${dataDir}: start the service (npm start) or set DATABASE_URL`);
  }
  const port = Number(lines[3]);
  if (!Number.isInteger(port) || port <= 0) throw new UsageError(`cannot read the port of the embedded PostgreSQL from ${pidFile}`);
  const password = fs.readFileSync(path.join(dataDir, 'pg-password'), 'utf8').trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/trusted_sites`;
}

async function keysOf(config: Config): Promise<SecretBox> {
  // Rotation never makes a key: a missing DATA_DIR/master.key means the settings are not the service's.
  if (config.masterKeys.kind === 'data-dir' && !fs.existsSync(path.join(config.dataDir, 'master.key'))) {
    throw new UsageError(`no master key configured and none in ${path.join(config.dataDir, 'master.key')}: run this with the service's settings`);
  }
  return new SecretBox(await loadMasterKeys(config.masterKeys, config.dataDir));
}

function printCounts(out: (line: string) => void, counts: KeyCount[], box: SecretBox): void {
  if (!counts.length) out('  no sealed values stored');
  for (const c of counts) {
    const note = c.keyId === box.sealingKeyId ? ' (sealing key)' : box.keyIds.includes(c.keyId) ? ' (older key, still listed)' : ' (NOT CONFIGURED: these cannot be opened)';
    out(`  ${c.table}: ${c.count} under ${c.keyId}${note}`);
  }
}

/** Runs the command; returns the exit code. Output through `out`/`err` (tests capture it). */
export async function run(argv: readonly string[], env: NodeJS.ProcessEnv, out = (l: string) => console.log(l), err = (l: string) => console.error(l)): Promise<number> {
  let pool: pg.Pool | undefined;
  try {
    const options = parseArgs(argv);
    if (options.mode === 'generate') {
      out(generateMasterKey());
      return 0;
    }
    const config = loadConfig(env);
    const box = await keysOf(config);
    pool = new pg.Pool({ connectionString: config.databaseUrl ?? embeddedDatabaseUrl(config.dataDir), max: 2, application_name: 'trusted-sites-rotate-master-key' });
    out(`master keys: ${box.keyIds.join(', ')} (${box.sealingKeyId} seals)`);

    if (options.mode === 'check') {
      const counts = await countSealedByKey(pool);
      printCounts(out, counts, box);
      const other = counts.filter((c) => c.keyId !== box.sealingKeyId);
      if (other.length) {
        out(`${other.reduce((n, c) => n + c.count, 0)} values are not under ${box.sealingKeyId}`);
        return 1;
      }
      out(`every value is sealed under ${box.sealingKeyId}`);
      return 0;
    }

    if (box.keyIds.length === 1) out(`only one key is configured: values under any other key id cannot be opened (list the old key after ${box.sealingKeyId})`);
    const report = await rotateSecrets(pool, box, {
      batchSize: options.batchSize,
      onBatch: (table, batch) => out(`  ${table}: re-sealed ${batch.values} values in ${batch.rows} rows`),
    });
    for (const r of report.resealed) out(`${r.table}: ${r.values} values in ${r.rows} rows re-sealed under ${report.sealingKeyId}`);
    for (const f of report.failures) err(`could not re-seal ${f.table} ${f.record} ${f.field}: ${f.reason}`);
    if (report.remaining.length) {
      err('values still not under the sealing key:');
      printCounts(err, report.remaining, box);
      if (!report.failures.length) err('they were sealed again under an old key during the rotation: a process still seals with it (give every process the new key first), then run this again');
      return 1;
    }
    const old = report.oldKeyIds.length ? report.oldKeyIds.join(', ') : '(none: nothing was under another key)';
    out(`no value sealed under ${old} remains; every stored secret is under ${report.sealingKeyId}`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof MasterKeyError) {
      err(`rotate-master-key: ${error.message}`);
      if (error instanceof UsageError && !error.message.includes('DATABASE_URL')) err(USAGE);
      return 2;
    }
    err(`rotate-master-key failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await pool?.end();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  run(process.argv.slice(2), process.env).then((code) => process.exit(code));
}
