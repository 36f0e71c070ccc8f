// Answer cache honouring TTLs, negative caching from the SOA (RFC 2308 §5), with an injected clock.

import type { Answer } from './resolver.js';
import type { RR } from '../records/rr.js';

export interface CacheOptions {
  /** Milliseconds since the epoch; injected so tests control time. */
  now?: () => number;
  /** Oldest entries are evicted beyond this many (default 10,000). */
  maxEntries?: number;
  /** TTLs are capped at this many seconds (default one day, as resolvers do). */
  maxTtlSeconds?: number;
}

interface Entry {
  answer: Answer;
  storedAt: number;
  expiresAt: number;
}

/**
 * How long an answer may be cached, in seconds, or undefined when it must not be:
 * positive answers for the smallest TTL of the records (and of the CNAMEs followed),
 * negative ones for min(SOA TTL, SOA MINIMUM) of the SOA in the authority section
 * (RFC 2308 §5); without an SOA, and for errors, not at all.
 */
export function cacheTtl(answer: Answer, chain: RR[], authority: RR[]): number | undefined {
  if (answer.status === 'error') return undefined;
  if (answer.status === 'ok') {
    const ttls = [...answer.records, ...chain].map((rr) => rr.ttl);
    return ttls.length ? Math.min(...ttls) : undefined;
  }
  const soa = authority.find((rr) => rr.type === 'SOA');
  if (!soa || soa.type !== 'SOA') return undefined;
  return Math.min(soa.ttl, soa.minimum, ...chain.map((rr) => rr.ttl));
}

export class DnsCache {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #maxEntries: number;
  readonly #maxTtl: number;

  constructor(options: CacheOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#maxTtl = options.maxTtlSeconds ?? 86_400;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached answer with TTLs lowered by the time spent in the cache, or undefined. */
  get(key: string): Answer | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const now = this.#now();
    if (now >= entry.expiresAt) {
      this.#entries.delete(key);
      return undefined;
    }
    if (entry.answer.status !== 'ok') return entry.answer;
    const elapsed = Math.floor((now - entry.storedAt) / 1000);
    return { ...entry.answer, records: entry.answer.records.map((rr) => ({ ...rr, ttl: Math.max(0, rr.ttl - elapsed) })) };
  }

  set(key: string, answer: Answer, ttlSeconds: number | undefined): void {
    if (ttlSeconds === undefined || ttlSeconds <= 0) return;
    const now = this.#now();
    this.#entries.delete(key);
    this.#entries.set(key, { answer, storedAt: now, expiresAt: now + Math.min(ttlSeconds, this.#maxTtl) * 1000 });
    // Map iteration is insertion order: the first key is the oldest.
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
