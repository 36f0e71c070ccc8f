// Single-value checks: names, CIDRs, report URIs, repo paths, servers, service names, TLSA data.

import { describe, expect, test } from 'vitest';
import {
  APEX,
  checkCidr,
  checkDomainName,
  checkHostName,
  checkRepoPath,
  checkReportUri,
  checkSelector,
  checkServer,
  checkServiceName,
  checkTlsaData,
  type Check,
} from '../../src/policy/values.js';

/** The value when accepted, or "!" and the message when refused. */
function outcome(check: Check<string>): string {
  return check.ok ? check.value : `! ${check.message}`;
}

describe('checkDomainName', () => {
  test.each([
    ['example.org', 'example.org'],
    ['Example.ORG.', 'example.org'],
    ['_spf.google.com', '_spf.google.com'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    [`${'a'.repeat(63)}.example.org`, `${'a'.repeat(63)}.example.org`],
    ['', '! name is empty'],
    ['.', '! name is empty'],
    ['exa mple.org', "! name 'exa mple.org' contains whitespace"],
    ['example.org;', "! name 'example.org;' contains ';'"],
    ['$ORIGIN.org', "! name '$ORIGIN.org' contains '$'"],
    ['ex(ample).org', "! name 'ex(ample).org' contains '('"],
    ['"example.org"', `! name '"example.org"' contains '"'`],
    ['example..org', "! name 'example..org' has an empty label"],
    ['ex*mple.org', "! name 'ex*mple.org' contains '*': a name has letters, digits, hyphens and underscores only"],
    ['-example.org', "! name '-example.org' has a label that starts or ends with a hyphen (RFC 1123 §2.1)"],
    [`${'a'.repeat(64)}.org`, `! name '${'a'.repeat(64)}.org' has a label of 64 characters; the limit is 63 (RFC 1035 §2.3.4)`],
    ['org', "! name 'org' is a single label"],
    ['bücher.example', "! name 'bücher.example' is not ASCII"],
  ])('%s', (raw, expected) => {
    expect(outcome(checkDomainName(raw, 'name'))).toBe(expected);
  });

  test('253 characters is the limit, 254 is refused', () => {
    const at = `${'a'.repeat(61)}.${'b'.repeat(61)}.${'c'.repeat(61)}.${'d'.repeat(61)}.org`;
    expect(at.length).toBe(251);
    expect(checkDomainName(`${at}xy`, 'name').ok).toBe(true);
    expect(outcome(checkDomainName(`${at}xyz`, 'name'))).toBe('! name is 254 characters long; the limit is 253 (RFC 1035 §2.3.4)');
  });

  test('a non-ASCII name is refused with its IDNA form as the hint', () => {
    expect(checkDomainName('bücher.example', 'domain')).toEqual({
      ok: false,
      message: "domain 'bücher.example' is not ASCII",
      hint: 'write the IDNA form: xn--bcher-kva.example',
    });
  });

  test('wildcards only where asked, and only as the first label', () => {
    expect(outcome(checkDomainName('*.example.org', 'mx', { wildcard: true }))).toBe('*.example.org');
    expect(checkDomainName('*.example.org', 'mx').ok).toBe(false);
    expect(checkDomainName('mx.*.example.org', 'mx', { wildcard: true }).ok).toBe(false);
  });

  test('single labels where asked (TSIG key names, zone apexes and their domains)', () => {
    expect(outcome(checkDomainName('mailrec.', 'key', { minLabels: 1 }))).toBe('mailrec');
    // BIND loads a zone "example." (mail servers' test setups use one): so does a policy.
    expect(outcome(checkDomainName('example.', 'zone', APEX))).toBe('example');
  });
});

describe('checkHostName and checkSelector', () => {
  test.each([
    ['mx-01.example.org', 'mx-01.example.org'],
    ['192.0.2.1', "! host '192.0.2.1' is an IP address, not a host name"],
    ['2001:db8::1', "! host '2001:db8::1' is an IP address, not a host name"],
    ['[192.0.2.1]', "! host '[192.0.2.1]' is an IP address, not a host name"],
    ['mx.example.123', "! host 'mx.example.123' ends in an all-numeric label"],
  ])('host %s', (raw, expected) => {
    expect(outcome(checkHostName(raw, 'host', 'use a name'))).toBe(expected);
  });

  test.each([
    ['2026a', '2026a'],
    ['S1.Sub', 's1.sub'],
    ['s1.', "! selector 's1.' ends with a dot"],
    ['s 1', "! selector 's 1' contains whitespace"],
  ])('selector %s', (raw, expected) => {
    expect(outcome(checkSelector(raw))).toBe(expected);
  });
});

describe('checkCidr', () => {
  test.each([
    ['192.0.2.0/24', 4, '192.0.2.0/24'],
    ['192.0.2.7', 4, '192.0.2.7'],
    ['192.0.2.7/32', 4, '192.0.2.7/32'],
    ['192.0.2.0/33', 4, "! ip4 '192.0.2.0/33' has a prefix length outside 0..32"],
    ['192.0.2.0/024', 4, "! ip4 '192.0.2.0/024' has a prefix length outside 0..32"],
    ['192.0.2.0/', 4, "! ip4 '192.0.2.0/' has a prefix length outside 0..32"],
    ['010.0.0.1', 4, "! ip4 '010.0.0.1' is not an IPv4 address (dotted quad, no leading zeros)"],
    ['0.0.0.0/0', 4, "! ip4 '0.0.0.0/0' matches every address, like +all: anyone could send as the domain"],
    ['2001:DB8::/32', 6, '2001:db8::/32'],
    ['::ffff:192.0.2.1', 6, '::ffff:192.0.2.1'],
    ['2001:db8::/129', 6, "! ip6 '2001:db8::/129' has a prefix length outside 0..128"],
    ['fe80::1%eth0', 6, "! ip6 'fe80::1%eth0' is not an IPv6 address"],
    ['::/0', 6, "! ip6 '::/0' matches every address, like +all: anyone could send as the domain"],
    ['192.0.2.1', 6, "! ip6 '192.0.2.1' is not an IPv6 address"],
  ] as const)('ip%1$s… %s', (raw, family, expected) => {
    expect(outcome(checkCidr(raw, family))).toBe(expected);
  });
});

describe('checkReportUri', () => {
  const dmarc = { what: 'rua', schemes: ['mailto'] as const, bangIsSyntax: true };
  const tlsrpt = { what: 'rua', schemes: ['mailto', 'https'] as const, bangIsSyntax: false };
  test.each([
    [dmarc, 'postmaster@example.org', 'mailto:postmaster@example.org'],
    [dmarc, 'mailto:postmaster@example.org', 'mailto:postmaster@example.org'],
    [dmarc, 'MAILTO:Post.Master@Example.ORG', 'mailto:Post.Master@example.org'],
    [dmarc, 'mailto:a%2Cb@example.org', 'mailto:a%2Cb@example.org'], // percent-encoded comma
    [dmarc, 'a,b@example.org', "! rua 'a,b@example.org' contains ',', which separates URIs in the record"],
    [dmarc, 'a;b@example.org', "! rua 'a;b@example.org' contains ';', which separates tags in the record"],
    [dmarc, 'a b@example.org', "! rua 'a b@example.org' contains whitespace"],
    [dmarc, 'mailto:a@example.org!10m', "! rua 'mailto:a@example.org!10m' carries a report size limit, which mailrec does not publish"],
    [dmarc, 'a!b@example.org', "! rua 'a!b@example.org' contains '!'"],
    [dmarc, 'https://example.org/r', "! rua 'https://example.org/r' uses the https: scheme"],
    [dmarc, 'postmaster', "! rua 'postmaster' is neither an address nor a mailto: URI"],
    [dmarc, 'mailto:@example.org', "! rua 'mailto:@example.org' is not an address (local@domain)"],
    [dmarc, 'mailto:a@example.org?subject=x', "! rua 'mailto:a@example.org?subject=x' is not a plain address"],
    [dmarc, 'a@exa_mple..org', "! rua domain 'exa_mple..org' has an empty label"],
    [tlsrpt, 'https://reports.example.org/tls', 'https://reports.example.org/tls'],
    [tlsrpt, 'tlsrpt@example.org', 'mailto:tlsrpt@example.org'],
    [tlsrpt, 'a!b@example.org', 'mailto:a!b@example.org'], // "!" means nothing in TLS-RPT
    [tlsrpt, 'http://reports.example.org/tls', "! rua 'http://reports.example.org/tls' uses the http: scheme"],
    [tlsrpt, 'https://user:pw@reports.example.org/', "! rua 'https://user:pw@reports.example.org/' carries credentials"],
  ])('%#: %s', (options, raw, expected) => {
    expect(outcome(checkReportUri(raw as string, options))).toBe(expected);
  });

  test('the hint says how to encode a separator', () => {
    const check = checkReportUri('a,b@example.org', dmarc);
    expect(check.ok ? '' : check.hint).toBe("list each URI as its own item; a literal ',' must be percent-encoded as %2C");
  });
});

describe('checkRepoPath', () => {
  test.each([
    ['keys/a.pem', 'keys/a.pem'],
    ['./keys/a.pem', './keys/a.pem'],
    ['keys/../keys/a.pem', 'keys/../keys/a.pem'], // stays inside
    ['', '! key is empty'],
    ['/etc/passwd', "! key '/etc/passwd' is absolute"],
    ['~/keys/a.pem', "! key '~/keys/a.pem' is absolute"],
    ['C:\\keys\\a.pem', "! key 'C:\\keys\\a.pem' is absolute"],
    ['../a.pem', "! key '../a.pem' escapes the repo root"],
    ['../../etc/passwd', "! key '../../etc/passwd' escapes the repo root"],
    ['keys/../../a.pem', "! key 'keys/../../a.pem' escapes the repo root"],
    ['..', "! key '..' escapes the repo root"],
    ['keys/a b.pem', "! key 'keys/a b.pem' contains whitespace"],
    ['keys/$x.pem', "! key 'keys/$x.pem' contains '$'"],
    ['keys\\a.pem', "! key 'keys\\a.pem' contains '\\'"],
    ['keys/', "! key 'keys/' names a directory, not a file"],
  ])('%s', (raw, expected) => {
    expect(outcome(checkRepoPath(raw, 'key'))).toBe(expected);
  });
});

describe('checkServer', () => {
  test.each([
    ['192.0.2.53', '192.0.2.53'],
    ['192.0.2.53:53', '192.0.2.53:53'],
    ['NS1.Example.org', 'ns1.example.org'],
    ['ns1.example.org:5353', 'ns1.example.org:5353'],
    ['2001:DB8::53', '2001:db8::53'],
    ['[2001:db8::53]:53', '[2001:db8::53]:53'],
    ['[192.0.2.53]:53', "! server '[192.0.2.53]:53' has no IPv6 address inside [ ]"],
    ['192.0.2.53:0', "! server '192.0.2.53:0' has a port outside 1..65535"],
    ['192.0.2.53:65536', "! server '192.0.2.53:65536' has a port outside 1..65535"],
    ['ns1 .example.org', "! server 'ns1 .example.org' contains whitespace"],
  ])('%s', (raw, expected) => {
    expect(outcome(checkServer(raw))).toBe(expected);
  });
});

describe('checkServiceName', () => {
  test.each([
    ['submissions', 'submissions'],
    ['_Submission', 'submission'],
    ['x-ldap', 'x-ldap'],
    ['sixteen-letters1', "! service 'sixteen-letters1' is not a service name"],
    ['a--b', "! service 'a--b' is not a service name"],
    ['-imap', "! service '-imap' is not a service name"],
    ['123', "! service '123' is not a service name"],
    ['sub mission', "! service 'sub mission' is not a service name"],
  ])('%s', (raw, expected) => {
    expect(outcome(checkServiceName(raw))).toBe(expected);
  });
});

describe('checkTlsaData', () => {
  const sha256 = 'ab'.repeat(32);
  test.each([
    [sha256, 1, sha256],
    [sha256.toUpperCase().match(/../g)!.join(':'), 1, sha256],
    ['ab'.repeat(64), 2, 'ab'.repeat(64)],
    ['abcd', 0, 'abcd'],
    ['abc', 0, '! data is not an even number of hex digits'],
    ['xyz0', 0, '! data is not an even number of hex digits'],
    ['abcd', 1, '! data has 4 hex digits; matching_type 1 (SHA2-256) needs 64'],
    [sha256, 2, '! data has 64 hex digits; matching_type 2 (SHA2-512) needs 128'],
  ])('%s (matching type %i)', (raw, matchingType, expected) => {
    expect(outcome(checkTlsaData(raw, matchingType))).toBe(expected);
  });
});
