// audit merge: outputs read back (document or NDJSON), completeness checks, and on the
// bundled example the merge of the shards equals the unsharded run, with one exit code.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeAuditParts, parseAuditOutput, SummaryFold, type AuditPart } from '../../src/audit/merge.js';
import { auditDomains } from '../../src/audit/run.js';
import { listDigest, type ShardInfo } from '../../src/audit/shard.js';
import { AUDIT_SCHEMA, summarizeAudit, type AuditSummary, type DomainJson } from '../../src/audit/summary.js';
import { copyExample, runCli } from '../helpers/cli.js';
import { cleanZone, resolverFor, withNames } from './zone.js';

const summary = (over: Partial<AuditSummary> = {}): AuditSummary => ({
  domains: 0, scored: 0, lowestScore: null, findings: { error: 0, warning: 0, info: 0 }, unknown: [], uncovered: [],
  failUnder: null, allowUnknown: false, failOn: null, passed: true, failures: [], ...over,
});

const domain = (name: string, score: number | null = 100): DomainJson => ({
  domain: name, score, coverage: { points: 100, of: 100 }, worstCase: score, categories: [], unknownCategories: [], findings: [], pathTo100: [], notes: [], drift: 'no-policy', questions: 3,
});

const LIST = ['a.example', 'b.example', 'c.example', 'd.example'];
const shardInfo = (index: number, count: number, selected: number, list = listDigest(LIST), total = LIST.length): ShardInfo => ({ index, count, total, selected, list });

const part = (file: string, names: string[], shard?: ShardInfo): AuditPart => ({
  file,
  source: { kind: 'dns', description: 'DNS via 127.0.0.1:53' },
  domains: names.map((n) => domain(n)),
  summary: summary({ domains: names.length }),
  ...(shard ? { shard } : {}),
});

describe('parseAuditOutput', () => {
  const doc = { schema: AUDIT_SCHEMA, source: { kind: 'zones', description: 'z' }, domains: [domain('a.example')], summary: summary({ domains: 1 }) };

  it('reads the single document, with its shard', () => {
    const parsed = parseAuditOutput(JSON.stringify({ ...doc, shard: shardInfo(1, 2, 1) }, null, 2), 'a.json');
    expect(parsed).toMatchObject({ ok: true, part: { file: 'a.json', domains: [{ domain: 'a.example' }], shard: { index: 1, count: 2 } } });
  });

  it('reads NDJSON: domain lines, then the summary line with source and shard', () => {
    const lines = [
      { schema: AUDIT_SCHEMA, type: 'domain', ...domain('a.example') },
      { schema: AUDIT_SCHEMA, type: 'domain', ...domain('b.example', 50) },
      { schema: AUDIT_SCHEMA, type: 'summary', ...summary({ domains: 2 }), source: { kind: 'dns', description: 'd' }, shard: shardInfo(2, 2, 2) },
    ];
    const parsed = parseAuditOutput(lines.map((l) => JSON.stringify(l)).join('\n') + '\n', 'b.ndjson');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.part.domains).toEqual([domain('a.example'), domain('b.example', 50)]);
    expect(parsed.part.summary).toEqual(summary({ domains: 2 }));
    expect(parsed.part.shard).toEqual(shardInfo(2, 2, 2));
    expect(parsed.part.source).toEqual({ kind: 'dns', description: 'd' });
  });

  it('reads an empty shard (only the summary line)', () => {
    const line = JSON.stringify({ schema: AUDIT_SCHEMA, type: 'summary', ...summary(), shard: shardInfo(1, 9, 0) });
    expect(parseAuditOutput(line, 'e.ndjson')).toMatchObject({ ok: true, part: { domains: [], shard: { index: 1, count: 9 } } });
  });

  const domainLine = JSON.stringify({ schema: AUDIT_SCHEMA, type: 'domain', ...domain('a.example') });
  const summaryLine = JSON.stringify({ schema: AUDIT_SCHEMA, type: 'summary', ...summary() });
  it.each([
    ['', 'x: empty: no audit output'],
    ['{"schema":"other/1","domains":[],"summary":{}}', 'x: not mailrec audit output (schema "mailrec-audit/1" expected)'],
    [JSON.stringify({ schema: AUDIT_SCHEMA, domains: [] }), 'x: no "summary": the run did not finish'],
    [JSON.stringify({ schema: AUDIT_SCHEMA, domains: [{ domain: 'a.example', score: 1 }], summary: {} }), 'x: a.example: "findings" is not an array'],
    [`${domainLine}\n${domainLine.slice(0, 40)}`, 'x:2: not JSON (the last line is cut short: the run did not finish)'],
    ['not gzip at all', 'x: not mailrec audit output (JSON or NDJSON expected)'],
    [`garbage\n${domainLine}`, 'x: not mailrec audit output (JSON or NDJSON expected)'],
    [`${domainLine}\ngarbage\n${summaryLine}`, 'x:2: not JSON'],
    [`${domainLine}\n`, 'x: no summary line after 1 domain line(s): the run did not finish (a job cut short?)'],
    [`${summaryLine}\n${domainLine}`, 'x:2: a line after the summary line'],
    [`${domainLine}\n{"schema":"mailrec-audit/1","type":"other"}`, 'x:2: unknown line type "other"'],
    [`${JSON.stringify({ schema: AUDIT_SCHEMA, type: 'summary', ...summary(), shard: { index: 3, count: 2 } })}`, 'x:1: "shard" is not {index, count, total, selected, list}'],
  ])('refuses %j', (text, message) => {
    expect(parseAuditOutput(text, 'x')).toEqual({ ok: false, message });
  });
});

