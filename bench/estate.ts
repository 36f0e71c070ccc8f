// A synthetic mail estate for the benchmark: N customer domains under `test.` (mostly
// clean, some with the defects auditors meet every day) and the third-party providers they
// share under `example.` (SPF include chains, MX hosts, a DMARC report receiver), the way
// real domains share `_spf.google.com`. Deterministic: domain i always gets the same records.
// Every address is on loopback (127.0.0.0/8) or in documentation ranges; nothing leaves the machine.

import { generateKeyPairSync } from 'node:crypto';

/** What a domain was generated as; the defects are what the audit should find. */
export const PROFILES = [
  'clean', // SPF, DMARC p=reject, 2048-bit DKIM, MX, MTA-STS, TLS-RPT
  'typical', // clean, but no MTA-STS / TLS-RPT (most domains in the wild)
  'dmarc-none', // p=none: monitoring only
  'dmarc-missing',
  'spf-too-many', // over the 10-lookup limit through shared includes
  'spf-plus-all',
  'spf-missing',
  'dkim-weak', // a 1024-bit RSA key
  'mx-no-address', // the MX target has no A/AAAA
] as const;
export type Profile = (typeof PROFILES)[number];

/** Share of each profile, in thousandths (sums to 1000). */
const SHARE: Record<Profile, number> = {
  clean: 400,
  typical: 250,
  'dmarc-none': 100,
  'dmarc-missing': 60,
  'spf-too-many': 60,
  'spf-plus-all': 20,
  'spf-missing': 30,
  'dkim-weak': 50,
  'mx-no-address': 30,
};

/** The finding code each defect must produce (the benchmark checks the audit found them). */
export const EXPECTED_CODE: Partial<Record<Profile, string>> = {
  'dmarc-none': 'dmarc.not-enforcing',
  'dmarc-missing': 'dmarc.missing',
  'spf-too-many': 'spf.too-many-lookups',
  'spf-plus-all': 'spf.pass-all',
  'spf-missing': 'spf.missing',
  'dkim-weak': 'dkim.rsa-weak',
  'mx-no-address': 'mx.target-no-address',
};

export const SELECTOR = 's1';
export const CUSTOMER_ZONE = 'test';
export const PROVIDER_ZONE = 'example';

/** A small integer hash of i (splitmix-like), so that profiles interleave without a PRNG state. */
function mix(i: number, salt: number): number {
  let x = Math.imul(i ^ salt, 0x9e3779b1);
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

export function profileOf(i: number): Profile {
  let r = mix(i, 0x5bd1e995) % 1000;
  for (const p of PROFILES) {
    if (r < SHARE[p]) return p;
    r -= SHARE[p];
  }
  return 'clean';
}

export function domainName(i: number): string {
  return `d${String(i).padStart(6, '0')}.${CUSTOMER_ZONE}`;
}

export interface DkimKeys {
  rsa2048: string;
  rsa1024: string;
}

/** Base64 SubjectPublicKeyInfo of fresh RSA keys (DKIM p=); generated once per run. */
export function makeDkimKeys(): DkimKeys {
  const p = (bits: number) =>
    generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return { rsa2048: p(2048), rsa1024: p(1024) };
}

/** A TXT rdata in presentation form: strings of at most 255 octets (RFC 1035 §3.3.14). */
function txt(text: string): string {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += 255) parts.push(`"${text.slice(i, i + 255)}"`);
  return parts.join(' ');
}

/**
 * The providers' zone `example.`: SPF chains shaped like the big senders' (a mail host
 * with three netblock includes, an office suite, a bulk sender, a CRM with nested
 * includes, a newsletter service), shared MX hosts, and a DMARC report receiver that
 * authorizes every domain with a wildcard (RFC 9990 §3).
 */
export function providerZoneText(): string {
  const lines = [
    '$ORIGIN example.',
    '$TTL 3600',
    '@ SOA ns.example. hostmaster.example. 1 7200 3600 1209600 300',
    '@ NS ns.example.',
    'ns A 127.0.0.53',
    // mailhost: like _spf.google.com (1 + 3 lookups)
    `_spf.mailhost TXT ${txt('v=spf1 include:_netblocks.mailhost.example include:_netblocks2.mailhost.example include:_netblocks3.mailhost.example ~all')}`,
    `_netblocks.mailhost TXT ${txt('v=spf1 ip4:192.0.2.0/25 ip4:198.51.100.0/24 ip4:203.0.113.0/26 ip4:127.1.0.0/16 ~all')}`,
    `_netblocks2.mailhost TXT ${txt('v=spf1 ip6:2001:db8:1000::/36 ip6:2001:db8:2000::/36 ip6:2001:db8:3000::/36 ~all')}`,
    `_netblocks3.mailhost TXT ${txt('v=spf1 ip4:127.2.0.0/16 ip4:127.3.0.0/16 ip4:127.4.0.0/16 ~all')}`,
    'aspmx.mailhost A 127.0.0.10',
    'aspmx.mailhost AAAA 2001:db8::10',
    'alt1.aspmx.mailhost A 127.0.0.11',
    'alt2.aspmx.mailhost A 127.0.0.12',
    // office: like spf.protection.outlook.com (1 + 1)
    `spf.protection.office TXT ${txt('v=spf1 ip4:127.5.0.0/16 ip4:127.6.0.0/16 include:spfd.protection.office.example -all')}`,
    `spfd.protection.office TXT ${txt('v=spf1 ip4:127.7.0.0/16 ip6:2001:db8:7000::/36 -all')}`,
    'mx.protection.office A 127.0.0.20',
    // bulk sender: like sendgrid.net (1)
    `sendgrid.bulk TXT ${txt('v=spf1 ip4:127.8.0.0/16 ip4:127.9.0.0/16 ~all')}`,
    // CRM: nested includes, 1 + 4
    `_spf.crm TXT ${txt('v=spf1 include:_spfblock.crm.example include:_spfblock1.crm.example -all')}`,
    `_spfblock.crm TXT ${txt('v=spf1 ip4:127.10.0.0/16 include:_spfblock2.crm.example ~all')}`,
    `_spfblock1.crm TXT ${txt('v=spf1 ip4:127.11.0.0/16 include:_spfblock3.crm.example ~all')}`,
    `_spfblock2.crm TXT ${txt('v=spf1 ip4:127.12.0.0/16 ~all')}`,
    `_spfblock3.crm TXT ${txt('v=spf1 ip4:127.13.0.0/16 ~all')}`,
    // newsletter: like servers.mcsv.net (1)
    `servers.newsletter TXT ${txt('v=spf1 ip4:127.14.0.0/16 ip4:127.15.0.0/16 -all')}`,
    // DMARC report receiver: accepts reports for any domain (RFC 9990 §3, wildcard)
    `*._report._dmarc.reports TXT ${txt('v=DMARC1')}`,
    `_dmarc.reports TXT ${txt('v=DMARC1; p=reject')}`,
    'reports MX 10 aspmx.mailhost.example.',
    '',
  ];
  return lines.join('\n');
}

