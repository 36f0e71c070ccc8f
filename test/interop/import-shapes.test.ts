// Import, shape by shape: each real-world way of writing mail records becomes policy keys or a raw: entry, and every one round-trips.

import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { renderMtaStsPolicy, compileMtaStsId } from '../../src/mail/mta-sts/record.js';
import { codes, dkimP, ED25519, expectRoundTrip, importZones, rawEntries, RSA1024, RSA2048, zone } from './helpers.js';

const DKIM_2048 = `v=DKIM1; k=rsa; p=${RSA2048}`;

interface PolicyDoc {
  defaults: { ttl: number; spf: { all: string } };
  zones: Record<string, { fragment: string; zone_file?: string }>;
  domains: Record<string, Record<string, unknown> & { raw?: { name: string; type: string; value: unknown; ttl?: number }[] }>;
}

function policyOf(text: string): PolicyDoc {
  return parse(text) as PolicyDoc;
}

describe('SPF', () => {
  test('terms become senders; providers from the catalogue are named; plan is empty', () => {
    const result = importZones([
      zone('example.com', '@ IN TXT "v=spf1 a mx a:out.example.com ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.google.com include:sendgrid.net ~all"'),
    ]);
    expectRoundTrip(result);
    const domain = policyOf(result.policyText).domains['example.com']!;
    expect(domain.senders).toEqual(['self', 'mx', { host: 'out.example.com' }, { ip4: '192.0.2.0/24' }, { ip6: '2001:db8::/32' }, { provider: 'google' }, { provider: 'sendgrid' }]);
    expect(result.policyText).toContain('{ provider: google } # include:_spf.google.com (Google Workspace)');
    expect(rawEntries(result)).toEqual([]);
  });

  test.each([
    ['a macro and exists:', 'v=spf1 exists:%{i}._spf.example.com -all', ['spf.macro-target'], 'SPF macro'],
    ['ptr', 'v=spf1 mx ptr -all', ['spf.ptr'], 'ptr SHOULD NOT be used'],
    ['redirect=', 'v=spf1 redirect=_spf.example.com', [], 'redirect='],
    ['a qualifier other than +', 'v=spf1 mx -ip4:192.0.2.1 ~all', [], 'qualifier'],
    ['+all', 'v=spf1 +all', ['spf.pass-all'], '+all'],
    ['no all term', 'v=spf1 mx', ['spf.no-all'], 'no all term'],
    ['a/24', 'v=spf1 a/24 -all', [], 'CIDR'],
    ['eleven includes', `v=spf1 ${Array.from({ length: 11 }, (_, i) => `include:s${i}.ex.net`).join(' ')} -all`, ['spf.too-many-lookups'], 'DNS-querying terms'],
  ])('%s is kept verbatim under raw: and flagged', (_label, text, flagged, reason) => {
    const result = importZones([zone('example.com', `@ IN TXT "${text}"`)]);
    expectRoundTrip(result);
    expect(rawEntries(result)).toEqual(['example.com TXT']);
    expect(result.raw[0]!.reason).toContain(reason);
    for (const code of flagged) expect(codes(result)).toContain(code);
    expect(codes(result)).toContain('import.raw');
    expect(policyOf(result.policyText).domains['example.com']!.raw).toEqual([{ name: '@', type: 'TXT', value: text }]);
  });

  test('a record split into strings where mailrec would not split it stays raw, strings kept; --normalize takes the model', () => {
    const text = zone('example.com', '@ IN TXT "v=spf1 include:sendgrid.net " "include:spf.mandrillapp.com -all"');
    const strict = importZones([text]);
    expectRoundTrip(strict);
    expect(policyOf(strict.policyText).domains['example.com']!.raw).toEqual([
      { name: '@', type: 'TXT', value: ['v=spf1 include:sendgrid.net ', 'include:spf.mandrillapp.com -all'] },
    ]);
    expect(strict.raw[0]!.reason).toContain('split where mailrec would not split them');

    const normal = importZones([text], { normalize: true });
    expect(normal.raw).toEqual([]);
    expect(policyOf(normal.policyText).domains['example.com']!.senders).toEqual([{ provider: 'sendgrid' }, { provider: 'mailchimp' }]);
    expect(normal.changes.map((c) => `${c.action} ${c.name} ${c.tag}`)).toEqual(['update example.com spf']);
    expect(codes(normal)).toContain('import.rewritten');
  });

  test('terms in another order than mailrec writes stay raw unless --normalize', () => {
    const text = zone('example.com', '@ IN TXT "v=spf1 include:_spf.google.com mx -all"');
    expect(rawEntries(importZones([text]))).toEqual(['example.com TXT']);
    const normal = importZones([text], { normalize: true });
    expect(normal.raw).toEqual([]);
    expect(normal.changes).toHaveLength(1);
  });
});

