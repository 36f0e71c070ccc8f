// import takes any zone BIND takes (issue 11): each fixture, written in the shapes real
// zones have (a single-label test origin as mail servers' integration tests use, a
// hosting company's db.<domain> without $ORIGIN, a zone full of record types a DNS tool's
// tests exercise, a zone without SPF), is first loaded by the real named-checkzone; then
// `mailrec import` must give a policy whose next plan is empty, or refuse in one line and
// write nothing.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkZone } from '../helpers/bind-tools.js';
import { runCli, snapshotTree } from '../helpers/cli.js';
import { ED25519, RSA2048 } from './helpers.js';

const SOA = 'SOA ns1.example. hostmaster.example. ( 2026051101 ; serial\n\t3600 ; refresh\n\t600 ; retry\n\t86400 ; expire\n\t300 ) ; minimum';

/** A TXT rdata in parenthesised quoted strings of `size` octets, as key generators write them. */
function quoted(text: string, size = 255): string {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(`"${text.slice(i, i + size)}"`);
  return `( ${parts.join('\n\t')} )`;
}

interface ZoneFixture {
  /** The zone a named.conf would load the file as. */
  origin: string;
  file: string;
  text: string;
  /** Give --origin on the command line (else the import finds it as BIND users name files). */
  explicitOrigin?: boolean;
}

const FIXTURES: Record<string, ZoneFixture> = {
  'a single-label origin (example.), as mail servers test with': {
    origin: 'example',
    file: 'example.zone',
    text: `$ORIGIN example.
$TTL 300
@ IN ${SOA}
@ IN NS ns1
ns1 IN A 127.0.0.53
@ IN MX 10 mail
mail IN A 127.0.0.25
mail IN AAAA ::1
@ IN TXT "v=spf1 mx -all"
_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@mail.example"
2026a._domainkey IN TXT ${quoted(`v=DMARC1; k=rsa; p=${RSA2048}`.replace('v=DMARC1', 'v=DKIM1'))}
2026b._domainkey IN TXT "v=DKIM1; k=ed25519; p=${ED25519}"
_mta-sts IN TXT "v=STSv1; id=20260511T000000"
_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:tls@mail.example"
_submissions._tcp IN SRV 0 1 465 mail
_imaps._tcp IN SRV 0 1 993 mail
_autodiscover._tcp IN SRV 0 1 443 mail
@ IN CAA 0 issue "letsencrypt.org"
`,
  },
  "a hosting company's db.<domain>: no $ORIGIN, relative names, MX hosts elsewhere": {
    origin: 'hosted.example.com',
    file: 'db.hosted.example.com',
    text: `$TTL 3600
@ IN ${SOA}
@ IN NS ns1.example.
@ IN NS ns2.example.
@ IN A 127.0.0.80
www IN CNAME hosted.example.com.
@ IN MX 0 mx1.mailhost.example.
@ IN MX 10 mx2.mailhost.example.
@ IN TXT "v=spf1 a mx include:_spf.mailhost.example ~all"
@ IN TXT "google-site-verification=abc123"
_dmarc IN TXT "v=DMARC1; p=quarantine; pct=100; rua=mailto:dmarc@hosted.example.com; ruf=mailto:dmarc@hosted.example.com; fo=1"
default._domainkey IN TXT ${quoted(`v=DKIM1; k=rsa; t=y; p=${RSA2048}`, 200)}
`,
  },
  'every record type a DNS tool tests, $ORIGIN changes, a wildcard, escaped characters': {
    origin: 'types.example',
    file: 'types.example.',
    text: `$ORIGIN types.example.
$TTL 3600
@ 86400 IN ${SOA}
@ NS ns1.example.
@ A 127.0.0.1
@ AAAA ::1
@ MX 10 mx1
@ MX 20 mx2
mx1 A 127.0.0.25
mx2 A 127.0.0.26
@ TXT "v=spf1 ip4:127.0.0.0/24 ip6:::1 -all"
@ TXT "quoted \\"text\\"; with a semicolon\\; and \\\\ a backslash"
@ CAA 0 issue "letsencrypt.org"
@ CAA 128 iodef "mailto:security@types.example"
* A 127.0.0.2
cname CNAME www
www A 127.0.0.3
naptr NAPTR 10 100 "S" "SIP+D2U" "" _sip._udp
_sip._udp SRV 10 60 5060 www
sshfp SSHFP 1 1 0123456789abcdef0123456789abcdef01234567
uri URI 10 1 "https://www.types.example/"
loc LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m
sub NS ns1.example.
$ORIGIN mail.types.example.
@ A 127.0.0.4
@ TXT "v=spf1 a -all"
_dmarc TXT "v=DMARC1; p=reject; sp=reject; adkim=s; aspf=s"
$TTL 60
s1._domainkey TXT "v=DKIM1; k=ed25519; p=${ED25519}"
`,
  },
  'a zone without SPF (no defaults.spf.all from it)': {
    origin: 'nospf.example',
    file: 'nospf.example.zone',
    text: `$ORIGIN nospf.example.
$TTL 300
@ ${SOA}
@ NS ns1.example.
@ MX 10 mx.nospf.example.
mx A 127.0.0.25
_dmarc TXT "v=DMARC1; p=none"
`,
  },
  'what the policy keys cannot say (kept raw): +all, a DMARC without p, an SPF macro': {
    origin: 'odd.example',
    file: 'odd.example.zone',
    text: `$ORIGIN odd.example.
$TTL 300
@ ${SOA}
@ NS ns1.example.
@ TXT "v=spf1 +all"
bulk TXT "v=spf1 exists:%{i}._spf.odd.example -all"
_dmarc TXT "v=DMARC1; rua=mailto:d@odd.example"
`,
  },
  'an origin on the command line for a file named otherwise': {
    origin: 'given.example',
    file: 'primary.txt',
    explicitOrigin: true,
    text: `$TTL 300
@ ${SOA}
@ NS ns1.example.
@ MX 10 mx.given.example.
mx A 127.0.0.25
@ TXT "v=spf1 mx -all"
`,
  },
};

