// A DNS proxy on loopback between mailrec and a test server, as a network between a client and
// a recursive resolver would be: each answer held back by a delay, some lost, and (for the
// tests) SERVFAIL or silence injected on demand. UDP and TCP; counts every query it forwards.
// Shared by the tests and `npm run bench` (the latency model).

import { createSocket, type RemoteInfo } from 'node:dgram';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './processes.js';

/** What the proxy does with one query: pass it on, answer SERVFAIL itself, or drop it (a timeout). */
export type ProxyAction = 'forward' | 'servfail' | 'drop';

export interface DnsProxyOptions {
  /** The server behind the proxy (127.0.0.1). */
  upstreamPort: number;
  /** Added to every answer, in milliseconds (default 0). */
  delayMs?: number;
  /** Share of answers lost on the way back, 0–1 (default 0). */
  lossRate?: number;
  /** Random numbers for the loss (default Math.random): a seeded one makes runs repeatable. */
  random?: () => number;
  /** Decides per UDP query (default: forward). `n` counts the queries received so far, from 0. */
  action?: (n: number, now: number) => ProxyAction;
}

export interface DnsProxy {
  port: number;
  /** Receive times (Date.now()) of every UDP and TCP query, in order. */
  readonly received: number[];
  /** Answers dropped on the way back (loss and `drop`). */
  dropped(): number;
  /** The most UDP queries received and not yet answered (or lost) at any moment. */
  peakInFlight(): number;
  setAction(action: (n: number, now: number) => ProxyAction): void;
  stop(): Promise<void>;
}

/** The query turned into a bare SERVFAIL answer: header and question, nothing else (RFC 1035 §4.1.1). */
function servfail(query: Buffer): Buffer | undefined {
  if (query.length < 12) return undefined;
  let at = 12;
  while (at < query.length && query[at] !== 0) at += query[at]! + 1;
  const end = at + 5;
  if (end > query.length) return undefined;
  const out = Buffer.from(query.subarray(0, end));
  out.writeUInt16BE(0x8000 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | 2, 2); // QR, RD copied, RA, SERVFAIL
  out.writeUInt16BE(1, 4);
  out.writeUInt32BE(0, 6);
  out.writeUInt16BE(0, 10);
  return out;
}

export async function startDnsProxy(options: DnsProxyOptions): Promise<DnsProxy> {
  const delayMs = options.delayMs ?? 0;
  const lossRate = options.lossRate ?? 0;
  const random = options.random ?? Math.random;
  let action = options.action ?? (() => 'forward' as const);
  const received: number[] = [];
  let dropped = 0;
  let inFlight = 0;
  let peak = 0;
  const answered = (): void => void inFlight--;
  const later = (fn: () => void): void => {
    if (delayMs > 0) setTimeout(fn, delayMs);
    else fn();
  };

  const port = await freePort();
  const front = createSocket('udp4');
  const back = createSocket('udp4');
  // Queries in flight upstream under a proxy ID of their own: who asked, with which ID.
  const pending = new Map<number, { client: RemoteInfo; id: number }>();
  let nextId = 0;

  front.on('message', (query: Buffer, client: RemoteInfo) => {
    if (query.length < 12) return;
    const now = Date.now();
    const what = action(received.length, now);
    received.push(now);
    inFlight++;
    peak = Math.max(peak, inFlight);
    if (what === 'drop') {
      answered();
      dropped++;
      return;
    }
    if (what === 'servfail') {
      const answer = servfail(query);
      later(() => {
        answered();
        if (answer) front.send(answer, client.port, client.address);
      });
      return;
    }
    const id = nextId;
    nextId = (nextId + 1) & 0xffff;
    pending.set(id, { client, id: query.readUInt16BE(0) });
    const out = Buffer.from(query);
    out.writeUInt16BE(id, 0);
    back.send(out, options.upstreamPort, '127.0.0.1');
  });
  back.on('message', (answer: Buffer) => {
    if (answer.length < 12) return;
    const entry = pending.get(answer.readUInt16BE(0));
    if (!entry) return;
    pending.delete(answer.readUInt16BE(0));
    if (lossRate > 0 && random() < lossRate) {
      dropped++;
      answered();
      return;
    }
    answer.writeUInt16BE(entry.id, 0);
    later(() => {
      answered();
      front.send(answer, entry.client.port, entry.client.address);
    });
  });
  front.on('error', () => undefined);
  back.on('error', () => undefined);
  await new Promise<void>((resolve) => front.bind(port, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => back.bind(0, '127.0.0.1', resolve));

  // TCP (the fallback after TC=1): a byte pipe with each chunk from the server held back by the delay.
  const sockets = new Set<Socket>();
  const tcp: Server = createServer((client) => {
    sockets.add(client);
    received.push(Date.now());
    const upstream = createConnection({ host: '127.0.0.1', port: options.upstreamPort });
    sockets.add(upstream);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => later(() => client.destroyed || client.write(chunk)));
    const close = (): void => {
      later(() => {
        client.destroy();
        upstream.destroy();
      });
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.1', resolve));

  return {
    port,
    received,
    dropped: () => dropped,
    peakInFlight: () => peak,
    setAction: (next) => {
      action = next;
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      front.close();
      back.close();
    },
  };
}
