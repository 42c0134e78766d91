import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../db/embedded.js';
import { gql, ok, tempDir } from '../../test/support.js';

/**
 * The product as `npm start` runs it: a real process with its own embedded PostgreSQL in DATA_DIR,
 * no admin token or master key given. Stopped by signal, killed with -9, started again.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const children: ChildProcess[] = [];

function startServer(dataDir: string, port: number): { child: ChildProcess; ready: Promise<void>; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: '', TRUSTED_SITES_ADMIN_TOKEN: '', TRUSTED_SITES_MASTER_KEY: '', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('is ready at')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
  return { child, ready, output: () => output };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function postmasterPid(dataDir: string): number | undefined {
  const file = path.join(dataDir, 'pg', 'postmaster.pid');
  return fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8').split('\n')[0]) : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited(child);
    }
  }
});

const CREATE = `mutation($input: SiteInput!) { createSite(input: $input) { id name auth { ... on JwtAuth { secretSet } } } }`;

describe('start, stop, crash and restart with an embedded PostgreSQL', () => {
  it('generates the admin token and master key owner-only, keeps data across restarts, stops PostgreSQL on SIGTERM', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const first = startServer(dataDir, port);
    await first.ready;
    const base = `http://127.0.0.1:${port}`;

    const tokenFile = path.join(dataDir, 'admin-token');
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
    const token = fs.readFileSync(tokenFile, 'utf8').trim();
    expect(first.output()).toContain(tokenFile);
    expect(first.output()).not.toContain(token);

    expect((await gql(base, '{ activeSites { id } }', undefined, null)).status).toBe(401);
    const site = ok(await gql(base, CREATE, { input: { name: 'Survivor', url: 'https://example.com', auth: { jwt: { algorithm: 'HS256', secret: 'restart-secret-of-at-least-32-bytes', timeToLive: '1 hour' } } } }, token)).createSite;

    // Only the token's hash is stored.
    const pgPassword = fs.readFileSync(path.join(dataDir, 'pg-password'), 'utf8').trim();
    const postmaster = postmasterPid(dataDir)!;
    expect(alive(postmaster)).toBe(true);
    const portLine = fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[3];
    const db = new pg.Client({ connectionString: `postgres://postgres:${pgPassword}@127.0.0.1:${portLine}/trusted_sites` });
    await db.connect();
    const dump = JSON.stringify((await db.query('SELECT * FROM api_token')).rows) + JSON.stringify((await db.query('SELECT auth FROM site')).rows);
    await db.end();
    expect(dump).not.toContain(token);
    expect(dump).not.toContain('restart-secret');

    // Ctrl-C in a terminal under npm delivers SIGINT twice (terminal + npm forwarding): still one clean stop.
    first.child.kill('SIGINT');
    first.child.kill('SIGINT');
    expect(await exited(first.child)).toBe(0);
    expect(alive(postmaster)).toBe(false);

    const second = startServer(dataDir, port);
    await second.ready;
    const read = ok(await gql(base, `query($id: ID!) { site(id: $id) { id name auth { ... on JwtAuth { secretSet } } } }`, { id: site.id }, token)).site;
    expect(read).toEqual(site);
    expect(second.output()).not.toContain('generated an admin API token');
  });

  it('recovers by itself after kill -9 of the server left PostgreSQL running', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const first = startServer(dataDir, port);
    await first.ready;
    const token = fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
    const base = `http://127.0.0.1:${port}`;
    ok(await gql(base, CREATE, { input: { name: 'Before crash', url: 'https://example.com', auth: { basic: { username: 'u', password: 'p' } } } }, token));
    const orphan = postmasterPid(dataDir)!;

    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(alive(orphan)).toBe(true);

    const second = startServer(dataDir, port);
    await second.ready;
    expect(alive(orphan)).toBe(false);
    const list = ok(await gql(base, '{ sites { totalCount edges { node { name } } } }', undefined, token)).sites;
    expect(list.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['Before crash']);
  });
});
