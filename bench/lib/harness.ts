import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../server/src/config.js';
import { freePort, startEmbeddedPostgres } from '../../server/src/db/embedded.js';
import { type App, startApp } from '../../server/src/main.js';
import { ADMIN_TOKEN, gql } from './client.js';

export { ADMIN_TOKEN, gql, sendMany } from './client.js';

/** Shared plumbing for the dispatcher benchmarks: a fresh PostgreSQL, the app, child processes. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MASTER_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];
// Interrupted runs still stop their PostgreSQL and child processes.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stopAll().finally(() => process.exit(130));
  });
}

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  cleanups.unshift(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The embedded PostgreSQL's postmaster pid (for CPU accounting), once started. */
export let databasePid: number | undefined;

/** A throwaway embedded PostgreSQL with its default (durable) settings. */
export async function startDatabase(): Promise<string> {
  const dir = tempDir('ts-bench-pg-');
  // BENCH_PG_STATS=1 loads pg_stat_statements (throughput.ts then prints the costliest statements);
  // BENCH_PG_SETTINGS='{"name":"value"}' adds `postgres -c` settings, for experiments.
  const settings: Record<string, string> = {
    ...(process.env.BENCH_PG_STATS ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' } : {}),
    ...(process.env.BENCH_PG_SETTINGS ? JSON.parse(process.env.BENCH_PG_SETTINGS) : {}),
  };
  const db = await startEmbeddedPostgres(dir, { settings });
  databasePid = db.pid;
  cleanups.push(async () => {
    await db.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return db.url;
}

export function appEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: tempDir('ts-bench-data-'),
    TRUSTED_SITES_ADMIN_TOKEN: ADMIN_TOKEN,
    TRUSTED_SITES_MASTER_KEY: MASTER_KEY,
    ALLOW_PRIVATE_TARGETS: 'true',
    LOG_LEVEL: 'error',
    // DISPATCH_* settings given to the benchmark apply to every process it starts.
    ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('DISPATCH_') && e[1] !== undefined)),
    ...extra,
  };
}

export async function startInProcessApp(databaseUrl: string, extra: Record<string, string> = {}): Promise<App & { url: string }> {
  const app = await startApp(loadConfig(appEnv(databaseUrl, extra)));
  cleanups.push(() => app.stop());
  return app as App & { url: string };
}

/**
 * A child's output, collected once: `next(pattern)` resolves with the first match in its stdout
 * after the previous match, or rejects (with the output's tail) if the child exits first.
 */
function outputOf(child: ChildProcess, label: string): { next(pattern: RegExp): Promise<RegExpExecArray> } {
  let stdout = '';
  let all = '';
  let from = 0;
  let exited: string | undefined;
  let check: (() => void) | undefined;
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    all += chunk.toString();
    check?.();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    all += chunk.toString();
    if (process.env.BENCH_VERBOSE) process.stderr.write(chunk);
  });
  child.once('exit', (code, signal) => {
    exited = `${label} exited (${code ?? signal}): ${all.slice(-2000)}`;
    check?.();
  });
  return {
    next: (pattern) =>
      new Promise((resolve, reject) => {
        const search = new RegExp(pattern.source, pattern.flags.replace('g', '') + 'g');
        check = () => {
          search.lastIndex = from;
          const match = search.exec(stdout);
          if (match) {
            from = match.index + match[0].length;
            check = undefined;
            resolve(match);
          } else if (exited) {
            check = undefined;
            reject(new Error(exited));
          }
        };
        check();
      }),
  };
}

/** Starts `node --import tsx <args>` and waits for `marker` in its output. */
async function spawnReady(
  args: string[],
  env: Record<string, string>,
  marker: RegExp,
  stdin = false,
): Promise<{ child: ChildProcess; match: RegExpExecArray; output: ReturnType<typeof outputOf> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  children.push(child);
  const output = outputOf(child, args[0]!);
  return { child, match: await output.next(marker), output };
}

export async function startDispatcherProcess(databaseUrl: string, extra: Record<string, string> = {}): Promise<ChildProcess> {
  const { child } = await spawnReady(['server/src/dispatch/child-process.ts'], appEnv(databaseUrl, { TRUSTED_SITES_ROLE: 'dispatcher', ...extra }), /READY/);
  return child;
}

