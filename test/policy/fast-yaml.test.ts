// The fast YAML reader (src/policy/fast-yaml.ts) against the `yaml` library it stands in
// for: whenever it gives a tree, `yaml` reads the same text without an error, a warning or
// a repeated key, and the policy reader (YamlReader) sees the same tree in both: the same
// keys, items, values, types, source texts and positions. Edge scalars and shapes from a
// table, then seeded random documents (many of them broken on purpose).

import { describe, expect, test } from 'vitest';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { parseFast } from '../../src/policy/fast-yaml.js';
import { YamlReader, type Field } from '../../src/policy/yaml-reader.js';
import { duplicateKeyErrors } from '../../src/policy/yaml-unique-keys.js';

/** What a policy reader can see of a document: every key, item and scalar, with its position. */
function view(doc: Document, lines: LineCounter): unknown {
  const issues: unknown[] = [];
  const r = new YamlReader('t.yaml', doc, lines, issues as never);
  const walk = (f: Field, depth: number): unknown => {
    // Aliases can make a cycle or a bomb: the readers never go deeper than a policy is.
    if (depth > 12) return '...';
    const n = f.node;
    const at = r.valueAt(f);
    if (n && isMap(n)) return { at, map: (r.entries(f) ?? []).map((e) => [e.name, e.at, walk(e, depth + 1)]) };
    if (n && isSeq(n)) return { at, seq: (r.items(f) ?? []).map((i) => [i.at, walk(i, depth + 1)]) };
    const value: unknown = n && isScalar(n) ? n.value : undefined;
    return { at, text: r.text(f), describe: r.describe(f), type: typeof value, value: String(value), negativeZero: Object.is(value, -0) };
  };
  return { tree: walk(r.root(), 0), issues };
}

