// mailrec audit offline on the bundled example (--zones): golden files for every format,
// no drift after apply, SARIF shape, JUnit well-formedness, colour and progress on a TTY only.

import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { beforeAll, describe, expect, it } from 'vitest';
import { CODES } from '../../src/base/codes.js';
import type { DomainJson } from '../../src/audit/summary.js';
import { expectGolden } from '../helpers/golden.js';
import { copyExample, REPO_ROOT, runCli } from '../helpers/cli.js';
import { checkSarifShape } from '../report/sarif-shape.js';

const FORMATS = [
  ['text', 'txt'],
  ['json', 'json'],
  ['markdown', 'md'],
  ['sarif', 'sarif'],
  ['junit', 'xml'],
] as const;

let applied: string;
let edited: string;

beforeAll(async () => {
  applied = copyExample();
  expect((await runCli(['apply'], { cwd: applied })).code).toBe(0);
  // The golden fixture: the example after apply, then hand edits in the zone repo.
  edited = copyExample();
  expect((await runCli(['apply'], { cwd: edited })).code).toBe(0);
  const fragment = join(edited, 'zones/example.org.mail.zone');
  writeFileSync(fragment, readFileSync(fragment, 'utf8').replace('p=none; sp=none', 'p=quarantine; sp=none'));
  appendFileSync(join(edited, 'zones/example.org.zone'), '_imap._tcp      IN SRV  0 1 143 imap.example.org.\n');
});

const audit = (cwd: string, ...args: string[]) => runCli(['audit', '--zones', 'zones', ...args], { cwd });

describe('mailrec audit --zones on the bundled example', () => {
  it.each(FORMATS)('--format %s matches its golden file', async (format, ext) => {
    const run = await audit(edited, '--format', format, 'example.org', 'example.net');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expectGolden(`audit/example.${ext}`, run.stdout);
  });

  it('finds no drift right after apply (another tool\'s TXT is reported as foreign, nothing else)', async () => {
    const run = await audit(applied, '--format', 'json');
    expect(run.code).toBe(0);
    const domains = JSON.parse(run.stdout).domains as DomainJson[];
    expect(domains.map((d) => d.domain).sort()).toEqual(['crm.example.org', 'example.net', 'example.org', 'lists.example.org']);
    const drift = domains.flatMap((d) => d.findings.filter((f) => f.category === 'drift').map((f) => `${f.code} ${f.name}`));
    expect(drift).toEqual(['drift.foreign example.org']);
    // Names outside the repo (the senders' reverse DNS) are unknown, not missing: those
    // checks only, the MX category is scored on the domain's own MX RRset.
    const org = domains.find((d) => d.domain === 'example.org')!;
    expect(org.unknownCategories).toEqual([]);
    expect(org.findings.some((f) => f.code === 'mx.fcrdns-missing')).toBe(false);
    const unchecked = org.findings.filter((f) => f.code === 'mx.check-unknown');
    expect(unchecked.map((f) => f.name)).toEqual(['26.0.0.127.in-addr.arpa', '27.0.0.127.in-addr.arpa']);
    expect(unchecked[0]!.unknownChecks).toEqual(['mx.fcrdns-mismatch', 'mx.fcrdns-missing']);
    expect(org.coverage.points).toBeLessThan(org.coverage.of);
  });

  it('reports the hand edits as drift, and a domain outside the policy as lint only', async () => {
    const run = await audit(edited, '--format', 'json', 'example.org', 'outside.example');
    const [org, outside] = JSON.parse(run.stdout).domains as DomainJson[];
    expect(org!.findings.filter((f) => f.category === 'drift').map((f) => `${f.code} ${f.name}`)).toEqual([
      'drift.changed _dmarc.example.org',
      'drift.unexpected _imap._tcp.example.org',
      'drift.foreign example.org',
    ]);
    expect(outside!.drift).toBe('no-policy');
    expect(outside!.notes).toContain('drift not checked: the domain is not in the policy');
  });

  it('writes SARIF that has the shape of the SARIF 2.1.0 schema, with rules from the catalogue', async () => {
    const run = await audit(edited, '--format', 'sarif');
    const log = JSON.parse(run.stdout);
    expect(checkSarifShape(log)).toEqual([]);
    const { rules, results } = log.runs[0].tool.driver.rules ? { rules: log.runs[0].tool.driver.rules, results: log.runs[0].results } : { rules: [], results: [] };
    expect(results.length).toBeGreaterThan(5);
    for (const r of results) {
      expect(rules[r.ruleIndex].id).toBe(r.ruleId);
      expect(r.level).toBe({ error: 'error', warning: 'warning', info: 'note' }[CODES[r.ruleId as keyof typeof CODES].severity]);
      expect(r.locations[0].logicalLocations[0].name).toBeTruthy();
    }
    const spf = rules.find((r: { id: string }) => r.id === 'dmarc.not-enforcing');
    expect(spf.helpUri).toBe('https://www.rfc-editor.org/rfc/rfc9989#section-4.7');
    expect(spf.fullDescription.text).toContain(CODES['dmarc.not-enforcing'].fix);
    // Every result of a policy domain points at a line of the policy file.
    expect(results.every((r: { locations: { physicalLocation?: { artifactLocation: { uri: string } } }[] }) => r.locations[0]!.physicalLocation?.artifactLocation.uri === 'policies/mail.yaml')).toBe(true);
  });

  it('points SARIF results at the --domains-file line when there is no policy', async () => {
    const dir = join(edited, 'lint');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'zones'), { recursive: true });
    writeFileSync(join(dir, 'zones/x.example.zone'), '$ORIGIN x.example.\n$TTL 300\n@ SOA ns h 1 1 1 1 1\n@ TXT "v=spf1 ?all"\n');
    writeFileSync(join(dir, 'domains.txt'), '# lint only\n\nx.example\n');
    const run = await runCli(['audit', '--zones', 'zones', '--domains-file', 'domains.txt', '--format', 'sarif'], { cwd: dir });
    const log = JSON.parse(run.stdout);
    expect(checkSarifShape(log)).toEqual([]);
    const location = log.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'spf.neutral-all').locations[0];
    expect(location.physicalLocation).toEqual({ artifactLocation: { uri: 'domains.txt', uriBaseId: '%SRCROOT%' }, region: { startLine: 3, startColumn: 1 } });
    // Positional domains have no file: a logical location only.
    const positional = JSON.parse((await runCli(['audit', '--zones', 'zones', '--format', 'sarif', 'x.example'], { cwd: dir })).stdout);
    expect(positional.runs[0].results[0].locations[0]).toEqual({ logicalLocations: [{ name: 'x.example', fullyQualifiedName: 'x.example.', kind: 'resource' }] });
  });

  it('writes well-formed JUnit XML: a testsuite per domain, a testcase per category', async () => {
    const parse = (xml: string) => {
      const parser = new SaxesParser();
      const suites: { name: string; cases: string[]; failures: string[] }[] = [];
      let testcase = '';
      parser.on('opentag', (tag) => {
        const attr = tag.attributes as Record<string, string>;
        if (tag.name === 'testsuite') suites.push({ name: attr.name!, cases: [], failures: [] });
        if (tag.name === 'testcase') {
          testcase = attr.name!;
          suites.at(-1)!.cases.push(testcase);
        }
        if (tag.name === 'failure') suites.at(-1)!.failures.push(`${testcase}:${attr.type}`);
      });
      parser.write(xml).close();
      return suites;
    };
    const errors = parse((await audit(edited, '--format', 'junit', 'example.org', 'example.net')).stdout);
    expect(errors).toEqual([
      { name: 'example.org', cases: ['spf', 'dmarc', 'dkim', 'mx', 'transport', 'drift'], failures: ['drift:drift.changed'] },
      { name: 'example.net', cases: ['spf', 'dmarc', 'dkim', 'mx', 'transport', 'drift'], failures: [] },
    ]);
    const warnings = parse((await audit(edited, '--format', 'junit', '--fail-on', 'warning', 'example.org', 'example.net')).stdout);
    expect(warnings.map((s) => s.failures)).toEqual([
      ['dmarc:dmarc.subdomain-weaker', 'transport:tlsa.no-dnssec', 'drift:drift.changed'],
      ['dmarc:dmarc.rua-missing'],
    ]);
  });
});

