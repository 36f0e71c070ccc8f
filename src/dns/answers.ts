// Reading answers: the records of one type, present/absent/unknown, a name's addresses,
// TXT texts. A failed lookup is "unknown", never "absent": auditors that report a timeout as
// a missing record send people chasing records that exist (RFC 2308 §7 vs §2.1/§2.2).

import type { RR, RRType } from '../dns-types/rr.js';
import type { Answer, Resolver } from './resolver.js';

export type Lookup = 'present' | 'absent' | 'unknown';

/**
 * Optional capability of a Resolver: ask a type outside RRType by mnemonic (e.g.
 * "SPF", type 99). Records come back as { type: 'OTHER', rrtype, text }. A resolver
 * without it simply does not get the questions that need it.
 */
export interface TypeResolver {
  resolveType(name: string, type: string): Promise<Answer>;
}

export function canResolveType(resolver: Resolver): resolver is Resolver & TypeResolver {
  return typeof (resolver as Partial<TypeResolver>).resolveType === 'function';
}

export type RecordOf<T extends RRType> = Extract<RR, { type: T }>;

/** The records of one type in an answer (a resolver may include the CNAME chain). */
export function recordsOf<T extends RRType>(answer: Answer, type: T): RecordOf<T>[] {
  if (answer.status !== 'ok') return [];
  return answer.records.filter((r): r is RecordOf<T> => r.type === type);
}

/** present: at least one record of the type; absent: NXDOMAIN, NODATA or none of the type. */
export function lookupOf(answer: Answer, type: RRType): Lookup {
  if (answer.status === 'error') return 'unknown';
  return recordsOf(answer, type).length > 0 ? 'present' : 'absent';
}

/**
 * Whether a name has an address (A or AAAA): present if either has one, unknown if
 * neither has one and a lookup failed, absent otherwise.
 */
export async function addressLookup(resolver: Resolver, name: string): Promise<Lookup> {
  const [a4, a6] = await Promise.all([resolver.resolve(name, 'A'), resolver.resolve(name, 'AAAA')]);
  const l4 = lookupOf(a4, 'A');
  const l6 = lookupOf(a6, 'AAAA');
  if (l4 === 'present' || l6 === 'present') return 'present';
  return l4 === 'unknown' || l6 === 'unknown' ? 'unknown' : 'absent';
}

/** The texts of the TXT records in an answer, each record's strings joined (RFC 7208 §3.3). */
export function txtTexts(answer: Answer): string[] {
  return recordsOf(answer, 'TXT').map((r) => r.strings.join(''));
}
