// UDP exchange: one fresh socket (kernel-random source port) per query, strict source and content matching (RFC 5452 §4, §9.1).

import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { DnsNetworkError, DnsTimeoutError } from './failure.js';
import { formatServer, type ServerAddress } from './servers.js';

export interface UdpExchange<T> {
  server: ServerAddress;
  message: Buffer;
  timeoutMs: number;
  /**
   * Called for each datagram from the server's address and port; returns the parsed
   * answer when it is the one awaited, or undefined to drop it and keep waiting.
   */
  accept(datagram: Buffer): T | undefined;
}

function sameAddress(a: string, b: string): boolean {
  // Node reports IPv6 sources without the zone index; compare lowercased, sans %zone.
  const bare = (s: string) => s.toLowerCase().replace(/%.*$/, '');
  return bare(a) === bare(b);
}

/**
 * Send one datagram and wait for the accepted reply. A datagram from any other address
 * or port, or one that `accept` refuses (wrong ID, question, or malformed), is dropped
 * and the wait goes on until the deadline (RFC 5452 §9.1).
 */
export function exchangeUdp<T>(options: UdpExchange<T>): Promise<T> {
  const { server, message, timeoutMs } = options;
  return new Promise<T>((resolve, reject) => {
    // Binding to port 0 lets the kernel pick a random ephemeral port for each query.
    const socket: Socket = createSocket(isIPv6(server.host.replace(/%.*$/, '')) ? 'udp6' : 'udp4');
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('message');
      socket.on('error', () => undefined);
      socket.close();
      fn();
    };
    const timer = setTimeout(
      () => finish(() => reject(new DnsTimeoutError(`timeout after ${timeoutMs} ms waiting for ${formatServer(server)} (UDP)`))),
      timeoutMs,
    );
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish(() => reject(new DnsNetworkError(`UDP to ${formatServer(server)}: ${error.code ?? error.message}`))),
    );
    socket.on('message', (datagram: Buffer, rinfo: RemoteInfo) => {
      if (rinfo.port !== server.port || !sameAddress(rinfo.address, server.host)) return;
      let value: T | undefined;
      try {
        value = options.accept(datagram);
      } catch {
        value = undefined;
      }
      if (value !== undefined) finish(() => resolve(value as T));
    });
    // Connecting makes the kernel report ICMP unreachable as ECONNREFUSED and filter
    // other sources too; the explicit check above stays as defence in depth.
    const sendFailed = (error: Error | null) => {
      if (error) finish(() => reject(new DnsNetworkError(`UDP to ${formatServer(server)}: ${(error as NodeJS.ErrnoException).code ?? error.message}`)));
    };
    socket.connect(server.port, server.host, () => {
      if (settled) return; // timed out before the socket was ready
      try {
        socket.send(message, sendFailed);
      } catch (error) {
        sendFailed(error as Error);
      }
    });
  });
}