describe('DKIM', () => {
  test('a key in one string, split at 255 octets across lines, and Ed25519: selectors with PEM keys', () => {
    const at255 = [DKIM_2048.slice(0, 255), DKIM_2048.slice(255)];
    const result = importZones([
      zone(
        'example.com',
        `legacy._domainkey IN TXT "v=DKIM1; k=rsa; p=${RSA1024}"`,
        `2025a._domainkey IN TXT ( "${at255[0]}"`,
        `                          "${at255[1]}" )`,
        `ed._domainkey IN TXT "v=DKIM1; k=ed25519; p=${ED25519}"`,
        'old._domainkey IN TXT "v=DKIM1; p="',
      ),
    ]);
    expectRoundTrip(result);
    expect(result.raw).toEqual([]);
    const keys = Object.fromEntries(result.files.filter((f) => f.kind === 'key').map((f) => [f.path, f.content]));
    expect(Object.keys(keys).sort()).toEqual(['keys/example.com.2025a.pub', 'keys/example.com.ed.pub', 'keys/example.com.legacy.pub']);
    expect(dkimP(keys['keys/example.com.2025a.pub']!)).toBe(RSA2048);
    expect(dkimP(keys['keys/example.com.legacy.pub']!)).toBe(RSA1024);
    // RFC 8463: the raw 32-octet key becomes an SPKI PEM, and back.
    expect(keys['keys/example.com.ed.pub']).toMatch(/^-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA/);
    expect(dkimP(keys['keys/example.com.ed.pub']!)).toBe(ED25519);
    const dkim = policyOf(result.policyText).domains['example.com']!.dkim as { selector: string; state: string }[];
    expect(dkim.map((k) => `${k.selector} ${k.state}`)).toEqual(['2025a active', 'ed active', 'legacy active', 'old retired']);
    expect(result.policyText).toContain('# RSA 1024 bits, from p=');
    expect(codes(result)).toEqual(['dkim.revoked', 'dkim.rsa-weak']);
  });

  test('a key pasted in 64-character strings stays raw with its strings (--normalize takes the key)', () => {
    const lines = RSA2048.match(/.{1,64}/g)!.map((l) => `"${l}"`).join('\n    ');
    const text = zone('example.com', `k1._domainkey IN TXT ( "v=DKIM1; k=rsa; p="\n    ${lines} )`);
    const strict = importZones([text]);
    expectRoundTrip(strict);
    expect(rawEntries(strict)).toEqual(['k1._domainkey.example.com TXT']);
    const value = policyOf(strict.policyText).domains['example.com']!.raw![0]!.value as string[];
    expect(value.join('')).toBe(DKIM_2048);
    expect(value).toHaveLength(8);
    const normal = importZones([text], { normalize: true });
    expect(normal.raw).toEqual([]);
    expect(dkimP(normal.files.find((f) => f.path === 'keys/example.com.k1.pub')!.content)).toBe(RSA2048);
  });

  test.each([
    ['t=y', `v=DKIM1; k=rsa; t=y; p=${RSA1024}`, 'dkim.testing'],
    ['h=sha1', `v=DKIM1; h=sha1; k=rsa; p=${RSA1024}`, 'dkim.sha1-only'],
    ['s=', `v=DKIM1; k=rsa; s=other; p=${RSA1024}`, 'dkim.service-type'],
    ['a 512-bit key', 'v=DKIM1; k=rsa; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBANk25jg0X1xOIfdoXn67Griw8nHc77FSJOM21Y49/3hx62AAWXUobYTxHIXxatu5FwmJkFWYjPalVsMOYEhxWDMCAwEAAQ==', 'dkim.rsa-too-short'],
    ['p= that is not a key', 'v=DKIM1; k=rsa; p=bm90IGEga2V5', 'dkim.key-invalid'],
  ])('%s stays raw and is flagged', (_label, text, code) => {
    const result = importZones([zone('example.com', `s1._domainkey IN TXT "${text}"`)]);
    expectRoundTrip(result);
    expect(rawEntries(result)).toEqual(['s1._domainkey.example.com TXT']);
    expect(codes(result)).toContain(code);
  });

  test('a selector delegated by CNAME (Microsoft 365) is kept as a raw CNAME', () => {
    const result = importZones([zone('example.com', 'selector1._domainkey IN CNAME selector1-example-com._domainkey.examplecom.onmicrosoft.com.')]);
    expectRoundTrip(result);
    expect(policyOf(result.policyText).domains['example.com']!.raw).toEqual([
      { name: 'selector1._domainkey', type: 'CNAME', value: 'selector1-example-com._domainkey.examplecom.onmicrosoft.com.' },
    ]);
  });

  test('an existing key file with the same key is reused, not rewritten', () => {
    const result = importZones([zone('example.com', `s._domainkey IN TXT "v=DKIM1; k=ed25519; p=${ED25519}"`)], {
      files: { 'keys/example.com.s.pub': '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA5JZPGt/3nuM6l7ig85Rjn2L56kTngRHB3GxPcbitXaQ=\n-----END PUBLIC KEY-----\n' },
    });
    expect(result.files.find((f) => f.kind === 'key')!.content).toContain('MCowBQYDK2VwAyEA5JZPGt');
    expect(result.policyText).toContain('(the file already held this key)');
  });
});

