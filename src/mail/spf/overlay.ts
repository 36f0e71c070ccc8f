// A Resolver that sees an SPF text not yet published: the policy's own record, evaluated
// as if it were in DNS, with everything else asked of the real resolver.

import type { Answer, Resolver } from '../../dns/resolver.js';
import { txtRecord, type RRType } from '../../dns-types/rr.js';

/** Answers `<domain> TXT` with `spfText` alone and asks `base` everything else. */
export function overlaySpfResolver(domain: string, spfText: string, base: Resolver): Resolver {
  return {
    async resolve(name: string, type: RRType): Promise<Answer> {
      if (name === domain && type === 'TXT') return { status: 'ok', records: [txtRecord(domain, 300, spfText)], authenticated: false };
      return base.resolve(name, type);
    },
  };
}
