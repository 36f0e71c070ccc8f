// DMARC rules (RFC 9989, reports RFC 9990): what one policy record says to a receiver, as
// the one code and the words that plan, audit and import all report it with.

import type { Problem } from '../../base/finding.js';
import { parseDmarcRecord, weaker } from './record.js';

/** §4.10: several v=DMARC1 records at one name are all discarded. */
export function checkDmarcMultiple(owner: string, records: readonly string[]): Problem {
  return { code: 'dmarc.multiple', name: owner, message: `${records.length} v=DMARC1 records at ${owner}: receivers discard them all` };
}

export interface DmarcRecordContext {
  /** The domain the record applies to. */
  domain: string;
  /** The record was found higher in the tree (RFC 9989 §4.10): sp= applies, p= is not compared. */
  inherited: boolean;
}

/**
 * The problems of the record `text` published at `owner`: syntax, p= and what a receiver
 * then does (§4.7), enforcement, testing, sp=/np= weaker than p=, removed and unknown
 * tags, report addresses. The authorization of report destinations needs DNS: the audit's.
 */
export function checkDmarcRecord(owner: string, text: string, context: DmarcRecordContext): Problem[] {
  const problems: Problem[] = [];
  const add = (code: Problem['code'], message: string): void => void problems.push({ code, name: owner, message });
  const parsed = parseDmarcRecord(text);
  if (!parsed.ok) {
    add('dmarc.syntax', `DMARC record at ${owner}: ${parsed.error}`);
    return problems;
  }
  const r = parsed.record;
  for (const p of r.problems) add('dmarc.syntax', `DMARC record at ${owner}: ${p.message}`);

  const validRua = r.rua.some((u) => u.mailto);
  // §4.7: a missing or invalid p with a valid rua is read as p=none; without one the
  // record is ignored altogether.
  if (!r.p) {
    const what = r.pRaw === undefined ? 'has no p=' : `has p=${r.pRaw}, which is not none, quarantine or reject`;
    if (validRua) add('dmarc.p-invalid', `the DMARC record at ${owner} ${what}: receivers apply p=none`);
    else add('dmarc.not-applied', `the DMARC record at ${owner} ${what} and no valid rua=: receivers ignore it, DMARC is not applied`);
  }
  const effective = context.inherited ? (r.sp ?? r.p) : r.p;
  if (effective === 'none') add('dmarc.not-enforcing', `the policy that applies to ${context.domain} is none: failing mail is delivered as usual`);
  if (r.testing) add('dmarc.testing', `t=y at ${owner}: receivers apply one level less than the policy`);
  if (!context.inherited && r.p) {
    if (r.sp && weaker(r.sp, r.p)) add('dmarc.subdomain-weaker', `sp=${r.sp} is weaker than p=${r.p}`);
    if (r.np && weaker(r.np, r.p)) add('dmarc.np-weaker', `np=${r.np} is weaker than p=${r.p}`);
  }
  if (r.removed.length > 0) add('dmarc.removed-tag', `${r.removed.map((t) => `${t}=`).join(', ')} at ${owner}: removed in RFC 9989 and ignored by its receivers`);
  if (r.unknown.length > 0) add('dmarc.unknown-tag', `unknown tag(s) ${r.unknown.map((t) => `${t}=`).join(', ')} at ${owner} are ignored`);
  if (r.rua.length === 0) add('dmarc.rua-missing', `no rua= at ${owner}: no aggregate reports will arrive`);
  for (const u of [...r.rua, ...r.ruf]) {
    if (u.scheme && u.scheme !== 'mailto') add('dmarc.uri-not-mailto', `report address "${u.raw}" is not a mailto: URI`);
  }
  return problems;
}

/** RFC 9990: a destination outside the Organizational Domain that does not authorize the reports. */
export function reportUnauthorizedProblem(authName: string, domain: string, destination: string): Problem {
  return {
    code: 'dmarc.report-unauthorized',
    name: authName,
    message: `reports for ${domain} go to ${destination}, which does not authorize them: no v=DMARC1 record at ${authName}`,
  };
}