function repoWith(f: ZoneFixture): string {
  const repo = mkdtempSync(join(tmpdir(), 'mailrec-bindimport-'));
  mkdirSync(join(repo, 'zones'));
  writeFileSync(join(repo, 'zones', f.file), f.text);
  return repo;
}

describe('import: every zone BIND loads gives an empty next plan', () => {
  it.each(Object.entries(FIXTURES))('%s', async (_name, f) => {
    const repo = repoWith(f);
    const loaded = checkZone(f.origin, join(repo, 'zones', f.file));
    expect(loaded.output).toMatch(/loaded serial/);
    expect(loaded.ok).toBe(true);

    const args = ['import', '--zone-file', `zones/${f.file}`, ...(f.explicitOrigin ? ['--origin', f.origin] : [])];
    const run = await runCli(args, { cwd: repo });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('mailrec plan -p policies/imported.yaml: no changes.');
    const policy = parse(readFileSync(join(repo, 'policies/imported.yaml'), 'utf8'));
    expect(Object.keys(policy.zones)).toEqual([f.origin]);

    const plan = await runCli(['-p', 'policies/imported.yaml', 'plan', '--detailed-exitcode'], { cwd: repo });
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
  });

  it('a single-label origin is a zone and a domain of the policy', async () => {
    const f = FIXTURES['a single-label origin (example.), as mail servers test with']!;
    const repo = repoWith(f);
    // Found among other files as BIND users name them; a README beside it is passed over.
    writeFileSync(join(repo, 'zones', 'README.md'), '# Zones\n\nOne file per zone.\n');
    const run = await runCli(['import'], { cwd: repo });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('note: zones/README.md is not a master file (line 1); not imported');
    const policy = parse(readFileSync(join(repo, 'policies/imported.yaml'), 'utf8'));
    expect(policy.domains.example.senders).toEqual(['mx']);
    expect(policy.domains.example.dkim.map((k: { selector: string }) => k.selector)).toEqual(['2026a', '2026b']);
  });

  it('no SPF record in the zone: no defaults.spf line claiming "the most common all term"', async () => {
    const repo = repoWith(FIXTURES['a zone without SPF (no defaults.spf.all from it)']!);
    expect((await runCli(['import'], { cwd: repo })).code).toBe(0);
    const text = readFileSync(join(repo, 'policies/imported.yaml'), 'utf8');
    expect(parse(text).defaults).toEqual({ ttl: 300 });
    expect(text).not.toContain('most common all term');
    // With SPF records, the line is there.
    const withSpf = repoWith(FIXTURES["a hosting company's db.<domain>: no $ORIGIN, relative names, MX hosts elsewhere"]!);
    expect((await runCli(['import'], { cwd: withSpf })).code).toBe(0);
    expect(parse(readFileSync(join(withSpf, 'policies/imported.yaml'), 'utf8')).defaults.spf).toEqual({ all: 'softfail' });
  });
});

describe('import: a record set the RFCs forbid is imported as read, and plan refuses it (docs/interop.md)', () => {
  it('two SPF records at one name: import.plan-refused in the report, plan names the record', async () => {
    const f: ZoneFixture = { origin: 'two.example', file: 'two.example.zone', text: `$ORIGIN two.example.\n$TTL 300\n@ ${SOA}\n@ NS ns1.example.\n@ TXT "v=spf1 -all"\n@ TXT "v=spf1 mx -all"\n` };
    const repo = repoWith(f);
    expect(checkZone(f.origin, join(repo, 'zones', f.file)).ok).toBe(true);
    const run = await runCli(['import'], { cwd: repo });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('import.plan-refused');
    expect(run.stdout).toContain('mailrec plan -p policies/imported.yaml: refused until the 1 error flagged import.plan-refused above is fixed.');
    const plan = await runCli(['-p', 'policies/imported.yaml', 'plan'], { cwd: repo });
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/spf\.multiple/);
    expect(plan.stderr).toContain('two.example');
  });
});

describe('import: what a policy cannot say is refused in one line, and nothing is written', () => {
  it('a zone apex that BIND loads but a policy cannot name', async () => {
    const f: ZoneFixture = { origin: '-bad.example', file: 'db.-bad.example', explicitOrigin: true, text: `$TTL 300\n@ ${SOA}\n@ NS ns1.example.\n@ MX 10 mx.example.\n@ TXT "v=spf1 mx -all"\n` };
    const repo = repoWith(f);
    // BIND loads it (check-names only warns about the owner name in a zone file).
    expect(checkZone(f.origin, join(repo, 'zones', f.file), { flags: ['--'] }).ok).toBe(true);
    const before = snapshotTree(repo);
    const run = await runCli(['import', '--zone-file', `zones/${f.file}`, '--origin', f.origin], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe("error: import: a policy cannot say zones.-bad.example: zone '-bad.example' has a label that starts or ends with a hyphen (RFC 1123 §2.1); nothing was written");
    expect(lines[1]).toMatch(/^hint: /);
    expect(run.stderr).not.toContain('this is a bug');
    expect(snapshotTree(repo)).toEqual(before);
    expect(existsSync(join(repo, 'policies'))).toBe(false);
  });
});