/**
 * The whole service (API + dispatcher, as `npm start` runs it) in a process of its own, so its
 * memory and CPU can be read apart from the benchmark's. Resolves once it serves and sends.
 */
export async function startAppProcess(databaseUrl: string, extra: Record<string, string> = {}): Promise<{ url: string; pid: number; child: ChildProcess }> {
  const port = await freePort();
  const env = appEnv(databaseUrl, { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'info', ...extra });
  const { child } = await spawnReady(['server/src/main.ts'], env, /dispatcher \S+ is running/);
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, child };
}

export interface ReceiverStats {
  count: number;
  distinct: number;
  duplicates: number;
  maxInFlight: number;
  arrivals: number[];
}

export async function startReceiverProcess(): Promise<{ url: string; pid: number; stats(segment: string): Promise<ReceiverStats> }> {
  const { child, match } = await spawnReady(['bench/lib/receiver-process.ts'], {}, /PORT (\d+)/);
  const url = `http://127.0.0.1:${match[1]}`;
  return { url, pid: child.pid!, stats: async (segment) => (await fetch(`${url}/__stats/${encodeURIComponent(segment)}`)).json() as Promise<ReceiverStats> };
}

export function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

export async function stopAll(): Promise<void> {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) await kill9(child);
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}


let siteCounter = 0;
/** A DRAFT site with Basic auth. */
export async function createSite(apiUrl: string, url: string, performance: { maxRps: number; threads: number }): Promise<string> {
  siteCounter += 1;
  const { createSite } = await gql(apiUrl, `mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
    input: { name: `bench ${process.pid} ${siteCounter} ${url}`, url, performance, auth: { basic: { username: 'bench', password: 'bench-password-1' } } },
  });
  return createSite.id as string;
}

export async function createActiveSite(apiUrl: string, url: string, performance: { maxRps: number; threads: number }): Promise<string> {
  const id = await createSite(apiUrl, url, performance);
  await setSiteStatus(apiUrl, id, 'ACTIVE');
  return id;
}

export async function setSiteStatus(apiUrl: string, id: string, status: 'ACTIVE' | 'INACTIVE'): Promise<void> {
  await gql(apiUrl, `mutation($id: ID!, $s: SiteStatus!) { setSiteStatus(id: $id, status: $s) { id } }`, { id, s: status });
}


export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function machineNote(): string {
  const load = os.loadavg().map((n) => n.toFixed(2)).join(' ');
  return `machine: ${os.cpus().length} cores, load average ${load} (other engineers run tests on it at the same time)`;
}

/**
 * Waits until none of the site's deliveries is left to send (PENDING, RETRYING or IN_FLIGHT), once
 * `accepted` has settled, then returns the final count per status. The wait only asks the two small
 * partial indexes whether anything is left (EXISTS), every `pollMs`: a `count(*) … GROUP BY status`
 * every 25 ms scans the whole growing table and cost PostgreSQL 1.4 s of CPU per 20,000 deliveries,
 * time taken from the system being measured. Returns the time the wait saw nothing left.
 */
export async function waitUntilSettled(
  pool: { query: (sql: string, params: unknown[]) => Promise<{ rows: any[] }> },
  siteId: string,
  accepted: Promise<unknown>,
  pollMs = 25,
): Promise<{ settledAt: number; counts: Record<string, number> }> {
  let all = false;
  void accepted.then(() => (all = true)).catch(() => undefined);
  for (;;) {
    const acceptedBefore = all;
    const { rows } = await pool.query(
      `SELECT EXISTS (SELECT 1 FROM delivery WHERE site_id = $1 AND status IN ('PENDING', 'RETRYING'))
           OR EXISTS (SELECT 1 FROM delivery WHERE site_id = $1 AND status = 'IN_FLIGHT') AS left`,
      [siteId],
    );
    if (acceptedBefore && !rows[0].left) break;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  const settledAt = performance.now();
  await accepted;
  const { rows } = await pool.query(`SELECT status, count(*)::int AS n FROM delivery WHERE site_id = $1 GROUP BY status`, [siteId]);
  return { settledAt, counts: Object.fromEntries(rows.map((r) => [r.status, r.n])) };
}

/**
 * CPU time (user + system, ms) used so far by: this process, the given processes (with their
 * children), and PostgreSQL (the postmaster and every backend). From /proc; on a system without
 * it, every figure is NaN. Differences between two snapshots say where a phase's CPU went, which
 * holds still better than wall time on a machine other work shares.
 */
export function cpuSnapshot(others: Record<string, number> = {}): Record<string, number> {
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  const table = new Map<number, { ppid: number; ms: number }>();
  try {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        table.set(Number(entry), { ppid: Number(fields[1]), ms: (Number(fields[11]) + Number(fields[12])) * tick });
      } catch {
        // The process ended while we looked.
      }
    }
  } catch {
    return Object.fromEntries(['self', 'postgres', ...Object.keys(others)].map((k) => [k, NaN]));
  }
  const treeMs = (root: number | undefined): number => {
    if (root === undefined || !table.has(root)) return NaN;
    let total = 0;
    const stack = [root];
    while (stack.length) {
      const pid = stack.pop()!;
      total += table.get(pid)?.ms ?? 0;
      for (const [child, info] of table) if (info.ppid === pid) stack.push(child);
    }
    return total;
  };
  const self = process.cpuUsage();
  return {
    self: (self.user + self.system) / 1000,
    postgres: treeMs(databasePid),
    ...Object.fromEntries(Object.entries(others).map(([name, pid]) => [name, treeMs(pid)])),
  };
}

/** `after - before` per name, as "name 1234 ms" pairs. */
export function cpuSpent(before: Record<string, number>, after: Record<string, number>): string {
  return Object.keys(after)
    .map((name) => `${name} ${(after[name]! - before[name]!).toFixed(0)} ms`)
    .join(', ');
}

/**
 * A workflow engine in its own process (as it would be in production: not sharing the event loop
 * of the service it calls): it starts, prints READY, and on `go()` sends `count` webhooks of the
 * benchmark payload to the site with sendWebhooks (1,000 a call, 4 calls at a time). `go()`
 * resolves when every one is accepted, with the CPU the client used from READY to ACCEPTED (its
 * start-up left out, as the peers' producers' in bench/peers.ts and plain undici's own client).
 */
export function startClientProcess(apiUrl: string, siteId: string, count: number): Promise<{ go(): Promise<{ cpuMs: number }> }> {
  return startScriptClientProcess('bench/lib/client-process.ts', { CLIENT_API_URL: apiUrl, CLIENT_SITE_ID: siteId, CLIENT_COUNT: String(count) });
}

/**
 * A fresh cluster as `startDatabase()` starts it (same settings), which `stop()` ends before the
 * benchmark goes on: bench/peers.ts gives each system its own and keeps only one running at a time.
 * `stopAll()` still stops it if the run fails first.
 */
export async function startStoppableDatabase(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const dir = tempDir('ts-bench-pg-');
  const settings: Record<string, string> = {
    ...(process.env.BENCH_PG_STATS ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' } : {}),
    ...(process.env.BENCH_PG_SETTINGS ? JSON.parse(process.env.BENCH_PG_SETTINGS) : {}),
  };
  const db = await startEmbeddedPostgres(dir, { settings });
  databasePid = db.pid;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await db.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    })());
  cleanups.push(stop);
  return { url: db.url, pid: db.pid, stop };
}

/**
 * A producer in a process of its own, for bench/peers.ts: `script` prints `READY cpu N ms`,
 * enqueues on `go()` and prints `ACCEPTED cpu N ms` (bench/lib/client-process.ts, the caller of
 * sendWebhooks, and bench/lib/peers/enqueue-process.ts do). `go()` resolves with the CPU it used
 * from READY to ACCEPTED: what a long-lived producer spends, without its start-up.
 */
export async function startScriptClientProcess(script: string, env: Record<string, string>): Promise<{ go(): Promise<{ cpuMs: number }> }> {
  const { child, match, output } = await spawnReady([script], env, /READY cpu (\d+) ms/, true);
  return {
    go: async () => {
      child.stdin!.write('go\n');
      const accepted = await output.next(/ACCEPTED cpu (\d+) ms/);
      return { cpuMs: Number(accepted[1]) - Number(match[1]) };
    },
  };
}
