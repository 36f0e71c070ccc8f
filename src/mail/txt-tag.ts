// Which protocol a TXT record belongs to, by its leading tag: the ownership model's
// TXT half (DESIGN.md "Ownership"). An apex TXT RRset is shared with site
// verifications and other tools, so mailrec owns TXT records one by one, by this tag.

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
