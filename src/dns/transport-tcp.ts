// TCP exchange: 2-octet length framing, deadlines and size limits on what the server sends (RFC 1035 §4.2.2, RFC 7766 §8).

import { Socket } from 'node:net';
import { MalformedMessageError } from './guard.js';
import { DnsError } from '../base/errors.js';
import { DnsNetworkError, DnsTimeoutError } from './failure.js';
import { formatServer, type ServerAddress } from './servers.js';

export type FrameVerdict<T> = { done: true; value: T } | { done: false };

export interface TcpExchange<T> {
  server: ServerAddress;
  message: Buffer;
  /** Deadline for the whole exchange. */
  timeoutMs: number;
  /** Longest silence allowed between two reads (default: timeoutMs). */
  idleTimeoutMs?: number;
  /** Largest single message accepted (default 65535, the framing's own limit). */
  maxMessageOctets?: number;
  /** Total octets accepted over the connection (default 65537: one message). */
  maxTotalOctets?: number;
  /** Called per received message: done with a value, or wait for the next one. */
  onMessage(message: Buffer): FrameVerdict<T>;
}

const MIN_MESSAGE_OCTETS = 12;

/**
 * Send one length-prefixed message and read length-prefixed replies until onMessage is
 * done. A length prefix announcing more than the limits, a stall, or more data than
 * maxTotalOctets ends the exchange with an error; nothing partial is returned.
 */
export function exchangeTcp<T>(options: TcpExchange<T>): Promise<T> {
  const { server, message, timeoutMs } = options;
  const idleMs = options.idleTimeoutMs ?? timeoutMs;
  const maxMessage = Math.min(options.maxMessageOctets ?? 65535, 65535);
  const maxTotal = options.maxTotalOctets ?? 65537;
  const where = formatServer(server);
  return new Promise<T>((resolve, reject) => {
    const socket = new Socket();
    let settled = false;
    let received = 0;
    let pending: Buffer = Buffer.alloc(0);
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(idle);
      socket.removeAllListeners('data');
      socket.on('error', () => undefined);
      socket.destroy();
      fn();
    };
    const fail = (error: Error) => finish(() => reject(error));
    const deadline = setTimeout(() => fail(new DnsTimeoutError(`timeout after ${timeoutMs} ms waiting for ${where} (TCP)`)), timeoutMs);
    let idle = setTimeout(() => undefined, 0);
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => fail(new DnsTimeoutError(`no data from ${where} for ${idleMs} ms (TCP)`)), idleMs);
    };
    armIdle();
    socket.on('error', (error: NodeJS.ErrnoException) => fail(new DnsNetworkError(`TCP to ${where}: ${error.code ?? error.message}`)));
    socket.on('close', () => fail(new DnsNetworkError(`TCP to ${where}: connection closed before a complete answer`)));
    socket.on('data', (chunk: Buffer) => {
      armIdle();
      received += chunk.length;
      if (received > maxTotal) return fail(new DnsError(`TCP answer from ${where} exceeds ${maxTotal} octets; dropped`));
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (length < MIN_MESSAGE_OCTETS) return fail(new MalformedMessageError(`malformed DNS message from ${where}: ${length}-octet TCP frame`));
        if (length > maxMessage) return fail(new DnsError(`TCP message of ${length} octets from ${where} exceeds the ${maxMessage}-octet limit; dropped`));
        if (pending.length < length + 2) break;
        const frame = Buffer.from(pending.subarray(2, length + 2));
        pending = pending.subarray(length + 2);
        let verdict: FrameVerdict<T>;
        try {
          verdict = options.onMessage(frame);
        } catch (error) {
          return fail(error as Error);
        }
        if (verdict.done) {
          const value = verdict.value;
          return finish(() => resolve(value));
        }
      }
    });
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(message.length, 0);
    socket.connect({ host: server.host, port: server.port }, () => {
      socket.write(Buffer.concat([prefix, message]));
    });
  });
}
