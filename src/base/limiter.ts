// The one concurrency limiter: at most N tasks in flight at once, for a stream of tasks
// (run: the DNS client's exchanges) or a known list (map: domains, MX hosts, report sources).
// N may change while tasks run (setMax: the adaptive control of a live audit).

export class Limiter {
  #active = 0;
  #peak = 0;
  #max: number;
  readonly #waiting: Array<() => void> = [];
  /** map() calls waiting to start more workers when the limit rises. */
  readonly #onRaise = new Set<() => void>();

  constructor(max: number) {
    Limiter.#check(max);
    this.#max = max;
  }

  static #check(max: number): void {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('concurrency must be a positive integer');
  }

  get max(): number {
    return this.#max;
  }

  get active(): number {
    return this.#active;
  }

  /** The most tasks ever in flight at once. */
  get peak(): number {
    return this.#peak;
  }

  /**
   * A new limit. Raised: waiting tasks start at once. Lowered: tasks in flight finish, and
   * none starts until fewer than the new limit are in flight.
   */
  setMax(max: number): void {
    Limiter.#check(max);
    const raised = max > this.#max;
    this.#max = max;
    while (this.#active < this.#max && this.#waiting.length > 0) {
      this.#active++;
      this.#waiting.shift()!();
    }
    this.#peak = Math.max(this.#peak, this.#active);
    if (raised) for (const start of [...this.#onRaise]) start();
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#max) {
      // The releasing task hands its slot over directly, so #active never overshoots.
      await new Promise<void>((wake) => this.#waiting.push(wake));
    } else {
      this.#active++;
    }
    this.#peak = Math.max(this.#peak, this.#active);
    try {
      return await task();
    } finally {
      // After a lowered limit the slot is given back, not handed over.
      const next = this.#active <= this.#max ? this.#waiting.shift() : undefined;
      if (next) next();
      else this.#active--;
    }
  }

  /**
   * Runs `task` over `items`, at most `max` at once, and returns the results in the order
   * of `items`; `done` is told of each as it finishes. Only as many tasks exist as the
   * limit allows (its highest value during the run), so a list of 100,000 domains holds no
   * more work in flight than a list of ten. After a failure no further item starts, and the
   * first error is thrown once the tasks in flight have ended.
   */
  async map<T, R>(items: readonly T[], task: (item: T, index: number) => Promise<R>, done?: (result: R, item: T, index: number) => void): Promise<R[]> {
    const out = new Array<R>(items.length);
    let next = 0;
    let failure: { error: unknown } | undefined;
    const worker = async (): Promise<void> => {
      while (next < items.length && !failure) {
        const i = next++;
        try {
          const result = await this.run(() => task(items[i]!, i));
          out[i] = result;
          done?.(result, items[i]!, i);
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    const workers: Promise<void>[] = [];
    const start = (): void => {
      while (workers.length < this.#max && next < items.length && !failure) workers.push(worker());
    };
    this.#onRaise.add(start);
    try {
      start();
      // Workers started by a raise during the run are awaited as well.
      for (let k = 0; k < workers.length; k++) await workers[k];
    } finally {
      this.#onRaise.delete(start);
    }
    if (failure) throw failure.error;
    return out;
  }
}

/** `task` over `items` with at most `limit` (at least 1) at once, results in input order. */
export function mapBounded<T, R>(items: readonly T[], limit: number | Limiter, task: (item: T, index: number) => Promise<R>, done?: (result: R, item: T, index: number) => void): Promise<R[]> {
  const limiter = typeof limit === 'number' ? new Limiter(Math.max(1, Math.floor(limit))) : limit;
  return limiter.map(items, task, done);
}
