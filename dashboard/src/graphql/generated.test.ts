// @vitest-environment node
/// <reference types="node" />
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const committed = path.join(root, 'dashboard/src/graphql/generated');

/**
 * The typed documents are committed; this fails when they no longer match schema.graphql or the
 * documents: codegen runs with the same config into a temporary folder and the files must match.
 */
it('the generated GraphQL types are fresh (run `npm run codegen` when this fails)', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'codegen-'));
  try {
    const config = fs.readFileSync(path.join(root, 'codegen.yml'), 'utf8');
    const target = 'dashboard/src/graphql/generated/:';
    expect(config).toContain(target);
    const configFile = path.join(out, 'codegen.yml');
    fs.writeFileSync(configFile, config.replace(target, `${JSON.stringify(path.join(out, 'generated') + '/')}:`));
    const result = spawnSync(process.execPath, [path.join(root, 'node_modules/@graphql-codegen/cli/esm/bin.js'), '--config', configFile], { cwd: root, encoding: 'utf8' });
    expect(result.status, result.stderr || result.stdout).toBe(0);
    const files = fs.readdirSync(committed).sort();
    expect(fs.readdirSync(path.join(out, 'generated')).sort()).toEqual(files);
    for (const file of files) {
      const fresh = fs.readFileSync(path.join(out, 'generated', file), 'utf8');
      expect(fresh, `${file} is stale: run npm run codegen`).toBe(fs.readFileSync(path.join(committed, file), 'utf8'));
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 60_000);
