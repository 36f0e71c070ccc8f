// A DMARC policy record as the simulator needs it: the tags that decide a
// disposition (RFC 9989 record format), from record text, a policy or a report.

import type { DomainPolicy } from '../policy/model.js';
import { compileDmarcText } from '../records/dmarc.js';
import { parseTagList, tagValue } from '../records/tag-list.js';
import type { AlignmentMode, Disposition, DmarcRecord, PublishedPolicy } from './report.js';

export type { DmarcRecord };

/** A record and the domain it is published at (the _dmarc owner without the label). */
export interface ProposedRecord {
  domain: string;
  text: string;
  record: DmarcRecord;
}

const DISPOSITIONS = new Set(['none', 'quarantine', 'reject']);

export type RecordParse = { ok: true; record: DmarcRecord } | { ok: false; reason: string };

/** Parse "v=DMARC1; p=reject; ..." (RFC 9989 record format). Unknown tags are ignored, as receivers do. */
export function parseDmarcRecord(text: string): RecordParse {
  const tags = parseTagList(text);
  // RFC 9989: v=DMARC1 must come first.
  if (tags[0]?.name.toLowerCase() !== 'v' || tags[0].value !== 'DMARC1') return { ok: false, reason: 'a DMARC record starts with "v=DMARC1"' };
  const read = (name: string): Disposition | undefined | Error => {
    const v = tagValue(tags, name)?.toLowerCase();
    if (v === undefined) return undefined;
    return DISPOSITIONS.has(v) ? (v as Disposition) : new Error(`${name}=${v} is not none, quarantine or reject`);
  };
  const p = read('p');
  const sp = read('sp');
  const np = read('np');
  for (const v of [p, sp, np]) if (v instanceof Error) return { ok: false, reason: v.message };
  if (p === undefined) return { ok: false, reason: 'the record has no p= tag' };
  const mode = (name: string): AlignmentMode | Error => {
    const v = (tagValue(tags, name) ?? 'r').toLowerCase();
    return v === 'r' || v === 's' ? v : new Error(`${name}=${v} is not r or s`);
  };
  const adkim = mode('adkim');
  const aspf = mode('aspf');
  if (adkim instanceof Error) return { ok: false, reason: adkim.message };
  if (aspf instanceof Error) return { ok: false, reason: aspf.message };
  const record: DmarcRecord = { p: p as Disposition, adkim, aspf, testing: tagValue(tags, 't')?.toLowerCase() === 'y' };
  if (sp) record.sp = sp as Disposition;
  if (np) record.np = np as Disposition;
  return { ok: true, record };
}

/** The record a report says was published. */
export function publishedRecord(published: PublishedPolicy): DmarcRecord {
  const record: DmarcRecord = { p: published.p, adkim: published.adkim, aspf: published.aspf, testing: published.testing };
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
    const parsed = parseDmarcRecord(text);
    if (parsed.ok) out.push({ domain: domain.name, text, record: parsed.record });
  }
  return out.sort((a, b) => a.domain.localeCompare(b.domain));
}
