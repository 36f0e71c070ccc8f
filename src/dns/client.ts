// The DNS client: a Resolver over UDP with EDNS0 and TCP fallback, retries across servers, CNAME chasing, cache, de-duplication, concurrency limit.

import { DnsError } from '../base/errors.js';
import { normalizeName, type RR, type RRType } from '../dns-types/rr.js';
import { DnsCache, cacheTtl } from './cache.js';
import { DnsTimeoutError } from './failure.js';
import { readName } from './guard.js';
import { Limiter } from '../base/limiter.js';
import type { Sample } from '../base/aimd.js';
import type { TokenBucket } from '../base/token-bucket.js';
import { buildQuery, EDNS_UDP_PAYLOAD, FLAG, randomId } from './message.js';
import type { Answer, Resolver } from './resolver.js';
import { matchesQuery, parseResponse, type DnsFlags, type DnsResponse } from './response.js';
import { formatServer, loadResolvConf, type ServerAddress } from './servers.js';
import { exchangeTcp } from './transport-tcp.js';
import { createUdpTransport } from './transport-udp.js';
import { CLASS, nameLabels, typeCode } from './wire.js';

export interface DnsClientOptions {
  /** Servers asked in turn; default: the nameservers of /etc/resolv.conf. */
  servers?: ServerAddress[];
  resolvConfPath?: string;
  /** Per exchange (one server, one transport). Default 2000 ms; see `attempts` for the default schedule. */
  timeoutMs?: number;
  /**
   * Passes over the server list before giving up, each waiting timeoutMs. Default: three
   * passes waiting timeoutMs/2, timeoutMs/2 and timeoutMs (RFC 1035 §4.2.1's retransmission
   * with backoff, in the budget of two full passes): on a lossy link a question lost twice
   * gets a third chance, and a lost answer is asked again after half the wait.
   */
  attempts?: number;
  /** Exchanges in flight at once. Default 64. */
  concurrency?: number;
  /**
   * The limit on exchanges in flight, shared and changed from outside (an audit's adaptive
   * pacing, src/dns/pacing.ts); takes the place of `concurrency`.
   */
  limiter?: Limiter;
  /** Told of each exchange's outcome and answer time (the adaptive control's input). */
  onExchange?: (sample: Sample) => void;
  /** --max-qps: every message sent takes a token first (shared by the clients of one run). */
  rateLimit?: TokenBucket;
  /** Set the EDNS0 DO bit (RFC 3225) to receive DNSSEC records. Default false. */
  dnssecOk?: boolean;
  /** RD bit; false when asking authoritative servers directly. Default true. */
  recursionDesired?: boolean;
  /** EDNS0 UDP payload size. Default 1232. */
  udpPayloadSize?: number;
  /** The answer cache, or false for none. Default: a fresh DnsCache on `now`. */
  cache?: DnsCache | false;
  now?: () => number;
  /** CNAME hops followed by re-querying. Default 8. */
  maxCnameHops?: number;
}

export interface QueryOptions {
  dnssecOk?: boolean;
  /** Ask over TCP from the start. */
  tcp?: boolean;
  /** Ask this server only. */
  server?: ServerAddress;
}

/** One response as received, with the server and transport that gave it. */
export interface QueryResult {
  server: ServerAddress;
  transport: 'udp' | 'tcp';
  rcode: string;
  flags: DnsFlags;
  /** The AD bit: the (trusted) resolver validated the answer. */
  authenticated: boolean;
  answers: RR[];
  authorities: RR[];
  additionals: RR[];
  response: DnsResponse;
}

export interface DnsStats {
  /** Messages sent on the wire (UDP datagrams and TCP queries). */
  queriesSent: number;
  udpQueries: number;
  tcpQueries: number;
  /** UDP answers with TC set, asked again over TCP. */
  tcpFallbacks: number;
  cacheHits: number;
  cacheMisses: number;
  /** Questions joined to an identical one already in flight. */
  deduplicated: number;
  timeouts: number;
  /** Received messages dropped: malformed, or not matching the query. */
  dropped: number;
  /** Most exchanges in flight at once. */
  peakInFlight: number;
}

export interface DnsClient extends Resolver {
  query(name: string, type: string, options?: QueryOptions): Promise<QueryResult>;
  stats(): DnsStats;
  servers(): Promise<ServerAddress[]>;
  /** Servers that refused a recursive question with RA clear: they answer only for their own zones. */
  nonRecursiveServers(): ServerAddress[];
}

