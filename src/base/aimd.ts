// The adaptive concurrency control law of a live audit: additive increase, multiplicative
// decrease (AIMD), as TCP congestion control (RFC 5681 §3.1, slow start then congestion
// avoidance) with a delay signal as in TCP Vegas. Pure: samples in, a limit out; no clock.

import { median } from './median.js';

/** What became of one DNS exchange. */
export type SampleOutcome = 'ok' | 'timeout' | 'servfail' | 'refused';

export interface Sample {
  outcome: SampleOutcome;
  /** Time from send to answer (for a timeout, the time waited), in milliseconds. */
  latencyMs: number;
  /**
   * When the exchange was sent, in milliseconds on a clock that only goes forward
   * (performance.now()); sentAt + latencyMs is when its outcome came. An error from an
   * exchange sent before the last decrease is not counted again (the recovery point of
   * RFC 6582 §3.2: one decrease per window): a timeout arrives seconds after its send.
   */
  sentAt: number;
}

export interface AimdOptions {
  /** The limit at the start (default 8: the old fixed --concurrency). */
  initial?: number;
  min?: number;
  max?: number;
  /** Samples per round at least (default 32); a round is otherwise twice the limit. */
  minRound?: number;
  /** Factor on a burst of errors (default 0.5). */
  errorDecrease?: number;
  /** Factor when answers slow down (default 0.85). */
  delayDecrease?: number;
  /** Answers count as slowed when the round's median exceeds baseline × this + slackMs. */
  delayRatio?: number;
  /** Absolute slack, so that sub-millisecond jitter on loopback is not taken for a queue (default 5 ms). */
  slackMs?: number;
  /**
   * The highest error share learnt as usual (default 0.2): a link that loses more, or a server
   * that fails every question, stays a burst however long it lasts.
   */
  maxUsualErrorShare?: number;
  /**
   * Time constant, in the samples' milliseconds, of the usual error share (default 10,000):
   * several timeouts long, so that errors and the answers sent with them are weighed together.
   */
  usualShareHorizonMs?: number;
  /**
   * How long after its send an exchange's outcome is surely known, in the samples'
   * milliseconds: the client's timeout and a margin (default 2,500, for the 2 s default).
   */
  settleMs?: number;
  /** Width of the send-time slices the usual share is learnt from (default 100 ms). */
  bucketMs?: number;
  /** Rounds over which the lowest median is the latency baseline (default 32). */
  baselineRounds?: number;
}

/**
 * Why the limit changed at the end of a round: 'recover' is a doubling back towards the limit
 * before the last decrease; 'slow' a first slow round, not yet acted on.
 */
export type Decision = 'grow' | 'slow-start' | 'recover' | 'error-burst' | 'delay' | 'slow' | 'hold';

export interface RoundResult {
  decision: Decision;
  limit: number;
  samples: number;
  errors: number;
  medianMs: number | undefined;
  baselineMs: number | undefined;
}

/**
 * A limit that doubles each round while answers come back as fast as ever and without an
 * error burst (slow start); halves on an error burst (timeouts, SERVFAIL, REFUSED well above
 * their usual share) and shrinks by 15 % when the median answer time stays above the
 * baseline two judged rounds running (a queue is building: at the server, on the link, or in
 * mailrec's own event loop when it is the CPU that is short; one slow round, a pause of the
 * event loop, only holds it). The round after a decrease is not judged: its samples were
 * sent under the old limit.
 *
 * After an error burst it remembers the limit it had (CUBIC's W_max, RFC 9438 §4.6) and, on
 * each clean round, doubles back towards it (RFC 5681's slow start up to ssthresh, with the
 * limit before the decrease as ssthresh); at and above it, it grows by one, then two, three,
 * ... a clean round (CUBIC's convex probing, §4.2), and the step falls back to one on any
 * round that is not clean. A lossy link makes rounds slow (many of its exchanges wait for a
 * timeout), so growing by one a round took longer than a run to come back after a burst.
 */
export class AimdWindow {
  readonly min: number;
  readonly max: number;
  #limit: number;
  #slowStart = true;
  #skipNext = false;
  /** The limit before the last decrease: grown back to by doubling (0: none yet). */
  #ceiling = 0;
  /** The next additive step at or above the ceiling: 1, 2, 3, ... while rounds stay clean. */
  #step = 1;
  /** The last judged round's median was above the delay bound. */
  #slowBefore = false;
  #round: number[] = [];
  #errors = 0;
  /** The send-time slices of this round's fresh errors (see #isBurstBySend). */
  #errorSlices = new Set<number>();
  /** Errors of exchanges sent before the last decrease: not reacted to, but they teach the usual share. */
  #lateErrors = 0;
  /** Usual share of errors (learnt by send time, see #learnSettled): a steady 5 % loss is not a burst. */
  #errorShare = 0;
  /** Samples and errors behind #errorShare, each weighted down by its age. */
  #learntSamples = 0;
  #learntErrors = 0;
  #learntAt = -Infinity;
  #latestArrival = -Infinity;
  /** Outcomes by when they were sent (slices of bucketMs), until settleMs has told them all. */
  readonly #bySend = new Map<number, { samples: number; errors: number }>();
  readonly #medians: number[] = [];
  #latestSent = -Infinity;
  #recoveryPoint = -Infinity;
  readonly #o: Required<Omit<AimdOptions, 'initial' | 'min' | 'max'>>;