export function customerZoneHeader(): string {
  return [
    `$ORIGIN ${CUSTOMER_ZONE}.`,
    '$TTL 3600',
    `@ SOA ns.${PROVIDER_ZONE}. hostmaster.${PROVIDER_ZONE}. 1 7200 3600 1209600 300`,
    `@ NS ns.${PROVIDER_ZONE}.`,
    '',
  ].join('\n');
}

/** The SPF senders of a domain: which provider mix it uses (a hash of i). */
const SPF_MIXES = [
  'include:_spf.mailhost.example', // 4 lookups
  'include:spf.protection.office.example', // 2
  'mx include:_spf.mailhost.example include:sendgrid.bulk.example', // 6
  'mx a ip4:127.16.0.0/24', // 2
  'include:spf.protection.office.example include:servers.newsletter.example', // 3
  'mx include:_spf.crm.example', // 6
] as const;

/** The master-file lines of customer domain i (relative to `test.`). */
export function domainRecords(i: number, keys: DkimKeys): string {
  const p = profileOf(i);
  const h = mix(i, 0x1234567);
  const d = domainName(i).slice(0, -(CUSTOMER_ZONE.length + 1));
  const out: string[] = [];
  const ownMx = h % 2 === 0;
  const octet = 1 + (h % 250);

  if (ownMx) {
    out.push(`${d} MX 10 mx1.${d}`);
    if (p !== 'mx-no-address') out.push(`mx1.${d} A 127.0.0.${octet}`);
    else out.push(`mx1.${d} TXT "no address here"`);
  } else {
    out.push(`${d} MX 1 aspmx.mailhost.example.`, `${d} MX 5 alt1.aspmx.mailhost.example.`);
    if (p === 'mx-no-address') out.push(`${d} MX 20 backup.${d}`);
  }
  out.push(`${d} A 127.0.1.${octet}`);

  const mixSpf = SPF_MIXES[(h >>> 3) % SPF_MIXES.length]!;
  const all = (h >>> 7) % 3 === 0 ? '-all' : '~all';
  if (p === 'spf-too-many') {
    out.push(`${d} TXT ${txt(`v=spf1 mx a include:_spf.mailhost.example include:_spf.crm.example include:sendgrid.bulk.example include:servers.newsletter.example ${all}`)}`);
  } else if (p === 'spf-plus-all') {
    out.push(`${d} TXT ${txt('v=spf1 mx +all')}`);
  } else if (p !== 'spf-missing') {
    out.push(`${d} TXT ${txt(`v=spf1 ${mixSpf} ${all}`)}`);
  }
  // Other tools' TXT records beside SPF, as at most apexes.
  if ((h >>> 11) % 2 === 0) out.push(`${d} TXT "site-verification=${(h >>> 4).toString(36)}"`);

  const externalRua = (h >>> 13) % 3 === 0;
  const rua = externalRua ? 'mailto:dmarc@reports.example' : `mailto:dmarc@${d}.${CUSTOMER_ZONE}`;
  if (p === 'dmarc-none') out.push(`_dmarc.${d} TXT ${txt(`v=DMARC1; p=none; rua=${rua}`)}`);
  else if (p !== 'dmarc-missing') out.push(`_dmarc.${d} TXT ${txt(`v=DMARC1; p=${(h >>> 15) % 2 === 0 ? 'reject' : 'quarantine'}; rua=${rua}`)}`);

  out.push(`${SELECTOR}._domainkey.${d} TXT ${txt(`v=DKIM1; k=rsa; p=${p === 'dkim-weak' ? keys.rsa1024 : keys.rsa2048}`)}`);

  if (p === 'clean') {
    out.push(`_mta-sts.${d} TXT ${txt(`v=STSv1; id=2026${String(h % 100000).padStart(5, '0')}`)}`);
    out.push(`_smtp._tls.${d} TXT ${txt(`v=TLSRPTv1; rua=mailto:tlsrpt@${d}.${CUSTOMER_ZONE}`)}`);
    if ((h >>> 17) % 4 === 0) {
      out.push(`_submissions._tcp.${d} SRV 0 1 465 mail.${d}`, `mail.${d} A 127.0.2.${octet}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** How many domains of each profile the first n domains hold. */
export function profileCounts(n: number): Record<Profile, number> {
  const counts = Object.fromEntries(PROFILES.map((p) => [p, 0])) as Record<Profile, number>;
  for (let i = 0; i < n; i++) counts[profileOf(i)]++;
  return counts;
}