describe('mergeAuditParts', () => {
  it('merges the shards of one list, domains sorted by name', () => {
    const merged = mergeAuditParts([part('2.json', ['d.example', 'b.example'], shardInfo(2, 2, 2)), part('1.json', ['c.example', 'a.example'], shardInfo(1, 2, 2))]);
    expect(merged.ok).toBe(true);
    if (!merged.ok) return;
    expect(merged.merged.domains.map((d) => d.domain)).toEqual(LIST);
    expect(merged.merged.shards).toEqual({ count: 2, total: 4, list: listDigest(LIST) });
    expect(merged.merged.source).toEqual({ kind: 'dns', description: 'DNS via 127.0.0.1:53' });
  });

  it('merges outputs that are not shards when no domain is in two', () => {
    const merged = mergeAuditParts([part('x.json', ['a.example']), part('y.json', ['b.example'])]);
    expect(merged.ok && merged.merged.domains.map((d) => d.domain)).toEqual(['a.example', 'b.example']);
  });

  it.each<[string, AuditPart[], string[]]>([
    ['a missing shard', [part('1.json', ['a.example'], shardInfo(1, 3, 1)), part('3.json', ['c.example'], shardInfo(3, 3, 1))], ['shard 2/3 is missing (got 1/3, 3/3)']],
    ['a shard given twice', [part('1.json', ['a.example'], shardInfo(1, 2, 1)), part('1b.json', ['b.example'], shardInfo(1, 2, 1)), part('2.json', [], shardInfo(2, 2, 0))], ['shard 1/2 is given twice: 1.json and 1b.json']],
    ['overlapping outputs', [part('x.json', ['a.example', 'b.example', 'c.example', 'd.example']), part('y.json', ['b.example', 'c.example', 'd.example', 'a.example'])], ['x.json and y.json overlap: 4 domains in both (b.example, c.example, d.example, ...)']],
    ['different splits', [part('1.json', ['a.example'], shardInfo(1, 2, 1)), part('2.json', ['b.example'], shardInfo(2, 3, 1))], ['2.json is shard 2/3 but 1.json is 1/2: shards of different splits']],
    ['different lists', [part('1.json', ['a.example'], shardInfo(1, 2, 1)), part('2.json', ['b.example'], shardInfo(2, 2, 1, listDigest(['b.example']), 1))], [`2.json was cut from another domain list than 1.json (list ${listDigest(['b.example'])} of 1 vs ${listDigest(LIST)} of 4)`]],
    ['a shard cut short', [part('1.json', ['a.example'], shardInfo(1, 2, 3)), part('2.json', ['b.example'], shardInfo(2, 2, 1))], ['1.json: shard 1/2 selected 3 domains but holds 1 domain: the job did not finish']],
    ['shards and a plain output', [part('1.json', ['a.example'], shardInfo(1, 1, 1)), part('all.json', ['b.example'])], ['all.json is not a shard (no "shard" in the output) but 1.json is: merge the shards of one run']],
    ['nothing', [], ['no audit outputs to merge']],
  ])('refuses %s', (_name, parts, problems) => {
    expect(mergeAuditParts(parts)).toEqual({ ok: false, problems });
  });

  it('keeps the thresholds the parts agree on', () => {
    const p1 = { ...part('1.json', ['a.example'], shardInfo(1, 2, 1)), summary: summary({ failUnder: 80, failOn: 'error' }) };
    const p2 = { ...part('2.json', ['b.example'], shardInfo(2, 2, 1)), summary: summary({ failUnder: 80 }) };
    const merged = mergeAuditParts([p1, p2]);
    expect(merged.ok && merged.merged.failUnder).toBe(80);
    expect(merged.ok && merged.merged.failOn).toBeUndefined();
  });
});

