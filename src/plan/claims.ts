// The names mailrec claims on a live server: where the policy's domains keep
// their mail records. A record found there with mailrec's tag is mailrec's even
// when the policy no longer asks for it (so removing `tls_rpt:` deletes the
// _smtp._tls TXT); records anywhere else are never touched.

import type { Policy } from '../policy/model.js';
import { isInZone, txtText, type RR } from '../dns-types/rr.js';
import { MAIL_SRV_SERVICES } from '../mail/srv/record.js';
import { tagOf } from '../mail/txt-tag.js';
import { chainLinkName, MAX_CHAIN_LINKS, reachedChainLinks } from '../mail/spf/flatten.js';

/** A question to ask the server, and the ownership key it may reveal. */
export interface Claim {
  name: string;
  type: 'TXT' | 'MX' | 'SRV' | 'TLSA';
  /** The ownership key (see ownership.ts) mailrec claims at that name and type. */
  key: string;
}

export function claimsFor(policy: Policy, zone: string): Claim[] {
  const claims: Claim[] = [];
  const txt = (name: string, tag: string) => claims.push({ name, type: 'TXT', key: `${name} TXT ${tag}` });
  for (const domain of policy.domains) {
    if (domain.zone !== zone) continue;
    const d = domain.name;
    txt(d, 'spf');
    // A flattened include may split the record into a chain (_spf1.<domain> …, RFC 7208 §3.4): the links are mailrec's too.
    if ((domain.senders ?? []).some((s) => s.kind === 'include' && s.flatten)) for (let n = 1; n <= MAX_CHAIN_LINKS; n++) txt(chainLinkName(d, n), 'spf');
    claims.push({ name: d, type: 'MX', key: `${d} MX` });
    txt(`_dmarc.${d}`, 'dmarc');
    txt(`_mta-sts.${d}`, 'mta-sts');
    txt(`_smtp._tls.${d}`, 'tls-rpt');
    for (const key of domain.dkim) txt(`${key.selector}._domainkey.${d}`, 'dkim');
    for (const service of MAIL_SRV_SERVICES) {
      const name = `_${service}._tcp.${d}`;
      claims.push({ name, type: 'SRV', key: `${name} SRV` });
    }
    for (const tlsa of domain.tlsa) {
      const name = `_${tlsa.port}._${tlsa.protocol}.${tlsa.host}`;
      if (isInZone(name, zone)) claims.push({ name, type: 'TLSA', key: `${name} TLSA` });
    }
    // raw: entries are mailrec's like the rest: removing one from the policy deletes its record.
    for (const raw of domain.raw ?? []) {
      if (!isInZone(raw.name, zone)) continue;
      const rd = raw.rdata;
      const tag = rd.type === 'TXT' ? tagOf(raw.name, txtText(rd)) : undefined;
      if (tag) txt(raw.name, tag);
      else if (rd.type === 'MX' || rd.type === 'SRV' || rd.type === 'TLSA') claims.push({ name: raw.name, type: rd.type, key: `${raw.name} ${rd.type}` });
    }
  }
  return claims;
}

/**
 * The chain links the live records reach from each domain's SPF record (reachedChainLinks)
 * that `claimsFor` did not claim: a chain left from when the policy flattened an include.
 * Only SPF records count (the tag mailrec owns them by), so a link is claimed only when a
 * record of mailrec's chain names it.
 */
export function chainClaimsFound(policy: Policy, zone: string, records: readonly RR[], claimed: ReadonlySet<string>): Claim[] {
  const spfAt = new Map<string, string[]>();
  for (const rr of records) {
    if (rr.type !== 'TXT') continue;
    const text = txtText(rr);
    if (tagOf(rr.name, text) !== 'spf') continue;
    const key = rr.name.toLowerCase();
    spfAt.set(key, [...(spfAt.get(key) ?? []), text]);
  }
  const found: Claim[] = [];
  for (const domain of policy.domains) {
    if (domain.zone !== zone) continue;
    for (const name of reachedChainLinks(domain.name, (n) => spfAt.get(n.toLowerCase()) ?? [])) {
      const key = `${name} TXT spf`;
      if (!claimed.has(key)) found.push({ name, type: 'TXT', key });
    }
  }
  return found;
}

/**
 * Follow the chain links the live records reach, round by round: each round claims the links
 * found (chainClaimsFound) and asks `observe` for their records, which may name the next
 * link. `claims` and `records` grow in place; a chain has at most MAX_CHAIN_LINKS links.
 */
export async function followChainClaims(
  policy: Policy,
  zone: string,
  claims: Claim[],
  records: RR[],
  observe: (more: Claim[]) => Promise<readonly RR[]>,
): Promise<void> {
  for (let round = 0; round < MAX_CHAIN_LINKS; round++) {
    const more = chainClaimsFound(policy, zone, records, new Set(claims.map((c) => c.key)));
    if (more.length === 0) return;
    claims.push(...more);
    records.push(...(await observe(more)));
  }
}