/** The `yaml` library's reading: its tree, and whether it found anything wrong. */
function slow(text: string): { view: unknown; problems: string[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const problems = [...doc.errors, ...doc.warnings, ...duplicateKeyErrors(doc)].map((e) => e.code);
  return { view: view(doc, lines), problems };
}

/** Undefined when the fast reader declines the text; else the check that `yaml` agrees. */
function fastAgrees(text: string): boolean | undefined {
  const fast = parseFast(text);
  if (!fast) return undefined;
  const expected = slow(text);
  expect(expected.problems, `yaml finds problems in a text the fast reader took: ${JSON.stringify(text)}`).toEqual([]);
  expect(view(fast.doc, fast.lines), JSON.stringify(text)).toEqual(expected.view);
  return true;
}

/** Scalars as policies (and mistakes in them) write them. */
const SCALARS = [
  'a', 'example.org', 'v=spf1 -all', 'mx1.example.org.', '192.0.2.1', '2001:db8::1', 'é', '中文', 'a b', 'a#b', 'x:y', 'x-', '-x', '.x', 'a:', 'http://x/y',
  '1', '0', '-0', '+12', '007', '08', '1.10', '1.0', '.5', '5.', '1e3', '1E-3', '-1.5e+3', '1_000', '1,000', '0o17', '0o8', '0O17', '0x1F', '0X1F', '0xg', '0b101',
  '9007199254740993', '12345678901234567890', '.inf', '-.Inf', '+.INF', '.NaN', '.nan', 'NaN', 'inf',
  'true', 'True', 'TRUE', 'tRue', 'false', 'yes', 'no', 'on', 'off', 'y', 'n', 'null', 'Null', 'NULL', 'nUll', '~', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '12:30:00',
  "'q'", "'it''s'", "''", "'1.10'", "'true'", "'~'", '"dq"', '""', '"1"', '"a\\tb"', '"\\u00e9"', '"\\x41"', '"a\\\\b"', '"q\'s"', "'d\"q'", '"#x"', "'a # b'",
  '<<', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '=', '@x', '`x', '%x', '!x', '|x', '>x', '*', '&', '?', '? x', '-', '- x', ': x', ',', '[', '{', ']', '}',
  '!!str 1', '!!int "1"', '!!bool true', '!tag y', '! z', '!<tag:yaml.org,2002:str> w', '&a x', '&b 1', '*a', '*b', '*zz', '&a', '&a []', '&c {k: v}', '*c',
  '[]', '{}', '[a, b]', '[a, [b, c]]', '[ a , b ]', '[a, b,]', '[a,,b]', '[,]', '{a: 1, b: [x]}', '{a, b}', '{a: }', '{: b}', '[a: b]', '{a: 1, a: 2}', '{1: a, 1.0: b}', '{"a": 1}',
  '[a]b', '[a] # c', '{a: {b: {c: d}}}', '[&x a, *x]', '{k: &y v, l: *y}', '[1, .NaN, .nan]', '{.nan: 1, .NaN: 2}', '{? a : b}', '{a: [b, {c: d}]}',
  '|\n  text', '>-\n  folded', '|+\n  keep\n', '"multi\n  line"', "'multi\n  line'", 'multi\n  line plain', '[a,\n  b]', '{a: 1,\n  b: 2}', '[a,\nb]',
  ' x', 'x ', 'x # comment', 'x# not a comment', '#only', '---', '...', '--- x', 'x\u2028y', 'x\u0085y', 'x\u0007y', '\uFEFFx', 'k'.repeat(1100),
];

const KEYS = [
  'version', 'domains', 'example.org', 'a', 'b', 'c', 'mx', '1', '1.10', '1.1', '0x1', 'true', 'null', '~', '"q"', "'s'", '"1.10"', '__proto__', 'constructor', '<<',
  'a b', '? x', '[a]', '{a: b}', '&k k', '*k', '!!str k', '"a\\u0062"', 'k'.repeat(1030), '"' + 'k'.repeat(1030) + '"', '.nan', '-', '- a', 'é',
];

describe('the fast reader gives the tree `yaml` gives, or declines', () => {
  const contexts = (s: string): string[] => [
    `key: ${s}\n`,
    `- ${s}\n`,
    `${s}: value\n`,
    `list:\n  - ${s}\n  - other\n`,
    `map:\n  inner: ${s}\n  other: 1\n`,
    `${s}\n`,
    `a: &a anchored\nkey: ${s}\n`,
    `seq: [${s}]\n`,
    `map: { k: ${s} }\n`,
    `map: { ${s}: v }\n`,
  ];

  test.each(SCALARS.map((s) => [JSON.stringify(s).slice(0, 60), s]))('scalar %s in every context', (_, s) => {
    for (const text of contexts(s)) fastAgrees(text);
  });

  test.each(KEYS.map((k) => [JSON.stringify(k).slice(0, 60), k]))('key %s', (_, k) => {
    for (const text of [`${k}: 1\n`, `top:\n  ${k}: 1\n  other: 2\n`, `{ ${k}: 1 }\n`, `a: 1\n${k}: 2\n${k}: 3\n`]) fastAgrees(text);
  });

  test('every first character, with tails that would make a null, bool, int or float', () => {
    const tails = ['', 'ull', 'ULL', 'rue', 'alse', '1', '123', '0x1F', 'o17', '.5', '5.', 'e3', '.5e-3', 'inf', 'Inf', 'nan', 'NaN', 'x'];
    let taken = 0;
    for (let c = 0x21; c < 0x7f; c++) {
      for (const tail of tails) if (fastAgrees(`k: ${String.fromCharCode(c)}${tail}\n`)) taken++;
    }
    expect(taken).toBeGreaterThan(1000);
  });

  test('the plain shapes of a policy are read fast, positions and all', () => {
    const texts = [
      'version: 1\ndomains:\n  example.org:\n    senders: [mx, { provider: google }]\n    mx:\n      - { host: mx1.example.org, preference: 10 }\n',
      '# a comment\n---\nversion: 1 # trailing\n\nzones:\n  example.org:\n  example.net: {}\n',
      'version: 1\r\ndomains:\r\n  example.org:\r\n    dmarc: { policy: "reject", rua: [\'dmarc@example.org\'] }\r\n',
      'version: 1\nd: &d { a: [x, y] }\ne: *d\nf: [*d, *d]\n',
      'a:\n- x\n- y\nb:\n    - 1.10\n    - 0o17\n    - 0x1F\n    - -.inf\n',
      'k: v\n  # indented comment\nl: w\n',
    ];
    for (const text of texts) expect(fastAgrees(text), JSON.stringify(text)).toBe(true);
  });

  test('tags, directives, block scalars, escapes, tabs, a BOM, several documents, repeated anchors are left to `yaml`', () => {
    const texts = [
      'a: !!str 1\n', '%YAML 1.1\n---\na: yes\n', 'a: |\n  x\n', 'a: "x\\ty"\n', 'a:\tb\n', '\uFEFFa: 1\n', 'a: 1\n---\nb: 2\n', 'a: 1\n...\n',
      'a: &x 1\nb: &x 2\nc: *x\n', 'a: *x\n', 'a: &x [*x]\n', 'a: "two\n  lines"\n', 'a: [1,\n  2]\n', 'a: 1\rb: 2\n', '*x : 1\n', '-\n- a\n', 'a: 1\na: 2\n',
      `${'k'.repeat(1030)}: 1\n`, '',
    ];
    for (const text of texts) expect(parseFast(text), JSON.stringify(text)).toBeUndefined();
  });

  test('seeded random documents, many broken: never a tree `yaml` would not give', () => {
    const rng = prng(20261207);
    let taken = 0;
    const runs = 4000;
    for (let i = 0; i < runs; i++) if (fastAgrees(randomDocument(rng))) taken++;
    // Both outcomes are exercised: a fuzz that is always declined proves nothing.
    expect(taken).toBeGreaterThan(runs / 10);
    expect(taken).toBeLessThan(runs);
  });
});

type Rng = () => number;

/** mulberry32: a small seeded generator, so a failure repeats. */
function prng(seed: number): Rng {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;

function randomBlock(rng: Rng, indent: number, depth: number): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  const isMap = depth === 0 || rng() < 0.65;
  const count = 1 + Math.floor(rng() * 4);
  for (let i = 0; i < count; i++) {
    const head = isMap ? `${pad}${pick(rng, KEYS.slice(0, 22))}:` : `${pad}-`;
    if (depth < 4 && rng() < 0.35) {
      const anchor = rng() < 0.1 ? ` &${pick(rng, ['a', 'b'])}` : '';
      out.push(head + anchor);
      const step = pick(rng, [2, 2, 2, 4, 1, 3, 0]);
      out.push(...randomBlock(rng, indent + (isMap ? step : Math.max(step, 2)), depth + 1));
    } else {
      const value = rng() < 0.5 ? pick(rng, SCALARS.slice(0, 60)) : pick(rng, SCALARS);
      out.push(`${head} ${value}${rng() < 0.1 ? ' # note' : ''}${rng() < 0.05 ? ' ' : ''}`);
    }
    if (rng() < 0.05) out.push('');
    if (rng() < 0.03) out.push(`${pad}# comment`);
  }
  return out;
}

function randomDocument(rng: Rng): string {
  let lines = randomBlock(rng, 0, 0);
  if (rng() < 0.05) lines = ['---', ...lines];
  let text = lines.join(rng() < 0.1 ? '\r\n' : '\n') + (rng() < 0.9 ? '\n' : '');
  // Mistakes: a character dropped, doubled or swapped for a YAML indicator.
  const mistakes = rng() < 0.4 ? 1 + Math.floor(rng() * 3) : 0;
  for (let m = 0; m < mistakes; m++) {
    const at = Math.floor(rng() * text.length);
    const what = rng();
    if (what < 0.3) text = text.slice(0, at) + text.slice(at + 1);
    else if (what < 0.5) text = text.slice(0, at) + text[at] + text.slice(at);
    else text = text.slice(0, at) + pick(rng, [':', '-', ' ', '\n', '#', '[', ']', '{', '}', ',', '"', "'", '&', '*', '!', '?', '|', '>', '%', '@', '`', '  ']) + text.slice(at + 1);
  }
  return text;
}
