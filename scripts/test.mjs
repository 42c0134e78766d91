// `npm test`: every test in one vitest run (server, dashboard components, browser), against real
// PostgreSQL and a real Chromium. Installs Debian's chromium when it is missing and we may, and
// Debian's prometheus for promtool (the metrics tests check the exposition and alert rules with it).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDashboardBuilt } from './build-dashboard.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function findChromium() {
  for (const candidate of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

function ensureChromium() {
  let chromium = findChromium();
  if (chromium) return chromium;
  const isRoot = process.getuid?.() === 0;
  const hasApt = fs.existsSync('/usr/bin/apt-get') && fs.existsSync('/etc/debian_version');
  if (!isRoot || !hasApt) {
    console.error(
      'The browser tests need Chromium. Install it (Debian/Ubuntu: sudo apt-get install chromium) ' +
        'or point CHROMIUM_PATH at a Chromium binary, then run npm test again.',
    );
    process.exit(1);
  }
  console.log('Chromium is missing: installing Debian\'s chromium package…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-dejavu-core']]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed`);
      process.exit(1);
    }
  }
  chromium = findChromium();
  if (!chromium) {
    console.error('chromium was installed but /usr/bin/chromium is not there; set CHROMIUM_PATH');
    process.exit(1);
  }
  return chromium;
}

function findPromtool() {
  for (const candidate of [process.env.PROMTOOL_PATH, '/usr/bin/promtool', '/usr/local/bin/promtool']) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

function ensurePromtool() {
  const found = findPromtool();
  if (found) return found;
  const isRoot = process.getuid?.() === 0;
  const hasApt = fs.existsSync('/usr/bin/apt-get') && fs.existsSync('/etc/debian_version');
  if (!isRoot || !hasApt) {
    console.error('The metrics tests need promtool. Install it (Debian/Ubuntu: sudo apt-get install prometheus), then run npm test again.');
    process.exit(1);
  }
  console.log('promtool is missing: installing Debian\'s prometheus package…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'prometheus']]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed`);
      process.exit(1);
    }
  }
  const promtool = findPromtool();
  if (!promtool) {
    console.error('prometheus was installed but /usr/bin/promtool is not there; set PROMTOOL_PATH');
    process.exit(1);
  }
  return promtool;
}

const args = process.argv.slice(2);
const onlyServer = args.includes('--project=server') || args.includes('--project') && args[args.indexOf('--project') + 1] === 'server';
const env = { ...process.env };
env.PROMTOOL_PATH = ensurePromtool();
if (!onlyServer) {
  env.CHROMIUM_PATH = ensureChromium();
  await ensureDashboardBuilt();
}
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', ...args], { cwd: root, stdio: 'inherit', env });
process.exit(result.status ?? 1);
