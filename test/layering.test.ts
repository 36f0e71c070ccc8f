// The layering rule of docs/architecture.md, read from the source: imports point down the
// layer list, no import cycle among folders or files, and only src/cli prints or exits.
// Type-only imports of the resolver seam (src/dns/resolver.ts) may point up: a type is gone
// at run time, and the seam is the one interface lower layers describe their answers with.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Bottom first: a folder may import only from folders before it. */
export const LAYERS = [
  'base',
  'dns-types',
  'dns',
  'zone',
  'mail',
  'policy',
  'build',
  'plan',
  'apply',
  'audit',
  'dmarc-reports',
  'interop',
  'report',
  'cli',
] as const;

/** The one module lower layers may import types from, wherever it sits. */
const RESOLVER_SEAM = 'dns/resolver.ts';

const SRC = join(import.meta.dirname, '..', 'src');

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** Every relative import of the files (paths relative to src/, "/" separated). */
export function importEdges(files: ReadonlyMap<string, string>): Edge[] {
  const edges: Edge[] = [];
  // import/export ... from '…'; side-effect import '…'; dynamic import('…').
  const pattern = /(?:^|\n)\s*(import|export)(\s+type\b)?(?:[^;'"]*?\sfrom)?\s*['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g;
  for (const [file, text] of files) {
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const m of code.matchAll(pattern)) {
      const spec = m[3] ?? m[4]!;
      const target = resolveImport(file, spec, files);
      if (target === undefined) continue;
      edges.push({ from: file, to: target, typeOnly: m[2] !== undefined });
    }
  }
  return edges;
}

function resolveImport(file: string, spec: string, files: ReadonlyMap<string, string>): string | undefined {
  const base = normalize(join(dirname(file), spec)).split(sep).join('/');
  for (const candidate of [base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}/index.ts`]) {
    if (files.has(candidate)) return candidate;
  }
  return undefined;
}

function folderOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 1 ? parts[0]! : '(root)';
}

/** Strongly connected sets of more than one node (Tarjan), each sorted. */
function cycles(nodes: readonly string[], next: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const set: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        set.push(w);
      } while (w !== v);
      if (set.length > 1) out.push(set.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return out;
}

/** What breaks the layering, one line per problem, naming the file-to-file edge. */
export function checkLayering(files: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  const rank = new Map<string, number>(LAYERS.map((layer, i) => [layer, i]));
  for (const file of files.keys()) {
    if (!rank.has(folderOf(file))) problems.push(`${file}: folder ${folderOf(file)} is in no layer (add it to LAYERS and docs/architecture.md)`);
  }
  const edges = importEdges(files);
  for (const e of edges) {
    const from = rank.get(folderOf(e.from));
    const to = rank.get(folderOf(e.to));
    if (from === undefined || to === undefined || to <= from) continue;
    if (e.typeOnly && e.to === RESOLVER_SEAM) continue;
    problems.push(`upward ${e.typeOnly ? 'type-only ' : ''}import: ${e.from} -> ${e.to} (${folderOf(e.from)} is below ${folderOf(e.to)})`);
  }
  const runtime = edges.filter((e) => !e.typeOnly);
  const fileNext = new Map<string, Set<string>>();
  const folderNext = new Map<string, Set<string>>();
  for (const e of runtime) {
    fileNext.set(e.from, (fileNext.get(e.from) ?? new Set()).add(e.to));
    if (folderOf(e.from) !== folderOf(e.to)) folderNext.set(folderOf(e.from), (folderNext.get(folderOf(e.from)) ?? new Set()).add(folderOf(e.to)));
  }
  for (const set of cycles([...new Set([...files.keys()].map(folderOf))].sort(), folderNext)) {
    const inside = runtime.filter((e) => folderOf(e.from) !== folderOf(e.to) && set.includes(folderOf(e.from)) && set.includes(folderOf(e.to)));
    problems.push(`folder cycle ${set.join(', ')}: ${inside.map((e) => `${e.from} -> ${e.to}`).join('; ')}`);
  }
  for (const set of cycles([...files.keys()].sort(), fileNext)) {
    const inside = runtime.filter((e) => set.includes(e.from) && set.includes(e.to));
    problems.push(`file cycle: ${inside.map((e) => `${e.from} -> ${e.to}`).join('; ')}`);
  }
  // Core code never prints and never ends the process: only the CLI does (BRIEF.md).
  for (const [file, text] of files) {
    if (folderOf(file) === 'cli') continue;
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    const m = /\b(console\.[a-z]+|process\.exit|process\.std(?:out|err))\b/.exec(code);
    if (m) problems.push(`${file}: ${m[1]} outside src/cli`);
  }
  return problems;
}

function readSources(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.set(relative(dir, p).split(sep).join('/'), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

describe('layering (docs/architecture.md)', () => {
  it('docs/architecture.md describes every layer and the README links it', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'architecture.md'), 'utf8');
    for (const layer of LAYERS) expect(doc, layer).toContain(`| \`src/${layer}/`);
    expect(readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8')).toContain('(docs/architecture.md)');
  });

  it('src/ imports point down the layer list, without cycles, and only src/cli prints', () => {
    const files = readSources(SRC);
    expect(files.size).toBeGreaterThan(100);
    expect(checkLayering(files)).toEqual([]);
  });

  it('names an upward import, a folder cycle, a file cycle and a print', () => {
    const files = new Map([
      ['base/errors.ts', "import { x } from '../mail/spf/record.js';\n"],
      ['mail/spf/record.ts', "import { y } from '../../base/errors.js';\nimport type { Answer } from '../../dns/resolver.js';\n"],
      ['dns/resolver.ts', 'export type Answer = 1;\n'],
      ['base/finding.ts', "import type { Answer } from '../dns/resolver.js';\nimport type { Z } from '../audit/run.js';\n"],
      ['audit/run.ts', "export type Z = 1;\nconsole.log('x');\n"],
      ['cli/main.ts', "import { run } from '../audit/run.js';\nconsole.log(run);\n"],
      ['extra/thing.ts', 'export {};\n'],
    ]);
    expect(checkLayering(files)).toEqual([
      'extra/thing.ts: folder extra is in no layer (add it to LAYERS and docs/architecture.md)',
      'upward import: base/errors.ts -> mail/spf/record.ts (base is below mail)',
      'upward type-only import: base/finding.ts -> audit/run.ts (base is below audit)',
      'folder cycle base, mail: base/errors.ts -> mail/spf/record.ts; mail/spf/record.ts -> base/errors.ts',
      'file cycle: base/errors.ts -> mail/spf/record.ts; mail/spf/record.ts -> base/errors.ts',
      'audit/run.ts: console.log outside src/cli',
    ]);
  });

  it('reads dynamic imports and re-exports as runtime edges, `import type` as type-only', () => {
    const files = new Map([
      ['dns/a.ts', "export { b } from './b.js';\nconst c = await import('./c.js');\nimport type { D } from './d.js';\n"],
      ['dns/b.ts', ''],
      ['dns/c.ts', ''],
      ['dns/d.ts', ''],
    ]);
    expect(importEdges(files)).toEqual([
      { from: 'dns/a.ts', to: 'dns/b.ts', typeOnly: false },
      { from: 'dns/a.ts', to: 'dns/c.ts', typeOnly: false },
      { from: 'dns/a.ts', to: 'dns/d.ts', typeOnly: true },
    ]);
  });
});
