// Import of many domains: every subdomain's MX becomes its own policy entry and round-trips,
// zones nested in each other keep their records apart, and a report listing a couple of
// hundred thousand records to move renders (no call with one argument per line), and a policy
// too large for one file is split over files that plan reads as one.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, test } from 'vitest';
import { parse } from 'yaml';
import { renderImportMarkdown, renderImportText, type ImportReport } from '../../src/interop/import/report.js';
import { runCli } from '../helpers/cli.js';
import { expectRoundTrip, importZones, zone } from './helpers.js';

test('1,300 subdomains with MX records in two nested zones round-trip, each record in its own zone', () => {
  const outer = Array.from({ length: 1000 }, (_, i) => `c${i} IN MX ${10 * ((i % 3) + 1)} mx${i % 4}.provider.example.`);
  const inner = Array.from({ length: 300 }, (_, i) => `d${i} IN MX 10 mx.example.net.`);
  const result = importZones([zone('example.com', ...outer), zone('sub.example.com', ...inner)]);
  expectRoundTrip(result);
  const domains = (parse(result.policyText) as { domains: Record<string, { mx?: unknown }> }).domains;
  expect(Object.keys(domains)).toHaveLength(1300);
  expect(domains['c7.example.com']?.mx).toEqual([{ host: 'mx3.provider.example', preference: 20 }]);
  expect(domains['d7.sub.example.com']?.mx).toEqual([{ host: 'mx.example.net', preference: 10 }]);
  const zoneOf = new Map(result.desired.map((z) => [z.zone, z.records.filter((rr) => rr.type === 'MX').length]));
  expect(zoneOf).toEqual(new Map([['example.com', 1000], ['sub.example.com', 300]]));
  expect(result.moves.map((m) => [m.zone, m.records.length])).toEqual([['example.com', 1000], ['sub.example.com', 300]]);
});

test('a report with 200,000 records to move renders as text and Markdown', () => {
  const result = importZones([zone('example.com', 'a IN MX 10 mx.example.net.')]);
  const records = Array.from({ length: 200_000 }, (_, i) => ({ name: `c${i}.example.com`, type: 'MX', position: { file: 'zones/example.com.zone', line: i + 7, column: 1 } }));
  const report: ImportReport = { result: { ...result, moves: [{ zone: 'example.com', fragment: 'zones/example.com.mail.zone', records }] }, files: [], otherPolicies: [], notes: [] };
  const text = renderImportText(report);
  expect(text).toContain('  zones/example.com.zone:200006:1  c199999.example.com MX\n');
  expect(text.split('\n').filter((l) => l.endsWith(' MX') && l.trimStart().startsWith('zones/'))).toHaveLength(200_000);
  expect(renderImportMarkdown(report)).toContain('zones/example.com.zone:200006:1  c199999.example.com MX\n```');
});

test('a policy too large for one file is split over files that plan reads as the one policy, with no change', async () => {
  const lines = Array.from({ length: 400 }, (_, i) => `c${i} IN MX 10 mx${i % 4}.provider.example.`);
  const zones = [zone('example.com', ...lines)];
  const whole = importZones(zones);
  const split = importZones(zones, { maxPolicyBytes: 8 * 1024 });
  const parts = split.files.filter((f) => f.kind === 'policy');
  expect(whole.files.filter((f) => f.kind === 'policy').map((f) => f.path)).toEqual(['policies/imported.yaml']);
  expect(parts.length).toBeGreaterThan(2);
  expect(split.policyFiles).toEqual(parts.map((f) => f.path));
  expect(parts.map((f) => f.path).slice(0, 3)).toEqual(['policies/imported.yaml', 'policies/imported-2.yaml', 'policies/imported-3.yaml']);
  for (const part of parts) expect(Buffer.byteLength(part.content)).toBeLessThanOrEqual(8 * 1024);
  // Defaults and zones once, in the first file; every domain in exactly one file, in order.
  const docs = parts.map((f) => parse(f.content) as { defaults?: unknown; zones?: unknown; domains: Record<string, unknown> });
  expect(docs[0]!.defaults).toEqual(parse(whole.policyText).defaults);
  expect(docs[0]!.zones).toEqual(parse(whole.policyText).zones);
  expect(docs.slice(1).every((d) => d.defaults === undefined && d.zones === undefined)).toBe(true);
  expect(docs.flatMap((d) => Object.keys(d.domains))).toEqual(Object.keys(parse(whole.policyText).domains));
  expect(parts[0]!.content).toContain(`The policy is split over ${parts.length} files (policies/imported.yaml, policies/imported-2.yaml,`);
  expect(parts[1]!.content).toMatch(/^# Part 2 of \d+ of the policy mailrec import wrote; its defaults and zones are in policies\/imported.yaml\./);
  expect(split.policyText).toBe(whole.policyText);
  const report = renderImportText({ result: split, files: [], otherPolicies: [], notes: [], planCheck: { policyPath: 'policies/imported.yaml', policyParts: split.policyFiles, changes: 0, files: 0, refused: 0, clean: true } });
  expect(report).toContain(`mailrec plan ${split.policyFiles.map((f) => `-p ${f}`).join(' ')}: no changes.`);

  // The real command on the files written: plan reads the parts (the policy directory) as the one policy.
  const repo = mkdtempSync(join(tmpdir(), 'mailrec-import-split-'));
  try {
    for (const file of split.files) {
      mkdirSync(dirname(join(repo, file.path)), { recursive: true });
      writeFileSync(join(repo, file.path), file.content);
    }
    writeFileSync(join(repo, 'zones/example.com.zone'), `${zones[0]!.text.split('\nc0 ')[0]}\n$INCLUDE example.com.mail.zone\n`);
    const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: repo });
    expect(plan.stderr).toBe('');
    expect(plan.stdout).toContain('No changes. The zones match the policy.');
    expect(plan.code).toBe(0);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
});
