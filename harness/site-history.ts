// Synthetic data for the HTML site's tests, its benchmark and the README screenshot: an estate
// audited over many runs (each run an audit json document, findings made with the catalogue
// and scored with the audit's own scorer, records as the run keeps them) and a report archive
// of DMARC aggregate and TLS reports stored with the archive's own writer. Deterministic for a
// seed. With `hostile`, domain names, record texts, receiver names and MX names carry markup.

import { mkdirSync } from 'node:fs';
import { makeFinding, compareFindings, type Finding } from '../src/base/finding.js';
import type { Code } from '../src/base/codes.js';
import { scoreDomain } from '../src/audit/score.js';
import { AUDIT_SCHEMA, type DomainJson } from '../src/audit/summary.js';
import type { RecordSetJson } from '../src/audit/records.js';
import { writeRun } from '../src/audit/history/store.js';
import { RepoFiles } from '../src/base/repo-files.js';
import { ReportArchive } from '../src/dmarc-reports/archive.js';
import { ReportFiles } from '../src/dmarc-reports/archive-files.js';
import { seededRandom } from './processes.js';

/** Markup that must come out as text, never as an element. */
export const HOSTILE = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>';

export interface SyntheticOptions {
  domains: number;
  runs: number;
  seed?: number;
  /** Hours between runs (default 24). */
  every?: number;
  /** The newest run's time (default 2026-12-07T06:15:00Z). */
  end?: Date;
  hostile?: boolean;
}

export interface SyntheticRun {
  time: Date;
  document: { schema: string; source: { kind: 'dns'; description: string }; domains: DomainJson[]; summary: Record<string, unknown> };
}

type Problem = 'spf-lookups' | 'dmarc-none' | 'dmarc-missing' | 'tlsrpt-missing' | 'transport-none' | 'fcrdns';
const PROBLEMS: readonly Problem[] = ['spf-lookups', 'dmarc-none', 'dmarc-missing', 'tlsrpt-missing', 'transport-none', 'fcrdns'];
/** How often a domain starts with each problem. */
const START_RATE: Record<Problem, number> = { 'spf-lookups': 0.15, 'dmarc-none': 0.45, 'dmarc-missing': 0.08, 'tlsrpt-missing': 0.5, 'transport-none': 0.6, fcrdns: 0.2 };

export function domainName(i: number, hostile = false): string {
  if (hostile && i === 1) return `x${HOSTILE}.example`;
  if (hostile && i === 2) return 'bücher-straße.example';
  return `d${String(i).padStart(5, '0')}.example`;
}

function findingsOf(d: string, problems: ReadonlySet<Problem>, hostile: boolean): Finding[] {
  const out: Finding[] = [];
  const seen = (text: string) => ({ asked: [{ name: d, type: 'TXT', status: 'ok' as const }], seen: [text] });
  const add = (code: Code, name: string, message: string, evidence = { asked: [{ name, type: 'TXT', status: 'ok' as const }] }) => out.push(makeFinding(code, d, name, message, evidence));
  if (problems.has('spf-lookups')) add('spf.too-many-lookups', d, `13 DNS-querying terms (limit 10)${hostile ? ` ${HOSTILE}` : ''}`, seen(spfText(d, problems, hostile)));
  if (problems.has('dmarc-missing')) add('dmarc.missing', `_dmarc.${d}`, `no DMARC record at _dmarc.${d}`);
  else if (problems.has('dmarc-none')) add('dmarc.not-enforcing', `_dmarc.${d}`, `the policy that applies to ${d} is none: failing mail is delivered as usual`);
  if (problems.has('tlsrpt-missing')) add('tls-rpt.missing', `_smtp._tls.${d}`, `no TLS-RPT record at _smtp._tls.${d}`);
  if (problems.has('transport-none')) add('transport.none', d, 'neither an MTA-STS policy nor TLSA records for the MX hosts');
  if (problems.has('fcrdns')) add('mx.fcrdns-missing', `mx1.${d}`, `the sending address of mx1.${d} has no PTR record`);
  return out.sort(compareFindings);
}

function spfText(d: string, problems: ReadonlySet<Problem>, hostile: boolean): string {
  const includes = problems.has('spf-lookups') ? Array.from({ length: 12 }, (_, k) => `include:_spf${k}.esp.example`).join(' ') : `include:_spf.${d}`;
  return `"v=spf1 mx ${includes}${hostile ? ` ${HOSTILE}` : ''} -all"`;
}

