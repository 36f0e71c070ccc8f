import { describe, expect, it } from 'vitest';
import { Limiter, mapBounded } from '../../src/base/limiter.js';

/** A task that finishes after `ms` and says how many tasks were in flight when it started. */
function tracked(): { task: (n: number) => Promise<number>; peak: () => number } {
  let active = 0;
  let peak = 0;
  return {
    task: async (n) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, (n * 7) % 5));
      active--;
      return n * 2;
    },
    peak: () => peak,
  };
}

describe('the one concurrency limiter', () => {
  it('maps a list with at most N in flight, results in input order, each one reported done', async () => {
    const { task, peak } = tracked();
    const items = Array.from({ length: 40 }, (_, i) => i);
    const seen: number[] = [];
    const out = await mapBounded(items, 3, task, (_, item) => seen.push(item));
    expect(out).toEqual(items.map((n) => n * 2));
    expect(peak()).toBe(3);
    expect(seen.sort((a, b) => a - b)).toEqual(items);
  });

  it('counts a shared limit across run() and map(), and never more than max', async () => {
    const limiter = new Limiter(2);
    const { task, peak } = tracked();
    await Promise.all([limiter.map([1, 2, 3, 4], task), limiter.run(() => task(5)), limiter.run(() => task(6))]);
    expect(peak()).toBe(2);
    expect(limiter.peak).toBe(2);
    expect(limiter.active).toBe(0);
  });

  it('takes at least one at a time, and rejects when a task fails', async () => {
    expect(await mapBounded([1, 2], 0, async (n) => n)).toEqual([1, 2]);
    await expect(mapBounded([1, 2, 3], 2, async (n) => (n === 2 ? Promise.reject(new Error('two')) : n))).rejects.toThrow('two');
    expect(() => new Limiter(0)).toThrow(RangeError);
  });
});