describe('terminal behaviour', () => {
  it('colours the text report and draws a progress bar on stderr only on a terminal', async () => {
    const tty = await runCli(['audit', '--zones', 'zones', 'example.net'], { cwd: applied, tty: true });
    expect(tty.stdout).toContain('\x1b[');
    expect(tty.stderr).toMatch(/\r\x1b\[Kaudit \[#+\] 1\/1 example\.net/);
    expect(tty.stderr.endsWith('\r\x1b[K')).toBe(true);
    const piped = await runCli(['audit', '--zones', 'zones', 'example.net'], { cwd: applied });
    expect(piped.stdout).not.toContain('\x1b[');
    expect(piped.stderr).toBe('');
  });

  it('honours NO_COLOR and FORCE_COLOR', async () => {
    const none = await runCli(['audit', '--zones', 'zones', 'example.net'], { cwd: applied, tty: true, env: { NO_COLOR: '1' } });
    expect(none.stdout).not.toContain('\x1b[');
    const forced = await runCli(['audit', '--zones', 'zones', 'example.net'], { cwd: applied, env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\x1b[');
  });

  it('documents every field of the JSON schema in docs/audit-json.md', async () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs/audit-json.md'), 'utf8');
    const json = JSON.parse((await audit(applied, '--format', 'json')).stdout);
    const keys = new Set<string>([...Object.keys(json), ...Object.keys(json.summary), ...Object.keys(json.source)]);
    for (const d of json.domains as DomainJson[]) {
      for (const k of Object.keys(d)) keys.add(k);
      for (const f of d.findings) for (const k of [...Object.keys(f), ...Object.keys(f.evidence)]) keys.add(k);
      for (const c of d.categories) for (const k of Object.keys(c)) keys.add(k);
    }
    for (const key of keys) expect(doc, `docs/audit-json.md does not document "${key}"`).toMatch(new RegExp(`\`([A-Za-z0-9]+(\\[\\])?\\.)*${key}\``));
    expect(json.schema).toBe('mailrec-audit/1');
  });
});
