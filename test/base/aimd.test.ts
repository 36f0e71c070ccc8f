import { describe, expect, it } from 'vitest';
import { AimdWindow, type Decision, type RoundResult, type Sample } from '../../src/base/aimd.js';
import { seededRandom } from '../../harness/processes.js';

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

/**
 * A link in virtual milliseconds: 8 exchanges in flight per unit of limit (as src/dns/pacing.ts
 * allows), each answered after rttMs or, with probability loss(t), a timeout after timeoutMs,
 * reported with its send time as the DNS client does. Returns the decisions and the limit
 * at each whole second.
 */
function link(w: AimdWindow, o: { ms: number; rttMs?: number; timeoutMs?: number; loss: (t: number) => number; servfail?: (t: number) => number; seed?: number }) {
  const rand = seededRandom(o.seed ?? 1);
  const rtt = o.rttMs ?? 20;
  const timeout = o.timeoutMs ?? 2000;
  const due = new Map<number, Sample[]>();
  const decisions: { t: number; decision: Decision; limit: number }[] = [];
  const limits: number[] = [];
  let inFlight = 0;
  for (let t = 0; t < o.ms; t++) {
    for (const sample of due.get(t) ?? []) {
      inFlight--;
      const r = w.record(sample);
      if (r) decisions.push({ t, decision: r.decision, limit: r.limit });
    }
    due.delete(t);
    for (; inFlight < 8 * w.limit; inFlight++) {
      const x = rand();
      const lost = x < o.loss(t);
      const failed = !lost && x < o.loss(t) + (o.servfail?.(t) ?? 0);
      const at = t + (lost ? timeout : rtt);
      const sample: Sample = lost ? { outcome: 'timeout', latencyMs: timeout, sentAt: t } : { outcome: failed ? 'servfail' : 'ok', latencyMs: rtt + rand(), sentAt: t };
      const list = due.get(at);
      if (list) list.push(sample);
      else due.set(at, [sample]);
    }
    if (t % 1000 === 999) limits.push(w.limit);
  }
  if (process.env.AIMD_DEBUG) console.log(JSON.stringify({ limits, bursts: decisions.filter((d) => d.decision !== 'grow' && d.decision !== 'slow-start') }));
  const count = (d: Decision, from = 0, to = Infinity) => decisions.filter((x) => x.decision === d && x.t >= from && x.t < to).length;
  return { decisions, limits, count };
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

  it('halves on a burst of SERVFAIL, skips judging the next round, doubles back to where it was, then grows by 1, 2, 3, ... a round', () => {
    const w = new AimdWindow({ initial: 8, max: 1024 });
    feed(w, 3, flat); // 64
    expect(w.limit).toBe(64);
    const [burst] = feed(w, 1, (k) => (k % 4 === 0 ? { outcome: 'servfail', latencyMs: 1 } : flat()));
    expect(burst).toMatchObject({ decision: 'error-burst', limit: 32 });
    expect(w.slowStart).toBe(false);
    expect(w.ceiling).toBe(64);
    const after = feed(w, 5, flat);
    expect(after.map((r) => r.decision)).toEqual(['hold', 'recover', 'grow', 'grow', 'grow']);
    expect(after.map((r) => r.limit)).toEqual([32, 64, 65, 67, 70]);
  });

  it('recovers by doubling only up to the limit before the decrease, and a decrease while recovering lowers that', () => {
    const w = new AimdWindow({ initial: 8, max: 1024 });
    const clock = { t: 0 };
    feed(w, 4, flat, clock); // 128
    const servfails = (k: number): Omit<Sample, 'sentAt'> => (k % 4 === 0 ? { outcome: 'servfail', latencyMs: 1 } : flat());
    expect(feed(w, 1, servfails, clock)[0]).toMatchObject({ decision: 'error-burst', limit: 64 });
    expect(feed(w, 1, servfails, clock)[0]).toMatchObject({ decision: 'hold', limit: 64 }); // sent under the old limit
    expect(feed(w, 1, servfails, clock)[0]).toMatchObject({ decision: 'error-burst', limit: 32 });
    expect(w.ceiling).toBe(64);
    const after = feed(w, 4, flat, clock);
    expect(after.map((r) => r.limit)).toEqual([32, 64, 65, 67]);
  });

  it('the growth step falls back to one after a round that is not clean', () => {
    const w = new AimdWindow({ initial: 8, max: 1024 });
    feed(w, 3, flat); // 64, baseline 20 ms
    feed(w, 1, (k) => (k % 4 === 0 ? { outcome: 'servfail', latencyMs: 1 } : flat()));
    feed(w, 2, flat); // hold, recover to 64
    expect(feed(w, 3, flat).map((r) => r.limit)).toEqual([65, 67, 70]);
    expect(feed(w, 1, () => ({ outcome: 'ok', latencyMs: 60 }))[0]).toMatchObject({ decision: 'slow', limit: 70 });
    expect(feed(w, 2, flat).map((r) => r.limit)).toEqual([71, 73]);
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
    const late: RoundResult[] = [];
    for (let k = 0; k < 200; k++) {
      const r = w.record({ outcome: 'timeout', latencyMs: 0, sentAt: 500 + k });
      if (r) late.push(r);
    }
    expect(late.length).toBeGreaterThan(0);
    expect(late.map((r) => r.decision)).not.toContain('error-burst');
    expect(w.limit).toBe(32);
    // Fresh errors, sent after the decrease, are counted again.
    const [fresh] = feed(w, 1, () => ({ outcome: 'timeout', latencyMs: 0 }), { t: 5000 });
    expect(fresh).toMatchObject({ decision: 'error-burst', limit: 16 });
  });

  it('learns a steady loss rate (5 % of answers lost) and keeps growing through it', () => {
    // Here the timeouts come back at once (no time passes): their outcome is known a sample later.
    const w = new AimdWindow({ initial: 8, max: 1024, settleMs: 1, bucketMs: 1 });
    const results = feed(w, 60, (k, r) => ((k * 7 + r * 13) % 20 === 0 ? { outcome: 'timeout', latencyMs: 0 } : flat()));
    expect(results.filter((r) => r.decision === 'error-burst').length).toBeLessThanOrEqual(1);
    expect(w.limit).toBeGreaterThan(64);
  });

  it('shrinks by 15 % when the median answer time stays above twice the baseline plus the slack for two rounds, and does not double back; one such round only holds', () => {
    const w = new AimdWindow({ initial: 8 });
    feed(w, 3, flat); // baseline 20 ms, limit 64
    const slowRounds = feed(w, 2, () => ({ outcome: 'ok', latencyMs: 46 })); // > 2 × 20 + 5
    expect(slowRounds[0]).toMatchObject({ decision: 'slow', limit: 64, baselineMs: 20, medianMs: 46 });
    expect(slowRounds[1]).toMatchObject({ decision: 'delay', limit: Math.floor(64 * 0.85), baselineMs: 20, medianMs: 46 });
    // A queue says the limit was too high: no doubling back to it, growth a step at a time.
    expect(feed(w, 4, flat).map((r) => [r.decision, r.limit])).toEqual([['hold', 54], ['grow', 55], ['grow', 57], ['grow', 60]]);
    // One slow round between fast ones (a pause of the event loop): no decrease.
    const paused = new AimdWindow({ initial: 8 });
    feed(paused, 3, flat);
    const rounds = feed(paused, 3, (_, r) => (r === 1 ? { outcome: 'ok', latencyMs: 200 } : flat()));
    expect(rounds.map((r) => r.decision)).toEqual(['slow-start', 'slow', 'slow-start']);
    expect(paused.limit).toBe(256);
    // Within the bound: not a queue.
    const w2 = new AimdWindow({ initial: 8 });
    feed(w2, 3, flat);
    expect(feed(w2, 1, () => ({ outcome: 'ok', latencyMs: 44 }))[0]!.decision).toBe('slow-start');
  });

  it('never goes under its floor', () => {
    const w = new AimdWindow({ initial: 8, min: 2 });
    const clock = { t: 0 };
    for (let i = 0; i < 10; i++) feed(w, 2, () => ({ outcome: 'servfail', latencyMs: 1 }), clock);
    expect(w.limit).toBe(2);
    expect(() => new AimdWindow({ min: 0 })).toThrow(RangeError);
    expect(() => new AimdWindow({ min: 8, max: 4 })).toThrow(RangeError);
  });

  it('a steady random 5 % loss with 2 s timeouts (as over a lossy link) is not taken for bursts: the limit keeps growing', () => {
    for (const seed of [1, 2, 3]) {
      const w = new AimdWindow({ initial: 8, max: 512 });
      const run = link(w, { ms: 30_000, loss: () => 0.05, seed });
      // At most the first timeouts (which end slow start, as the first loss does in TCP, before
      // any exchange's outcome has settled) and one while the share is learnt.
      expect(run.count('error-burst')).toBeLessThanOrEqual(2);
      expect(run.count('error-burst', 15_000)).toBe(0);
      expect(w.limit).toBeGreaterThanOrEqual(400);
      expect(run.limits.at(-1)).toBeGreaterThanOrEqual(run.limits[14]!);
    }
  });

  it('backs off when the loss rises well above its steady rate (5 % to 40 %: overload), and grows again after', () => {
    const w = new AimdWindow({ initial: 8, max: 512 });
    const run = link(w, { ms: 40_000, loss: (t) => (t >= 15_000 && t < 20_000 ? 0.4 : 0.05) });
    const before = run.limits[14]!;
    expect(run.count('error-burst', 15_000, 25_000)).toBeGreaterThanOrEqual(2);
    expect(Math.min(...run.limits.slice(16, 23))).toBeLessThanOrEqual(before / 4);
    expect(run.count('error-burst', 30_000)).toBe(0);
    expect(run.limits.at(-1)).toBeGreaterThan(Math.min(...run.limits.slice(16, 23)));
  });

  it('backs off on a burst of SERVFAIL over a lossy link, and a server failing every question keeps it at the floor', () => {
    const w = new AimdWindow({ initial: 8, max: 512 });
    const run = link(w, { ms: 30_000, loss: () => 0.05, servfail: (t) => (t >= 15_000 && t < 16_000 ? 0.3 : 0) });
    expect(run.count('error-burst', 15_000, 16_500)).toBeGreaterThanOrEqual(1);
    expect(Math.min(...run.limits.slice(15, 18))).toBeLessThanOrEqual(run.limits[14]! / 2);
    const dead = new AimdWindow({ initial: 8, max: 512 });
    link(dead, { ms: 20_000, loss: () => 0.05, servfail: (t) => (t >= 5_000 ? 0.95 : 0) });
    expect(dead.limit).toBe(dead.min);
  });

  it('over a lossy link, comes back to where it was within two seconds of a SERVFAIL burst (the old one-a-round growth took the rest of the run)', () => {
    for (const seed of [1, 2, 3]) {
      const w = new AimdWindow({ initial: 8, max: 512 });
      const run = link(w, { ms: 25_000, loss: () => 0.05, servfail: (t) => (t >= 15_000 && t < 15_500 ? 0.3 : 0), seed });
      const before = run.limits[14]!;
      expect(before).toBeGreaterThanOrEqual(400);
      expect(run.count('error-burst', 15_000, 16_000)).toBeGreaterThanOrEqual(1);
      const cut = Math.min(...run.decisions.filter((d) => d.t >= 15_000 && d.t < 16_000).map((d) => d.limit));
      expect(cut).toBeLessThanOrEqual(before / 2);
      // Back by 17.5 s: the burst's last SERVFAIL came at 15.5 s, the timeouts of the
      // exchanges sent before the decrease are in by 17.5 s.
      const back = run.decisions.find((d) => d.t > 15_500 && d.limit >= before);
      expect(back, JSON.stringify(run.limits)).toBeDefined();
      expect(back!.t).toBeLessThan(17_500);
      expect(run.limits.at(-1)).toBeGreaterThanOrEqual(before);
    }
  });

  it('backs off when answers slow down over a lossy link (a queue building), though the loss is steady', () => {
    const w = new AimdWindow({ initial: 8, max: 512 });
    feed(w, 0, flat);
    const run = link(w, { ms: 20_000, loss: () => 0.05, rttMs: 20 });
    const grown = w.limit;
    expect(run.count('delay')).toBe(0);
    const slow = link(w, { ms: 3_000, loss: () => 0.05, rttMs: 80, seed: 9 });
    expect(slow.count('delay')).toBeGreaterThanOrEqual(1);
    expect(w.limit).toBeLessThan(grown);
  });
});