describe('SummaryFold', () => {
  it('gives what summarizeAudit gives over the whole list, in input order', async () => {
    const D = ['good.example', 'bad.example', 'plusall.example'];
    const zone = {
      ...cleanZone(D[0]),
      ...withNames(cleanZone(D[1]), { [`_dmarc.${D[1]}`]: 'nxdomain', '_dmarc.example': 'nxdomain' }),
      ...withNames(cleanZone(D[2]), { [D[2]!]: { A: ['192.0.2.1'], MX: [[10, `mx1.${D[2]}`]], TXT: ['v=spf1 +all'] } }),
    };
    const reports = await auditDomains(D, resolverFor(zone), { optionsFor: () => ({ selectors: ['sel1'] }) });
    const run = { source: { kind: 'zones' as const, description: 'z' }, failUnder: 95, failOn: 'error' as const };
    const fold = new SummaryFold(run);
    // Completion order differs from input order.
    for (const i of [2, 0, 1]) fold.add(reports[i]!, i);
    expect(fold.summary()).toEqual(summarizeAudit({ ...run, reports }));
    expect(fold.summary().passed).toBe(false);
  });
});

describe('mailrec audit --shard / audit merge on the bundled example', () => {
  let repo: string;
  const audit = (...args: string[]) => runCli(['audit', '--zones', 'zones', ...args], { cwd: repo });
  const merge = (...args: string[]) => runCli(['audit', 'merge', ...args], { cwd: repo });
  const save = (file: string, text: string) => writeFileSync(join(repo, file), text);

  beforeAll(async () => {
    repo = copyExample();
    expect((await runCli(['apply'], { cwd: repo })).code).toBe(0);
  });

  it('the merge of the shards equals the unsharded run, whatever the split and the format', async () => {
    const whole = await audit('--format', 'json');
    expect(whole.code).toBe(0);
    const expected = JSON.parse(whole.stdout) as { domains: DomainJson[]; summary: AuditSummary; source: unknown };
    expect(expected.domains.length).toBeGreaterThan(2);
    for (const [n, format] of [[2, 'json'], [3, 'ndjson'], [5, 'json']] as const) {
      const files: string[] = [];
      for (let k = 1; k <= n; k++) {
        const run = await audit('--format', format, '--shard', `${k}/${n}`);
        expect(run.code).toBe(0);
        files.push(`shard-${k}-of-${n}.${format}`);
        save(files.at(-1)!, run.stdout);
      }
      const merged = await merge(...files.reverse(), '--format', 'json');
      expect(merged.stderr).toBe('');
      expect(merged.code).toBe(0);
      const got = JSON.parse(merged.stdout) as typeof expected;
      const byName = (a: DomainJson, b: DomainJson) => (a.domain < b.domain ? -1 : 1);
      expect(got.domains).toEqual([...expected.domains].sort(byName));
      expect(got.source).toEqual(expected.source);
      expect({ ...got.summary, unknown: [...got.summary.unknown].sort() }).toEqual({ ...expected.summary, unknown: [...expected.summary.unknown].sort() });
    }
  });

  it('one exit code: the thresholds of the merge, else the shards\'', async () => {
    save('t1.json', (await audit('--format', 'json', '--shard', '1/2', '--fail-under', '95')).stdout);
    save('t2.json', (await audit('--format', 'json', '--shard', '2/2', '--fail-under', '95')).stdout);
    const strict = await merge('t1.json', 't2.json', '--format', 'json');
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/^failed: \S+ scores \d+, under 95$/m);
    expect(JSON.parse(strict.stdout).summary).toMatchObject({ passed: false, failUnder: 95 });
    const lenient = await merge('t1.json', 't2.json', '--fail-under', '0', '--format', 'text');
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(/\npassed\n$/);
    const onError = await merge('t1.json', 't2.json', '--fail-under', '0', '--fail-on', 'error', '--format', 'json');
    expect(onError.code).toBe(JSON.parse(onError.stdout).summary.findings.error > 0 ? 2 : 0);
    // The same check as audit's own --fail-on (cli/parse.ts), with the same message.
    const unknown = await merge('t1.json', 't2.json', '--fail-on', 'critical');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: --fail-on: unknown severity 'critical'\nhint: use --fail-on error or --fail-on warning\n$/);
  });

  it('refuses a missing shard, overlapping outputs and a cut-short stream: exit 1, one clear line', async () => {
    save('m1.json', (await audit('--format', 'json', '--shard', '1/3')).stdout);
    save('m3.json', (await audit('--format', 'json', '--shard', '3/3')).stdout);
    const missing = await merge('m1.json', 'm3.json');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error: shard 2/3 is missing (got 1/3, 3/3)');
    expect(missing.stderr).toContain('hint: merge the outputs of one sharded run');

    save('all.json', (await audit('--format', 'json')).stdout);
    save('all2.json', (await audit('--format', 'ndjson')).stdout);
    const overlap = await merge('all.json', 'all2.json');
    expect(overlap.code).toBe(1);
    expect(overlap.stderr).toMatch(/error: all\.json and all2\.json overlap: \d+ domains in both/);

    const stream = (await audit('--format', 'ndjson', '--shard', '2/3')).stdout;
    save('cut.ndjson', stream.split('\n').slice(0, -2).join('\n'));
    const cut = await merge('m1.json', 'cut.ndjson', 'm3.json');
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/cut\.ndjson: no summary line after \d+ domain line\(s\): the run did not finish/);

    const unreadable = await merge('m1.json', 'nope.json');
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toContain('cannot read nope.json: no such file or directory');
  });

  it('--shard K/N is validated', async () => {
    const bad = await audit('--shard', '4/3');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('error: --shard "4/3": K must be between 1 and 3\nhint: write --shard K/N with 1 <= K <= N, e.g. --shard 2/4 for the second of four jobs\n');
  });

  it('--format ndjson streams one line per domain and a summary line with the shard', async () => {
    const run = await audit('--format', 'ndjson', '--shard', '1/1');
    const lines = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.slice(0, -1).every((l) => l.type === 'domain' && l.schema === AUDIT_SCHEMA)).toBe(true);
    expect(lines.at(-1)).toMatchObject({ type: 'summary', domains: lines.length - 1, shard: { index: 1, count: 1, total: lines.length - 1 } });
  });
});
