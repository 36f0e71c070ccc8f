import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { distinctDomains, formatShard, listDigest, parseShard, selectShard, shardOf } from '../../src/audit/shard.js';

const domains = Array.from({ length: 2000 }, (_, i) => `d${String(i).padStart(5, '0')}.example`);

/** A deterministic shuffle (a fixed LCG), so the test needs no randomness. */
function shuffled<T>(list: readonly T[]): T[] {
  const out = [...list];
  let seed = 12345;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('parseShard', () => {
  it.each([
    ['1/1', 1, 1],
    ['2/4', 2, 4],
    [' 4 / 4 ', 4, 4],
    ['10/16', 10, 16],
  ])('accepts %j', (spec, index, count) => {
    expect(parseShard(spec)).toEqual({ ok: true, shard: { index, count } });
  });

  it.each([
    ['', 'is not K/N'],
    ['2', 'is not K/N'],
    ['a/4', 'is not K/N'],
    ['-1/4', 'is not K/N'],
    ['1.5/4', 'is not K/N'],
    ['2/4/8', 'is not K/N'],
    ['0/4', 'K must be between 1 and 4'],
    ['5/4', 'K must be between 1 and 4'],
    ['0/0', 'N must be a whole number of at least 1'],
    ['1/0', 'N must be a whole number of at least 1'],
  ])('refuses %j', (spec, message) => {
    const parsed = parseShard(spec);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.message).toContain(message);
      expect(parsed.hint).toContain('--shard 2/4');
    }
  });

  it('formats back', () => {
    expect(formatShard({ index: 3, count: 8 })).toBe('3/8');
  });
});

describe('shardOf', () => {
  it('is the documented SHA-256 rule, recomputable with standard tools', () => {
    for (const d of ['example.org', 'mail.example.net', 'xn--bcher-kva.example']) {
      const hex = createHash('sha256').update(d).digest('hex').slice(0, 12);
      expect(shardOf(d, 7)).toBe((parseInt(hex, 16) % 7) + 1);
    }
  });

  it('ignores case and a trailing dot', () => {
    expect(shardOf('Example.ORG.', 5)).toBe(shardOf('example.org', 5));
  });

  it('puts everything in shard 1 of 1', () => {
    expect(domains.every((d) => shardOf(d, 1) === 1)).toBe(true);
  });

  it('spreads domains roughly evenly', () => {
    const counts = [0, 0, 0, 0];
    for (const d of domains) counts[shardOf(d, 4) - 1]!++;
    for (const c of counts) expect(c).toBeGreaterThan(400);
  });
});

describe('selectShard', () => {
  it('puts every domain in exactly one shard', () => {
    for (const n of [1, 2, 3, 7]) {
      const seen = new Map<string, number>();
      for (let k = 1; k <= n; k++) {
        for (const d of selectShard(domains, { index: k, count: n }).domains) seen.set(d, (seen.get(d) ?? 0) + 1);
      }
      expect(seen.size).toBe(domains.length);
      expect([...seen.values()].every((c) => c === 1)).toBe(true);
    }
  });

  it('gives the same shards whatever the order of the list', () => {
    const reordered = shuffled(domains);
    for (let k = 1; k <= 4; k++) {
      const a = selectShard(domains, { index: k, count: 4 });
      const b = selectShard(reordered, { index: k, count: 4 });
      expect(new Set(b.domains)).toEqual(new Set(a.domains));
      expect(b.info).toEqual(a.info);
    }
  });

  it('keeps list order inside a shard and drops duplicates', () => {
    const list = ['b.example', 'A.example.', 'a.example', 'c.example', 'B.EXAMPLE'];
    const all = selectShard(list, { index: 1, count: 1 });
    expect(all.domains).toEqual(['b.example', 'a.example', 'c.example']);
    expect(all.info).toMatchObject({ index: 1, count: 1, total: 3, selected: 3 });
  });

  it('records the split for merge', () => {
    const { domains: mine, info } = selectShard(domains, { index: 2, count: 3 });
    expect(info).toEqual({ index: 2, count: 3, total: 2000, selected: mine.length, list: listDigest(domains) });
    expect(info.list).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('listDigest', () => {
  it('depends on the set of names, not their order, case or repetition', () => {
    expect(listDigest(['a.example', 'b.example'])).toBe(listDigest(['B.example.', 'a.example', 'a.example']));
    expect(listDigest(['a.example', 'b.example'])).not.toBe(listDigest(['a.example', 'c.example']));
  });

  it('distinctDomains skips empty names', () => {
    expect(distinctDomains(['', '.', 'a.example'])).toEqual(['a.example']);
  });
});
