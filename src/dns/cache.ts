// Answer cache honouring TTLs, negative caching from the SOA (RFC 2308 §5), with an injected clock.

import type { Answer } from './resolver.js';
import type { RR } from '../dns-types/rr.js';

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
  /** When the entry was last stored or read: the eviction queue's entries for older uses are stale. */
  use: number;
  /** The answer with its TTLs lowered by `elapsed` seconds, made once for every read in that second. */
  aged?: { elapsed: number; answer: Answer };
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

/**
 * Answers by key, least recently used first out beyond maxEntries. The eviction order is
 * kept in a queue of (key, use) rather than by iterating the Map from its start: a Map
 * that has had many deletions makes that first step walk over every deleted slot, which
 * made a bulk audit's cache cost grow with the number of domains.
 */
export class DnsCache {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #maxEntries: number;
  readonly #maxTtl: number;
  /** Keys in the order of their uses; a pair whose use is not the entry's current one is stale. */
  #queue: { key: string; use: number }[] = [];
  #head = 0;
  #uses = 0;

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
    this.#touch(key, entry);
    if (entry.answer.status !== 'ok') return entry.answer;
    const elapsed = Math.floor((now - entry.storedAt) / 1000);
    if (elapsed === 0) return entry.answer;
    // A shared include is read by thousands of domains: one copy a second, not one a read.
    // Answers are read, never changed, by every consumer (as the stored negative ones are).
    if (entry.aged?.elapsed !== elapsed) {
      const answer = entry.answer;
      entry.aged = { elapsed, answer: { ...answer, records: answer.records.map((rr) => ({ ...rr, ttl: Math.max(0, rr.ttl - elapsed) })) } };
    }
    return entry.aged.answer;
  }

  set(key: string, answer: Answer, ttlSeconds: number | undefined): void {
    if (ttlSeconds === undefined || ttlSeconds <= 0) return;
    const now = this.#now();
    const entry: Entry = { answer, storedAt: now, expiresAt: now + Math.min(ttlSeconds, this.#maxTtl) * 1000, use: 0 };
    this.#entries.set(key, entry);
    this.#touch(key, entry);
    while (this.#entries.size > this.#maxEntries) this.#evictOne();
  }

  clear(): void {
    this.#entries.clear();
    this.#queue = [];
    this.#head = 0;
  }

  #touch(key: string, entry: Entry): void {
    entry.use = ++this.#uses;
    this.#queue.push({ key, use: entry.use });
    // Drop the consumed front now and then, and the stale pairs with it when they pile up.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    } else if (this.#queue.length - this.#head > 4 * this.#maxEntries + 1024) {
      this.#queue = this.#queue.slice(this.#head).filter((p) => this.#entries.get(p.key)?.use === p.use);
      this.#head = 0;
    }
  }

  /** Remove the least recently used entry. */
  #evictOne(): void {
    while (this.#head < this.#queue.length) {
      const { key, use } = this.#queue[this.#head++]!;
      if (this.#entries.get(key)?.use === use) {
        this.#entries.delete(key);
        return;
      }
    }
  }
}
