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

describe('a limiter whose limit changes during the run', () => {
  it('raised: waiting tasks start at once, and map() starts more workers', async () => {
    const limiter = new Limiter(2);
    const { task, peak } = tracked();
    const slow = (n: number) => new Promise<number>((r) => setTimeout(() => r(n), 20));
    const run = limiter.map(Array.from({ length: 40 }, (_, i) => i), async (n) => {
      if (n === 3) limiter.setMax(8);
      return task(n);
    });
    await slow(0);
    expect(await run).toEqual(Array.from({ length: 40 }, (_, i) => i * 2));
    expect(peak()).toBeGreaterThan(2);
    expect(peak()).toBeLessThanOrEqual(8);
    expect(limiter.peak).toBe(peak());
  });

  it('lowered: tasks in flight finish, none starts until fewer than the new limit run', async () => {
    const limiter = new Limiter(6);
    let active = 0;
    const starts: number[] = [];
    const out = limiter.map(Array.from({ length: 30 }, (_, i) => i), async (n) => {
      active++;
      starts.push(active);
      if (n === 5) limiter.setMax(2);
      await new Promise((r) => setTimeout(r, 3));
      active--;
      return n;
    });
    expect((await out).length).toBe(30);
    // After the drop (the sixth start), every start saw at most 2 in flight, once the 6 drained.
    const afterDrain = starts.slice(12);
    expect(Math.max(...afterDrain)).toBeLessThanOrEqual(2);
    expect(limiter.active).toBe(0);
    expect(() => limiter.setMax(0)).toThrow(RangeError);
  });
});
