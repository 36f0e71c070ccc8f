// Builds aggregate-report XML for tests, in the RFC 7489 Appendix C shape or the
// RFC 9990 one (namespace, np, testing, discovery_method), from row literals.

export interface RowSpec {
  ip: string;
  count: number;
  headerFrom: string;
  envelopeFrom?: string;
  disposition?: 'none' | 'quarantine' | 'reject';
  reasons?: string[];
  dkim?: { domain: string; selector?: string; result: string }[];
  spf?: { domain: string; scope?: string; result: string }[];
}

export interface ReportSpec {
  org: string;
  id: string;
  begin?: number;
  end?: number;
  domain: string;
  p?: string;
  sp?: string;
  np?: string;
  testing?: boolean;
  adkim?: string;
  aspf?: string;
  schema?: '7489' | '9990';
  rows: RowSpec[];
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function reportXml(r: ReportSpec): string {
  const v9990 = r.schema === '9990';
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(v9990 ? '<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">' : '<feedback>');
  if (v9990) out.push('  <version>1.0</version>');
  out.push('  <report_metadata>', `    <org_name>${esc(r.org)}</org_name>`, `    <email>noreply@${esc(r.org)}</email>`, `    <report_id>${esc(r.id)}</report_id>`);
  out.push('    <date_range>', `      <begin>${r.begin ?? 1777852800}</begin>`, `      <end>${r.end ?? 1777939199}</end>`, '    </date_range>');
  if (v9990) out.push('    <generator>mailrec-tests 1.0</generator>');
  out.push('  </report_metadata>', '  <policy_published>', `    <domain>${r.domain}</domain>`);
  if (v9990) out.push('    <discovery_method>treewalk</discovery_method>');
  out.push(`    <adkim>${r.adkim ?? 'r'}</adkim>`, `    <aspf>${r.aspf ?? 'r'}</aspf>`, `    <p>${r.p ?? 'none'}</p>`, `    <sp>${r.sp ?? r.p ?? 'none'}</sp>`);
  if (r.np) out.push(`    <np>${r.np}</np>`);
  if (v9990) out.push(`    <testing>${r.testing ? 'y' : 'n'}</testing>`);
  else out.push('    <pct>100</pct>');
  out.push('  </policy_published>');
  for (const row of r.rows) {
    out.push('  <record>', '    <row>', `      <source_ip>${row.ip}</source_ip>`, `      <count>${row.count}</count>`, '      <policy_evaluated>');
    out.push(`        <disposition>${row.disposition ?? 'none'}</disposition>`);
    out.push(`        <dkim>${row.dkim?.some((d) => d.result === 'pass') ? 'pass' : 'fail'}</dkim>`, `        <spf>${row.spf?.some((s) => s.result === 'pass') ? 'pass' : 'fail'}</spf>`);
    for (const reason of row.reasons ?? []) out.push('        <reason>', `          <type>${reason}</type>`, '          <comment>test</comment>', '        </reason>');
    out.push('      </policy_evaluated>', '    </row>', '    <identifiers>');
    if (v9990) out.push('      <envelope_to>example.net</envelope_to>');
    if (row.envelopeFrom !== undefined) out.push(`      <envelope_from>${row.envelopeFrom}</envelope_from>`);
    out.push(`      <header_from>${row.headerFrom}</header_from>`, '    </identifiers>', '    <auth_results>');
    for (const d of row.dkim ?? []) {
      out.push('      <dkim>', `        <domain>${d.domain}</domain>`);
      if (d.selector) out.push(`        <selector>${d.selector}</selector>`);
      out.push(`        <result>${d.result}</result>`, '      </dkim>');
    }
    for (const s of row.spf ?? []) {
      out.push('      <spf>', `        <domain>${s.domain}</domain>`);
      if (s.scope) out.push(`        <scope>${s.scope}</scope>`);
      out.push(`        <result>${s.result}</result>`, '      </spf>');
    }
    out.push('    </auth_results>', '  </record>');
  }
  out.push('</feedback>', '');
  return out.join('\n');
}
