// A token bucket for --max-qps: at most `rate` a second on average, bursts of at most
// `burst`. Pure: the caller passes the time and waits as told.

export class TokenBucket {
  #tokens: number;
  #last: number;

  /**
   * @param rate tokens a second (> 0)
   * @param burst the bucket's size: how many may go at once after a quiet spell (default:
   *   a tenth of a second's worth, at least 1)
   * @param now the time in milliseconds at which the bucket is full
   */
  constructor(
    readonly rate: number,
    now: number,
    readonly burst: number = Math.max(1, Math.floor(rate / 10)),
  ) {
    if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError('token bucket: rate must be a positive number');
    if (!(burst >= 1)) throw new RangeError('token bucket: burst must be at least 1');
    this.#tokens = burst;
    this.#last = now;
  }

  /**
   * Takes one token and returns how many milliseconds to wait before using it: 0 when one
   * is there now. A token not there yet is reserved (the count goes below zero), so callers
   * that wait as told go in the order they asked and never above the rate.
   */
  take(now: number): number {
    const elapsed = Math.max(0, now - this.#last);
    this.#last = Math.max(this.#last, now);
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.rate) / 1000);
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens * 1000) / this.rate;
  }
}
