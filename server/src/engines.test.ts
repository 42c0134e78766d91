import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));

/**
 * `npm install` warns EBADENGINE for every locked package whose `engines.node` the running Node does
 * not satisfy. The README promises Node 20; so the oldest Node of each line our own `engines` declares
 * must satisfy every package in the lock, or the declaration is a lie and installs are noisy.
 */
describe('declared Node engines', () => {
  const declared: string = readJson('package.json').engines.node;
  const oldestOfEachLine = new semver.Range(declared).set.map((comparators) => semver.minVersion(new semver.Range(comparators.map((c) => c.value).join(' ')))!.version);

  it('names Node 20, as the README and the Dockerfile do', () => {
    expect(oldestOfEachLine.some((v) => semver.major(v) === 20)).toBe(true);
    expect(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8')).toMatch(/^FROM node:20/m);
  });

  it('is satisfied by every locked package, so npm install prints no EBADENGINE', () => {
    const lock = readJson('package-lock.json');
    const unmet: string[] = [];
    for (const [name, entry] of Object.entries<{ engines?: { node?: string } | string[] }>(lock.packages)) {
      const wanted = !Array.isArray(entry.engines) ? entry.engines?.node : undefined;
      if (!name || !wanted) continue;
      for (const node of oldestOfEachLine) {
        if (!semver.satisfies(node, wanted, { includePrerelease: true })) unmet.push(`${name} wants node ${wanted}, not met by ${node}`);
      }
    }
    expect(unmet).toEqual([]);
  });
});
