// A DMARC policy record as the simulator needs it: the tags that decide a
// disposition (RFC 9989 record format), from record text, a policy or a report.

import type { DomainPolicy } from '../policy/model.js';
import { compileDmarcText } from '../build/dmarc.js';
import { parseDmarcRecord } from '../mail/dmarc/record.js';
import type { DispositionPolicy, PublishedPolicy } from './report.js';

export type { DispositionPolicy };

/** A record and the domain it is published at (the _dmarc owner without the label). */
export interface ProposedRecord {
  domain: string;
  text: string;
  record: DispositionPolicy;
}

export type RecordParse = { ok: true; record: DispositionPolicy } | { ok: false; reason: string };

/** The tags whose invalid value makes a record useless for a simulation. */
const DECISIVE = new Set(['sp', 'np', 'adkim', 'aspf', 't']);

/**
 * Read "v=DMARC1; p=reject; ..." with the one DMARC record parser (mail/dmarc/record.ts)
 * and keep what decides a disposition. Unknown and removed tags are ignored, as receivers do.
 */
export function readDispositionPolicy(text: string): RecordParse {
  const parsed = parseDmarcRecord(text);
  if (!parsed.ok) return { ok: false, reason: parsed.error };
  const r = parsed.record;
  if (r.p === undefined)
    return { ok: false, reason: r.pRaw === undefined ? 'the record has no p= tag' : `p=${r.pRaw} is not none, quarantine or reject` };
  const problem = r.problems.find((pr) => DECISIVE.has(pr.tag));
  if (problem) return { ok: false, reason: problem.message };
  const record: DispositionPolicy = { p: r.p, adkim: r.adkim ?? 'r', aspf: r.aspf ?? 'r', testing: r.testing };
  if (r.sp) record.sp = r.sp;
  if (r.np) record.np = r.np;
  return { ok: true, record };
}

/** The record a report says was published. */
export function publishedRecord(published: PublishedPolicy): DispositionPolicy {
  const record: DispositionPolicy = { p: published.p, adkim: published.adkim, aspf: published.aspf, testing: published.testing };
  if (published.sp) record.sp = published.sp;
  if (published.np) record.np = published.np;
  return record;
}

/**
 * The record text of a published policy, for display: sp only where it differs
 * from p and np only where it differs from sp, so that reports that spell the
 * defaults out and reports that leave them out show the same record.
 */
export function renderPublished(published: PublishedPolicy): string {
  const tags = ['v=DMARC1', `p=${published.p}`];
  const sp = published.sp ?? published.p;
  if (sp !== published.p) tags.push(`sp=${sp}`);
  if ((published.np ?? sp) !== sp) tags.push(`np=${published.np}`);
  if (published.testing) tags.push('t=y');
  if (published.pct !== undefined && published.pct !== 100) tags.push(`pct=${published.pct}`);
  if (published.adkim === 's') tags.push('adkim=s');
  if (published.aspf === 's') tags.push('aspf=s');
  return tags.join('; ');
}

/** The records a policy would publish: one per domain with DMARC (or mail: none). */
export function proposedFromPolicy(domains: readonly DomainPolicy[]): ProposedRecord[] {
  const out: ProposedRecord[] = [];
  for (const domain of domains) {
    const text = compileDmarcText(domain).text;
    if (text === undefined) continue;
    const parsed = readDispositionPolicy(text);
    if (parsed.ok) out.push({ domain: domain.name, text, record: parsed.record });
  }
  return out.sort((a, b) => a.domain.localeCompare(b.domain));
}