describe('DMARC', () => {
  test('every RFC 9989 tag, in mailrec order, is modelled', () => {
    const result = importZones([
      zone('example.com', '_dmarc IN TXT "v=DMARC1; p=reject; sp=quarantine; np=reject; t=y; adkim=s; aspf=r; fo=1:d; rua=mailto:dmarc@example.com,mailto:agg@example.com; ruf=mailto:forensic@example.com"'),
    ]);
    expectRoundTrip(result);
    expect(policyOf(result.policyText).domains['example.com']!.dmarc).toEqual({
      policy: 'reject',
      subdomain_policy: 'quarantine',
      nonexistent_policy: 'reject',
      testing: true,
      adkim: 'strict',
      aspf: 'relaxed',
      fo: '1:d',
      rua: ['dmarc@example.com', 'agg@example.com'],
      ruf: ['forensic@example.com'],
    });
  });

  test('an unknown tag, rf= and ri= stay raw; pct= is modelled and flagged', () => {
    const result = importZones([
      zone('example.com', '_dmarc IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com; foo=bar"'),
      zone('example.net', '_dmarc IN TXT "v=DMARC1; p=none; rf=afrf; ri=86400"'),
      zone('example.org', '_dmarc IN TXT "v=DMARC1; p=none; pct=50; rua=mailto:dmarc@example.org"'),
    ]);
    expectRoundTrip(result);
    expect(rawEntries(result)).toEqual(['_dmarc.example.com TXT', '_dmarc.example.net TXT']);
    expect(codes(result)).toEqual(expect.arrayContaining(['dmarc.unknown-tag', 'dmarc.removed-tag', 'dmarc.not-enforcing', 'dmarc.rua-missing']));
    expect(policyOf(result.policyText).domains['example.org']!.dmarc).toEqual({ policy: 'none', pct: 50, rua: ['dmarc@example.org'] });
  });

  test('a report authorization the policy builds is not written raw; a missing one is reported as a fix', () => {
    const producer = zone('example.com', '_dmarc IN TXT "v=DMARC1; p=none; rua=mailto:reports@example.net"');
    const withAuth = importZones([producer, zone('example.net', 'example.com._report._dmarc IN TXT "v=DMARC1"')]);
    expectRoundTrip(withAuth);
    expect(withAuth.raw).toEqual([]);

    const without = importZones([producer, zone('example.net', 'mx IN A 192.0.2.1')]);
    expect(without.changes.map((c) => `${c.action} ${c.name}`)).toEqual(['create example.com._report._dmarc.example.net']);
    expect(without.findings.filter((f) => f.code === 'import.fixed').map((f) => f.name)).toEqual(['example.com._report._dmarc.example.net']);
  });

  test('an authorization for a domain the policy does not hold stays raw', () => {
    const result = importZones([zone('example.com', 'customer.example._report._dmarc IN TXT "v=DMARC1"')]);
    expectRoundTrip(result);
    expect(policyOf(result.policyText).domains['example.com']!.raw).toEqual([{ name: 'customer.example._report._dmarc', type: 'TXT', value: 'v=DMARC1' }]);
  });
});

