// UDP exchanges: connected sockets with kernel-random source ports, shared only by queries
// in flight together and retired after a few hundred, strict source and content matching
// (RFC 5452 §4, §9.1).

import { pushTo } from '../base/multimap.js';
import { parseIp } from '../dns-types/ip.js';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { DnsNetworkError, DnsTimeoutError } from './failure.js';
import { formatServer, type ServerAddress } from './servers.js';

export interface UdpExchange<T> {
  server: ServerAddress;
  message: Buffer;
  timeoutMs: number;
  /**
   * Called for each datagram from the server's address and port that carries the query's
   * ID; returns the parsed answer when it is the one awaited, or undefined to drop it and
   * keep waiting.
   */
  accept(datagram: Buffer): T | undefined;
}

export interface UdpTransportOptions {
  /**
   * Queries one socket carries before it is retired (default 256). A socket is also closed
   * as soon as nothing is in flight on it, so queries asked one after the other each get a
   * fresh socket and port; only queries in flight together share one.
   */
  maxQueriesPerSocket?: number;
  /** A datagram from the server that no query in flight on its socket was waiting for. */
  onDrop?: () => void;
}

export interface UdpTransport {
  exchange<T>(options: UdpExchange<T>): Promise<T>;
}

function sameAddress(a: string, b: string): boolean {
  // Node reports IPv6 sources without the zone index; compare lowercased, sans %zone.
  const bare = (s: string) => s.toLowerCase().replace(/%.*$/, '');
  return bare(a) === bare(b);
}

interface Waiter {
  /** True when the datagram was the awaited answer (the waiter is then settled). */
  offer(datagram: Buffer): boolean;
  fail(error: Error): void;
}

/** One connected socket and the queries in flight on it, by message ID. */
class PooledSocket {
  readonly socket: Socket;
  readonly ready: Promise<void>;
  readonly waiting = new Map<number, Waiter[]>();
  inFlight = 0;
  uses = 0;
  closed = false;
  #failure: Error | undefined;
  readonly #outbox: { message: Buffer; failed: (error: Error) => void }[] = [];

  constructor(
    readonly server: ServerAddress,
    private readonly onIdle: (pooled: PooledSocket) => void,
    private readonly onDrop: () => void,
  ) {
    // Binding to port 0 lets the kernel pick a random ephemeral port for each socket.
    this.socket = createSocket(parseIp(server.host.replace(/%.*$/, ''), false)?.family === 6 ? 'udp6' : 'udp4');
    this.socket.on('error', (error: NodeJS.ErrnoException) => {
      this.fail(new DnsNetworkError(`UDP to ${formatServer(server)}: ${error.code ?? error.message}`));
    });
    this.socket.on('message', (datagram: Buffer, rinfo: RemoteInfo) => this.receive(datagram, rinfo));
    // Connecting makes the kernel report ICMP unreachable as ECONNREFUSED and filter
    // other sources too; the explicit check in receive() stays as defence in depth.
    this.ready = new Promise<void>((resolve) => this.socket.connect(server.port, server.host, () => resolve()));
  }

  receive(datagram: Buffer, rinfo: RemoteInfo): void {
    if (rinfo.port !== this.server.port || !sameAddress(rinfo.address, this.server.host)) return;
    const list = datagram.length >= 2 ? this.waiting.get(datagram.readUInt16BE(0)) : undefined;
    if (!list) {
      this.onDrop();
      return;
    }
    // Two queries in flight may share an ID; each checks the question for itself.
    if (list.length === 1) list[0]!.offer(datagram);
    else for (const waiter of [...list]) if (waiter.offer(datagram)) return;
  }

  add(id: number, waiter: Waiter): void {
    pushTo(this.waiting, id, waiter);
    this.inFlight++;
    this.uses++;
  }

  remove(id: number, waiter: Waiter): void {
    const list = this.waiting.get(id);
    if (!list) return;
    const at = list.indexOf(waiter);
    if (at < 0) return;
    list.splice(at, 1);
    if (list.length === 0) this.waiting.delete(id);
    this.inFlight--;
    if (this.inFlight === 0) this.onIdle(this);
  }

