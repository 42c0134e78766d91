import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Comments and READMEs cite the specification and the design rules by section or rule number. Those
 * documents live in docs/, so every citation can be followed from a clone: this fails when one
 * points outside the repository (the SPEC.md / DESIGN.md the project started from), at a docs/
 * file that does not exist, or at a section, rule or heading that file does not have.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const THIS_FILE = path.relative(ROOT, fileURLToPath(import.meta.url));

/**
 * Files that still cite a document outside the repository, each to be fixed and then removed from
 * here (the test fails while an entry is no longer needed). Keep it empty.
 */
const STILL_CITING_OUTSIDE: readonly string[] = [];

/** Where citations are written: code, tests, benchmarks, scripts, READMEs, the schema, deploy files. */
const SCANNED = ['README.md', 'codegen.yml', 'schema.graphql', 'docker-compose.yml', 'Dockerfile', 'server', 'dashboard', 'bench', 'scripts', 'deploy', 'docs'];
const TEXT = /\.(ts|mts|cts|js|mjs|cjs|vue|md|ya?ml|graphql|json)$|^Dockerfile$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'data', 'test-results']);

function filesUnder(relative: string): string[] {
  const full = path.join(ROOT, relative);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return TEXT.test(path.basename(relative)) ? [relative] : [];
  const found: string[] = [];
  for (const entry of fs.readdirSync(full, { withFileTypes: true })) {
    // Dot folders are local scratch (bench/.peers holds installed peers), never committed sources.
    if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
    found.push(...filesUnder(path.join(relative, entry.name)));
  }
  return found;
}

// Split so that this file does not cite what it looks for.
const OUTSIDE_NAMES = ['SP' + 'EC', 'DES' + 'IGN'].join('|');
/** `SPEC §3`, `DESIGN rule 5`, `DESIGN rules 5–7`, `DESIGN §1`, `SPEC.md`, `../shared/…`: documents outside the repository. */
const OUTSIDE = new RegExp(`\\b(?:${OUTSIDE_NAMES})(?:\\s*§|\\s+rules?\\b|\\.md\\b)|\\.\\./shared/`, 'g');

function outsideCitations(text: string): string[] {
  return [...text.matchAll(OUTSIDE)].map((m) => m[0]);
}

interface DocCitation {
  doc: string;
  anchor?: string;
  sections: number[];
  rules: number[];
}

function range(from: string, to: string | undefined): number[] {
  const a = Number(from);
  const b = to === undefined ? a : Number(to);
  return Array.from({ length: Math.max(b - a + 1, 1) }, (_, i) => a + i);
}

/** `docs/x.md`, `docs/x.md#anchor`, then optionally `§3`, `§2–§3`, `rule 9`, `rules 5–7` (also after a Markdown link's `)`). */
const DOC_CITATION = /\bdocs\/([\w.-]+\.md)(?:#([\w-]+))?\)?(?:\s*(?:§\s*(\d+)(?:\s*[–-]\s*§?\s*(\d+))?|rules?\s+(\d+)(?:\s*[–-]\s*(\d+))?))?/g;

function docCitations(text: string): DocCitation[] {
  return [...text.matchAll(DOC_CITATION)].map((m) => ({
    doc: m[1]!,
    ...(m[2] ? { anchor: m[2] } : {}),
    sections: m[3] ? range(m[3], m[4]) : [],
    rules: m[5] ? range(m[5], m[6]) : [],
  }));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

interface DocOutline {
  anchors: Set<string>;
  sections: Set<number>;
  rules: Set<number>;
}

function outline(file: string): DocOutline {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const anchors = new Set<string>();
  const sections = new Set<number>();
  const rules = new Set<number>();
  let inRules = false;
  let inCode = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) inCode = !inCode;
    if (inCode) continue;
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      anchors.add(headingAnchor(heading[1]!));
      const numbered = /^##\s+(\d+)\.\s/.exec(line);
      if (numbered) sections.add(Number(numbered[1]));
      // The numbered rules are the list of design.md §3 ("House rules").
      inRules = numbered?.[1] === '3';
      continue;
    }
    const rule = /^(\d+)\.\s/.exec(line);
    if (inRules && rule) rules.add(Number(rule[1]));
  }
  return { anchors, sections, rules };
}

