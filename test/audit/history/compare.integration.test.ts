// audit --compare / --history against a real BIND: two audits with a change made between
// them (a record removed, one fixed: the zone file rewritten and reloaded) give exactly
// that new finding, that resolved finding and those changed records; --fail-on-new exits
// 2 only when a finding at its severity is new; --history stores and prunes (--keep);
// --notify-command gets the regression summary on stdin, and is not run when nothing is new.

import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunComparison } from '../../../src/audit/history/compare.js';
import type { RegressionSummary } from '../../../src/audit/history/regressions.js';
import type { AuditSummary, DomainJson } from '../../../src/audit/summary.js';
import { startBind, type BindServer } from '../../helpers/bind.js';
import { runCli, type CliRun } from '../../helpers/cli.js';
import { cleanSpec, PARENT_ZONE, renderSpec, zoneFileText, type ZoneSpec } from '../fixtures-bind.js';

interface AuditDoc {
  domains: DomainJson[];
  comparison?: RunComparison;
  summary: AuditSummary;
}

const D = 'hist.test';
const STEADY = 'steady.test';

/** The zone at one serial: `edit` changes the clean domain. */
function zone(serial: number, edit: (s: ZoneSpec) => ZoneSpec): string {
  const spec = edit(cleanSpec(D));
  spec['@'] = spec['@']!.map((l) => l.replace(/^SOA (\S+ \S+) 1 /, `SOA $1 ${serial} `));
  return zoneFileText({ name: D, text: renderSpec(spec) });
}

const withSpf = (spf: string) => (s: ZoneSpec): ZoneSpec => ({ ...s, '@': s['@']!.map((l) => (l.startsWith('TXT "v=spf1') ? `TXT "${spf}"` : l)) });
/** Run 1: SPF +all (spf.pass-all, an error), DMARC p=reject. */
const V1 = zone(10, withSpf('v=spf1 +all'));
/** Run 2: SPF fixed; the DMARC record removed. */
const V2 = zone(20, (s) => {
  const { _dmarc: _, ...rest } = s;
  return rest;
});
/** Run 3: DMARC back, but p=none: only a warning is new. */
const V3 = zone(30, (s) => ({ ...s, _dmarc: [`TXT "v=DMARC1; p=none; rua=mailto:dmarc@${D}"`] }));

let bind: BindServer;
let cwd: string;

async function setZone(text: string): Promise<void> {
  writeFileSync(join(bind.dir, `${D}.zone`), text);
  await bind.reload();
}

async function audit(args: string[], now = '2026-12-07T03:00:00Z'): Promise<CliRun> {
  return runCli(['audit', '--no-probe', '--format', 'json', '--selector', 'sel1', '--resolver', `127.0.0.1:${bind.port}`, ...args, D, STEADY], {
    cwd,
    env: { MAILREC_NOW: now },
  });
}

const doc = (run: CliRun): AuditDoc => JSON.parse(run.stdout) as AuditDoc;
const brief = (c: RunComparison) => ({
  new: c.new.map((f) => `${f.domain} ${f.code} ${f.severity} ${f.name}`),
  resolved: c.resolved.map((f) => `${f.domain} ${f.code} ${f.severity} ${f.name}`),
});

beforeAll(async () => {
  bind = await startBind({ zones: [PARENT_ZONE, { name: D, text: renderSpec(cleanSpec(D)) }, { name: STEADY, text: renderSpec(cleanSpec(STEADY)) }] });
  cwd = mkdtempSync(join(tmpdir(), 'mailrec-compare-'));
  // The notify hook the tests give: a tiny script that keeps what it reads on stdin.
  writeFileSync(join(cwd, 'notify.sh'), '#!/bin/sh\ncat > "$1"\n');
});

afterAll(async () => {
  await bind?.stop();
});