function recordsOf(d: string, problems: ReadonlySet<Problem>, hostile: boolean): RecordSetJson[] {
  const records: RecordSetJson[] = [
    { name: d, type: 'MX', status: 'ok', data: [`10 mx1.${d}.`] },
    { name: d, type: 'TXT', status: 'ok', data: [spfText(d, problems, hostile)] },
    problems.has('dmarc-missing')
      ? { name: `_dmarc.${d}`, type: 'TXT', status: 'nxdomain' }
      : { name: `_dmarc.${d}`, type: 'TXT', status: 'ok', data: [`"v=DMARC1; p=${problems.has('dmarc-none') ? 'none' : 'reject'}; rua=mailto:dmarc@${d}"`] },
    problems.has('tlsrpt-missing') ? { name: `_smtp._tls.${d}`, type: 'TXT', status: 'nxdomain' } : { name: `_smtp._tls.${d}`, type: 'TXT', status: 'ok', data: [`"v=TLSRPTv1; rua=mailto:tlsrpt@${d}"`] },
    problems.has('transport-none') ? { name: `_mta-sts.${d}`, type: 'TXT', status: 'nxdomain' } : { name: `_mta-sts.${d}`, type: 'TXT', status: 'ok', data: ['"v=STSv1; id=20261201"'] },
  ];
  return records.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.type < b.type ? -1 : 1));
}

function domainJsonOf(d: string, problems: ReadonlySet<Problem>, hostile: boolean): DomainJson {
  const findings = findingsOf(d, problems, hostile);
  const card = scoreDomain(findings, { dkim: 'no DKIM selector declared or given (selectors cannot be discovered from DNS)' });
  return {
    domain: d,
    score: card.score,
    coverage: card.coverage,
    worstCase: card.worstCase,
    categories: card.categories,
    unknownCategories: [],
    findings,
    pathTo100: card.pathTo100,
    notes: [],
    drift: 'no-policy',
    questions: 12,
    records: recordsOf(d, problems, hostile),
  };
}

/** The runs, oldest first: each domain's problems start at random and are fixed (or appear) now and then. */
export function* syntheticRuns(options: SyntheticOptions): Generator<SyntheticRun> {
  const rand = seededRandom(options.seed ?? 14);
  const hostile = options.hostile ?? false;
  const every = (options.every ?? 24) * 3600_000;
  const end = (options.end ?? new Date('2026-12-07T06:15:00Z')).getTime();
  const state = Array.from({ length: options.domains }, () => new Set(PROBLEMS.filter((p) => rand() < START_RATE[p])));
  for (let r = 0; r < options.runs; r++) {
    if (r > 0) {
      for (const problems of state) {
        const x = rand();
        if (x < 0.06 && problems.size > 0) problems.delete([...problems][Math.floor(rand() * problems.size)]!);
        else if (x > 0.97) problems.add(PROBLEMS[Math.floor(rand() * PROBLEMS.length)]!);
      }
    }
    const domains = state.map((problems, i) => domainJsonOf(domainName(i, hostile), problems, hostile));
    const scores = domains.map((d) => d.score).filter((s): s is number => s !== null);
    const count = (sev: string) => domains.reduce((n, d) => n + d.findings.filter((f) => f.severity === sev).length, 0);
    yield {
      time: new Date(end - (options.runs - 1 - r) * every),
      document: {
        schema: AUDIT_SCHEMA,
        source: { kind: 'dns', description: 'DNS via 127.0.0.1:53' },
        domains,
        summary: { domains: domains.length, scored: scores.length, lowestScore: scores.length ? Math.min(...scores) : null, findings: { error: count('error'), warning: count('warning'), info: count('info') }, unknown: [], uncovered: [], failUnder: null, allowUnknown: false, failOn: null, passed: true, failures: [] },
      },
    };
  }
}

/** Store the runs in a history directory with the history's own writer (audit --history). */
export function writeSyntheticHistory(dir: string, options: SyntheticOptions): number {
  mkdirSync(dir, { recursive: true });
  const files = new RepoFiles(dir);
  let n = 0;
  for (const run of syntheticRuns(options)) {
    writeRun(files, dir, JSON.stringify(run.document), run.time);
    n++;
  }
  return n;
}

const DAY = 86_400;

