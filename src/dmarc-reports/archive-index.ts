// The archive's index: one JSON object per line (index.jsonl), one line per report file.
// Pure: the line format, its reading (a line that does not read is skipped, never
// guessed at), and where a report file goes.

/** What the archive keeps: DMARC aggregate reports (RFC 9990) and SMTP TLS reports (RFC 8460). */
export type ReportKind = 'dmarc' | 'tlsrpt';

export const INDEX_VERSION = 1;

export interface IndexEntry {
  v: typeof INDEX_VERSION;
  kind: ReportKind;
  /** sha256 of the report itself (the XML or JSON, decompressed): its address in the archive. */
  sha256: string;
  /** The report file, relative to the archive root: dmarc/YYYY/MM/<sha256>.xml.gz, tlsrpt/YYYY/MM/<sha256>.json.gz. */
  file: string;
  /** Who sent it: <org_name> (DMARC), organization-name (TLS-RPT). */
  receiver: string;
  reportId: string;
  /** <policy_published><domain> (DMARC), the first policy-domain (TLS-RPT). */
  domain: string;
  /** The period the report covers, seconds since the epoch (UTC). */
  begin: number;
  end: number;
  /** <record> elements (DMARC) or policies (TLS-RPT). */
  rows: number;
  /** Messages (DMARC) or TLS sessions, successful and failed (TLS-RPT). */
  count: number;
  /** Where it was collected from, e.g. imap://user@host:993/INBOX (never a password). */
  source: string;
  /** When it was archived (ISO 8601). */
  stored: string;
}

const KINDS: ReadonlySet<string> = new Set(['dmarc', 'tlsrpt']);
const SHA256 = /^[0-9a-f]{64}$/;

export function formatIndexLine(entry: IndexEntry): string {
  // Fixed key order: the same report gives the same line.
  const { v, kind, sha256, file, receiver, reportId, domain, begin, end, rows, count, source, stored } = entry;
  return `${JSON.stringify({ v, kind, sha256, file, receiver, reportId, domain, begin, end, rows, count, source, stored })}\n`;
}

/** One index line, or undefined when it is not one (a hand edit, a line from a newer mailrec). */
export function parseIndexLine(line: string): IndexEntry | undefined {
  if (line.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const e = value as Record<string, unknown>;
  const str = (k: string) => typeof e[k] === 'string';
  const num = (k: string) => typeof e[k] === 'number' && Number.isFinite(e[k]);
  if (e.v !== INDEX_VERSION || !KINDS.has(e.kind as string) || !SHA256.test(String(e.sha256))) return undefined;
  if (!['file', 'receiver', 'reportId', 'domain', 'source', 'stored'].every(str) || !['begin', 'end', 'rows', 'count'].every(num)) return undefined;
  // The file must be the one the address names: nothing outside the archive is read through the index.
  if (e.file !== reportPath(e.kind as ReportKind, e.sha256 as string, e.begin as number)) return undefined;
  return e as unknown as IndexEntry;
}

/** Where a report goes: by kind, by the year and month its period begins (UTC), by its hash. */
export function reportPath(kind: ReportKind, sha256: string, begin: number): string {
  const date = new Date(begin * 1000);
  const year = Number.isFinite(date.getTime()) ? date.getUTCFullYear() : 1970;
  const month = Number.isFinite(date.getTime()) ? date.getUTCMonth() + 1 : 1;
  const yyyy = String(Math.min(9999, Math.max(0, year))).padStart(4, '0');
  return `${kind}/${yyyy}/${String(month).padStart(2, '0')}/${sha256}.${kind === 'dmarc' ? 'xml' : 'json'}.gz`;
}
