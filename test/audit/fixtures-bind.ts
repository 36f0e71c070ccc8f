// The audit's DNS fixtures: a clean mail domain and one domain per planted defect, each its
// own zone under "test." (RFC 2606), all addresses loopback. The same zone texts are served
// by BIND and written as zone files for --zones. Expected scores: docs/score.md.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BindZone } from '../helpers/bind.js';
import { REPO_ROOT } from '../helpers/cli.js';

/** p= of a DKIM key record: the PEM body is already the base64 SubjectPublicKeyInfo. */
function pOf(file: string): string {
  return readFileSync(join(REPO_ROOT, 'test/fixtures/keys', file), 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('-----'))
    .join('');
}

/** A TXT rdata in quoted strings of at most 255 octets (RFC 1035 §3.3.14). */
export function quoted(text: string): string {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += 255) parts.push(`"${text.slice(i, i + 255)}"`);
  return parts.join(' ');
}

const DKIM_2048 = `v=DKIM1; k=rsa; p=${pOf('TEST-ONLY-dkim-rsa2048.public.pem')}`;
const DKIM_512 = `v=DKIM1; k=rsa; p=${pOf('TEST-ONLY-dkim-rsa512-too-weak.public.pem')}`;

/** Owner (relative to the apex, "@" for it) -> record lines "TYPE rdata". */
export type ZoneSpec = Record<string, string[]>;

/** A domain that passes every check: SPF, DMARC p=reject, a 2048-bit DKIM key at sel1, MX, MTA-STS, TLS-RPT, SRV. */
export function cleanSpec(d: string): ZoneSpec {
  return {
    '@': ['SOA ns1.test. hostmaster.test. 1 3600 600 86400 300', 'NS ns1.test.', 'A 127.0.0.10', `MX 10 mx1.${d}.`, 'TXT "v=spf1 mx ip4:127.0.0.0/24 -all"', 'TXT "google-site-verification=abc"'],
    mx1: ['A 127.0.0.25', 'AAAA ::1'],
    _dmarc: [`TXT "v=DMARC1; p=reject; rua=mailto:dmarc@${d}"`],
    'sel1._domainkey': [`TXT ${quoted(DKIM_2048)}`],
    '_mta-sts': ['TXT "v=STSv1; id=20260101T000000"'],
    '_smtp._tls': [`TXT "v=TLSRPTv1; rua=mailto:tlsrpt@${d}"`],
    '_submissions._tcp': [`SRV 0 1 465 submit.${d}.`],
    submit: ['A 127.0.0.26'],
  };
}

export function renderSpec(spec: ZoneSpec): string {
  return Object.entries(spec)
    .flatMap(([owner, lines]) => lines.map((line) => `${owner} ${line}`))
    .join('\n');
}

/** The SPF TXT at the apex replaced. */
function withSpf(spec: ZoneSpec, spf: string): ZoneSpec {
  return { ...spec, '@': spec['@']!.map((l) => (l.startsWith('TXT "v=spf1') ? `TXT "${spf}"` : l)) };
}

function hosts(prefix: string, n: number, firstOctet: number): ZoneSpec {
  const out: ZoneSpec = {};
  for (let i = 1; i <= n; i++) out[`${prefix}${i}`] = [`A 127.0.0.${firstOctet + i}`];
  return out;
}

export interface Fixture {
  domain: string;
  /** What the fixture plants, for test names. */
  defect: string;
  spec: ZoneSpec;
  /** Every finding expected, "code severity", sorted as the report sorts them. */
  findings: string[];
}

function fixture(domain: string, defect: string, edit: (d: string, clean: ZoneSpec) => ZoneSpec, findings: string[]): Fixture {
  return { domain, defect, spec: edit(domain, cleanSpec(domain)), findings };
}

