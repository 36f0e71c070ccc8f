// MX (RFC 5321 §5.1, RFC 7505): the domain's mail exchangers, or the null MX "MX 0 .".

import { checkMxRecords } from '../mail/mx/rules.js';
import type { DomainPolicy } from '../policy/model.js';
import { type BuildResult, type Notice, makeNotice, planNotices } from './notice.js';
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
  const declared = domain.mx.map((mx) => ({ preference: mx.preference, exchange: normalizeName(mx.host.trim()) }));
  // The RRset's own rules (null MX alone, no address targets): the declared entries as records.
  const refused = planNotices(checkMxRecords(name, declared), domain.position);
  notices.push(...refused);
  const literal = new Set(refused.map((n) => n.name));
  for (const mx of declared) {
    const exchange = mx.exchange;
    if (exchange === '' || literal.has(exchange)) continue;
    if (!Number.isInteger(mx.preference) || mx.preference < 0 || mx.preference > 65535) {
      notices.push(makeNotice('mx.invalid-preference', name, `MX preference ${mx.preference} for ${exchange} is not an integer from 0 to 65535`, domain.position));
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
