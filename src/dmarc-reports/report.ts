// The aggregate-report data model (RFC 7489 Appendix C, RFC 9990 §3): what the
// readers extract from a report and hand, aggregated, to the simulation.

export type Disposition = 'none' | 'quarantine' | 'reject';
export type AlignmentMode = 'r' | 's';

/** The tags of a DMARC record the simulation needs (RFC 9989). */
export interface DispositionPolicy {
  p: Disposition;
  sp?: Disposition;
  /** np= (RFC 9989; RFC 9091 before it). */
  np?: Disposition;
  adkim: AlignmentMode;
  aspf: AlignmentMode;
  /** t=y: the policy applies one step softer. */
  testing: boolean;
}

/** <policy_published>: the DMARC record the receiver found, as it reports it (RFC 9990 §3). */
export interface PublishedPolicy extends DispositionPolicy {
  domain: string;
  /** Legacy RFC 7489 pct=; informative only (RFC 9989 removed it). */
  pct?: number;
}

/** One <auth_results><dkim>: a signature the receiver verified. */
export interface DkimAuth {
  domain: string;
  selector?: string;
  result: string;
}

/** One <auth_results><spf>: the SPF check of an identity. */
export interface SpfAuth {
  domain: string;
  /** mfrom or helo; absent in many RFC 7489 reports (mfrom is meant). */
  scope?: string;
  result: string;
}

/**
 * One <record>, with identical records (from any report) merged: `count` is the
 * number of messages. Everything but `count` is the identity of the row.
 */
export interface ReportRow {
  sourceIp: string;
  count: number;
  headerFrom: string;
  envelopeFrom?: string;
  /** <policy_evaluated><disposition>: what the receiver says it did. */
  disposition: Disposition;
  /** <policy_evaluated><dkim>/<spf>: the receiver's own DMARC result per mechanism, when it says. */
  evaluated?: { dkim?: 'pass' | 'fail'; spf?: 'pass' | 'fail' };
  /** Who sent the report (the reader's name for the receiver: org_name, else email, contact, file name). */
  receiver?: string;
  /** <policy_evaluated><reason><type>, lowercase, sorted. */
  reasons: string[];
  dkim: DkimAuth[];
  spf: SpfAuth[];
  published: PublishedPolicy;
}

/** <report_metadata> plus what the reader counted. */
export interface ReportMeta {
  orgName: string;
  reportId: string;
  email?: string;
  extraContactInfo?: string;
  begin?: number;
  end?: number;
  /** "7489" (no or the 0.1 namespace) or "9990" (urn:ietf:params:xml:ns:dmarc-2.0). */
  schema: '7489' | '9990';
}

/** A report the reader could not use, named by its file (and the part inside it). */
export interface ReadError {
  file: string;
  message: string;
}

/** Something recovered or doubtful in a report that was still counted, named by its file. */
export type ReadWarning = ReadError;

/** A report seen a second time (same receiver, report_id, period and rows): not counted again. */
export interface DuplicateReport {
  file: string;
  orgName: string;
  reportId: string;
  /** The file that was counted. */
  first: string;
}

/** The identity of a row without its count: rows with the same key are merged. */
export function rowKey(row: Omit<ReportRow, 'count'>): string {
  const p = row.published;
  return [
    row.sourceIp,
    row.headerFrom,
    row.envelopeFrom ?? '',
    row.disposition,
    `${row.evaluated?.dkim ?? ''}/${row.evaluated?.spf ?? ''}`,
    row.receiver ?? '',
    row.reasons.join(','),
    row.dkim.map((d) => `${d.domain}/${d.selector ?? ''}/${d.result}`).join(','),
    row.spf.map((s) => `${s.domain}/${s.scope ?? ''}/${s.result}`).join(','),
    `${p.domain}/${p.p}/${p.sp ?? ''}/${p.np ?? ''}/${p.adkim}/${p.aspf}/${p.testing ? 'y' : 'n'}/${p.pct ?? ''}`,
  ].join('|');
}