  send(message: Buffer, failed: (error: Error) => void): void {
    if (this.#failure) {
      failed(this.#failure);
      return;
    }
    this.#outbox.push({ message, failed });
    if (this.#outbox.length === 1) this.ready.then(() => setImmediate(() => this.flush()), () => undefined);
  }

  /**
   * Datagrams queued during one turn of the event loop leave together: the first wakes
   * the server, the rest find it awake (on loopback a wake-up per datagram is the costliest
   * part of a send).
   */
  private flush(): void {
    const batch = this.#outbox.splice(0);
    for (const { message, failed } of batch) {
      if (this.closed) {
        failed(this.#failure ?? new DnsNetworkError(`UDP to ${formatServer(this.server)}: socket closed`));
        continue;
      }
      try {
        this.socket.send(message, (error) => {
          if (error) failed(new DnsNetworkError(`UDP to ${formatServer(this.server)}: ${(error as NodeJS.ErrnoException).code ?? error.message}`));
        });
      } catch (error) {
        failed(new DnsNetworkError(`UDP to ${formatServer(this.server)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`));
      }
    }
  }

  /** A socket error ends every query in flight on the socket. */
  fail(error: Error): void {
    this.#failure ??= error;
    for (const list of [...this.waiting.values()]) for (const waiter of [...list]) waiter.fail(error);
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.removeAllListeners('message');
    this.socket.on('error', () => undefined);
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}

/**
 * The UDP side of one DNS client. A fresh socket (a fresh kernel-random port) is opened
 * whenever none is open for the server; queries sent while it has others in flight share
 * it, up to maxQueriesPerSocket, so that a bulk run does not pay a socket, a bind and a
 * close per query (the largest cost in a profile of 20,000 questions). Each query keeps its
 * own random ID, its own question check and its own deadline (RFC 5452 §9.1).
 */
export function createUdpTransport(options: UdpTransportOptions = {}): UdpTransport {
  const maxUses = Math.max(1, options.maxQueriesPerSocket ?? 256);
  const onDrop = options.onDrop ?? (() => undefined);
  const current = new Map<string, PooledSocket>();
  /** formatServer of each server object asked: the pool's key, built once, not per query. */
  const keys = new WeakMap<ServerAddress, string>();
  const keyOf = (server: ServerAddress): string => {
    let key = keys.get(server);
    if (key === undefined) keys.set(server, (key = formatServer(server)));
    return key;
  };

  const idle = (pooled: PooledSocket): void => {
    const key = keyOf(pooled.server);
    if (current.get(key) === pooled) current.delete(key);
    pooled.close();
  };

  const socketFor = (server: ServerAddress): PooledSocket => {
    const key = keyOf(server);
    let pooled = current.get(key);
    if (!pooled || pooled.closed || pooled.uses >= maxUses) {
      // A retired socket closes itself when its last query ends.
      pooled = new PooledSocket(server, idle, onDrop);
      current.set(key, pooled);
    }
    return pooled;
  };

  function exchange<T>(exchangeOptions: UdpExchange<T>): Promise<T> {
    const { server, message, timeoutMs } = exchangeOptions;
    const id = message.readUInt16BE(0);
    return new Promise<T>((resolve, reject) => {
      const pooled = socketFor(server);
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        pooled.remove(id, waiter);
        fn();
      };
      const waiter: Waiter = {
        offer(datagram) {
          let value: T | undefined;
          try {
            value = exchangeOptions.accept(datagram);
          } catch {
            value = undefined;
          }
          if (value === undefined) return false;
          finish(() => resolve(value as T));
          return true;
        },
        fail(error) {
          finish(() => reject(error));
        },
      };
      const timer = setTimeout(
        () => finish(() => reject(new DnsTimeoutError(`timeout after ${timeoutMs} ms waiting for ${formatServer(server)} (UDP)`))),
        timeoutMs,
      );
      pooled.add(id, waiter);
      pooled.send(message, (error) => finish(() => reject(error)));
    });
  }

  return { exchange };
}

/** One exchange on a socket of its own (a transport used once). */
export function exchangeUdp<T>(options: UdpExchange<T>): Promise<T> {
  return createUdpTransport().exchange(options);
}