/** Relative Markdown links `[text](target#anchor)` (not URLs, not in-page anchors). */
function relativeLinks(text: string): Array<{ target: string; anchor?: string }> {
  return [...text.matchAll(/\]\(([^)\s#]+)(?:#([^)\s]+))?\)/g)]
    .filter((m) => !/^[a-z]+:/i.test(m[1]!))
    .map((m) => ({ target: m[1]!, ...(m[2] ? { anchor: m[2] } : {}) }));
}

describe('citation scanners', () => {
  it('find citations of documents outside the repository, and not those of docs/', () => {
    expect(outsideCitations(`/** ${'SP' + 'EC'} §3: … (${'DES' + 'IGN'} rule 9), ${'DES' + 'IGN'} rules 5–7, ${'DES' + 'IGN'} §5 */`)).toHaveLength(4);
    expect(outsideCitations(`see ${'SP' + 'EC'}.md and ../shared/vectors/`)).toHaveLength(2);
    expect(outsideCitations('/** docs/specification.md §3 (docs/design.md rule 9), SPECIAL §, DESIGNER rules */')).toEqual([]);
  });

  it('read the document, anchor, sections and rules a docs/ citation names', () => {
    expect(docCitations('(docs/specification.md §2–§3) and docs/design.md rules 5–7, docs/design.md rule 9')).toEqual([
      { doc: 'specification.md', sections: [2, 3], rules: [] },
      { doc: 'design.md', sections: [], rules: [5, 6, 7] },
      { doc: 'design.md', sections: [], rules: [9] },
    ]);
    expect(docCitations('[docs/specification.md](../../../docs/specification.md) §4–§6; [x](docs/specification.md#8-the-graphql-contract)')).toEqual([
      { doc: 'specification.md', sections: [], rules: [] },
      { doc: 'specification.md', sections: [4, 5, 6], rules: [] },
      { doc: 'specification.md', anchor: '8-the-graphql-contract', sections: [], rules: [] },
    ]);
    expect(headingAnchor('8. The GraphQL contract')).toBe('8-the-graphql-contract');
    expect(headingAnchor('Egress through a proxy')).toBe('egress-through-a-proxy');
  });
});

describe('documents cited in the repository', () => {
  const files = SCANNED.flatMap(filesUnder).filter((f) => f !== THIS_FILE);
  const texts = new Map(files.map((f) => [f, fs.readFileSync(path.join(ROOT, f), 'utf8')]));

  it('are scanned where citations are written', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'server/src/dispatch/retry-policy.ts', 'dashboard/src/graphql/client.ts', 'docs/design.md']));
  });

  it('are all inside it: no comment or README cites SPEC/DESIGN outside the repository', () => {
    const offending = [...texts]
      .filter(([f]) => !STILL_CITING_OUTSIDE.includes(f))
      .flatMap(([f, text]) => text.split('\n').flatMap((line, i) => (outsideCitations(line).length ? [`${f}:${i + 1}: ${line.trim()}`] : [])));
    expect(offending).toEqual([]);
    const noLongerCiting = STILL_CITING_OUTSIDE.filter((f) => outsideCitations(texts.get(f) ?? '').length === 0);
    expect(noLongerCiting, 'these no longer cite outside documents: remove them from STILL_CITING_OUTSIDE').toEqual([]);
  });

  it('exist, with the sections, rules and headings cited', () => {
    const outlines = new Map<string, DocOutline>();
    const problems: string[] = [];
    for (const [f, text] of texts) {
      for (const c of docCitations(text)) {
        const doc = `docs/${c.doc}`;
        if (!fs.existsSync(path.join(ROOT, doc))) {
          problems.push(`${f}: ${doc} does not exist`);
          continue;
        }
        if (!outlines.has(doc)) outlines.set(doc, outline(doc));
        const o = outlines.get(doc)!;
        for (const s of c.sections) if (!o.sections.has(s)) problems.push(`${f}: ${doc} has no §${s}`);
        for (const r of c.rules) if (!o.rules.has(r)) problems.push(`${f}: ${doc} has no rule ${r}`);
        if (c.anchor && !o.anchors.has(c.anchor)) problems.push(`${f}: ${doc} has no heading #${c.anchor}`);
      }
    }
    expect(problems).toEqual([]);
    // What code cites today must stay there: the numbering is part of the documents.
    expect(outlines.get('docs/specification.md')?.sections).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(outlines.get('docs/design.md')?.rules).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
  });

  it("docs/ links resolve: each relative link from docs/, and to docs/, names a file (and heading) that exists", () => {
    const problems: string[] = [];
    for (const [f, text] of texts) {
      if (!f.endsWith('.md')) continue;
      for (const link of relativeLinks(text)) {
        const target = path.normalize(path.join(path.dirname(f), link.target));
        if (!f.startsWith('docs/') && !target.startsWith('docs/')) continue;
        if (!fs.existsSync(path.join(ROOT, target))) {
          problems.push(`${f}: ${link.target} does not exist`);
          continue;
        }
        if (link.anchor && target.endsWith('.md') && !outline(target).anchors.has(link.anchor)) problems.push(`${f}: ${target} has no heading #${link.anchor}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
