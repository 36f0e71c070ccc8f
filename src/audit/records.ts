// The DNS answers a run saw for a domain's own names, kept in its json (`records`, see
// docs/audit-json.md), so that two runs can say which records changed between them
// (audit/history/compare.ts). Structured and small: one entry per question, the data of
// each record in presentation form, no TTL (a cache counts it down between runs).

import { compareText } from '../base/finding.js';
import { isInZone, typeOf } from '../dns-types/rr.js';
import { renderRData } from '../dns-types/rdata.js';
import type { RecordedAnswer } from './evidence.js';

/** One question about a name at or below the domain, and what it got. */
export interface RecordSetJson {
  name: string;
  type: string;
  /** `error`: the lookup failed, the records are unknown (never "none"). */
  status: 'ok' | 'nxdomain' | 'nodata' | 'error';
  /**
   * `ok` only: each record's data in presentation form (`10 mx-01.example.org.`,
   * `"v=spf1 -all"`), sorted; a record of another type on the way (the CNAME of an alias)
   * is written with its type first (`CNAME target.example.net.`).
   */
  data?: string[];
}

function dataOf(rr: Parameters<typeof renderRData>[0], asked: string): string {
  let text: string;
  try {
    text = renderRData(rr);
  } catch {
    // A record the writer refuses (it came off the wire or a zone file as it was): kept as a marker, not dropped.
    text = `\\# unrenderable ${typeOf(rr)}`;
  }
  return typeOf(rr) === asked ? text : `${typeOf(rr)} ${text}`;
}

/**
 * The answers about the domain's own names (at or below it), one entry per question,
 * sorted by name and type. Names elsewhere (a provider's SPF include, an MX host in
 * another domain) are left out: they are not the domain's records, and an estate would
 * repeat them in every domain.
 */
export function recordsOf(domain: string, answers: readonly RecordedAnswer[]): RecordSetJson[] {
  const out: RecordSetJson[] = [];
  const seen = new Set<string>();
  for (const { name, type, answer } of answers) {
    if (!isInZone(name, domain)) continue;
    const key = `${name}\u0000${type}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (answer.status === 'ok') {
      out.push({ name, type, status: 'ok', data: answer.records.map((rr) => dataOf(rr, type)).sort(compareText) });
    } else {
      out.push({ name, type, status: answer.status });
    }
  }
  return out.sort((a, b) => compareText(a.name, b.name) || compareText(a.type, b.type));
}
