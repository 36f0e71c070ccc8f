// The policy reader's own one-pass YAML checks (duplicate keys, alias resolution), which
// replace the library's per-key and per-alias scans: same answers as the library's rules.

import { describe, expect, test } from 'vitest';
import { buildZoneRecords } from '../../src/build/zone-records.js';
import { validatePolicy } from '../../src/policy/validate.js';

const yaml = (lines: string[]): string => `${lines.join('\n')}\n`;

function issues(text: string): string[] {
  const result = validatePolicy([{ file: 'p.yaml', text }]);
  return result.ok ? [] : result.issues.map((i) => `${i.position.line}:${i.position.column} ${i.message}`);
}

/** The records and generated files the policy asks for, without positions. */
function built(text: string) {
  const result = validatePolicy([{ file: 'p.yaml', text }]);
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.position.line}:${i.position.column} ${i.message}`).join('\n'));
  return buildZoneRecords(result.policy).map((z) => ({ zone: z.zone, records: z.records, files: z.files, notices: z.notices.map((n) => n.message) }));
}

const HEAD = ['version: 1', 'zones: { example.org: {}, example.net: {} }', 'domains:'];

describe('aliases', () => {
  const shared = [
    '  example.org:',
    '    senders: &senders [mx, { provider: google }, { ip4: 192.0.2.1 }]',
    '    mx: &mx [{ host: mx1.example.org, preference: 10 }]',
    '    dmarc: &dmarc { policy: reject, rua: [dmarc@example.org] }',
    '    mta_sts: &sts { mode: enforce, max_age: 604800 }',
  ];
  const expanded = [
    ...HEAD,
    ...shared.map((l) => l.replace(/&\w+ /, '')),
    '  example.net:',
    '    senders: [mx, { provider: google }, { ip4: 192.0.2.1 }]',
    '    mx: [{ host: mx1.example.org, preference: 10 }]',
    '    dmarc: { policy: reject, rua: [dmarc@example.org] }',
    '    mta_sts: { mode: enforce, max_age: 604800 }',
  ];
  const aliased = [...HEAD, ...shared, '  example.net:', '    senders: *senders', '    mx: *mx', '    dmarc: *dmarc', '    mta_sts: *sts'];

  test('a policy with aliases builds the same records and files as the same policy written out', () => {
    const a = built(yaml(aliased));
    expect(a.flatMap((z) => z.records).length).toBeGreaterThan(8);
    expect(a).toEqual(built(yaml(expanded)));
  });

  test('a whole domain by alias, many times over, is the same as written out', () => {
    const body = ['    senders: [mx]', '    mx: [{ host: mx.example.org, preference: 10 }]', '    dmarc: { policy: quarantine }'];
    const names = Array.from({ length: 300 }, (_, i) => `d${i}.example.org`);
    const aliasedText = yaml(['version: 1', 'zones: { example.org: {} }', 'domains:', `  ${names[0]}: &d`, ...body, ...names.slice(1).map((n) => `  ${n}: *d`)]);
    const expandedText = yaml(['version: 1', 'zones: { example.org: {} }', 'domains:', ...names.flatMap((n) => [`  ${n}:`, ...body])]);
    const a = built(aliasedText);
    expect(a[0]!.records.filter((rr) => rr.type === 'MX')).toHaveLength(300);
    expect(a).toEqual(built(expandedText));
  });

  test('an alias stands for the last anchor of its name before it (YAML 1.2 §3.2.2.2)', () => {
    const text = yaml([
      ...HEAD,
      '  example.org: { senders: [mx], dmarc: &p { policy: none } }',
      '  example.net: { senders: [mx], dmarc: *p }',
      '  a.example.net: { senders: [mx], dmarc: &p { policy: reject } }',
      '  b.example.net: { senders: [mx], dmarc: *p }',
    ]);
    const dmarc = built(text)
      .flatMap((z) => z.records)
      .filter((rr) => rr.name.startsWith('_dmarc.'))
      .map((rr) => `${rr.name} ${rr.type === 'TXT' ? rr.strings.join('') : ''}`);
    expect(dmarc).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^_dmarc\.example\.net v=DMARC1; p=none/),
        expect.stringMatching(/^_dmarc\.b\.example\.net v=DMARC1; p=reject/),
      ]),
    );
  });

  test('an alias with no anchor before it stands for nothing, not for a later anchor', () => {
    expect(issues(yaml([...HEAD, '  example.org: *later', '  example.net: &later { mail: none }']))).toEqual(['4:3 domain example.org has no settings']);
  });
});

describe('duplicate keys', () => {
  test('a key twice in a large map is reported once, at the second one', () => {
    const names = Array.from({ length: 2000 }, (_, i) => `  d${i}.example.org: { mail: none }`);
    names.splice(1500, 0, '  d7.example.org: { mail: none }');
    expect(issues(yaml(['version: 1', 'zones: { example.org: {} }', 'domains:', ...names]))).toEqual(['1504:3 YAML: this key appears twice in the same map']);
  });

  test('in a flow map, and with other parse errors in document order', () => {
    expect(issues(yaml(['version: 1', 'zones: { example.org: {}, example.org: {} }']))).toEqual(['2:27 YAML: this key appears twice in the same map']);
    const both = issues(yaml(['version: 1', 'version: 1', 'zones: { a: [ }']));
    expect(both[0]).toBe('2:1 YAML: this key appears twice in the same map');
    expect(both.length).toBeGreaterThan(1);
  });

  test('keys equal by value count as the same; different types and distinct collections do not', () => {
    expect(issues(yaml(['version: 1', 'zones: { example.org: {} }', 'domains:', '  example.org: { mail: none }', '  "example.org": { mail: none }']))).toEqual([
      '5:3 YAML: this key appears twice in the same map',
    ]);
    // 1 (a number) and "1" (a string) are different keys to YAML; the policy then refuses the names, not the map.
    expect(issues(yaml(['version: 1', 'zones: { example.org: {} }', 'domains:', '  1: { mail: none }', '  "1": { mail: none }'])).join('\n')).not.toMatch(/same map/);
  });
});
