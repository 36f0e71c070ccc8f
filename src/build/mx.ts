// MX (RFC 5321 §5.1, RFC 7505): the domain's mail exchangers, or the null MX "MX 0 .".

import { isIpLiteral } from '../dns-types/ip.js';
import type { DomainPolicy } from '../policy/model.js';
import { type BuildResult, type Notice, makeNotice } from './notice.js';
import { type RR, normalizeName } from '../dns-types/rr.js';

/** The MX RRset of one domain, sorted by preference then exchange. */
export function buildMx(domain: DomainPolicy): BuildResult {
  const name = domain.name;
  const notices: Notice[] = [];
  // RFC 7505 §3: a domain that accepts no mail publishes a single "MX 0 .".
  if (domain.noMail || domain.mx === 'none') {
    return { records: [{ name, ttl: domain.ttl, type: 'MX', preference: 0, exchange: '' }], files: [], notices };
  }
  if (domain.mx === undefined) return { records: [], files: [], notices };

  const seen = new Set<string>();
  const records: RR[] = [];
  for (const mx of domain.mx) {
    const exchange = normalizeName(mx.host.trim());
    if (exchange === '') {
      notices.push(
        makeNotice('error', 'mx.null-not-alone', name, 'a null MX (".") must be the only MX record; use "mx: none"', { position: domain.position, rfc: 'RFC 7505 §3' }),
      );
      continue;
    }
    if (isIpLiteral(exchange)) {
      // RFC 1035 §3.3.9 / RFC 5321 §5.1: the exchange is a domain name with address records.
      notices.push(
        makeNotice('error', 'mx.ip-literal', name, `MX host "${mx.host}" is an IP address; name a host that has A/AAAA records`, {
          position: domain.position,
          rfc: 'RFC 5321 §5.1',
        }),
      );
      continue;
    }
    if (!Number.isInteger(mx.preference) || mx.preference < 0 || mx.preference > 65535) {
      notices.push(
        makeNotice('error', 'mx.invalid-preference', name, `MX preference ${mx.preference} for ${exchange} is not an integer from 0 to 65535`, {
          position: domain.position,
          rfc: 'RFC 1035 §3.3.9',
        }),
      );
      continue;
    }
    const key = `${mx.preference} ${exchange}`;
    if (seen.has(key)) continue;
    seen.add(key);
    records.push({ name, ttl: domain.ttl, type: 'MX', preference: mx.preference, exchange });
  }
  records.sort((a, b) => {
    if (a.type !== 'MX' || b.type !== 'MX') return 0;
    return a.preference - b.preference || (a.exchange < b.exchange ? -1 : a.exchange > b.exchange ? 1 : 0);
  });
  return { records, files: [], notices };
}
