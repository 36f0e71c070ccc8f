// DMARC vectors (OpenDMARC) and DKIM key records (dkimpy, mailauth/RFC 8463) read with
// mailrec's own parsers and checks. OpenDMARC is lenient where RFC 9989 is strict; each
// place mailrec decides otherwise is listed with the reason, and counts as passed only
// when mailrec gives exactly the documented outcome.

import { readFileSync } from 'node:fs';
import { checkDkim } from '../src/audit/checks/dkim.js';
import { parseDmarcRecord } from '../src/mail/dmarc/record.js';
import type { Answer, Resolver } from '../src/dns/resolver.js';

export interface ConformanceResult {
  passed: number;
  failed: string[];
  /** Informational lines: outcomes, and where mailrec differs from the source on purpose. */
  notes: string[];
}

/** mailrec's reading of a DMARC record, in OpenDMARC's words where they exist. */
export function dmarcOutcome(text: string): string {
  const p = parseDmarcRecord(text);
  if (!p.ok) {
    if (p.error === 'empty record') return 'EMPTY';
    if (/v=|first tag/.test(p.error)) return 'BAD_VERSION';
    return 'BAD_SYNTAX';
  }
  const r = p.record;
  const validRua = r.rua.some((u) => u.mailto);
  // RFC 9989 §4.7: missing/invalid p with a valid rua reads as p=none, without one the record is ignored.
  if (!r.p) return validRua ? 'P_READ_AS_NONE' : 'NOT_APPLIED';
  if (r.problems.length > 0) return 'BAD_VALUE';
  return 'OKAY';
}

/** Where mailrec's strict RFC 9989 reading differs from OpenDMARC, and why. */
const DMARC_DEVIATIONS: Record<string, { outcome: string; why: string }> = {
  'v=DMARC1; p=n;': { outcome: 'NOT_APPLIED', why: 'p must be none, quarantine or reject (RFC 9989 §4.7); OpenDMARC accepts a prefix. With no valid rua the record is ignored.' },
  'v=DMARC1; p=bob;': { outcome: 'NOT_APPLIED', why: 'same refusal as OpenDMARC, in RFC 9989 terms: an invalid p and no valid rua means the record is not applied.' },
  'v=DMARC1; pct=100;': { outcome: 'NOT_APPLIED', why: 'same refusal as OpenDMARC ("no p"): RFC 9989 ignores a record without p and without a valid rua.' },
  'v=DMARC1; p=none; rf=bob;': { outcome: 'OKAY', why: 'rf= is removed by RFC 9989 and ignored whatever its value (mailrec warns dmarc.removed-tag).' },
  'v=DMARC1; p=none; ri=bob;': { outcome: 'OKAY', why: 'ri= is removed by RFC 9989 and ignored whatever its value (mailrec warns dmarc.removed-tag).' },
  'v=DMARC1; p=none; pct=500;': { outcome: 'OKAY', why: 'pct= is removed by RFC 9989 and ignored whatever its value (mailrec warns dmarc.removed-tag).' },
  'v=DMARC1; p=none; rf=000000000000000000000000000000000': { outcome: 'OKAY', why: 'rf= is removed by RFC 9989 and ignored (mailrec warns dmarc.removed-tag).' },
  'v=DMARC1; p=none; ruf=mailto://abuse.com': { outcome: 'BAD_VALUE', why: '"mailto://abuse.com" holds no address (RFC 6068 addr-spec): no report can be sent to it.' },
  'v=DMARC1; p=none; ruf=mailto://abuse.com; foo=bar; buzz=happy;': { outcome: 'BAD_VALUE', why: 'the ruf= has no address, as above; the unknown tags alone would be ignored.' },
};

const OPENDMARC: Record<string, string> = {
  DMARC_PARSE_OKAY: 'OKAY',
  DMARC_PARSE_ERROR_EMPTY: 'EMPTY',
  DMARC_PARSE_ERROR_BAD_VERSION: 'BAD_VERSION',
  DMARC_PARSE_ERROR_BAD_VALUE: 'BAD_VALUE',
  DMARC_PARSE_ERROR_NO_REQUIRED_P: 'NO_REQUIRED_P',
};

