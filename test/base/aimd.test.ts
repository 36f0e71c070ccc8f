import { describe, expect, it } from 'vitest';
import { AimdWindow, type RoundResult, type Sample } from '../../src/base/aimd.js';

/** Feeds whole rounds of samples (a round is max(minRound, 2 × limit) samples) and returns each round's result. */
function feed(w: AimdWindow, rounds: number, sample: (k: number, round: number) => Omit<Sample, 'sentAt'>, clock = { t: 0 }): RoundResult[] {
  const out: RoundResult[] = [];
  for (let r = 0; r < rounds; r++) {
    let result: RoundResult | undefined;
    for (let k = 0; result === undefined; k++) result = w.record({ ...sample(k, r), sentAt: clock.t++ });
    out.push(result);
  }
  return out;
}

const flat = (): Omit<Sample, 'sentAt'> => ({ outcome: 'ok', latencyMs: 20 });

describe('AIMD concurrency window', () => {
  it('doubles each round while answers stay as fast (slow start), up to its ceiling', () => {
    const w = new AimdWindow({ initial: 8, max: 100 });
    const limits = feed(w, 6, flat).map((r) => r.limit);
    expect(limits).toEqual([16, 32, 64, 100, 100, 100]);
    expect(w.slowStart).toBe(true);
  });

  it('a round is at least minRound samples, else twice the limit', () => {
    const w = new AimdWindow({ initial: 4, minRound: 32 });
    expect(feed(w, 1, flat)[0]!.samples).toBe(32);
    const big = new AimdWindow({ initial: 50, minRound: 32 });
    expect(feed(big, 1, flat)[0]!.samples).toBe(100);
  });

  it('halves on a burst of SERVFAIL, skips judging the next round, then grows by one a round', () => {
    const w = new AimdWindow({ initial: 8, max: 1024 });
    feed(w, 3, flat); // 64
    expect(w.limit).toBe(64);
    const [burst] = feed(w, 1, (k) => (k % 4 === 0 ? { outcome: 'servfail', latencyMs: 1 } : flat()));
    expect(burst).toMatchObject({ decision: 'error-burst', limit: 32 });
    expect(w.slowStart).toBe(false);
    const after = feed(w, 4, flat);
    expect(after.map((r) => r.decision)).toEqual(['hold', 'grow', 'grow', 'grow']);
    expect(after.map((r) => r.limit)).toEqual([32, 33, 34, 35]);
  });

  it('counts a burst of REFUSED and of timeouts alike', () => {
    for (const outcome of ['refused', 'timeout'] as const) {
      const w = new AimdWindow({ initial: 16 });
      const [r] = feed(w, 1, (k) => (k < 10 ? { outcome, latencyMs: 0 } : flat()));
      expect(r).toMatchObject({ decision: 'error-burst', limit: 8, errors: 10 });
    }
  });

  it('does not decrease twice for errors of exchanges sent before the last decrease (recovery point)', () => {
    const w = new AimdWindow({ initial: 64 });
    const clock = { t: 1000 };
    const [first] = feed(w, 1, (k) => (k < 40 ? { outcome: 'timeout', latencyMs: 0 } : flat()), clock);
    expect(first).toMatchObject({ decision: 'error-burst', limit: 32 });
    // The timeouts of exchanges sent long before arrive now: they are not counted again.
    let late: RoundResult | undefined;
    for (let k = 0; k < 200 && !late; k++) late = w.record({ outcome: 'timeout', latencyMs: 0, sentAt: 500 + k });
    expect(late).toBeUndefined();
    expect(w.limit).toBe(32);
  });

  it('learns a steady loss rate (5 % of answers lost) and keeps growing through it', () => {
    const w = new AimdWindow({ initial: 8, max: 1024 });
    const results = feed(w, 60, (k, r) => ((k * 7 + r * 13) % 20 === 0 ? { outcome: 'timeout', latencyMs: 0 } : flat()));
    expect(results.filter((r) => r.decision === 'error-burst').length).toBeLessThanOrEqual(1);
    expect(w.limit).toBeGreaterThan(64);
  });

  it('shrinks by 15 % when the median answer time rises above twice the baseline plus the slack', () => {
    const w = new AimdWindow({ initial: 8 });
    feed(w, 3, flat); // baseline 20 ms, limit 64
    const [slow] = feed(w, 1, () => ({ outcome: 'ok', latencyMs: 46 })); // > 2 × 20 + 5
    expect(slow).toMatchObject({ decision: 'delay', limit: Math.floor(64 * 0.85), baselineMs: 20, medianMs: 46 });
    // Within the bound: not a queue.
    const w2 = new AimdWindow({ initial: 8 });
    feed(w2, 3, flat);
    expect(feed(w2, 1, () => ({ outcome: 'ok', latencyMs: 44 }))[0]!.decision).toBe('slow-start');
  });

  it('never goes under its floor', () => {
    const w = new AimdWindow({ initial: 8, min: 2 });
    for (let i = 0; i < 10; i++) feed(w, 2, () => ({ outcome: 'servfail', latencyMs: 1 }));
    expect(w.limit).toBe(2);
    expect(() => new AimdWindow({ min: 0 })).toThrow(RangeError);
    expect(() => new AimdWindow({ min: 8, max: 4 })).toThrow(RangeError);
  });
});