function dmarcXml(domain: string, receiver: string, id: string, begin: number, rand: () => number, policy: 'none' | 'reject', hostile: boolean): { xml: string; rows: number; count: number } {
  const rows: string[] = [];
  let count = 0;
  const sources = [`192.0.2.${10 + (id.length % 5)}`, '198.51.100.7', '203.0.113.25', '192.0.2.200', '198.51.100.99', '203.0.113.4', '192.0.2.77'];
  for (let s = 0; s < sources.length; s++) {
    const n = 1 + Math.floor(rand() * (s < 2 ? 400 : 60));
    count += n;
    const aligned = s < 3 || rand() < 0.3;
    const dkim = aligned ? `<dkim><domain>${domain}</domain><selector>s1</selector><result>pass</result></dkim>` : `<dkim><domain>esp${s}.example</domain><selector>k1</selector><result>pass</result></dkim>`;
    const spf = `<spf><domain>${aligned ? domain : `bounce.esp${s}.example`}</domain><scope>mfrom</scope><result>pass</result></spf>`;
    rows.push(
      `<record><row><source_ip>${sources[s]}</source_ip><count>${n}</count><policy_evaluated><disposition>${aligned || policy === 'none' ? 'none' : 'reject'}</disposition><dkim>${aligned ? 'pass' : 'fail'}</dkim><spf>${aligned ? 'pass' : 'fail'}</spf></policy_evaluated></row><identifiers><header_from>${domain}</header_from></identifiers><auth_results>${dkim}${spf}</auth_results></record>`,
    );
  }
  const org = hostile ? escapeXmlText(`${receiver} ${HOSTILE}`) : receiver;
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<feedback><report_metadata><org_name>${org}</org_name><email>noreply@${receiver}</email><report_id>${id}</report_id><date_range><begin>${begin}</begin><end>${begin + DAY - 1}</end></date_range></report_metadata><policy_published><domain>${domain}</domain><adkim>r</adkim><aspf>r</aspf><p>${policy}</p></policy_published>${rows.join('')}</feedback>\n`;
  return { xml, rows: rows.length, count };
}

function escapeXmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function tlsJson(domain: string, receiver: string, id: string, begin: number, rand: () => number, hostile: boolean): { json: string; count: number } {
  const ok = 200 + Math.floor(rand() * 800);
  const failMx1 = rand() < 0.4 ? Math.floor(rand() * 30) : 0;
  const failMx2 = rand() < 0.2 ? Math.floor(rand() * 10) : 0;
  const details = [];
  if (failMx1 > 0) details.push({ 'result-type': 'certificate-expired', 'sending-mta-ip': '198.51.100.1', 'receiving-mx-hostname': `mx1.${domain}`, 'failed-session-count': failMx1 });
  if (failMx2 > 0) details.push({ 'result-type': 'starttls-not-supported', 'sending-mta-ip': '198.51.100.2', 'receiving-mx-hostname': hostile ? `mx2.${domain}${HOSTILE}` : `mx2.${domain}`, 'failed-session-count': failMx2 });
  const iso = (t: number) => new Date(t * 1000).toISOString().replace(/\.\d{3}/, '');
  const report = {
    'organization-name': hostile ? `${receiver} ${HOSTILE}` : receiver,
    'date-range': { 'start-datetime': iso(begin), 'end-datetime': iso(begin + DAY - 1) },
    'contact-info': `tlsrpt@${receiver}`,
    'report-id': id,
    policies: [
      {
        policy: { 'policy-type': 'sts', 'policy-string': ['version: STSv1', 'mode: enforce', `mx: mx1.${domain}`, 'max_age: 604800'], 'policy-domain': domain, 'mx-host': [`mx1.${domain}`] },
        summary: { 'total-successful-session-count': ok, 'total-failure-session-count': failMx1 + failMx2 },
        'failure-details': details,
      },
    ],
  };
  return { json: JSON.stringify(report), count: ok + failMx1 + failMx2 };
}

export interface ArchiveOptions {
  /** The domains with reports (a few: real estates get reports for the domains that send). */
  domains: string[];
  days: number;
  /** The last day's start is the day before this (reports arrive the day after). */
  end?: Date;
  seed?: number;
  hostile?: boolean;
}

/** Fill a report archive at `dir` (created) with one DMARC report per domain, receiver and day, and one TLS report per domain and day. */
export async function writeSyntheticArchive(root: string, dir: string, options: ArchiveOptions): Promise<{ dmarc: number; tls: number }> {
  const rand = seededRandom(options.seed ?? 8460);
  const files = new ReportFiles(root);
  files.allow(dir);
  const archive = ReportArchive.open(files, dir);
  const endDay = Math.floor((options.end ?? new Date('2026-12-07T06:15:00Z')).getTime() / 1000 / DAY) * DAY;
  const receivers = ['google.com', 'outlook.com', 'mail.example.net'];
  let dmarc = 0;
  let tls = 0;
  const now = new Date(endDay * 1000);
  for (let day = options.days; day >= 1; day--) {
    const begin = endDay - day * DAY;
    options.domains.forEach((domain, k) => {
      receivers.forEach((receiver, r) => {
        if (r === 2 && day % 5 === 0) return; // a receiver that misses days, as real ones do
        const id = `${receiver}-${k}-${begin}`;
        const policy = k % 2 === 0 ? 'none' : 'reject';
        const report = dmarcXml(domain, receiver, id, begin, rand, policy, options.hostile ?? false);
        archive.store({ kind: 'dmarc', bytes: Buffer.from(report.xml), receiver, reportId: id, domain, begin, end: begin + DAY - 1, rows: report.rows, count: report.count, source: 'synthetic' }, now);
        dmarc++;
      });
      const id = `tls-${k}-${begin}`;
      const report = tlsJson(domain, receivers[0]!, id, begin, rand, options.hostile ?? false);
      archive.store({ kind: 'tlsrpt', bytes: Buffer.from(report.json), receiver: receivers[0]!, reportId: id, domain, begin, end: begin + DAY - 1, rows: 1, count: report.count, source: 'synthetic' }, now);
      tls++;
    });
  }
  await archive.close();
  return { dmarc, tls };
}
