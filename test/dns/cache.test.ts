// The cache honours TTLs on an injected clock, caches negative answers from the SOA (RFC 2308 §5), never errors.

import { describe, expect, test } from 'vitest';
import { DnsCache, cacheTtl } from '../../src/dns/cache.js';
import type { Answer } from '../../src/dns/resolver.js';
import type { RR } from '../../src/dns-types/rr.js';

const a = (ttl: number): RR => ({ name: 'example.org', ttl, type: 'A', address: '192.0.2.1' });
const soa = (ttl: number, minimum: number): RR => ({
  name: 'example.org', ttl, type: 'SOA', mname: 'ns.example.org', rname: 'h.example.org',
  serial: 1, refresh: 1, retry: 1, expire: 1, minimum,
});

describe('DnsCache', () => {
  test('an entry lives for its TTL, with TTLs counted down', () => {
    let now = 1_000_000;
    const cache = new DnsCache({ now: () => now });
    const answer: Answer = { status: 'ok', records: [a(300)], authenticated: false };
    cache.set('k', answer, 300);
    expect(cache.get('k')).toEqual(answer);
    now += 120_500;
    expect(cache.get('k')).toEqual({ status: 'ok', records: [a(180)], authenticated: false });
    now += 179_499;
    expect(cache.get('k')).toBeDefined();
    now += 1;
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  test('reads in the same second see the same counted-down TTLs; the stored answer is left as it was', () => {
    let now = 2_000_000;
    const cache = new DnsCache({ now: () => now });
    const b = (ttl: number): RR => ({ name: 'example.org', ttl, type: 'A', address: '192.0.2.2' });
    const records = [a(300), b(200)];
    const answer: Answer = { status: 'ok', records, authenticated: false };
    cache.set('k', answer, 200);
    now += 5_200;
    const first = cache.get('k');
    now += 700;
    expect(cache.get('k')).toEqual(first);
    expect(first).toEqual({ status: 'ok', records: [a(295), b(195)], authenticated: false });
    now += 100;
    expect(cache.get('k')).toEqual({ status: 'ok', records: [a(294), b(194)], authenticated: false });
    expect(records.map((rr) => rr.ttl)).toEqual([300, 200]);
  });

  test('TTL 0 and undefined are not cached; TTLs are capped', () => {
    let now = 0;
    const cache = new DnsCache({ now: () => now, maxTtlSeconds: 60 });
    cache.set('zero', { status: 'nodata', authenticated: false }, 0);
    cache.set('none', { status: 'nodata', authenticated: false }, undefined);
    cache.set('long', { status: 'nxdomain', authenticated: false }, 86_400);
    expect(cache.get('zero')).toBeUndefined();
    expect(cache.get('none')).toBeUndefined();
    now = 61_000;
    expect(cache.get('long')).toBeUndefined();
  });

  test('the oldest entries go beyond maxEntries', () => {
    const cache = new DnsCache({ now: () => 0, maxEntries: 2 });
    for (const k of ['a', 'b', 'c']) cache.set(k, { status: 'nodata', authenticated: false }, 10);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.size).toBe(2);
  });
});

describe('cacheTtl', () => {
  test('positive: the smallest TTL of the records and the CNAMEs followed', () => {
    const cname: RR = { name: 'x.example.org', ttl: 30, type: 'CNAME', target: 'example.org' };
    expect(cacheTtl({ status: 'ok', records: [a(300), a(200)], authenticated: false }, [], [])).toBe(200);
    expect(cacheTtl({ status: 'ok', records: [a(300)], authenticated: false }, [cname], [])).toBe(30);
  });
  test('negative: min(SOA TTL, SOA MINIMUM); none without an SOA; errors never', () => {
    expect(cacheTtl({ status: 'nxdomain', authenticated: false }, [], [soa(3600, 300)])).toBe(300);
    expect(cacheTtl({ status: 'nodata', authenticated: false }, [], [soa(60, 300)])).toBe(60);
    expect(cacheTtl({ status: 'nodata', authenticated: false }, [], [])).toBeUndefined();
    expect(cacheTtl({ status: 'error', reason: 'x' }, [], [soa(60, 300)])).toBeUndefined();
  });
});

describe('DnsCache eviction', () => {
  test('least recently used first: a read keeps an entry', () => {
    const cache = new DnsCache({ now: () => 0, maxEntries: 2 });
    const nodata: Answer = { status: 'nodata', authenticated: false };
    cache.set('a', nodata, 10);
    cache.set('b', nodata, 10);
    expect(cache.get('a')).toBeDefined();
    cache.set('c', nodata, 10);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
  });

  test('a long run keeps the size at the limit, the hot entry in, and the cost flat', () => {
    const cache = new DnsCache({ now: () => 0, maxEntries: 1000 });
    const nodata: Answer = { status: 'nodata', authenticated: false };
    cache.set('hot', nodata, 10);
    const started = performance.now();
    for (let i = 0; i < 200_000; i++) {
      cache.set(`k${i}`, nodata, 10);
      if (i % 100 === 0) expect(cache.get('hot')).toBeDefined();
      // Expired or replaced keys leave stale pairs in the queue; re-setting a key is a use too.
      if (i % 7 === 0) cache.set(`k${i}`, nodata, 10);
    }
    expect(cache.size).toBe(1000);
    expect(cache.get('hot')).toBeDefined();
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
