// The pure validator on inline policies: zone assignment, defaults, normalization, the
// files it asks the loader for, and that issues from every file come back together.

import { describe, expect, test } from 'vitest';
import type { DomainPolicy, Policy } from '../../src/policy/model.js';
import { validatePolicy, type FileRef } from '../../src/policy/validate.js';

function ok(...texts: string[]): { policy: Policy; files: FileRef[] } {
  const result = validatePolicy(texts.map((text, i) => ({ file: `p${i + 1}.yaml`, text })));
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.position.line}:${i.position.column} ${i.message}`).join('\n'));
  return result;
}

function domain(policy: Policy, name: string): DomainPolicy {
  const found = policy.domains.find((d) => d.name === name);
  if (!found) throw new Error(`no domain ${name}`);
  return found;
}

function messages(...texts: string[]): string[] {
  const result = validatePolicy(texts.map((text, i) => ({ file: `p${i + 1}.yaml`, text })));
  return result.ok ? [] : result.issues.map((i) => `${i.position.file}:${i.position.line}:${i.position.column} ${i.message}`);
}

const yaml = (lines: string[]): string => `${lines.join('\n')}\n`;

describe('zones', () => {
  test('each domain belongs to its longest matching apex', () => {
    const { policy } = ok(
      yaml([
        'version: 1',
        'zones: { example.org: {}, sub.example.org: {}, example.net: }',
        'domains:',
        '  example.org: { mail: none }',
        '  a.example.org: { mail: none }',
        '  sub.example.org: { mail: none }',
        '  b.sub.example.org: { mail: none }',
        '  example.net: { mail: none }',
      ]),
    );
    expect(policy.domains.map((d) => [d.name, d.zone])).toEqual([
      ['a.example.org', 'example.org'],
      ['b.sub.example.org', 'sub.example.org'],
      ['example.net', 'example.net'],
      ['example.org', 'example.org'],
      ['sub.example.org', 'sub.example.org'],
    ]);
    expect(policy.zones.map((z) => z.fragment)).toEqual([
      'zones/example.net.mail.zone',
      'zones/example.org.mail.zone',
      'zones/sub.example.org.mail.zone',
    ]);
  });

  test('with no zones, two-label domains are their own zones and hold the names beneath them', () => {
    const { policy } = ok(yaml(['version: 1', 'domains:', '  example.org: { mail: none }', '  lists.example.org: { mail: none }']));
    expect(policy.zones).toEqual([{ apex: 'example.org', fragment: 'zones/example.org.mail.zone' }]);
    expect(domain(policy, 'lists.example.org').zone).toBe('example.org');
  });

  test('with no zones, a deeper name alone cannot be placed', () => {
    expect(messages(yaml(['version: 1', 'domains:', '  example.co.uk: { mail: none }']))).toEqual([
      'p1.yaml:3:3 cannot tell which zone example.co.uk belongs to',
    ]);
  });

  test('zones declared in one file serve domains of another', () => {
    const { policy } = ok(yaml(['version: 1', 'zones: { example.co.uk: {} }']), yaml(['version: 1', 'domains:', '  mail.example.co.uk: { mail: none }']));
    expect(domain(policy, 'mail.example.co.uk').zone).toBe('example.co.uk');
    expect(policy.files).toEqual(['p1.yaml', 'p2.yaml']);
  });

  test('two zones cannot share one fragment', () => {
    expect(
      messages(yaml(['version: 1', 'zones:', '  example.org: { fragment: zones/mail.zone }', '  example.net: { fragment: zones/./mail.zone }'])),
    ).toEqual(['p1.yaml:4:28 zones example.org and example.net write the same fragment zones/mail.zone']);
  });
});

describe('defaults', () => {
  test('built-in defaults: TTL 3600, SPF softfail', () => {
    const { policy } = ok(yaml(['version: 1', 'domains:', '  example.org: { senders: [self] }']));
    expect(policy.defaults).toEqual({ ttl: 3600, spfAll: 'softfail' });
    expect(domain(policy, 'example.org')).toMatchObject({ ttl: 3600, spfAll: 'softfail' });
  });

  test('policy defaults apply where a domain says nothing, and a domain overrides them', () => {
    const { policy } = ok(
      yaml([
        'version: 1',
        'defaults: { ttl: 600, spf: { all: fail } }',
        'domains:',
        '  example.org: { senders: [self] }',
        '  example.net: { senders: [self], ttl: 60, spf: { all: neutral } }',
      ]),
    );
    expect(domain(policy, 'example.org')).toMatchObject({ ttl: 600, spfAll: 'fail' });
    expect(domain(policy, 'example.net')).toMatchObject({ ttl: 60, spfAll: 'neutral' });
  });

  test('a domain that says nothing about SPF has no senders (no SPF record is managed)', () => {
    const { policy } = ok(yaml(['version: 1', 'domains:', '  example.org: { mx: none }']));
    expect(domain(policy, 'example.org').senders).toBeUndefined();
    expect(domain(policy, 'example.org').mx).toBe('none');
  });
});

describe('normalization', () => {
  test('SRV ports default by service (RFC 6186, RFC 8314)', () => {
    const services = ['submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s'];
    const { policy } = ok(
      yaml(['version: 1', 'domains:', '  example.org:', '    srv:', ...services.map((s) => `      - { service: ${s}, target: mail.example.org }`)]),
    );
    expect(domain(policy, 'example.org').srv.map((s) => [s.service, s.port])).toEqual([
      ['submission', 587],
      ['submissions', 465],
      ['imap', 143],
      ['imaps', 993],
      ['pop3', 110],
      ['pop3s', 995],
    ]);
  });

  test('mail: none spells out null MX, -all and p=reject, and keeps a given DMARC rua', () => {
    const { policy } = ok(
      yaml(['version: 1', 'domains:', '  example.org:', '    mail: none', '    dmarc: { policy: reject, rua: abuse@example.org }']),
    );
    expect(domain(policy, 'example.org')).toMatchObject({
      noMail: true,
      senders: [],
      spfAll: 'fail',
      mx: 'none',
      dmarc: { policy: 'reject', rua: ['mailto:abuse@example.org'] },
    });
  });

  test('YAML anchors and aliases are followed', () => {
    const { policy } = ok(
      yaml(['version: 1', 'domains:', '  example.org: &parked', '    mail: none', '  example.net: *parked']),
    );
    expect(domain(policy, 'example.net').noMail).toBe(true);
  });

  test('TLSA mnemonics (RFC 7218) are read as their numbers', () => {
    const { policy } = ok(
      yaml([
        'version: 1',
        'domains:',
        '  example.org:',
        '    tlsa:',
        `      - { port: 25, host: mx.example.org, usage: dane-ta, selector: cert, matching_type: full, data: "00ff" }`,
      ]),
    );
    expect(domain(policy, 'example.org').tlsa[0]).toMatchObject({ usage: 2, selector: 0, matchingType: 0, source: { kind: 'data', hex: '00ff' } });
  });

  test('no key or certificate is read: the loader is asked for them, retired keys as optional', () => {
    const { policy, files } = ok(
      yaml([
        'version: 1',
        'domains:',
        '  example.org:',
        '    dkim:',
        '      - { selector: a, key: keys/a.pem }',
        '      - { selector: b, key: keys/b.pem, state: retired }',
        '    tlsa:',
        '      - { port: 25, host: mx.example.org, cert: certs/mx.pem }',
        '      - { port: 25, host: mx.example.org, pubkey: certs/mx.pub }',
      ]),
    );
    expect(files.map((f) => [f.kind, f.path, `${f.position.line}:${f.position.column}`, f.docPath, f.optional])).toEqual([
      ['dkim-key', 'keys/a.pem', '5:29', 'domains.example.org.dkim[0].key', false],
      ['dkim-key', 'keys/b.pem', '6:29', 'domains.example.org.dkim[1].key', true],
      ['tlsa-cert', 'certs/mx.pem', '8:49', 'domains.example.org.tlsa[0].cert', false],
      ['tlsa-pubkey', 'certs/mx.pub', '9:51', 'domains.example.org.tlsa[1].pubkey', false],
    ]);
    expect(domain(policy, 'example.org').dkim.map((k) => k.keyPem)).toEqual(['', '']);
  });

  test('a TSIG key is a reference; the secret is never part of the policy', () => {
    const { policy } = ok(
      yaml(['version: 1', 'domains: { example.org: { mail: none } }', 'targets:', '  - { type: rfc2136, server: 192.0.2.53, key: { name: k., secret_env: TSIG } }']),
    );
    expect(policy.targets).toEqual([
      { type: 'rfc2136', server: '192.0.2.53', key: { name: 'k', algorithm: 'hmac-sha256', secretEnv: 'TSIG' }, position: { file: 'p1.yaml', line: 4, column: 5 } },
    ]);
  });
});

describe('issues', () => {
  test('every file is validated, and all issues come back sorted by file, line, column', () => {
    const result = messages(
      yaml(['version: 1', 'domains:', '  example.org:', '    ttl: -1', '    mx: nope']),
      yaml(['version: 3', 'domains:', '  example.net: { colour: red }']),
    );
    expect(result).toEqual([
      'p1.yaml:4:10 ttl -1 is out of range 0..2147483647',
      "p1.yaml:5:9 mx must be a list of { host, preference } or none, not the text 'nope'",
      'p2.yaml:1:10 unsupported version 3',
      "p2.yaml:3:18 unknown key 'colour'",
    ]);
  });

  test('a value of the wrong type is named with what was found', () => {
    expect(
      messages(
        yaml([
          'version: 1',
          'zones: [example.org]',
          'domains:',
          '  example.org:',
          '    senders: self',
          '    dkim: { selector: a }',
          '    dmarc: { policy: none, testing: yes }',
        ]),
      ),
    ).toEqual([
      'p1.yaml:2:8 zones must be a map of zone apexes, not a list',
      'p1.yaml:5:14 senders must be a list, not the text \'self\'',
      'p1.yaml:6:11 dkim must be a list, not a map',
      "p1.yaml:7:37 testing must be true or false, not the text 'yes'",
    ]);
  });

  test('a domain with no settings is refused with a pointer to mail: none', () => {
    const result = validatePolicy([{ file: 'p.yaml', text: 'version: 1\ndomains:\n  example.org:\n' }]);
    expect(result.ok ? [] : result.issues).toEqual([
      {
        position: { file: 'p.yaml', line: 3, column: 3 },
        path: 'domains.example.org',
        message: 'domain example.org has no settings',
        hint: 'give it a map of settings; mail: none for a domain that sends and receives no mail',
      },
    ]);
  });
});
