// The ownership model (DESIGN.md "Ownership"): which records mailrec may touch.
// TXT is owned record by record, by its tag, because an apex TXT RRset is shared
// with site verifications and other tools; MX, SRV and TLSA are owned as whole
// RRsets at the names the policy declares.

import { txtText, type RR } from '../dns-types/rr.js';

export type TxtTag = 'spf' | 'dmarc' | 'dkim' | 'mta-sts' | 'tls-rpt';

const TAG_PREFIXES: ReadonlyArray<[RegExp, TxtTag]> = [
  [/^v=spf1(\s|$)/i, 'spf'], // RFC 7208 §4.5
  [/^v=DMARC1\s*(;|$)/i, 'dmarc'], // RFC 9989; also the _report._dmarc authorization
  [/^v=DKIM1\s*(;|$)/i, 'dkim'], // RFC 6376 §3.6.1
  [/^v=STSv1\s*(;|$)/i, 'mta-sts'], // RFC 8461 §3.1
  [/^v=TLSRPTv1\s*(;|$)/i, 'tls-rpt'], // RFC 8460 §3
];

/** The tag of a TXT record mailrec would own, or undefined for a foreign TXT. */
export function tagOf(name: string, text: string): TxtTag | undefined {
  const trimmed = text.trimStart();
  for (const [pattern, tag] of TAG_PREFIXES) if (pattern.test(trimmed)) return tag;
  // RFC 6376 §3.6.1: v= is optional in a key record, so a TXT under _domainkey
  // with a p= tag is a DKIM key even without it.
  if (/(^|\.)_domainkey(\.|$)/.test(name) && /(^|;)\s*p\s*=/.test(trimmed)) return 'dkim';
  return undefined;
}

const WHOLE_RRSET_TYPES = new Set(['MX', 'SRV', 'TLSA', 'CNAME']);

/**
 * The identity a record is owned under: "name TYPE" for whole RRsets,
 * "name TXT tag" for tagged TXT. undefined when mailrec can never own it.
 */
export function ownershipKey(rr: RR): string | undefined {
  if (rr.type === 'TXT') {
    const tag = tagOf(rr.name, txtText(rr));
    return tag === undefined ? undefined : `${rr.name} TXT ${tag}`;
  }
  if (WHOLE_RRSET_TYPES.has(rr.type)) return `${rr.name} ${rr.type}`;
  return undefined;
}