export const FIXTURES: Fixture[] = [
  fixture('clean.test', 'nothing', (_d, s) => s, []),
  // internet.nl does not count a: terms; 11 of them are over the limit (RFC 7208 §4.6.4).
  fixture('spf-a.test', '11 × a:host', (d, s) => ({ ...withSpf(s, `v=spf1 ${Array.from({ length: 11 }, (_, i) => `a:h${i + 1}.${d}`).join(' ')} -all`), ...hosts('h', 11, 100) }), [
    'spf.too-many-lookups error',
  ]),
  fixture('spf-mx.test', 'mx plus 10 × mx:', (d, s) => {
    const spec = withSpf(s, `v=spf1 mx ${Array.from({ length: 10 }, (_, i) => `mx:m${i + 1}.${d}`).join(' ')} -all`);
    for (let i = 1; i <= 10; i++) spec[`m${i}`] = [`MX 10 mx1.${d}.`];
    return spec;
  }, ['spf.too-many-lookups error']),
  // 13 DNS-querying terms through includes: a:, exists, +a, a/24, ptr (checkdmarc misses trailing a/ptr).
  fixture('spf-tree.test', 'include tree of 13 terms with a:, exists, +a, a/24, ptr', (d, s) => ({
    ...withSpf(s, `v=spf1 include:s1.${d} include:s2.${d} -all`),
    s1: ['A 127.0.0.40', `TXT "v=spf1 a:h1.${d} exists:e1.${d} +a a/24 ptr include:s3.${d} ~all"`],
    s2: [`TXT "v=spf1 a:h2.${d} +a:h3.${d} a:h4.${d}/24 ~all"`],
    s3: [`TXT "v=spf1 a:h5.${d} exists:e2.${d} ~all"`],
    ...hosts('h', 5, 40),
    e1: ['A 127.0.0.2'],
    e2: ['A 127.0.0.2'],
  }), ['spf.too-many-lookups error', 'spf.ptr warning']),
  // RFC 7208 §4.6.4: an mx term must not look up more than 10 address records.
  fixture('spf-mxhosts.test', 'mx with 11 MX hosts', (d, s) => {
    const spec = withSpf(s, 'v=spf1 mx -all');
    spec['@'] = [...spec['@']!.filter((l) => !l.startsWith('MX ')), ...Array.from({ length: 11 }, (_, i) => `MX ${10 + i} mx${i + 1}.${d}.`)];
    return { ...spec, ...hosts('mx', 11, 60) };
  }, ['spf.mx-too-many-hosts error']),
  fixture('spf-void.test', '3 void a: terms', (d, s) => withSpf(s, `v=spf1 a:nx1.${d} a:nx2.${d} a:nx3.${d} mx -all`), ['spf.void-lookups error']),
  // checkdmarc does not flag +all.
  fixture('spf-all.test', '+all', (_d, s) => withSpf(s, 'v=spf1 +all'), ['spf.pass-all error']),
  fixture('dmarc-none.test', 'DMARC p=none', (d, s) => ({ ...s, _dmarc: [`TXT "v=DMARC1; p=none; rua=mailto:dmarc@${d}"`] }), ['dmarc.not-enforcing warning']),
  fixture('dmarc-missing.test', 'no DMARC record', (_d, s) => {
    const { _dmarc: _, ...rest } = s;
    return rest;
  }, ['dmarc.missing error']),
  fixture('dkim-short.test', 'a 512-bit RSA DKIM key', (_d, s) => ({ ...s, 'sel1._domainkey': [`TXT ${quoted(DKIM_512)}`] }), ['dkim.rsa-too-short error']),
  fixture('dkim-missing.test', 'no key at the selector', (_d, s) => {
    const { 'sel1._domainkey': _, ...rest } = s;
    return rest;
  }, ['dkim.missing error']),
  fixture('mx-cname.test', 'MX target is a CNAME', (d, s) => ({
    ...s,
    '@': s['@']!.map((l) => (l.startsWith('MX ') ? `MX 10 mail.${d}.` : l)),
    mail: [`CNAME mx1.${d}.`],
  }), ['mx.target-cname error']),
  // Out of the zone: BIND's check-integrity refuses to load a zone whose MX has no in-zone address.
  fixture('mx-noaddr.test', 'MX target without address', (_d, s) => ({ ...s, '@': s['@']!.map((l) => (l.startsWith('MX ') ? 'MX 10 nohost.test.' : l)) }), ['mx.target-no-address error']),
  fixture('mx-null.test', 'null MX beside another MX', (_d, s) => ({ ...s, '@': [...s['@']!, 'MX 0 .'] }), ['mx.null-not-alone error']),
  fixture('srv-465.test', '_submission._tcp on port 465', (d, s) => ({ ...s, '_submission._tcp': [`SRV 0 1 465 submit.${d}.`] }), ['srv.submission-465 error']),
  fixture('tlsa-nodnssec.test', 'TLSA in an unsigned zone', (_d, s) => ({ ...s, '_25._tcp.mx1': [`TLSA 3 1 1 ${'ab'.repeat(32)}`] }), [
    'tlsa.no-dnssec warning',
    'tlsa.no-rollover info',
  ]),
  fixture('sts-syntax.test', 'MTA-STS TXT with a bad id', (_d, s) => ({ ...s, '_mta-sts': ['TXT "v=STSv1; id=not-valid!"'] }), [
    'mta-sts.syntax error',
    'transport.none warning',
  ]),
  fixture('tlsrpt-missing.test', 'no TLS-RPT record', (_d, s) => {
    const { '_smtp._tls': _, ...rest } = s;
    return rest;
  }, ['tls-rpt.missing warning']),
];

/** The parent zone, so that the DMARC tree walk ends in NXDOMAIN (RFC 9989 §4.10), and the name server. */
export const PARENT_ZONE: BindZone = {
  name: 'test',
  text: ['@ SOA ns1.test. hostmaster.test. 1 3600 600 86400 300', '@ NS ns1.test.', 'ns1 A 127.0.0.1'].join('\n'),
};

/** A name holding a CNAME and other data: BIND refuses to load that, so it is checked offline only. */
export const CNAME_FIXTURE: Fixture = fixture('cname-data.test', 'CNAME beside other data (offline)', (d, s) => ({
  ...s,
  '_smtp._tls': [`CNAME tlsrpt.${d}.`, `TXT "v=TLSRPTv1; rua=mailto:tlsrpt@${d}"`],
}), ['dns.cname-and-other-data error']);

export function bindZones(fixtures: readonly Fixture[] = FIXTURES): BindZone[] {
  return [PARENT_ZONE, ...fixtures.map((f) => ({ name: f.domain, text: renderSpec(f.spec) }))];
}

/** The zone file BIND gets (test/helpers/bind.ts writes the same three parts). */
export function zoneFileText(zone: BindZone): string {
  return `$ORIGIN ${zone.name}.\n$TTL 300\n${zone.text}\n`;
}
