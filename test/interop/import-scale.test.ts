// Import of many domains: every subdomain's MX becomes its own policy entry and round-trips,
// zones nested in each other keep their records apart, and a report listing a couple of
// hundred thousand records to move renders (no call with one argument per line).

import { expect, test } from 'vitest';
import { parse } from 'yaml';
import { renderImportMarkdown, renderImportText, type ImportReport } from '../../src/interop/import/report.js';
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