describe('MX, null MX, SRV, TLSA', () => {
  test('null MX with v=spf1 -all and p=reject is mail: none', () => {
    const result = importZones([
      zone('example.com', 'parked IN MX 0 .', 'parked IN TXT "v=spf1 -all"', '_dmarc.parked IN TXT "v=DMARC1; p=reject"', 'half IN MX 0 .', 'half IN TXT "v=spf1 -all"'),
    ]);
    expectRoundTrip(result);
    const domains = policyOf(result.policyText).domains;
    expect(domains['parked.example.com']).toEqual({ mail: 'none' });
    // Without DMARC, mail: none would add one: the parts are written out instead.
    expect(domains['half.example.com']).toEqual({ senders: [], spf: { all: 'fail' }, mx: 'none' });
  });

  test('a null MX beside other MX records stays raw, is flagged, and the import says plan will refuse it', () => {
    const result = importZones([zone('example.com', '@ IN MX 0 .', '@ IN MX 10 mx.example.com.')]);
    expect(rawEntries(result)).toEqual(['example.com MX', 'example.com MX']);
    expect(codes(result)).toEqual(expect.arrayContaining(['mx.null-not-alone', 'import.plan-refused']));
    // Reproduced as read (no change), but plan refuses a record set the RFCs forbid until it is fixed.
    expect(result.changes).toEqual([]);
    expect(result.findings.find((f) => f.code === 'import.plan-refused')!.severity).toBe('error');
  });

  test('SRV records, "service not available" included, and TLSA as explicit data', () => {
    const result = importZones([
      zone(
        'example.com',
        '@ IN MX 10 mx1',
        '_submissions._tcp IN SRV 0 1 465 smtp',
        '_imaps._tcp IN SRV 10 5 993 imap.example.com.',
        '_pop3s._tcp IN SRV 0 0 0 .',
        '_25._tcp.mx1 IN TLSA 3 1 1 ( 8d02536c887482bc34ff54e41d2ba659',
        '                              BF85B341A0A20AFADB5813DCFBCF286D )',
        '_25._tcp.mx1 IN TLSA 2 0 2 ' + 'ab'.repeat(64),
      ),
    ]);
    expectRoundTrip(result);
    const domain = policyOf(result.policyText).domains['example.com']!;
    expect(domain.srv).toEqual([
      { service: 'imaps', target: 'imap.example.com', port: 993, priority: 10, weight: 5 },
      { service: 'pop3s', target: '.', port: 0 },
      { service: 'submissions', target: 'smtp.example.com', port: 465 },
    ]);
    // In the order read: the current key, then the next (RFC 7671 §8.1 rollover).
    expect(domain.tlsa).toEqual([
      { port: 25, host: 'mx1.example.com', usage: 3, selector: 1, matching_type: 1, data: '8d02536c887482bc34ff54e41d2ba659bf85b341a0a20afadb5813dcfbcf286d' },
      { port: 25, host: 'mx1.example.com', usage: 2, selector: 0, matching_type: 2, data: 'ab'.repeat(64) },
    ]);
  });

  test('_submission on port 465 and TLSA usage 1 for SMTP: the policy refuses them, so they stay raw, flagged', () => {
    const result = importZones([
      zone('example.com', '_submission._tcp IN SRV 0 1 465 smtp.example.com.', '_25._tcp.mx1 IN TLSA 1 1 1 ' + 'cd'.repeat(32)),
    ]);
    expectRoundTrip(result);
    expect(rawEntries(result)).toEqual(['_25._tcp.mx1.example.com TLSA', '_submission._tcp.example.com SRV']);
    expect(codes(result)).toEqual(expect.arrayContaining(['srv.submission-465', 'tlsa.bad-usage']));
  });

  test('an RRset whose TTL is not the domain\'s stays raw with its ttl', () => {
    const result = importZones([zone('example.com', '@ 86400 IN MX 10 mx1.example.com.', '@ IN TXT "v=spf1 mx -all"', '_dmarc IN TXT "v=DMARC1; p=none"')]);
    expectRoundTrip(result);
    expect(policyOf(result.policyText).domains['example.com']!.raw).toEqual([{ name: '@', type: 'MX', value: '10 mx1.example.com.', ttl: 86400 }]);
  });
});

