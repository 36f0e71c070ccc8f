// The audit as JUnit XML (GitLab test reports): one testsuite per domain, one testcase per
// category; errors fail a testcase (warnings too under --fail-on warning), categories that
// were not scored are skipped with the reason, everything else goes to system-out.

import type { Category, Finding } from '../base/finding.js';
import type { DomainReport } from '../audit/run.js';
import { failingFindings, formatPoints, summarizeAudit, type AuditRun, type FailOn } from '../audit/summary.js';
import type { RunComparison } from '../audit/history/compare.js';
import { newAtOrAbove } from '../audit/history/regressions.js';
import { comparisonHeadline, recordStateLines, scoreChangeText } from './audit-compare.js';
import { escapeXml } from './xml-escape.js';

const attr = (text: string | number): string => `"${escapeXml(String(text), true)}"`;

function describe(f: Finding): string {
  const change = [...(f.evidence.before ?? []).map((v) => `  - ${v}`), ...(f.evidence.after ?? []).map((v) => `  + ${v}`)];
  return [`${f.severity} ${f.code} at ${f.name}: ${f.message}`, ...change, `  fix: ${f.fix} (${f.rfc})`].join('\n');
}

interface Case {
  name: Category;
  failure?: Finding[];
  skipped?: string;
  out: Finding[];
}

function casesOf(report: DomainReport, run: AuditRun): Case[] {
  const failOn = run.failOn === 'warning' ? 'warning' : 'error';
  const categories: Category[] = report.score.categories.map((c) => c.category);
  if (run.policies?.has(report.domain) || report.findings.some((f) => f.category === 'drift')) categories.push('drift');
  return categories.map((name) => {
    const mine = report.findings.filter((f) => f.category === name);
    const failing = failingFindings(mine, failOn);
    const rest = mine.filter((f) => !failing.includes(f));
    const score = report.score.categories.find((c) => c.category === name);
    if (failing.length > 0) return { name, failure: failing, out: rest };
    if (score && score.status !== 'scored') {
      return { name, skipped: `${score.status === 'unknown' ? 'unknown' : 'not scored'}: ${score.reason ?? ''}`, out: rest };
    }
    return { name, out: rest };
  });
}

function renderCase(domain: string, c: Case): string[] {
  const open = `    <testcase classname=${attr(`mailrec.audit.${domain}`)} name=${attr(c.name)}`;
  const body: string[] = [];
  if (c.failure) {
    const first = c.failure[0]!;
    const message = c.failure.length === 1 ? first.message : `${c.failure.length} findings: ${[...new Set(c.failure.map((f) => f.code))].join(', ')}`;
    body.push(`      <failure type=${attr(first.code)} message=${attr(message)}>${escapeXml(c.failure.map(describe).join('\n'))}</failure>`);
  } else if (c.skipped !== undefined) {
    body.push(`      <skipped message=${attr(c.skipped)}/>`);
  }
  if (c.out.length > 0) body.push(`      <system-out>${escapeXml(c.out.map(describe).join('\n'))}</system-out>`);
  return body.length === 0 ? [`${open}/>`] : [`${open}>`, ...body, '    </testcase>'];
}

/**
 * The "since the previous run" suite: one case per new finding (failed when --fail-on-new
 * counts it, so GitLab shows exactly the regressions), one per resolved finding, one per
 * score and record change, with the words in system-out.
 */
function comparisonSuite(c: RunComparison, failOnNew: FailOn | undefined): { lines: string[]; tests: number; failures: number } {
  const cases: string[] = [];
  let failures = 0;
  const testcase = (domain: string, name: string, body: string[]): void => {
    const open = `    <testcase classname=${attr(`mailrec.since-previous.${domain}`)} name=${attr(name)}`;
    cases.push(...(body.length === 0 ? [`${open}/>`] : [`${open}>`, ...body, '    </testcase>']));
  };
  const regressions = new Set(failOnNew ? newAtOrAbove(c, failOnNew) : []);
  for (const f of c.new) {
    const text = escapeXml(describe(f));
    if (regressions.has(f)) {
      failures++;
      testcase(f.domain, `new ${f.code} at ${f.name}`, [`      <failure type=${attr(f.code)} message=${attr(`new since the previous run: ${f.message}`)}>${text}</failure>`]);
    } else testcase(f.domain, `new ${f.code} at ${f.name}`, [`      <system-out>${text}</system-out>`]);
  }
  for (const f of c.resolved) testcase(f.domain, `resolved ${f.code} at ${f.name}`, [`      <system-out>${escapeXml(describe(f))}</system-out>`]);
  for (const s of c.scores) testcase(s.domain, 'score', [`      <system-out>${escapeXml(`score ${scoreChangeText(s)}`)}</system-out>`]);
  for (const r of c.records) {
    const text = [`${r.name} ${r.type} changed in DNS`, ...recordStateLines(r.before, r.type).map((v) => `  - ${v}`), ...recordStateLines(r.after, r.type).map((v) => `  + ${v}`)].join('\n');
    testcase(r.domain, `record ${r.name} ${r.type}`, [`      <system-out>${escapeXml(text)}</system-out>`]);
  }
  const tests = c.new.length + c.resolved.length + c.scores.length + c.records.length;
  return {
    tests,
    failures,
    lines: [
      `  <testsuite name="since the previous run" tests=${attr(tests)} failures=${attr(failures)} errors="0" skipped="0">`,
      '    <properties>',
      `      <property name="summary" value=${attr(comparisonHeadline(c))}/>`,
      '    </properties>',
      ...cases,
      '  </testsuite>',
    ],
  };
}

export function renderAuditJunit(run: AuditRun): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const report of run.reports) {
    const cases = casesOf(report, run);
    const f = cases.filter((c) => c.failure).length;
    const s = cases.filter((c) => !c.failure && c.skipped !== undefined).length;
    tests += cases.length;
    failures += f;
    skipped += s;
    suites.push(
      `  <testsuite name=${attr(report.domain)} tests=${attr(cases.length)} failures=${attr(f)} errors="0" skipped=${attr(s)}>`,
      '    <properties>',
      `      <property name="score" value=${attr(report.score.score ?? 'none')}/>`,
      `      <property name="coverage" value=${attr(`${formatPoints(report.score.coverage.points)} of ${report.score.coverage.of} points`)}/>`,
      `      <property name="worstCase" value=${attr(report.score.worstCase ?? 'none')}/>`,
      '    </properties>',
      ...cases.flatMap((c) => renderCase(report.domain, c)),
      '  </testsuite>',
    );
  }
  if (run.comparison) {
    const since = comparisonSuite(run.comparison, run.failOnNew);
    suites.push(...since.lines);
    tests += since.tests;
    failures += since.failures;
  }
  const summary = summarizeAudit(run);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name=${attr(`mailrec audit${summary.lowestScore === null ? '' : ` (lowest score ${summary.lowestScore})`}`)} tests=${attr(tests)} failures=${attr(failures)} errors="0" skipped=${attr(skipped)}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
