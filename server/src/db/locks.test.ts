import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADVISORY_LOCKS, ADVISORY_LOCK_CLASSES, lockKeyOf } from './locks.js';

const SRC = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('advisory locks', () => {
  it('have an id each, different across the one-key and two-key forms', () => {
    const ids = [...Object.values(ADVISORY_LOCKS), ...Object.values(ADVISORY_LOCK_CLASSES)];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('are taken only by the names of db/locks.ts: no lock id is written anywhere else', () => {
    const ids = [...Object.values(ADVISORY_LOCKS), ...Object.values(ADVISORY_LOCK_CLASSES)].map(String);
    const offenders: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const name = relative(SRC, file);
      if (name === join('db', 'locks.ts')) continue;
      const text = readFileSync(file, 'utf8');
      // A literal key inside the call, or one of the registry's numbers kept in a constant of its own.
      if (/pg_(try_)?advisory_\w+\(\s*\d/.test(text) || ids.some((id) => text.includes(id))) offenders.push(name);
    }
    expect(offenders).toEqual([]);
  });

  it('derive the second key from a record id as an int4, the same for the same id', () => {
    const key = lockKeyOf('6f1c1a5e-0000-4000-8000-000000000001');
    expect(Number.isInteger(key) && key >= -(2 ** 31) && key < 2 ** 31).toBe(true);
    expect(lockKeyOf('6f1c1a5e-0000-4000-8000-000000000001')).toBe(key);
    expect(lockKeyOf('6f1c1a5e-0000-4000-8000-000000000002')).not.toBe(key);
  });
});
