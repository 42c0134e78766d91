import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * Layers only point down (docs/design.md §2, "Layers"): a module imports from its own layer or
 * those below it, never from one above. The layers, lowest first, are the ones docs/design.md
 * lists; a file belongs to the first rule that matches its path (relative to server/src). Tests,
 * test kits and test child processes are not checked: a test may start the whole service.
 */
const LAYERS: Array<{ name: string; paths: string[] }> = [
  {
    name: 'foundation',
    paths: ['config.ts', 'log.ts', 'logging/', 'validation/', 'net/', 'db/', 'crypto/keyring.ts', 'crypto/secrets.ts'],
  },
  {
    name: 'api kit',
    paths: ['graphql/errors.ts', 'graphql/context.ts', 'graphql/connection.ts', 'graphql/batch-loader.ts', 'graphql/json-scalar.ts', 'http/text-limits.ts'],
  },
  { name: 'auth methods', paths: ['auth/'] },
  {
    name: 'features',
    paths: ['access/', 'audit/', 'breaker/', 'sites/', 'signing/', 'oauth/', 'dispatch/', 'retention/', 'metrics/', 'tracing/', 'crypto/sealed-values.ts', 'crypto/rotation.ts'],
  },
  {
    name: 'composition',
    paths: ['graphql/schema.ts', 'graphql/print-schema.ts', 'http/', 'services.ts', 'main.ts', 'dispatch/child-process.ts', 'crypto/rotate-master-key.ts'],
  },
];

/**
 * The imports that still point up, each with why it stays. The test fails when one is no longer
 * needed, so this list only shrinks.
 */
const ALLOWED_UPWARD: Array<{ from: string; to: string; why: string }> = [
  {
    from: 'graphql/context.ts',
    to: 'services.ts',
    why: 'type only: the context hands every resolver the service container and its loaders, whose types name each service; erased when compiled, so no module is loaded upward',
  },
  {
    from: 'graphql/context.ts',
    to: 'access/tokens.ts',
    why: 'type only: the context carries the caller (Principal), which access/ defines with the roles',
  },
];

const SRC = import.meta.dirname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    const checked = entry.name.endsWith('.ts') && !/\.test\.ts$|\.testkit\.ts$|\.child\.ts$|^test-helpers\.ts$/.test(entry.name);
    return checked ? [path] : [];
  });
}

/** The most specific rule wins (a file named on its own over its folder). */
function layerOf(file: string): number | undefined {
  let best: { layer: number; length: number } | undefined;
  LAYERS.forEach((layer, index) => {
    for (const path of layer.paths) {
      const matches = path.endsWith('/') ? file.startsWith(path) : file === path;
      if (matches && (!best || path.length > best.length)) best = { layer: index, length: path.length };
    }
  });
  return best?.layer;
}

// `import … from './x.js'`, `export … from './x.js'`, `import './x.js'` and `await import('./x.js')`.
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*'(\.[^']+)'|(?:^|\n)\s*import\s*'(\.[^']+)'|\bimport\(\s*'(\.[^']+)'\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2] ?? match[3]!;
    const target = relative(SRC, resolve(dirname(join(SRC, file)), specifier)).replace(/\.js$/, '.ts');
    if (!target.startsWith('..')) found.push(target);
  }
  return found;
}

const files = sourceFiles(SRC).map((path) => relative(SRC, path).split('\\').join('/'));

/** The imports of `file` that load code at run time (not `import type`/`export type`). */
function valueImportsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    if (/^\s*(?:import|export)\s+type\s/.test(match[0])) continue;
    const specifier = match[1] ?? match[2] ?? match[3]!;
    const target = relative(SRC, resolve(dirname(join(SRC, file)), specifier)).replace(/\.js$/, '.ts');
    if (!target.startsWith('..')) found.push(target);
  }
  return found;
}

describe('layers', () => {
  it('place every source file under server/src', () => {
    expect(files.filter((file) => layerOf(file) === undefined)).toEqual([]);
  });

  it('only point down: no file imports from a layer above its own, but the listed exceptions', () => {
    const upward: string[] = [];
    for (const from of files) {
      for (const to of importsOf(from)) {
        const fromLayer = layerOf(from)!;
        const toLayer = layerOf(to);
        if (toLayer === undefined || toLayer <= fromLayer) continue;
        if (ALLOWED_UPWARD.some((allowed) => allowed.from === from && allowed.to === to)) continue;
        upward.push(`${from} (${LAYERS[fromLayer]!.name}) imports ${to} (${LAYERS[toLayer]!.name})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('list only exceptions that are still needed, each upward and type-only', () => {
    for (const allowed of ALLOWED_UPWARD) {
      expect(importsOf(allowed.from), `${allowed.from} no longer imports ${allowed.to}: drop the exception`).toContain(allowed.to);
      expect(layerOf(allowed.to)!, `${allowed.from} → ${allowed.to} does not point up`).toBeGreaterThan(layerOf(allowed.from)!);
      const text = readFileSync(join(SRC, allowed.from), 'utf8');
      const line = text.split('\n').find((l) => l.includes(`'${relative(dirname(allowed.from), allowed.to).replace(/\.ts$/, '.js').replace(/^(?!\.)/, './')}'`));
      expect(line, `${allowed.from} → ${allowed.to}`).toMatch(/^import type /);
    }
  });

  it('SQL modules load no GraphQL: scripts and benchmarks import them without reflect-metadata', () => {
    const loadsTypeGraphql = (file: string) => /^\s*import\s+(?!type\s)[^'"]*from\s*'type-graphql'/m.test(readFileSync(join(SRC, file), 'utf8'));
    const offenders: string[] = [];
    for (const start of files.filter((file) => file.endsWith('.sql.ts'))) {
      const seen = new Set<string>([start]);
      const path = new Map<string, string>([[start, start]]);
      const queue = [start];
      while (queue.length > 0) {
        const file = queue.shift()!;
        if (loadsTypeGraphql(file)) {
          offenders.push(path.get(file)!);
          break;
        }
        for (const next of valueImportsOf(file)) {
          if (seen.has(next) || !files.includes(next)) continue;
          seen.add(next);
          path.set(next, `${path.get(file)} → ${next}`);
          queue.push(next);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('are what docs/design.md lists, in the same order', () => {
    const design = readFileSync(join(SRC, '../../docs/design.md'), 'utf8');
    const positions = LAYERS.map((layer) => design.indexOf(`**${layer.name}**`));
    expect(positions.every((p) => p >= 0), 'each layer named in bold in docs/design.md').toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});
