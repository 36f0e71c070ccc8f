// The ownership model (DESIGN.md "Ownership"): which records mailrec may touch.
// TXT is owned record by record, by its tag, because an apex TXT RRset is shared
// with site verifications and other tools; MX, SRV and TLSA are owned as whole
// RRsets at the names the policy declares.

import { txtText, type RR } from '../dns-types/rr.js';
import { tagOf } from '../mail/txt-tag.js';

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