  constructor(options: AimdOptions = {}) {
    this.min = options.min ?? 2;
    this.max = options.max ?? 1024;
    if (!(this.min >= 1 && this.max >= this.min)) throw new RangeError('AIMD: need 1 <= min <= max');
    this.#limit = Math.min(this.max, Math.max(this.min, options.initial ?? 8));
    this.#o = {
      minRound: options.minRound ?? 32,
      errorDecrease: options.errorDecrease ?? 0.5,
      delayDecrease: options.delayDecrease ?? 0.85,
      delayRatio: options.delayRatio ?? 2,
      slackMs: options.slackMs ?? 5,
      baselineRounds: options.baselineRounds ?? 32,
      maxUsualErrorShare: options.maxUsualErrorShare ?? 0.2,
      usualShareHorizonMs: options.usualShareHorizonMs ?? 10_000,
      settleMs: options.settleMs ?? 2500,
      bucketMs: options.bucketMs ?? 100,
    };
  }

  get limit(): number {
    return this.#limit;
  }

  get slowStart(): boolean {
    return this.#slowStart;
  }

  /** The limit before the last decrease, grown back to by doubling (undefined before any). */
  get ceiling(): number | undefined {
    return this.#ceiling > 0 ? this.#ceiling : undefined;
  }

  /** Adds one sample; at the end of a round, returns what was decided (the new limit in it). */
  record(sample: Sample): RoundResult | undefined {
    this.#latestSent = Math.max(this.#latestSent, sample.sentAt);
    this.#latestArrival = Math.max(this.#latestArrival, sample.sentAt + sample.latencyMs);
    const slice = Math.floor(sample.sentAt / this.#o.bucketMs);
    if (sample.outcome === 'ok') this.#round.push(sample.latencyMs);
    else if (sample.sentAt > this.#recoveryPoint) {
      this.#errors++;
      this.#errorSlices.add(slice);
    } else this.#lateErrors++;
    let bucket = this.#bySend.get(slice);
    // A slice already learnt (an outcome later than settleMs, e.g. after a TCP fallback) is not opened again.
    if (!bucket && (slice + 1) * this.#o.bucketMs > this.#latestArrival - this.#o.settleMs) this.#bySend.set(slice, (bucket = { samples: 0, errors: 0 }));
    if (bucket) {
      bucket.samples++;
      if (sample.outcome !== 'ok') bucket.errors++;
    }
    const samples = this.#round.length + this.#errors + this.#lateErrors;
    if (samples < Math.max(this.#o.minRound, 2 * this.#limit)) return undefined;
    return this.#endRound(samples);
  }

  #endRound(samples: number): RoundResult {
    const errors = this.#errors;
    const lateErrors = this.#lateErrors;
    const medianMs = this.#round.length > 0 ? median(this.#round) : undefined;
    this.#round = [];
    this.#errors = 0;
    this.#lateErrors = 0;
    const result = (decision: Decision): RoundResult => ({ decision, limit: this.#limit, samples, errors, medianMs, baselineMs: this.baselineMs });

    // Judged against the usual share before this round. Every exchange teaches it (by send
    // time, #learnSettled), errors sent before the last decrease included: they are the loss
    // rate as much as the others. (Learning from rounds judged normal only, and without
    // those, kept a steady 5 % loss at about 1 %: right after a decrease its timeouts all
    // came late, a round at 6 % was a burst that taught nothing, and every timeout's length
    // the fresh ones looked like a new burst.)
    const burst = this.#isBurst(errors, samples) && this.#isBurstBySend();
    this.#errorSlices.clear();
    // The errors of the burst already answered still arriving: no growth until they stop.
    const draining = !burst && lateErrors > 0 && this.#isBurst(errors + lateErrors, samples);
    this.#learnSettled();
    if (this.#skipNext) {
      this.#skipNext = false;
      return this.#hold(result);
    }
    if (burst) return this.#decrease(this.#o.errorDecrease, 'error-burst', result);
    if (draining) return this.#hold(result);

    if (medianMs !== undefined) {
      const base = this.baselineMs;
      this.#medians.push(medianMs);
      if (this.#medians.length > this.#o.baselineRounds) this.#medians.shift();
      const slow = base !== undefined && medianMs > base * this.#o.delayRatio + this.#o.slackMs;
      const before = this.#slowBefore;
      this.#slowBefore = slow;
      // A real rise lasts: one slow round (a pause of the event loop, a GC) only holds.
      if (slow && before) return this.#decrease(this.#o.delayDecrease, 'delay', result);
      if (slow) return this.#hold(result, 'slow');
    }
    if (this.#slowStart) {
      this.#limit = Math.min(this.max, this.#limit * 2);
      return result('slow-start');
    }
    if (this.#limit < this.#ceiling) {
      this.#limit = Math.min(this.max, this.#ceiling, this.#limit * 2);
      return result('recover');
    }
    this.#limit = Math.min(this.max, this.#limit + this.#step);
    this.#step++;
    return result('grow');
  }

  /** No change; the additive step starts again from one. */
  #hold(result: (d: Decision) => RoundResult, decision: Decision = 'hold'): RoundResult {
    this.#step = 1;
    return result(decision);
  }

  /**
   * More errors than the usual share explains: beyond three standard deviations of a binomial
   * count and at least twice the usual share plus 5 % of the round (so a steady loss rate,
   * learnt over the rounds, is not a burst).
   */
  #isBurst(errors: number, samples: number): boolean {
    const expected = this.#errorShare * samples;
    return errors > Math.max(expected + 3 * Math.sqrt(Math.max(expected, 1)) + 1, (2 * this.#errorShare + 0.05) * samples);
  }

  /**
   * The round's fresh errors are also a burst among the exchanges sent when they were: their
   * send-time slices, with every outcome of those slices in so far. A round's arrivals can
   * bunch the timeouts of many exchanges sent at once (the limit just doubled, and every
   * freed slot sent at the same moment), as many as the usual share of a larger send, with
   * their answers long counted in earlier rounds; by send time that is the usual share. A
   * SERVFAIL or REFUSED burst, or a loss rate that rose, is a burst both ways.
   */
  #isBurstBySend(): boolean {
    let samples = 0;
    let errors = 0;
    for (const slice of this.#errorSlices) {
      const bucket = this.#bySend.get(slice);
      if (!bucket) continue;
      samples += bucket.samples;
      errors += bucket.errors;
    }
    // No slice still open (outcomes later than settleMs): the round alone decides.
    return samples === 0 || this.#isBurst(errors, samples);
  }

  #decrease(factor: number, decision: Decision, result: (d: Decision) => RoundResult): RoundResult {
    // After an error burst (a loss, a server's hiccup) where it was is where it grows back to;
    // a decrease during the recovery lowers it: the link took less than that (CUBIC's fast
    // convergence, RFC 9438 §4.7, in its simplest form). A queue ('delay') says that limit was
    // too high: no doubling back to it, only the step-by-step growth (doubling back undid every
    // delay back-off in one round, and a starved process kept timing out on its own answers).
    this.#ceiling = decision === 'error-burst' ? this.#limit : 0;
    this.#step = 1;
    this.#slowBefore = false;
    this.#limit = Math.max(this.min, Math.floor(this.#limit * factor));
    this.#slowStart = false;
    this.#skipNext = true;
    this.#recoveryPoint = this.#latestSent;
    return result(decision);
  }

  /**
   * The usual share is learnt from exchanges by when they were sent, once all their outcomes
   * are in (settleMs after the slice they were sent in), not from a round's arrivals: a
   * timeout arrives seconds after its exchange and an answer within milliseconds, so a round
   * while the limit grows holds too few of them and one after a slow-down too many, and for
   * the first timeout's length there are none at all. Errors over samples, each weighted down
   * with its age (time constant usualShareHorizonMs).
   */
  #learnSettled(): void {
    const settled = this.#latestArrival - this.#o.settleMs;
    for (const [slice, bucket] of this.#bySend) {
      const end = (slice + 1) * this.#o.bucketMs;
      if (end > settled) continue;
      this.#bySend.delete(slice);
      const decay = this.#learntAt === -Infinity ? 1 : Math.exp(-Math.max(0, end - this.#learntAt) / this.#o.usualShareHorizonMs);
      this.#learntAt = Math.max(this.#learntAt, end);
      this.#learntSamples = this.#learntSamples * decay + bucket.samples;
      this.#learntErrors = this.#learntErrors * decay + Math.min(this.#o.maxUsualErrorShare * bucket.samples, bucket.errors);
    }
    if (this.#learntSamples > 0) this.#errorShare = this.#learntErrors / this.#learntSamples;
  }

  /** The lowest round median of the recent rounds: the answer time with no queue. */
  get baselineMs(): number | undefined {
    return this.#medians.length > 0 ? Math.min(...this.#medians) : undefined;
  }
}
