// The canonical order of records, so that the same records always come out the same:
// owner in canonical name order (RFC 4034 §6.1), then type in a fixed order, then RDATA.

import { compareNames } from './name.js';
import { typeOf, type RR } from './rr.js';

const TYPE_ORDER = ['SOA', 'NS', 'CNAME', 'A', 'AAAA', 'MX', 'TXT', 'SRV', 'TLSA', 'PTR'];

function rdataKey(rr: RR): (string | number)[] {
  switch (rr.type) {
    case 'MX':
      return [rr.preference, rr.exchange];
    case 'SRV':
      return [rr.priority, rr.weight, rr.port, rr.target];
    case 'TLSA':
      return [rr.usage, rr.selector, rr.matchingType, rr.certificate];
    case 'TXT':
      return rr.strings;
    default: {
      const { name: _n, ttl: _t, ...rdata } = rr;
      return [JSON.stringify(rdata)];
    }
  }
}

/** Total order on records: owner (canonical order), type (fixed order), then RDATA. TTL is not compared. */
export function compareRecords(a: RR, b: RR): number {
  const byName = compareNames(a.name, b.name);
  if (byName !== 0) return byName;
  const ta = typeOf(a);
  const tb = typeOf(b);
  if (ta !== tb) {
    const ia = TYPE_ORDER.indexOf(ta);
    const ib = TYPE_ORDER.indexOf(tb);
    if (ia !== ib) return (ia < 0 ? TYPE_ORDER.length : ia) - (ib < 0 ? TYPE_ORDER.length : ib);
    return ta < tb ? -1 : 1;
  }
  return compareKeys(rdataKey(a), rdataKey(b));
}

/** Sort keys of strings and numbers, element by element (numbers by value), a prefix first. */
export function compareKeys(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return a.length - b.length;
}

/** A record's identity: owner, type and RDATA (not the TTL). */
export function recordIdentity(rr: RR): string {
  return `${rr.name} ${typeOf(rr)} ${JSON.stringify(rdataKey(rr))}`;
}