describe('audit --compare against BIND: a record removed, one fixed', () => {
  let first: AuditDoc;
  let second: CliRun;

  beforeAll(async () => {
    await setZone(V1);
    const run1 = await audit(['--history', 'history']);
    expect(run1.stderr).toBe('note: no earlier run in history: nothing to compare with; this run is stored as the first\n');
    expect(run1.code).toBe(0);
    first = doc(run1);
    writeFileSync(join(cwd, 'run1.json'), run1.stdout);
    await setZone(V2);
    second = await audit(['--compare', 'run1.json']);
  });

  it('the first run found the planted error and kept the records it saw', () => {
    const hist = first.domains.find((d) => d.domain === D)!;
    expect(hist.findings.map((f) => f.code)).toEqual(['spf.pass-all']);
    expect(hist.records).toContainEqual({ name: `_dmarc.${D}`, type: 'TXT', status: 'ok', data: [`"v=DMARC1; p=reject; rua=mailto:dmarc@${D}"`] });
    expect(first.comparison).toBeUndefined();
  });

  it('gives exactly the new finding, the resolved finding and the changed records', () => {
    expect(second.code).toBe(0);
    const c = doc(second).comparison!;
    expect(brief(c)).toEqual({ new: [`${D} dmarc.missing error _dmarc.${D}`], resolved: [`${D} spf.pass-all error ${D}`] });
    expect(c.records).toEqual([
      { domain: D, name: `_dmarc.${D}`, type: 'TXT', before: { status: 'ok', data: [`"v=DMARC1; p=reject; rua=mailto:dmarc@${D}"`] }, after: { status: 'nxdomain' } },
      { domain: D, name: D, type: 'TXT', before: { status: 'ok', data: ['"google-site-verification=abc"', '"v=spf1 +all"'] }, after: { status: 'ok', data: ['"google-site-verification=abc"', '"v=spf1 mx ip4:127.0.0.0/24 -all"'] } },
    ]);
    const before = first.domains.find((d) => d.domain === D)!;
    const after = doc(second).domains.find((d) => d.domain === D)!;
    expect(c.scores).toEqual([{ domain: D, before: { score: before.score, coverage: before.coverage, worstCase: before.worstCase }, after: { score: after.score, coverage: after.coverage, worstCase: after.worstCase }, change: after.score! - before.score! }]);
    expect(c.domainsAdded).toEqual([]);
    expect(c.domainsRemoved).toEqual([]);
    expect(c.previous).toEqual({ file: 'run1.json', domains: 2 });
    // The steady domain: nothing new, nothing resolved, no record changed.
    expect([...c.new, ...c.resolved, ...c.records].filter((x) => x.domain === STEADY)).toEqual([]);
  });

  it('says the same in text, with the records before and after', async () => {
    const text = await runCli(['audit', '--no-probe', '--selector', 'sel1', '--resolver', `127.0.0.1:${bind.port}`, '--compare', 'run1.json', D, STEADY], { cwd });
    expect(text.code).toBe(0);
    const section = text.stdout.slice(text.stdout.indexOf('since the previous run'));
    expect(section.split('\n').slice(0, 12)).toEqual([
      'since the previous run (run1.json, 2 domains): 1 new (1 error), 1 resolved (1 error), 0 still open, 1 score changed, 2 records changed in DNS',
      `  new      error    dmarc.missing  _dmarc.${D}`,
      expect.stringMatching(new RegExp(`^      ${D.replace('.', '\\.')}: no DMARC record`)),
      `  resolved error    spf.pass-all  ${D}`,
      expect.stringMatching(new RegExp(`^  score    ${D.replace('.', '\\.')} \\d+ -> \\d+ \\([+-]\\d+\\), on \\S+ of 100 points$`)),
      `  changed  _dmarc.${D} TXT`,
      `      - "v=DMARC1; p=reject; rua=mailto:dmarc@${D}"`,
      '      + (the name does not exist: NXDOMAIN)',
      `  changed  ${D} TXT`,
      '      - "v=spf1 +all"',
      '      + "v=spf1 mx ip4:127.0.0.0/24 -all"',
      '',
    ]);
  });

  it('--fail-on-new error exits 2 when an error is new, and names it', async () => {
    const run = await audit(['--compare', 'run1.json', '--fail-on-new', 'error']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`failed: ${D} has 1 new error since the previous run (dmarc.missing)\n`);
    expect(doc(run).summary).toMatchObject({ failOnNew: 'error', passed: false });
  });

  it('--history stores the run, compares with the newest earlier one, and runs the notify command with the summary', async () => {
    const run = await audit(['--history', 'history', '--fail-on-new', 'error', '--notify-command', 'sh notify.sh notified.json'], '2026-12-08T03:00:00Z');
    expect(run.code).toBe(2);
    expect(readdirSync(join(cwd, 'history')).sort()).toEqual(['audit-20261207T030000Z.json.gz', 'audit-20261208T030000Z.json.gz']);
    const c = doc(run).comparison!;
    expect(c.previous.file).toBe('audit-20261207T030000Z.json.gz');
    expect(brief(c)).toEqual({ new: [`${D} dmarc.missing error _dmarc.${D}`], resolved: [`${D} spf.pass-all error ${D}`] });
    const notified = JSON.parse(readFileSync(join(cwd, 'notified.json'), 'utf8')) as RegressionSummary;
    expect(notified.schema).toBe('mailrec-regressions/1');
    expect(notified.threshold).toBe('error');
    expect(notified.new.map((f) => `${f.domain} ${f.code}`)).toEqual([`${D} dmarc.missing`]);
    expect(notified.records.map((r) => `${r.name} ${r.type}`)).toEqual([`_dmarc.${D} TXT`, `${D} TXT`]);
  });
});

