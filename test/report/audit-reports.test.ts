import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { auditDomain } from '../../src/audit/run.js';
import { summarizeAudit, type AuditRun } from '../../src/audit/summary.js';
import { renderAuditJsonLine, renderAuditSummaryLine } from '../../src/report/audit-json.js';
import { renderAuditJunit } from '../../src/report/audit-junit.js';
import { escapeXml } from '../../src/report/xml-escape.js';
import { renderAuditMarkdown } from '../../src/report/audit-markdown.js';
import { policyPositionOf, rfcUri } from '../../src/report/audit-sarif.js';
import type { DomainPolicy } from '../../src/policy/model.js';
import { cleanZone, resolverFor, withNames } from '../audit/zone.js';

const D = 'example.org';

async function run(zone = cleanZone(), extra: Partial<AuditRun> = {}): Promise<AuditRun> {
  const report = await auditDomain(D, resolverFor(zone), { selectors: ['sel1'] });
  return { reports: [report], source: { kind: 'dns', description: 'test' }, ...extra };
}

describe('the verdict', () => {
  it('passes without thresholds, fails under --fail-under and at --fail-on', async () => {
    const weak = withNames(cleanZone(), { [`_dmarc.${D}`]: { TXT: [`v=DMARC1; p=none; rua=mailto:d@${D}`] } });
    expect(summarizeAudit(await run(weak)).passed).toBe(true);
    expect(summarizeAudit(await run(weak, { failUnder: 88 })).passed).toBe(true);
    expect(summarizeAudit(await run(weak, { failUnder: 89 })).failures).toEqual([`${D} scores 88, under 89`]);
    expect(summarizeAudit(await run(weak, { failOn: 'error' })).passed).toBe(true);
    expect(summarizeAudit(await run(weak, { failOn: 'warning' })).failures).toEqual([`${D} has 1 finding at --fail-on warning (dmarc.not-enforcing)`]);
  });
});

describe('NDJSON: one domain per line', () => {
  it('writes one self-describing line per domain and a summary line', async () => {
    const r = await run();
    const line = renderAuditJsonLine(r.reports[0]!, false);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toMatchObject({ schema: 'mailrec-audit/1', type: 'domain', domain: D, score: 100, drift: 'no-policy' });
    expect(JSON.parse(renderAuditSummaryLine(summarizeAudit(r)))).toMatchObject({ schema: 'mailrec-audit/1', type: 'summary', domains: 1, passed: true });
  });
});

describe('XML escaping (XML 1.0 §2.2, §2.4, §3.3.3)', () => {
  it('escapes markup, keeps line breaks in attributes, and replaces characters XML cannot hold', () => {
    expect(escapeXml('a < b & "c" > \'d\'')).toBe('a &lt; b &amp; "c" &gt; \'d\'');
    expect(escapeXml('a < b & "c" \'d\'\nx\ty', true)).toBe('a &lt; b &amp; &quot;c&quot; &apos;d&apos;&#10;x&#9;y');
    expect(escapeXml('nul\u0000 bell\u0007 lone\ud800 ok\u00e9')).toBe('nul\uFFFD bell\uFFFD lone\uFFFD ok\u00e9');
  });

  it('keeps a hostile TXT record from breaking the JUnit document', async () => {
    const hostile = withNames(cleanZone(), { [`_mta-sts.${D}`]: { TXT: ['v=STSv1; id=</failure><x a="1">&\u0001'] } });
    const xml = renderAuditJunit(await run(hostile));
    const parser = new SaxesParser();
    const failures: string[] = [];
    parser.on('opentag', (t) => {
      if (t.name === 'failure') failures.push(String(t.attributes.type));
    });
    parser.write(xml).close();
    expect(failures).toEqual(['mta-sts.syntax']);
  });
});

describe('Markdown', () => {
  it('keeps table cells on one line with pipes escaped', async () => {
    const r = await run(withNames(cleanZone(), { [`_smtp._tls.${D}`]: { TXT: ['v=TLSRPTv1; rua=mailto:a|b\nc'] } }));
    const md = renderAuditMarkdown(r);
    const row = md.split('\n').find((l) => l.includes('tls-rpt.syntax'))!;
    expect(row).toContain('\\|');
    expect(row.startsWith('| ') && row.endsWith(' |')).toBe(true);
  });
});

describe('SARIF helpers', () => {
  it('links the first RFC section a code rests on', () => {
    expect(rfcUri('RFC 7208 §4.6.4, §12')).toBe('https://www.rfc-editor.org/rfc/rfc7208#section-4.6.4');
    expect(rfcUri('RFC 9989 §4.7, Appendix A')).toBe('https://www.rfc-editor.org/rfc/rfc9989#section-4.7');
    expect(rfcUri('RFC 2782, RFC 6186 §3')).toBe('https://www.rfc-editor.org/rfc/rfc2782');
    expect(rfcUri('mailrec policy')).toBeUndefined();
  });

  it('finds the policy entry that declared the record a finding is about', () => {
    const at = (line: number) => ({ file: 'policies/mail.yaml', line, column: 5 });
    const policy = {
      name: D,
      position: at(1),
      dkim: [{ selector: 's1', position: at(10) }],
      srv: [{ service: 'submission', protocol: 'tcp', position: at(20) }],
      tlsa: [{ port: 25, protocol: 'tcp', host: `mx1.${D}`, position: at(30) }],
      dmarc: { position: at(40) },
      mtaSts: { position: at(50) },
      tlsRpt: { position: at(60) },
    } as unknown as DomainPolicy;
    const line = (code: string, name: string) => policyPositionOf(policy, { code, name }).line;
    expect(line('dkim.rsa-weak', `s1._domainkey.${D}`)).toBe(10);
    expect(line('srv.submission-465', `_submission._tcp.${D}`)).toBe(20);
    expect(line('tlsa.no-dnssec', `_25._tcp.mx1.${D}`)).toBe(30);
    expect(line('drift.missing', `_dmarc.${D}`)).toBe(40);
    expect(line('dmarc.report-unauthorized', `${D}._report._dmarc.example.net`)).toBe(40);
    expect(line('mta-sts.syntax', `_mta-sts.${D}`)).toBe(50);
    expect(line('tls-rpt.missing', `_smtp._tls.${D}`)).toBe(60);
    expect(line('spf.too-many-lookups', D)).toBe(1);
    expect(line('drift.foreign', D)).toBe(1);
  });
});