describe('MTA-STS and TLS-RPT', () => {
  const policyText = renderMtaStsPolicy('enforce', ['mx1.example.com'], 604800);

  test('an id that is the hash of the repo\'s policy file: mta_sts is modelled, mx left to the MX hosts', () => {
    const result = importZones(
      [zone('example.com', '@ IN MX 10 mx1', `_mta-sts IN TXT "v=STSv1; id=${compileMtaStsId(policyText)}"`, '_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:tls@example.com,https://report.example.com/tlsrpt"')],
      { files: { 'mta-sts/example.com/.well-known/mta-sts.txt': policyText } },
    );
    expectRoundTrip(result);
    const domain = policyOf(result.policyText).domains['example.com']!;
    expect(domain.mta_sts).toEqual({ mode: 'enforce', max_age: 604800 });
    expect(domain.tls_rpt).toEqual({ rua: ['tls@example.com', 'https://report.example.com/tlsrpt'] });
  });

  test('a hand-made id, or no policy file in the repo: the TXT record stays raw', () => {
    const text = zone('example.com', '@ IN MX 10 mx1', '_mta-sts IN TXT "v=STSv1; id=2024060101"');
    const withFile = importZones([text], { files: { 'mta-sts/example.com/.well-known/mta-sts.txt': policyText } });
    expectRoundTrip(withFile);
    expect(withFile.raw[0]!.reason).toContain('its id= is not the one mailrec derives');
    const noFile = importZones([text]);
    expect(noFile.raw[0]!.reason).toContain('is not in the repo');
  });
});

describe('master-file shapes', () => {
  test('$INCLUDE and $ORIGIN changes put records under the right names; moves name file and line', () => {
    const result = importZones(
      [
        {
          apex: 'example.com',
          text: [
            '$ORIGIN example.com.',
            '$TTL 3600',
            '@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300',
            '  IN NS ns1',
            '  IN MX 10 mx1',
            '$ORIGIN lists.example.com.',
            '@ IN MX 10 mx1.example.com.',
            '@ IN TXT "v=spf1 a -all"',
            '$INCLUDE zones/dept.inc dept.example.com.',
            '$ORIGIN example.com.',
            '@ IN TXT "v=spf1 mx -all"',
          ].join('\n'),
        },
      ],
      { includes: { 'zones/zones/dept.inc': '@ IN MX 10 mx1.example.com.\n_dmarc IN TXT "v=DMARC1; p=none"\n' } },
    );
    expectRoundTrip(result);
    expect(Object.keys(policyOf(result.policyText).domains)).toEqual(['example.com', 'dept.example.com', 'lists.example.com']);
    const move = result.moves[0]!;
    expect(move.fragment).toBe('zones/example.com.mail.zone');
    expect(move.include).toEqual({ zoneFile: 'zones/example.com.zone', path: 'example.com.mail.zone' });
    expect(move.records.map((r) => `${r.position.file}:${r.position.line} ${r.name} ${r.type}`)).toEqual([
      'zones/example.com.zone:5 example.com MX',
      'zones/example.com.zone:7 lists.example.com MX',
      'zones/example.com.zone:8 lists.example.com TXT',
      'zones/example.com.zone:11 example.com TXT',
      'zones/zones/dept.inc:1 dept.example.com MX',
      'zones/zones/dept.inc:2 _dmarc.dept.example.com TXT',
    ]);
  });

  test('records outside the imported zones are reported, not imported; foreign TXT and other types are left alone', () => {
    const result = importZones([
      zone('example.com', '@ IN TXT "google-site-verification=abc"', 'www IN A 192.0.2.80', '_sip._tcp IN SRV 0 0 5060 sip', '$ORIGIN example.net.', '@ IN MX 10 mx1.example.com.'),
    ]);
    expectRoundTrip(result);
    expect(result.records).toEqual([]);
    expect(codes(result)).toEqual(['import.outside-zone']);
  });

  test('the same estate imported twice gives byte-identical output', () => {
    const text = zone('example.com', '@ IN MX 10 mx1', '@ IN TXT "v=spf1 mx -all"', `d._domainkey IN TXT "v=DKIM1; k=ed25519; p=${ED25519}"`);
    const a = importZones([text]);
    const b = importZones([text]);
    expect(a.files).toEqual(b.files);
  });
});
