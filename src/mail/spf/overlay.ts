// A Resolver that sees an SPF text not yet published: the policy's own record, evaluated
// as if it were in DNS, with everything else asked of the real resolver.

import type { Answer, Resolver } from '../../dns/resolver.js';
import { txtRecord, type RRType } from '../../dns-types/rr.js';

/** Answers `<domain> TXT` with `spfText` alone and asks `base` everything else. */
export function overlaySpfResolver(domain: string, spfText: string, base: Resolver): Resolver {
  return overlaySpfRecords(new Map([[domain, spfText]]), base);
}

/** Answers TXT at each name of `records` (a record and its chain links) with that text alone; asks `base` everything else. */
export function overlaySpfRecords(records: ReadonlyMap<string, string>, base: Resolver): Resolver {
  return {
    async resolve(name: string, type: RRType): Promise<Answer> {
      const text = type === 'TXT' ? records.get(name) : undefined;
      if (text !== undefined) return { status: 'ok', records: [txtRecord(name, 300, text)], authenticated: false };
      return base.resolve(name, type);
    },
  };
}
