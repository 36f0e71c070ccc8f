// TLS-RPT numbers in plan risk notes (plan --reports): only for a change that puts MTA-STS in
// enforce mode or adds or changes a TLSA record of an MX; no reports is no estimate, never a pass.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tlsRisks } from '../../src/dmarc-reports/tls-impact.js';
import { summarizeTls } from '../../src/dmarc-reports/tls-summary.js';
import { parseTlsReport } from '../../src/dmarc-reports/tls-rpt.js';
import { DEFAULT_LIMITS } from '../../src/dmarc-reports/limits.js';
import { computePlan } from '../../src/cli/workflow.js';
import { makeContext } from '../../src/cli/context.js';
import { copyExample } from '../helpers/cli.js';
import { tlsJson } from './receiver-mail.js';

async function planOf(edit: (text: string) => string) {
  const repo = copyExample();
  const policy = join(repo, 'policies/mail.yaml');
  writeFileSync(policy, edit(readFileSync(policy, 'utf8')));
  const ctx = makeContext({ stdout: () => {}, stderr: () => {}, env: {}, cwd: repo, stdoutIsTTY: false, stderrIsTTY: false }, {});
  return computePlan(ctx);
}

const day = 1796000000;
const allGood = summarizeTls([parseTlsReport(Buffer.from(tlsJson({ org: 'google.com', id: 'a', begin: day, end: day + 86399, policies: [{ type: 'sts', domain: 'example.org', mode: 'testing', success: 700, failure: 0 }] })), DEFAULT_LIMITS)]);
const none = summarizeTls([]);

describe('tlsRisks', () => {
  it('MTA-STS to enforce: no reports is no estimate; all sessions fine is said as such', async () => {
    const { plan, policy } = await planOf((t) => t.replace('mta_sts: { mode: testing, max_age: 86400 }', 'mta_sts: { mode: enforce, max_age: 86400 }'));
    const sts = plan.changes.find((c) => c.name === '_mta-sts.example.org')!;
    const input = { window: 'the last 30 days', policy, currentModes: new Map([['example.org', 'testing']]) };
    expect(tlsRisks(plan, sts, { ...input, summary: none })).toEqual([
      { level: 'medium', message: "moves MTA-STS to enforce (from testing): TLS reports, the last 30 days (0 reports from 0 receivers) show no session under example.org's MTA-STS policy, so no estimate (a gap is not a success)" },
    ]);
    expect(tlsRisks(plan, sts, { ...input, summary: allGood })).toEqual([
      { level: 'low', message: 'moves MTA-STS to enforce (from testing): TLS reports, the last 30 days (1 report from 1 receiver): all 700 sessions to example.org under its MTA-STS policy succeeded' },
    ]);
  });

  it('says nothing for an MTA-STS change that stays in testing, nor for other changes', async () => {
    const { plan, policy } = await planOf((t) => t.replace('mta_sts: { mode: testing, max_age: 86400 }', 'mta_sts: { mode: testing, max_age: 172800 }'));
    const input = { window: 'the last 30 days', policy, currentModes: new Map([['example.org', 'testing']]), summary: allGood };
    const sts = plan.changes.find((c) => c.name === '_mta-sts.example.org');
    expect(sts).toBeDefined();
    expect(tlsRisks(plan, sts!, input)).toEqual([]);
    for (const change of plan.changes.filter((c) => c.type !== 'TLSA' && c.tag !== 'mta-sts')) expect(tlsRisks(plan, change, input)).toEqual([]);
  });
});
