import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/base/token-bucket.js';

describe('token bucket (--max-qps)', () => {
  it('lets a full bucket go at once, then one token each 1/rate seconds, in the order asked', () => {
    const b = new TokenBucket(10, 0, 2);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([0, 0, 100, 200]);
    // At 300 ms the two reserved tokens are paid for and a third has come in.
    expect(b.take(300)).toBe(0);
    expect(b.take(300)).toBe(100);
  });

  it('refills at the rate up to its size, never more', () => {
    const b = new TokenBucket(100, 0, 5);
    for (let i = 0; i < 5; i++) expect(b.take(0)).toBe(0);
    expect(b.take(10_000)).toBe(0); // a long pause refills only to 5
    for (let i = 0; i < 4; i++) expect(b.take(10_000)).toBe(0);
    expect(b.take(10_000)).toBeCloseTo(10);
  });

  it('callers who wait as told never exceed rate × time + burst over any span', () => {
    const rate = 250;
    const b = new TokenBucket(rate, 0);
    const sent: number[] = [];
    // 2,000 callers arriving in bursts of 100 every 50 ms.
    for (let i = 0; i < 2000; i++) {
      const now = Math.floor(i / 100) * 50;
      sent.push(now + b.take(now));
    }
    sent.sort((x, y) => x - y);
    for (let i = 0; i < sent.length; i++) {
      const windowEnd = sent[i]! + 1000;
      let count = 0;
      for (let j = i; j < sent.length && sent[j]! < windowEnd; j++) count++;
      expect(count).toBeLessThanOrEqual(rate + b.burst);
    }
    expect(sent.at(-1)!).toBeGreaterThanOrEqual(((2000 - b.burst) / rate) * 1000 - 1);
  });

  it('refuses a rate or a size that makes no sense', () => {
    expect(() => new TokenBucket(0, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(Number.POSITIVE_INFINITY, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(10, 0, 0)).toThrow(RangeError);
    expect(new TokenBucket(5, 0).burst).toBe(1);
  });
});
