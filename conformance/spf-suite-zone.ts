// The openspf suite's zonedata as an in-process Resolver, with the suite driver's
// conventions (pyspf's testspf.py): records of type SPF are also served as TXT unless the
// name lists TXT itself; "TXT: NONE" means no TXT; a TIMEOUT entry fails a question
// unless a record of the asked type came before it; names under "error." time out.

import type { Answer, Resolver } from '../src/dns/resolver.js';
import type { RR, RRType } from '../src/dns-types/rr.js';

type Entry = { type: string; value: unknown } | 'TIMEOUT';

export class SuiteZone implements Resolver {
  private readonly names = new Map<string, Entry[]>();

  constructor(zonedata: Record<string, unknown[]>) {
    for (const [name, raw] of Object.entries(zonedata)) {
      const entries: Entry[] = [];
      let listsTxt = false;
      const spf: Entry[] = [];
      for (const item of raw) {
        if (item === 'TIMEOUT') {
          entries.push('TIMEOUT');
          continue;
        }
        const [type, value] = Object.entries(item as Record<string, unknown>)[0]!;
        if (type === 'TXT') listsTxt = true;
        if (value === 'NONE') continue;
        entries.push({ type, value });
        if (type === 'SPF') spf.push({ type: 'TXT', value });
      }
      if (!listsTxt) entries.push(...spf);
      this.names.set(key(name), entries);
    }
  }

  async resolve(name: string, type: RRType): Promise<Answer> {
    const chain: RR[] = [];
    let current = key(name);
    for (let hop = 0; hop < 8; hop++) {
      if (current.startsWith('error.')) return { status: 'error', reason: 'timeout' };
      const entries = this.names.get(current);
      if (!entries) return chain.length ? { status: 'ok', records: chain, authenticated: false } : { status: 'nxdomain', authenticated: false };
      const records: RR[] = [];
      let cname: string | undefined;
      for (const e of entries) {
        if (e === 'TIMEOUT') {
          if (records.length === 0) return { status: 'error', reason: 'timeout' };
          continue;
        }
        if (e.type === 'CNAME' && type !== 'CNAME') cname = key(String(e.value));
        if (e.type !== type) continue;
        const rr = toRR(current, type, e.value);
        if (rr) records.push(rr);
      }
      if (records.length > 0 || cname === undefined) {
        const all = [...chain, ...records];
        return all.length ? { status: 'ok', records: all, authenticated: false } : { status: 'nodata', authenticated: false };
      }
      chain.push({ name: current, ttl: 0, type: 'CNAME', target: cname });
      current = cname;
    }
    // A CNAME loop: what a recursive server answers with SERVFAIL.
    return { status: 'error', reason: 'CNAME loop' };
  }
}

function key(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function toRR(name: string, type: RRType, value: unknown): RR | undefined {
  const base = { name, ttl: 0 };
  switch (type) {
    case 'TXT':
      return { ...base, type, strings: Array.isArray(value) ? value.map(String) : [String(value)] };
    case 'A':
    case 'AAAA':
      return { ...base, type, address: String(value) };
    case 'MX': {
      const [preference, exchange] = value as [number, string];
      return { ...base, type, preference, exchange: key(exchange) };
    }
    case 'PTR':
      return { ...base, type, host: key(String(value)) };
    case 'CNAME':
      return { ...base, type, target: key(String(value)) };
    default:
      return undefined;
  }
}
