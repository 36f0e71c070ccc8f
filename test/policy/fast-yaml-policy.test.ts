// Every policy read both ways, by the fast path (src/policy/fast-yaml.ts) and by the
// `yaml` Document path alone, gives the same part, issues and referenced files, byte for
// byte as JSON: the fixtures under test/, the bundled example, generated bench repos of
// each shape, and a table of edge values. Clean files take the fast path; a file with an
// issue is read again by the Document path.

import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writePlanRepo, type SharedBlocks } from '../../bench/plan.js';
import type { PolicyIssue } from '../../src/base/errors.js';
import type { FileRef } from '../../src/policy/drafts.js';
import { readPolicyFile, type PolicyParser, type PolicySource } from '../../src/policy/read-document.js';

const ROOT = join(import.meta.dirname, '..', '..');

function read(source: PolicySource, parser?: PolicyParser): { json: string; parser: PolicyParser } {
  const issues: PolicyIssue[] = [];
  const files: FileRef[] = [];
  const out = readPolicyFile(source, issues, files, parser ? { parser } : {});
  return { json: JSON.stringify({ part: out.part, issues, files }), parser: out.parser };
}

/** Reads both ways, expects the same JSON, and says which parser the default way took. */
function bothWays(source: PolicySource): PolicyParser {
  const fast = read(source);
  const document = read(source, 'document');
  expect(document.parser).toBe('document');
  expect(fast.json, source.file).toBe(document.json);
  return fast.parser;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

describe('every policy in the repo reads the same both ways', () => {
  const paths = [...yamlFiles(join(ROOT, 'test')), ...yamlFiles(join(ROOT, 'policies'))];

  test('there are fixtures to read, clean and broken', () => {
    const parsers = paths.map((p) => read({ file: relative(ROOT, p), text: readFileSync(p, 'utf8') }).parser);
    expect(paths.length).toBeGreaterThan(40);
    expect(parsers).toContain('fast');
    expect(parsers).toContain('document');
  });

  test.each(paths.map((p) => [relative(ROOT, p)]))('%s', (file) => {
    bothWays({ file, text: readFileSync(join(ROOT, file), 'utf8') });
  });

  test('the bundled example takes the fast path', () => {
    const file = 'policies/mail.yaml';
    expect(bothWays({ file, text: readFileSync(join(ROOT, file), 'utf8') })).toBe('fast');
  });
});

describe('generated bench repos read the same both ways, every file by the fast path', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mailrec-fast-yaml-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each(['own', 'expanded', 'aliases'] as SharedBlocks[])('%s', async (shared) => {
    const repo = join(dir, shared);
    await writePlanRepo(repo, 90, { perFile: 40, shared });
    const names = readdirSync(join(repo, 'policies'));
    expect(names).toHaveLength(3);
    for (const name of names) {
      const text = readFileSync(join(repo, 'policies', name), 'utf8');
      if (shared === 'aliases') expect(text).toContain('*s_');
      expect(bothWays({ file: `policies/${name}`, text })).toBe('fast');
    }
  });
});

describe('edge values in a policy read the same both ways', () => {
  const policy = (ttl: string, name = 'example.org', extra: string[] = []): string =>
    [
      'version: 1',
      `zones: { example.org: {} }`,
      'domains:',
      `  ${name}:`,
      `    ttl: ${ttl}`,
      '    senders: [mx, { provider: google }]',
      '    mx: [{ host: mx1.example.org, preference: 10 }]',
      ...extra,
      '',
    ].join('\n');

  const TTLS = ['3600', '"3600"', "'3600'", '0o17', '0x10', '+12', '-0', '0', '1e3', '3600.0', '1.10', '.inf', '-.inf', '.nan', '~', 'null', '', 'true', 'yes', '1_000', '012', '2147483648', '9007199254740993', '[]', '{}', 'a b', '&t 300', '!!int 5', '|\n      5'];
  test.each(TTLS.map((t) => [JSON.stringify(t), t]))('ttl %s', (_, ttl) => {
    bothWays({ file: 'p.yaml', text: policy(ttl) });
  });

  const NAMES = ['example.org', 'Example.ORG', '"example.org"', "'example.org'", 'mail.example.org', '1.10', '__proto__', 'constructor', '<<', 'true', '~', '"a b"', 'é.example.org'];
  test.each(NAMES.map((n) => [n]))('domain name %s', (name) => {
    bothWays({ file: 'p.yaml', text: policy('300', name) });
  });

  const EXTRAS: string[][] = [
    ['    dmarc: { policy: reject, rua: [dmarc@example.org], pct: 50 }'],
    ['    dmarc:', '      policy: quarantine', '      rua:', '        - "mailto:dmarc@example.org"'],
    ['    raw:', "      - { name: '@', type: TXT, value: 'v=spf1 -all' }"],
    ['    raw:', '      - { name: _dmarc, type: TXT, value: "v=DMARC1; p=none" }'],
    ['    raw:'],
    ['    mta_sts: &m { mode: enforce, max_age: 604800 }', '    tls_rpt: { rua: [tlsrpt@example.org] }'],
    ['    dkim: [{ selector: s1, key: keys/a.pub, state: active }]'],
    ['    dkim:', '      - selector: 2026', '        key: keys/b.pub', '        state: retired'],
    ['    srv: [{ service: submissions, target: mail.example.org, port: 465 }]'],
    ['    unknown_key: 1'],
    ['    mx: [{ host: mx2.example.org, preference: 20 }]'],
    ['    senders: [{ provider: google }, { ip4: 192.0.2.1 }, { ip6: "2001:db8::1" }]'],
  ];
  test.each(EXTRAS.map((e, i) => [i, e]))('extra %s', (_, extra) => {
    bothWays({ file: 'p.yaml', text: policy('300', 'example.org', extra) });
  });

  test('which parser reads a file: the fast one for a clean file, the Document for one with an issue', () => {
    expect(bothWays({ file: 'p.yaml', text: policy('300') })).toBe('fast');
    expect(bothWays({ file: 'p.yaml', text: policy('0o17') })).toBe('fast');
    // An issue the policy readers find (a TTL out of range), and one only YAML finds (a repeated key).
    expect(bothWays({ file: 'p.yaml', text: policy('-5') })).toBe('document');
    expect(bothWays({ file: 'p.yaml', text: policy('300', 'example.org', ['    ttl: 400']) })).toBe('document');
    expect(read({ file: 'p.yaml', text: policy('-5') }).json).toContain('out of range');
  });
});

describe('hostile YAML stays bounded on the fast path', () => {
  // Bounded by the test timeout: the fast path shares aliased nodes, never copies them.
  test('an alias bomb, deep nesting and a long flow line read the same both ways', () => {
    const bomb = ['version: 1', 'a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 20; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const deep = `version: 1\ndomains: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    const wide = `version: 1\nzones: { ${Array.from({ length: 20_000 }, (_, i) => `z${i}.example: {}`).join(', ')} }\n`;
    for (const text of [`${bomb.join('\n')}\n`, deep, wide]) bothWays({ file: 'p.yaml', text });
  });
});