describe('--fail-on-new: only a new warning, and nothing new', () => {
  beforeAll(async () => {
    await setZone(V2);
    const run2 = await audit([]);
    writeFileSync(join(cwd, 'run2.json'), run2.stdout);
    await setZone(V3);
  });

  it('a new warning: --fail-on-new error exits 0, --fail-on-new warning exits 2', async () => {
    const errorsOnly = await audit(['--compare', 'run2.json', '--fail-on-new', 'error']);
    expect(errorsOnly.code).toBe(0);
    expect(errorsOnly.stderr).toBe('');
    expect(brief(doc(errorsOnly).comparison!)).toEqual({ new: [`${D} dmarc.not-enforcing warning _dmarc.${D}`], resolved: [`${D} dmarc.missing error _dmarc.${D}`] });
    const warnings = await audit(['--compare', 'run2.json', '--fail-on-new', 'warning']);
    expect(warnings.code).toBe(2);
    expect(warnings.stderr).toBe(`failed: ${D} has 1 new finding since the previous run (dmarc.not-enforcing)\n`);
  });

  it('nothing new: exit 0, and the notify command is not run', async () => {
    const run3 = await audit([]);
    writeFileSync(join(cwd, 'run3.json'), run3.stdout);
    const again = await audit(['--compare', 'run3.json', '--fail-on-new', 'warning', '--notify-command', 'sh notify.sh not-run.json']);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('');
    const c = doc(again).comparison!;
    expect([c.new, c.resolved, c.records, c.scores]).toEqual([[], [], [], []]);
    expect(c.counts.open).toBe(doc(run3).domains.reduce((n, d) => n + d.findings.length, 0));
    expect(existsSync(join(cwd, 'not-run.json'))).toBe(false);
  });

  it('--keep prunes the history by age, keeping the newest run', async () => {
    const dir = 'kept';
    for (const day of ['01', '02', '03']) expect((await audit(['--history', dir], `2026-10-${day}T03:00:00Z`)).code).toBe(0);
    const run = await audit(['--history', dir, '--keep', '30d'], '2026-11-01T03:00:00Z');
    expect(run.code).toBe(0);
    expect(readdirSync(join(cwd, dir)).sort()).toEqual(['audit-20261002T030000Z.json.gz', 'audit-20261003T030000Z.json.gz', 'audit-20261101T030000Z.json.gz']);
    // Far later, --keep 1d keeps only the newest.
    expect((await audit(['--history', dir, '--keep', '1d'], '2027-06-01T03:00:00Z')).code).toBe(0);
    expect(readdirSync(join(cwd, dir))).toEqual(['audit-20270601T030000Z.json.gz']);
  });
});
