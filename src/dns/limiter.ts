// A counting semaphore: at most N DNS exchanges in flight at once.

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
}