export function runDmarcVectors(root: string): ConformanceResult {
  const vectors = JSON.parse(readFileSync(`${root}dmarc/dmarc-parse-vectors.json`, 'utf8')) as { record: string; opendmarc_outcome: string }[];
  const out: ConformanceResult = { passed: 0, failed: [], notes: [] };
  for (const v of vectors) {
    const theirs = OPENDMARC[v.opendmarc_outcome] ?? v.opendmarc_outcome;
    const deviation = DMARC_DEVIATIONS[v.record];
    const want = deviation?.outcome ?? theirs;
    const got = dmarcOutcome(v.record);
    if (got !== want) out.failed.push(`dmarc "${v.record}": mailrec ${got}, want ${want} (OpenDMARC ${theirs})`);
    else out.passed++;
    if (deviation && got === want) out.notes.push(`dmarc "${v.record}": mailrec ${got}, OpenDMARC ${theirs}: ${deviation.why}`);
  }
  return out;
}

/** TXT answers from a name → strings map, for the DKIM checks. */
function txtResolver(records: Record<string, string[][]>): Resolver {
  return {
    async resolve(name, type): Promise<Answer> {
      const txt = records[name];
      if (!txt) return { status: 'nxdomain', authenticated: false };
      if (type !== 'TXT') return { status: 'nodata', authenticated: false };
      return { status: 'ok', authenticated: false, records: txt.map((strings) => ({ name, ttl: 0, type: 'TXT', strings })) };
    },
  };
}

/** Expected finding codes per key record (the dkimpy test keys are 1024-bit RSA). */
const DKIM_EXPECTED: { file: string; codes: string[]; why: string }[] = [
  { file: 'dkim/test.txt', codes: ['dkim.rsa-weak'], why: 'a good 1024-bit RSA key: valid, under the 2048 bits RFC 8301 recommends' },
  { file: 'dkim/test2.txt', codes: ['dkim.rsa-weak'], why: 'no k= means rsa (RFC 6376 §3.6.1)' },
  { file: 'dkim/ed25519test.dns', codes: [], why: 'a raw 32-byte Ed25519 key without v= (RFC 8463)' },
  { file: 'dkim/badk.txt', codes: ['dkim.key-type-unknown'], why: 'k=ed25519-sha256 is not a key type (RFC 8463 registers "ed25519")' },
  { file: 'dkim/badversion.txt', codes: ['dkim.version-invalid'], why: '"v=DKIM1:" makes the value of v= "DKIM1: g=*"' },
  { file: 'dkim/test_bad.txt', codes: ['dkim.key-invalid'], why: 'the key is truncated' },
  { file: 'dkim/test_tlsrpt.txt', codes: ['dkim.rsa-weak', 'dkim.service-type'], why: 's=tlsrpt: the key is not for email' },
];

export async function runDkimKeys(root: string): Promise<ConformanceResult> {
  const out: ConformanceResult = { passed: 0, failed: [], notes: [] };
  const cases: { label: string; name: string; records: Record<string, string[][]>; codes: string[]; why: string }[] = [];
  for (const e of DKIM_EXPECTED) {
    const text = readFileSync(`${root}${e.file}`, 'utf8').trim();
    cases.push({ label: e.file, name: 'sel._domainkey.test.example', records: { 'sel._domainkey.test.example': [[text]] }, codes: e.codes, why: e.why });
  }
  const rfc8463 = JSON.parse(readFileSync(`${root}dkim/rfc8463/dns.json`, 'utf8')) as Record<string, { TXT: string[][] }>;
  const want8463: Record<string, string[]> = {
    'brisbane._domainkey.football.example.com': [],
    'test._domainkey.football.example.com': ['dkim.rsa-weak'],
  };
  for (const [name, codes] of Object.entries(want8463)) {
    cases.push({ label: `dkim/rfc8463 ${name}`, name, records: { [name]: rfc8463[name]!.TXT }, codes, why: 'RFC 8463 Appendix A keys (the RSA one split into 4 strings)' });
  }
  for (const c of cases) {
    const [selector, , ...rest] = c.name.split('.');
    const findings = await checkDkim(rest.join('.'), txtResolver(c.records), { selectors: [{ selector: selector!, state: 'active' }] });
    const got = findings.map((f) => f.code).sort();
    if (got.join(',') !== [...c.codes].sort().join(',')) out.failed.push(`${c.label}: mailrec ${got.join(', ') || 'no finding'}, want ${c.codes.join(', ') || 'no finding'}`);
    else {
      out.passed++;
      out.notes.push(`${c.label}: ${got.join(', ') || 'no finding'} (${c.why})`);
    }
  }
  return out;
}
