// How fast a live audit asks: domains in flight and DNS exchanges in flight (two limiters
// that move together), adapted by the AIMD control law (src/base/aimd.ts) unless pinned
// with --concurrency, and an optional --max-qps token bucket.

import { AimdWindow, type Decision, type Sample } from '../base/aimd.js';
import { Limiter } from '../base/limiter.js';
import { TokenBucket } from '../base/token-bucket.js';
import { parseIp } from '../dns-types/ip.js';
import type { ServerAddress } from './servers.js';

/** Exchanges in flight per domain in flight: the old fixed 64 for the old fixed 8 domains. */
export const QUESTIONS_PER_DOMAIN = 8;
/** Where the adaptive control starts: the old fixed --concurrency. */
export const ADAPTIVE_START = 8;
/** Its ceiling: the largest --concurrency accepted. */
export const ADAPTIVE_MAX = 1024;

export interface PacingOptions {
  /** Pinned domains in flight (--concurrency); undefined: adaptive. */
  concurrency?: number;
  /** Messages a second at most (--max-qps); undefined or 0: none. */
  maxQps?: number;
  /**
   * The DNS client's timeout per exchange (default 2,000 ms): how long until every outcome of
   * an exchange is known, for the control law's usual error share.
   */
  timeoutMs?: number;
  /** For the token bucket's clock (tests). */
  now?: () => number;
}

export interface PacingStats {
  adaptive: boolean;
  /** Domains in flight allowed: at the start, the highest, at the end. */
  start: number;
  peak: number;
  end: number;
  /** Rounds that ended in each decision (adaptive only). */
  decisions: Partial<Record<Decision, number>>;
  maxQps?: number;
}

export interface Pacing {
  /** Domains audited at once. */
  readonly domains: Limiter;
  /** DNS exchanges in flight at once (the clients' shared limit). */
  readonly questions: Limiter;
  readonly rateLimit: TokenBucket | undefined;
  /** Feeds the control law; the clients call it after each exchange (adaptive only). */
  readonly onExchange: ((sample: Sample) => void) | undefined;
  stats(): PacingStats;
}

export function createPacing(options: PacingOptions = {}): Pacing {
  const pinned = options.concurrency;
  const start = pinned ?? ADAPTIVE_START;
  const domains = new Limiter(start);
  // A pinned run keeps the old client cap of 64 unless more domains than 8 are asked for.
  const questions = new Limiter(Math.max(64, start * QUESTIONS_PER_DOMAIN));
  const maxQps = options.maxQps !== undefined && options.maxQps > 0 ? options.maxQps : undefined;
  const rateLimit = maxQps !== undefined ? new TokenBucket(maxQps, (options.now ?? Date.now)()) : undefined;
  const decisions: Partial<Record<Decision, number>> = {};
  let peak = start;
  let onExchange: ((sample: Sample) => void) | undefined;
  if (pinned === undefined) {
    const window = new AimdWindow({ initial: ADAPTIVE_START, max: ADAPTIVE_MAX, settleMs: (options.timeoutMs ?? 2000) + 500 });
    onExchange = (sample) => {
      const round = window.record(sample);
      if (!round) return;
      decisions[round.decision] = (decisions[round.decision] ?? 0) + 1;
      if (round.limit === domains.max) return;
      domains.setMax(round.limit);
      questions.setMax(round.limit * QUESTIONS_PER_DOMAIN);
      peak = Math.max(peak, round.limit);
    };
  }
  return {
    domains,
    questions,
    rateLimit,
    onExchange,
    stats: () => ({ adaptive: pinned === undefined, start, peak, end: domains.max, decisions: { ...decisions }, ...(maxQps !== undefined ? { maxQps } : {}) }),
  };
}

/** Public recursive resolvers that publish or enforce per-client rate limits. */
const PUBLIC_RESOLVERS = new Set([
  '8.8.8.8', '8.8.4.4', '2001:4860:4860::8888', '2001:4860:4860::8844', // Google Public DNS
  '1.1.1.1', '1.0.0.1', '2606:4700:4700::1111', '2606:4700:4700::1001', // Cloudflare
  '9.9.9.9', '149.112.112.112', '2620:fe::fe', '2620:fe::9', // Quad9
  '208.67.222.222', '208.67.220.220', '2620:119:35::35', '2620:119:53::53', // OpenDNS
]);

/** The default --max-qps for a public resolver: well under the per-client limits they publish. */
export const PUBLIC_RESOLVER_QPS = 200;
/** The default for the system resolver and any other resolver not on this host: a shared service. */
export const SHARED_RESOLVER_QPS = 1000;

/**
 * The --max-qps a run gets without the flag: none when every server is on loopback and was
 * named with --resolver (the user's own resolver, e.g. a local unbound or the bench's
 * BIND); PUBLIC_RESOLVER_QPS when one is a well-known public resolver; otherwise
 * SHARED_RESOLVER_QPS (the system resolver, even a local stub: it forwards to someone
 * else's server).
 */
export function defaultMaxQps(servers: readonly ServerAddress[], named: boolean): number | undefined {
  const bare = (host: string) => host.replace(/%.*$/, '').toLowerCase();
  if (servers.some((s) => PUBLIC_RESOLVERS.has(bare(s.host)))) return PUBLIC_RESOLVER_QPS;
  if (named && servers.length > 0 && servers.every((s) => isLoopback(bare(s.host)))) return undefined;
  return SHARED_RESOLVER_QPS;
}

function isLoopback(host: string): boolean {
  const ip = parseIp(host, false);
  if (!ip) return false;
  return ip.family === 4 ? host.startsWith('127.') : host === '::1' || /^(0{0,4}:){7}0{0,3}1$/.test(host);
}
