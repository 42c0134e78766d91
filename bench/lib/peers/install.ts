import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The job queues bench/peers.ts compares us with. They are not the product's dependencies: they
 * live in a folder of their own (gitignored), installed on first use from the versions pinned
 * here, so the product's package.json, lock and `npm install` never see them. Both declare
 * Node ≥ 22 and run on Node 20 here; `--engine-strict=false` and an error-only log keep npm from
 * refusing or warning about that.
 */
// Not from harness.ts: the enqueuing child processes load this file and none of the server.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const PEERS_DIR = path.join(ROOT, 'bench', '.peers');
export const PEER_VERSIONS = {
  'graphile-worker': '0.18.0',
  'pg-boss': '12.38.0',
  // pg-boss 12.38 needs pg ≥ 8.23.1; one pg at the top serves both queues.
  pg: '8.23.1',
} as const;

function installed(): boolean {
  return Object.entries(PEER_VERSIONS).every(([name, version]) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(PEERS_DIR, 'node_modules', name, 'package.json'), 'utf8')).version === version;
    } catch {
      return false;
    }
  });
}

/** Installs the pinned peers into bench/.peers unless they are there already. */
export function ensurePeers(): void {
  if (installed()) return;
  fs.mkdirSync(PEERS_DIR, { recursive: true });
  // A package.json of its own (no workspaces, private) makes the folder its own npm project;
  // `--prefix` stops npm from walking up to the repository's package.json and its workspaces.
  fs.writeFileSync(
    path.join(PEERS_DIR, 'package.json'),
    JSON.stringify({ name: 'trusted-sites-bench-peers', private: true, description: 'Written by bench/lib/peers/install.ts; not the product\'s dependencies.', dependencies: PEER_VERSIONS }, null, 2) + '\n',
  );
  console.log(`installing ${Object.entries(PEER_VERSIONS).map(([n, v]) => `${n}@${v}`).join(', ')} into ${path.relative(ROOT, PEERS_DIR)} (first use)`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(
    npm,
    ['install', '--prefix', PEERS_DIR, '--no-workspaces', '--save-exact', '--engine-strict=false', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: PEERS_DIR, stdio: 'inherit' },
  );
  if (result.status !== 0 || !installed()) throw new Error(`npm install of the peers into ${PEERS_DIR} failed (${result.status ?? result.signal})`);
}

/**
 * Imports a peer from the peers' folder (their own node_modules, not the product's). Both are ES
 * modules, so `createRequire` only resolves the path and `import()` loads it.
 */
export async function importPeer<T = any>(name: keyof typeof PEER_VERSIONS): Promise<T> {
  ensurePeers();
  const resolved = createRequire(path.join(PEERS_DIR, 'package.json')).resolve(name);
  return (await import(pathToFileURL(resolved).href)) as T;
}
