// The policy's escape hatch, `raw:`: read by the loader, published verbatim by the builder, refused where it would break ownership.

import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { claimsFor } from '../../src/plan/claims.js';
import { POLICY_SCHEMA } from '../../src/policy/schema.js';
import { validatePolicy } from '../../src/policy/validate.js';
import { buildZoneRecords } from '../../src/build/zone-records.js';
import { renderFragment } from '../../src/zone/writer.js';
import { checkJsonSchema } from '../policy/json-schema-check.js';

const POLICY = `version: 1
zones: { example.com: {} }
domains:
  example.com:
    ttl: 600
    raw:
      - { name: "@", type: TXT, value: "v=spf1 exists:%{i}._spf.example.com -all" }
      - { name: s1._domainkey, type: TXT, value: ["v=DKIM1; k=rsa; t=y; p=", "ABCD"] }
      - { name: "@", type: MX, value: "10 mx1", ttl: 86400 }
      - { name: _submission._tcp, type: srv, value: "0 1 587 smtp.example.com." }
      - { name: _25._tcp.mx1, type: TLSA, value: "3 1 1 ${'ab'.repeat(32)}" }
      - { name: selector1._domainkey, type: CNAME, value: "selector1-example-com._domainkey.example.onmicrosoft.com." }
      - { name: other.example.com._report._dmarc.example.com., type: TXT, value: 'v=DMARC1' }
`;

function issues(text: string): string[] {
  const result = validatePolicy([{ file: 'p.yaml', text }]);
  return result.ok ? [] : result.issues.map((i) => `${i.position.line}:${i.position.column} ${i.message}`);
}

describe('raw:', () => {
  test('every entry becomes one record exactly as written: names relative to the domain, TXT strings kept, the TTL given', () => {
    const result = validatePolicy([{ file: 'p.yaml', text: POLICY }]);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const [zone] = buildZoneRecords(result.policy);
    expect(zone!.notices).toEqual([]);
    expect(renderFragment('example.com', zone!.records).split('\n').slice(2).join('\n')).toBe(
      [
        'example.com. 86400 IN MX 10 mx1.example.com.',
        'example.com. 600 IN TXT "v=spf1 exists:%{i}._spf.example.com -all"',
        'other.example.com._report._dmarc.example.com. 600 IN TXT "v=DMARC1"',
        's1._domainkey.example.com. 600 IN TXT "v=DKIM1; k=rsa; t=y; p=" "ABCD"',
        'selector1._domainkey.example.com. 600 IN CNAME selector1-example-com._domainkey.example.onmicrosoft.com.',
        '_submission._tcp.example.com. 600 IN SRV 0 1 587 smtp.example.com.',
        `_25._tcp.mx1.example.com. 600 IN TLSA 3 1 1 ${'AB'.repeat(32)}`,
        '',
      ].join('\n'),
    );
  });

  test('a TXT value given as one string is split at 255 octets, as mailrec splits', () => {
    const long = `v=spf1 ${'ip4:192.0.2.1 '.repeat(25)}-all`;
    const result = validatePolicy([{ file: 'p.yaml', text: `version: 1\ndomains:\n  example.com:\n    raw: [{ name: "@", type: TXT, value: "${long}" }]\n` }]);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const txt = buildZoneRecords(result.policy)[0]!.records[0]!;
    expect(txt.type === 'TXT' && txt.strings.map((s) => s.length)).toEqual([255, long.length - 255]);
  });

  test.each([
    ['a TXT that is no mail record', '{ name: "@", type: TXT, value: "google-site-verification=x" }', '5:40 a raw TXT record must be a mail record mailrec owns'],
    ['a type mailrec does not own', '{ name: www, type: A, value: "192.0.2.1" }', "5:28 raw type 'A' is not one mailrec owns"],
    ['data that does not parse', '{ name: "@", type: MX, value: "ten mx1" }', "5:39 MX value 'ten mx1': MX preference"],
    ['a string over 255 octets', `{ name: "@", type: TXT, value: ["v=spf1 ${'a'.repeat(250)}"] }`, '5:41 a TXT string holds at most 255 octets'],
    ['a missing value', '{ name: "@", type: TXT }', "5:9 missing key 'value'"],
    ['an unknown key', '{ name: "@", type: TXT, value: "v=spf1 -all", class: IN }', "5:55 unknown key 'class'"],
  ])('refuses %s', (_label, entry, message) => {
    const text = `version: 1\ndomains:\n  example.com:\n    raw:\n      - ${entry}\n`;
    const found = issues(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(message);
  });

  test('on a live zone mailrec claims its raw: names, so that removing an entry deletes the record', () => {
    const result = validatePolicy([{ file: 'p.yaml', text: POLICY }]);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const keys = claimsFor(result.policy, 'example.com').map((c) => c.key);
    expect(keys).toEqual(expect.arrayContaining(['s1._domainkey.example.com TXT dkim', 'other.example.com._report._dmarc.example.com TXT dmarc', `_25._tcp.mx1.example.com TLSA`]));
  });

  test('the JSON Schema accepts it', () => {
    expect(checkJsonSchema(POLICY_SCHEMA, parse(POLICY))).toEqual([]);
  });

  test('beside senders, a raw SPF makes two SPF records: the builder refuses the plan', () => {
    const result = validatePolicy([
      { file: 'p.yaml', text: 'version: 1\ndomains:\n  example.com:\n    senders: [mx]\n    raw: [{ name: "@", type: TXT, value: "v=spf1 a -all" }]\n' },
    ]);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(buildZoneRecords(result.policy)[0]!.notices.map((n) => n.code)).toEqual(['spf.multiple']);
  });
});
