import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_ADMIN_TOKEN, TEST_MASTER_KEY, tempDir } from './support.js';

/**
 * Dispatcher-only child processes for tests of several processes on one PostgreSQL: real `node
 * --import tsx` processes running startApp (server/src/dispatch/child-process.ts), so kill -9 is a
 * real crash.
 */
const CHILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/dispatch/child-process.ts');
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface DispatcherChild {
  child: ChildProcess;
  /** Resolves with the dispatcher's worker id once it prints READY; rejects if it exits first. */
  ready: Promise<string>;
}

/** Starts one dispatcher on `databaseUrl` with the test keys and `env` on top (DISPATCH_* and the like). */
export function spawnDispatcher(databaseUrl: string, env: Record<string, string> = {}): DispatcherChild {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TRUSTED_SITES_ROLE: 'dispatcher',
      TRUSTED_SITES_MASTER_KEY: TEST_MASTER_KEY,
      TRUSTED_SITES_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      ALLOW_PRIVATE_TARGETS: 'true',
      DATA_DIR: tempDir(),
      LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /READY (\S*)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`dispatcher exited early (${code}): ${output}`)));
  });
  return { child, ready };
}

/** Resolves with the exit code once the process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** SIGKILLs every child still running and waits for each; empties the list. */
export async function killAll(children: ChildProcess[]): Promise<void> {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
  }
}