/** Each pass's wait: `attempts` passes of timeoutMs when given, else timeoutMs/2, timeoutMs/2, timeoutMs. */
export function retrySchedule(timeoutMs: number, attempts?: number): number[] {
  if (attempts !== undefined) return Array.from({ length: Math.max(1, attempts) }, () => timeoutMs);
  const half = Math.max(1, Math.round(timeoutMs / 2));
  return [half, half, timeoutMs];
}

const ignore = (): void => undefined;

const RETRY_ELSEWHERE = new Set(['SERVFAIL', 'REFUSED', 'NOTIMP', 'FORMERR']);

type Received = { response: DnsResponse; truncated: false } | { truncated: true };

export function createDnsClient(options: DnsClientOptions = {}): DnsClient {
  const timeoutMs = options.timeoutMs ?? 2000;
  const schedule = retrySchedule(timeoutMs, options.attempts);
  const udpPayloadSize = options.udpPayloadSize ?? EDNS_UDP_PAYLOAD;
  const recursionDesired = options.recursionDesired ?? true;
  const maxHops = options.maxCnameHops ?? 8;
  const cache = options.cache === false ? undefined : (options.cache ?? new DnsCache({ now: options.now ?? Date.now }));
  const limiter = options.limiter ?? new Limiter(options.concurrency ?? 64);
  const bucket = options.rateLimit;
  const onExchange = options.onExchange;
  /** Wait for a token when --max-qps is set; no wait (and no turn of the event loop) otherwise. */
  const paced = (): Promise<void> | undefined => {
    const wait = bucket?.take(Date.now()) ?? 0;
    return wait > 0 ? new Promise((resolve) => setTimeout(resolve, Math.ceil(wait))) : undefined;
  };
  const counters = {
    queriesSent: 0, udpQueries: 0, tcpQueries: 0, tcpFallbacks: 0, cacheHits: 0,
    cacheMisses: 0, deduplicated: 0, timeouts: 0, dropped: 0,
  };
  const udp = createUdpTransport({ onDrop: () => counters.dropped++ });
  const queriesInFlight = new Map<string, Promise<QueryResult>>();
  const nonRecursive = new Map<string, ServerAddress>();
  const resolvesInFlight = new Map<string, Promise<Answer>>();
  /** The latest question (of a type other than CNAME) in flight about each name. */
  const namesInFlight = new Map<string, Promise<void>>();

  let serverList: Promise<ServerAddress[]> | undefined;
  /** The list once known, so that each query does not wait a turn for it. */
  let knownServers: ServerAddress[] | undefined;
  const servers = (): Promise<ServerAddress[]> => {
    serverList ??= (options.servers
      ? Promise.resolve([...options.servers])
      : loadResolvConf(options.resolvConfPath).then((conf) => conf.servers)
    ).then((list) => (knownServers = list));
    return serverList;
  };

  /** Parse and match one received message; undefined drops it (RFC 5452 §9.1). */
  function accept(buf: Buffer, id: number, name: string, type: number): Received | undefined {
    try {
      const response = parseResponse(buf);
      if (matchesQuery(response, { id, name, type, class: CLASS.IN })) return { response, truncated: false };
    } catch {
      // A truncated datagram that is not even well-formed still tells us to use TCP,
      // if its header and question are ours.
      if (buf.length >= 12 && buf.readUInt16BE(0) === id && (buf.readUInt16BE(2) & (FLAG.QR | FLAG.TC)) === (FLAG.QR | FLAG.TC)) {
        try {
          const q = readName(buf, 12);
          if (buf.readUInt16BE(4) === 1 && q.name === name && buf.readUInt16BE(q.end) === type) return { truncated: true };
        } catch {
          // fall through: dropped
        }
      }
    }
    counters.dropped++;
    return undefined;
  }

  /** A turn of the event loop only when --max-qps makes the query wait. */
  function viaUdp(server: ServerAddress, name: string, type: number, dnssecOk: boolean, edns: boolean, timeoutMs: number): Promise<Received> {
    const wait = paced();
    return wait ? wait.then(() => sendUdp(server, name, type, dnssecOk, edns, timeoutMs)) : sendUdp(server, name, type, dnssecOk, edns, timeoutMs);
  }

  function sendUdp(server: ServerAddress, name: string, type: number, dnssecOk: boolean, edns: boolean, timeoutMs: number): Promise<Received> {
    const id = randomId();
    const message = buildQuery({ id, name, type, recursionDesired, edns, udpPayloadSize, dnssecOk });
    counters.queriesSent++;
    counters.udpQueries++;
    return udp.exchange({ server, message, timeoutMs, accept: (buf) => accept(buf, id, name, type) });
  }

  async function viaTcp(server: ServerAddress, name: string, type: number, dnssecOk: boolean, timeoutMs: number): Promise<DnsResponse> {
    const wait = paced();
    if (wait) await wait;
    const id = randomId();
    const message = buildQuery({ id, name, type, recursionDesired, udpPayloadSize: 65535, dnssecOk });
    counters.queriesSent++;
    counters.tcpQueries++;
    return exchangeTcp<DnsResponse>({
      server,
      message,
      timeoutMs,
      maxTotalOctets: 4 * 65537,
      onMessage: (buf) => {
        const received = accept(buf, id, name, type);
        if (received?.truncated || (received && received.response.flags.tc)) {
          // RFC 7766 §6.2.1: a TCP answer has no reason to be truncated; whatever it says (an empty
          // NOERROR) is not the answer. A failed lookup, never "no such record".
          throw new DnsError(`truncated answer (TC=1) over TCP from ${formatServer(server)} for ${name}; no answer`);
        }
        return received ? { done: true, value: received.response } : { done: false };
      },
    });
  }

  /** One server: UDP, then TCP on TC (RFC 7766 §5), then plain DNS on an EDNS FORMERR (RFC 6891 §7). */
  function exchange(server: ServerAddress, name: string, type: number, dnssecOk: boolean, tcp: boolean, timeoutMs: number): Promise<QueryResult> {
    return limiter.run(() => (onExchange ? observedExchange(onExchange, server, name, type, dnssecOk, tcp, timeoutMs) : exchangeOnce(server, name, type, dnssecOk, tcp, timeoutMs)));
  }

  /** The exchange, with its outcome and answer time told to the adaptive control. */
  async function observedExchange(
    observe: (sample: Sample) => void,
    server: ServerAddress, name: string, type: number, dnssecOk: boolean, tcp: boolean, timeoutMs: number,
  ): Promise<QueryResult> {
    const started = performance.now();
    let r: QueryResult;
    try {
      r = await exchangeOnce(server, name, type, dnssecOk, tcp, timeoutMs);
    } catch (error) {
      if (error instanceof DnsTimeoutError) observe({ outcome: 'timeout', latencyMs: performance.now() - started, sentAt: started });
      throw error;
    }
    const outcome = r.rcode === 'SERVFAIL' ? 'servfail' : r.rcode === 'REFUSED' ? 'refused' : 'ok';
    observe({ outcome, latencyMs: performance.now() - started, sentAt: started });
    return r;
  }

  function result(server: ServerAddress, response: DnsResponse, transport: 'udp' | 'tcp'): QueryResult {
    return {
      server, transport, rcode: response.rcode, flags: response.flags, authenticated: response.flags.ad,
      answers: response.answers, authorities: response.authorities, additionals: response.additionals, response,
    };
  }

  async function exchangeOnce(server: ServerAddress, name: string, type: number, dnssecOk: boolean, tcp: boolean, timeoutMs: number): Promise<QueryResult> {
    try {
      if (tcp) return result(server, await viaTcp(server, name, type, dnssecOk, timeoutMs), 'tcp');
      let received = await viaUdp(server, name, type, dnssecOk, true, timeoutMs);
      if (!received.truncated && (received.response.rcode === 'FORMERR' || received.response.rcode === 'NOTIMP') && !received.response.edns) {
        received = await viaUdp(server, name, type, false, false, timeoutMs);
      }
      if (received.truncated || received.response.flags.tc) {
        counters.tcpFallbacks++;
        return result(server, await viaTcp(server, name, type, dnssecOk, timeoutMs), 'tcp');
      }
      return result(server, received.response, 'udp');
    } catch (error) {
      if (error instanceof DnsTimeoutError) counters.timeouts++;
      throw error;
    }
  }

  function query(name: string, type: string, queryOptions: QueryOptions = {}): Promise<QueryResult> {
    const qname = normalizeName(name);
    // The name is checked where the query is built (buildQuery → nameLabels): a bad one
    // fails every attempt at once, with nothing sent.
    let qtype: number;
    try {
      qtype = typeCode(type);
    } catch (error) {
      return Promise.reject(error);
    }
    const dnssecOk = queryOptions.dnssecOk ?? options.dnssecOk ?? false;
    const tcp = queryOptions.tcp ?? false;
    const key = `${qname}|${qtype}|${dnssecOk}|${tcp}|${queryOptions.server ? formatServer(queryOptions.server) : ''}`;
    const existing = queriesInFlight.get(key);
    if (existing) {
      counters.deduplicated++;
      return existing;
    }
    // askServers forgets the key when it ends, always after a turn (it awaits an exchange), so
    // never before the key is set below; the one way it could end at once is answered here.
    if (!queryOptions.server && knownServers?.length === 0) return Promise.reject(new DnsError('no DNS server to ask'));
    const promise = askServers(key, qname, type, qtype, dnssecOk, tcp, queryOptions.server);
    queriesInFlight.set(key, promise);
    return promise;
  }

  /** The question to each server in turn, pass after pass (retrySchedule), until one answers. */
  async function askServers(key: string, qname: string, type: string, qtype: number, dnssecOk: boolean, tcp: boolean, only: ServerAddress | undefined): Promise<QueryResult> {
    try {
      const list = only ? [only] : (knownServers ?? (await servers()));
      if (list.length === 0) throw new DnsError('no DNS server to ask');
      let lastResult: QueryResult | undefined;
      let lastError: Error | undefined;
      let settled: Set<string> | undefined;
      for (const attemptMs of schedule) {
        for (const server of list) {
          // A server that answered with an error is not asked again; one that timed out is.
          if (settled?.has(formatServer(server))) continue;
          try {
            const result = await exchange(server, qname, qtype, dnssecOk, tcp, attemptMs);
            if (!RETRY_ELSEWHERE.has(result.rcode)) return result;
            (settled ??= new Set()).add(formatServer(server));
            lastResult = result;
          } catch (error) {
            if (!(error instanceof DnsError)) throw error;
            lastError = error;
          }
        }
      }
      if (lastResult) return lastResult;
      throw lastError ?? new DnsError(`no answer for ${qname} ${type}`);
    } finally {
      queriesInFlight.delete(key);
    }
  }

  /**
   * Follow CNAMEs, in the answer and by asking again (RFC 1034 §3.6.2, §4.3.2), to an Answer.
   * `atName` is true when a negative answer (NXDOMAIN or NODATA) speaks of the name itself:
   * the first question's, with no CNAME in it.
   */
  async function chase(qname: string, type: RRType): Promise<{ answer: Answer; ttl?: number; atName?: boolean }> {
    const chain: RR[] = [];
    const visited = new Set([qname]);
    let current = qname;
    let authenticated = true;
    for (let hop = 0; ; hop++) {
      let result: QueryResult;
      try {
        result = await query(current, type);
      } catch (error) {
        return { answer: { status: 'error', reason: (error as Error).message } };
      }
      authenticated &&= result.authenticated;
      if (result.rcode !== 'NOERROR' && result.rcode !== 'NXDOMAIN') {
        const reason = `${result.rcode} from ${formatServer(result.server)} for ${current} ${type}`;
        // Asked to recurse, a server that refuses with RA clear is authoritative-only: it
        // answers for its own zones and never for others (RFC 1035 §4.1.1).
        const notRecursive = result.rcode === 'REFUSED' && recursionDesired && !result.flags.ra;
        if (notRecursive) nonRecursive.set(formatServer(result.server), result.server);
        return { answer: notRecursive ? { status: 'error', reason, cause: 'not-recursive' } : { status: 'error', reason } };
      }
      // Only records on the chain from the question are believed; the rest is ignored.
      let name = current;
      for (;;) {
        const records = result.answers.filter((rr) => rr.name === name && rr.type === type);
        if (records.length > 0) {
          const answer: Answer = { status: 'ok', records, authenticated };
          return { answer, ttl: cacheTtl(answer, chain, []) };
        }
        if (type === 'CNAME') break;
        const cname = result.answers.find((rr) => rr.name === name && rr.type === 'CNAME');
        if (!cname || cname.type !== 'CNAME') break;
        chain.push(cname);
        if (visited.has(cname.target)) return { answer: { status: 'error', reason: `CNAME loop at ${cname.target} resolving ${qname}` } };
        if (chain.length > maxHops) return { answer: { status: 'error', reason: `CNAME chain from ${qname} longer than ${maxHops}` } };
        visited.add(cname.target);
        name = cname.target;
      }
      const soa = result.authorities.some((rr) => rr.type === 'SOA');
      // RFC 2308 §2.2: NS records and no SOA in a non-authoritative empty answer are a
      // referral, not NODATA: this server does not hold the zone.
      if (result.rcode === 'NOERROR' && !soa && !result.flags.aa && result.authorities.some((rr) => rr.type === 'NS')) {
        return { answer: { status: 'error', reason: `referral from ${formatServer(result.server)} for ${name} ${type}: not authoritative` } };
      }
      // RFC 6604 §3: NXDOMAIN and NODATA speak of the last name of the chain.
      if (result.rcode === 'NXDOMAIN' || name === current || soa) {
        const answer: Answer = { status: result.rcode === 'NXDOMAIN' ? 'nxdomain' : 'nodata', authenticated };
        return { answer, ttl: cacheTtl(answer, chain, result.authorities), ...(hop === 0 && chain.length === 0 ? { atName: true } : {}) };
      }
      // The answer stopped at a name its server did not resolve: ask for that name.
      if (hop + 1 > maxHops) return { answer: { status: 'error', reason: `CNAME chain from ${qname} longer than ${maxHops}` } };
      current = name;
    }
  }

  /** The answer cached (or learnt: `name|` holds an NXDOMAIN for every type) or being asked, counted; undefined when neither. */
  function knownOrAsked(qname: string, key: string): Answer | Promise<Answer> | undefined {
    const cached = cache?.get(key) ?? cache?.get(`${qname}|`);
    if (cached) {
      counters.cacheHits++;
      return cached;
    }
    const existing = resolvesInFlight.get(key);
    if (existing) counters.deduplicated++;
    return existing;
  }

  function resolve(name: string, type: RRType): Promise<Answer> {
    const qname = normalizeName(name);
    const key = `${qname}|${type}`;
    // A name that is not valid is never cached nor asked, so it is checked on a miss only.
    const early = knownOrAsked(qname, key);
    if (early) return early instanceof Promise ? early : Promise.resolve(early);
    try {
      nameLabels(qname);
    } catch (error) {
      return Promise.resolve({ status: 'error', reason: (error as Error).message });
    }
    if (type === 'CNAME' && cache) {
      // A question of another type about the name, in flight, may answer this one: wait for it.
      const other = namesInFlight.get(qname);
      if (other) return other.then(() => knownOrAsked(qname, key) ?? ask(qname, key, type));
    }
    return ask(qname, key, type);
  }

  /** Ask (a cache miss): the answer is cached, and the question is in flight until then. */
  function ask(qname: string, key: string, type: RRType): Promise<Answer> {
    counters.cacheMisses++;
    let settled: Promise<void> | undefined;
    const forget = (): void => {
      resolvesInFlight.delete(key);
      if (settled && namesInFlight.get(qname) === settled) namesInFlight.delete(qname);
    };
    const promise = chase(qname, type).then(
      ({ answer, ttl, atName }) => {
        cache?.set(key, answer, ttl);
        if (atName) learnFromNegative(qname, type, answer, ttl);
        forget();
        return answer;
      },
      (error: unknown) => {
        forget();
        throw error;
      },
    );
    resolvesInFlight.set(key, promise);
    if (type !== 'CNAME') {
      settled = promise.then(ignore, ignore);
      namesInFlight.set(qname, settled);
    }
    return promise;
  }

  /**
   * A negative answer about the name itself answers other questions about it, as a
   * resolver's cache does, saving a bulk audit the questions a missing _dmarc, _mta-sts or
   * _smtp._tls name would cost it twice (TXT and CNAME):
   * - NXDOMAIN: the name holds no records of any type (RFC 1034 §4.3.2 step 3b; RFC 2308 §5;
   *   BIND's cache serves one NXDOMAIN for every type), kept under the key `name|`;
   * - NODATA with no CNAME: a server returns the CNAME at a name for any type the name lacks
   *   (step 3a), so there is none. An answer WITH records says nothing of a CNAME: a name that
   *   wrongly holds one beside them (what audit/checks/cname.ts looks for) answers its own.
   */
  function learnFromNegative(qname: string, type: RRType, answer: Answer, ttl: number | undefined): void {
    if (!cache || (answer.status !== 'nxdomain' && answer.status !== 'nodata')) return;
    if (answer.status === 'nxdomain') cache.set(`${qname}|`, answer, ttl);
    else if (type !== 'CNAME' && !cache.get(`${qname}|CNAME`) && !resolvesInFlight.has(`${qname}|CNAME`)) cache.set(`${qname}|CNAME`, answer, ttl);
  }

  return {
    resolve,
    query,
    servers,
    stats: () => ({ ...counters, peakInFlight: limiter.peak }),
    nonRecursiveServers: () => [...nonRecursive.values()],
  };
}
