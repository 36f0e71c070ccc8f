// A fake-zone Resolver for tests: answers from an in-memory map, tells NXDOMAIN from NODATA, logs every question.

import type { Answer, Resolver } from '../../src/dns/resolver.js';
import { type RR, type RRType, normalizeName, txtRecord } from '../../src/dns-types/rr.js';

/** The RRsets of one name, in a compact form. A TXT entry is one record's text (chunked at 255). */
export interface FakeRRsets {
  A?: string[];
  AAAA?: string[];
  TXT?: string[];
  MX?: [preference: number, exchange: string][];
  CNAME?: string[];
  NS?: string[];
  SRV?: [priority: number, weight: number, port: number, target: string][];
  TLSA?: [usage: number, selector: number, matchingType: number, certificate: string][];
}

/** name -> RRsets; 'nxdomain' marks a name as known not to exist, 'servfail' as failing. */
export type FakeZone = Record<string, FakeRRsets | 'nxdomain' | 'servfail'>;

export interface FakeResolverOptions {
  /** Throw on any name absent from the map, so that a test notices a lookup it did not expect. Default true. */
  strict?: boolean;
  /** The AD bit of every answer. Default false. */
  authenticated?: boolean;
  ttl?: number;
}

export interface FakeResolver extends Resolver {
  /** Every question asked, in order, as "TYPE name". */
  readonly calls: string[];
}

function toRecords(name: string, type: RRType, sets: FakeRRsets, ttl: number): RR[] {
  switch (type) {
    case 'A':
      return (sets.A ?? []).map((address) => ({ name, ttl, type: 'A', address }));
    case 'AAAA':
      return (sets.AAAA ?? []).map((address) => ({ name, ttl, type: 'AAAA', address }));
    case 'TXT':
      return (sets.TXT ?? []).map((text) => txtRecord(name, ttl, text));
    case 'MX':
      return (sets.MX ?? []).map(([preference, exchange]) => ({ name, ttl, type: 'MX', preference, exchange: normalizeName(exchange) }));
    case 'CNAME':
      return (sets.CNAME ?? []).map((target) => ({ name, ttl, type: 'CNAME', target: normalizeName(target) }));
    case 'NS':
      return (sets.NS ?? []).map((host) => ({ name, ttl, type: 'NS', host: normalizeName(host) }));
    case 'SRV':
      return (sets.SRV ?? []).map(([priority, weight, port, target]) => ({ name, ttl, type: 'SRV', priority, weight, port, target: normalizeName(target) }));
    case 'TLSA':
      return (sets.TLSA ?? []).map(([usage, selector, matchingType, certificate]) => ({ name, ttl, type: 'TLSA', usage, selector, matchingType, certificate }));
    default:
      return [];
  }
}

export function createFakeResolver(zone: FakeZone, options: FakeResolverOptions = {}): FakeResolver {
  const strict = options.strict ?? true;
  const authenticated = options.authenticated ?? false;
  const ttl = options.ttl ?? 300;
  const entries = new Map(Object.entries(zone).map(([name, sets]) => [normalizeName(name), sets] as const));
  const calls: string[] = [];

  function answer(name: string, type: RRType, hops: number): Answer {
    const sets = entries.get(name);
    if (sets === undefined) {
      // An empty non-terminal exists (RFC 8020): a name with something below it answers NODATA.
      const hasDescendant = [...entries.keys()].some((n) => n.endsWith(`.${name}`) && entries.get(n) !== 'nxdomain');
      if (hasDescendant) return { status: 'nodata', authenticated };
      if (strict) throw new Error(`fake resolver: unexpected lookup ${type} ${name}`);
      return { status: 'nxdomain', authenticated };
    }
    if (sets === 'nxdomain') return { status: 'nxdomain', authenticated };
    if (sets === 'servfail') return { status: 'error', reason: 'SERVFAIL' };
    const records = toRecords(name, type, sets, ttl);
    if (records.length > 0) return { status: 'ok', records, authenticated };
    const alias = sets.CNAME?.[0];
    if (alias !== undefined && type !== 'CNAME' && hops < 8) {
      const next = answer(normalizeName(alias), type, hops + 1);
      if (next.status !== 'ok') return next;
      return { ...next, records: [...toRecords(name, 'CNAME', sets, ttl), ...next.records] };
    }
    return { status: 'nodata', authenticated };
  }

  return {
    calls,
    async resolve(name: string, type: RRType): Promise<Answer> {
      const n = normalizeName(name);
      calls.push(`${type} ${n}`);
      return answer(n, type, 0);
    },
  };
}
