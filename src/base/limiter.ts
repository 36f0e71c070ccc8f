// The one concurrency limiter: at most N tasks in flight at once, for a stream of tasks
// (run: the DNS client's exchanges) or a known list (map: domains, MX hosts, report sources).

export class Limiter {
  #active = 0;
  #peak = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('concurrency must be a positive integer');
  }

  get active(): number {
    return this.#active;
  }

  /** The most exchanges ever in flight at once. */
  get peak(): number {
    return this.#peak;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.max) {
      // The releasing task hands its slot over directly, so #active never overshoots.
      await new Promise<void>((wake) => this.#waiting.push(wake));
    } else {
      this.#active++;
    }
    this.#peak = Math.max(this.#peak, this.#active);
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    }
  }

  /**
   * Runs `task` over `items`, at most `max` at once, and returns the results in the order
   * of `items`; `done` is told of each as it finishes. Only `max` tasks exist at any time,
   * so a list of 100,000 domains holds no more work in flight than a list of ten.
   */
  async map<T, R>(items: readonly T[], task: (item: T, index: number) => Promise<R>, done?: (result: R, item: T, index: number) => void): Promise<R[]> {
    const out = new Array<R>(items.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) {
        const i = next++;
        const result = await this.run(() => task(items[i]!, i));
        out[i] = result;
        done?.(result, items[i]!, i);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.max, items.length) }, worker));
    return out;
  }
}

/** `task` over `items` with at most `limit` (at least 1) at once, results in input order. */
export function mapBounded<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>, done?: (result: R, item: T, index: number) => void): Promise<R[]> {
  return new Limiter(Math.max(1, Math.floor(limit))).map(items, task, done);
}
