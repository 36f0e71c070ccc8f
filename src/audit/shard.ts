// --shard K/N: a deterministic split of a domain list so that N CI jobs audit it together.
// A domain's shard depends on its normalized name alone (a stable hash), never on the order
// or the length of the list: the same domain lands in the same shard in every run.

import { createHash } from 'node:crypto';
import { normalizeName } from '../dns-types/rr.js';

/** Shard `index` of `count`, both 1-based as CI systems number jobs (GitLab CI_NODE_INDEX). */
export interface Shard {
  index: number;
  count: number;
}

/** What a sharded run records in its output, so that `audit merge` can check completeness. */
export interface ShardInfo extends Shard {
  /** Distinct domains in the whole list, before the split. */
  total: number;
  /** Domains that fell in this shard. */
  selected: number;
  /** Digest of the whole list (see listDigest): shards of different lists do not merge. */
  list: string;
}

export type ShardParse = { ok: true; shard: Shard } | { ok: false; message: string; hint: string };

const HINT = 'write --shard K/N with 1 <= K <= N, e.g. --shard 2/4 for the second of four jobs';

/** Parse "K/N" (e.g. "2/4"); whitespace around the numbers is allowed, nothing else. */
export function parseShard(spec: string): ShardParse {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (!m) return { ok: false, message: `--shard "${spec}" is not K/N`, hint: HINT };
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1) {
    return { ok: false, message: `--shard "${spec}": N must be a whole number of at least 1`, hint: HINT };
  }
  if (index < 1 || index > count) {
    return { ok: false, message: `--shard "${spec}": K must be between 1 and ${count}`, hint: HINT };
  }
  return { ok: true, shard: { index, count } };
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/**
 * The 1-based shard of a domain among `count`: the first 48 bits of SHA-256 over the
 * normalized name (lowercase, no trailing dot, UTF-8), modulo count, plus one. SHA-256
 * rather than a faster hash so that anyone can recompute the split with standard tools:
 * `printf %s example.org | sha256sum`, first 12 hex digits, mod N, plus 1.
 */
export function shardOf(domain: string, count: number): number {
  if (count === 1) return 1;
  const digest = createHash('sha256').update(normalizeName(domain), 'utf8').digest();
  return (digest.readUIntBE(0, 6) % count) + 1;
}

/** The distinct normalized names of a list, in their first-seen order. */
export function distinctDomains(domains: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const d of domains) {
    const n = normalizeName(d);
    if (n === '' || seen.has(n)) continue;
    seen.add(n);
    out.push(n);
  }
  return out;
}

/**
 * A digest of the whole list as a set (sorted distinct normalized names), 16 hex digits:
 * shards cut from the same list carry the same digest whatever order the list was in.
 */
export function listDigest(domains: readonly string[]): string {
  const names = distinctDomains(domains).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256');
  for (const n of names) hash.update(n, 'utf8').update('\n');
  return hash.digest('hex').slice(0, 16);
}

/**
 * The domains of one shard, in list order, duplicates (after normalization) kept once; and
 * what the output should record about the split.
 */
export function selectShard(domains: readonly string[], shard: Shard): { domains: string[]; info: ShardInfo } {
  const all = distinctDomains(domains);
  const selected = all.filter((d) => shardOf(d, shard.count) === shard.index);
  return {
    domains: selected,
    info: { index: shard.index, count: shard.count, total: all.length, selected: selected.length, list: listDigest(all) },
  };
}
