// In-process DNS servers on 127.0.0.1 for hostile-answer tests: a UDP and a TCP listener on one port, scripted by the test.

import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { buildMessage, FLAG, type WireRR } from '../../src/dns/message.js';
import { scanMessage, type ScannedMessage } from '../../src/dns/guard.js';
import { CLASS } from '../../src/dns/wire.js';

export interface FakeQuery {
  raw: Buffer;
  scan: ScannedMessage;
  id: number;
  name: string;
  type: number;
}

export interface FakeServer {
  port: number;
  server: { host: string; port: number };
  udp: UdpSocket;
  queries: FakeQuery[];
  tcpQueries: FakeQuery[];
  close(): Promise<void>;
}

export type UdpHandler = (query: FakeQuery, reply: (buf: Buffer) => void, rinfo: RemoteInfo) => void | Promise<void>;
export type TcpHandler = (query: FakeQuery, socket: Socket) => void | Promise<void>;

function parseQuery(raw: Buffer): FakeQuery {
  const scan = scanMessage(raw);
  const q = scan.questions[0]!;
  return { raw, scan, id: scan.id, name: q.name, type: q.type };
}

/** A response to `q` with the given answers (flags QR|AA plus extra, rcode). */
export function answer(q: { id: number; name: string; type: number }, answers: WireRR[] = [], extra: { flags?: number; rcode?: number; authorities?: WireRR[] } = {}): Buffer {
  return buildMessage({
    id: q.id,
    flags: FLAG.QR | FLAG.AA | (extra.flags ?? 0),
    rcode: extra.rcode ?? 0,
    questions: [{ name: q.name, type: q.type, class: CLASS.IN }],
    answers,
    authorities: extra.authorities ?? [],
  });
}

export function aRecord(name: string, address: string, ttl = 300): WireRR {
  return { name, type: 1, class: CLASS.IN, ttl, rdata: Buffer.from(address.split('.').map(Number)) };
}

export function frame(buf: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(buf.length, 0);
  return Buffer.concat([prefix, buf]);
}

/** Start UDP (and TCP, when `tcp` is given) listeners on the same free port, retrying on a clash. */
export async function startFake(udp: UdpHandler, tcp?: TcpHandler, host = '127.0.0.1'): Promise<FakeServer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startFakeOnce(udp, tcp, host);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 10) throw error;
    }
  }
}

async function startFakeOnce(udp: UdpHandler, tcp: TcpHandler | undefined, host: string): Promise<FakeServer> {
  const queries: FakeQuery[] = [];
  const tcpQueries: FakeQuery[] = [];
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => socket.bind(0, host, () => resolve()));
  const port = socket.address().port;
  socket.on('message', (raw, rinfo) => {
    let q: FakeQuery;
    try {
      q = parseQuery(raw);
    } catch {
      return;
    }
    queries.push(q);
    void udp(q, (buf) => socket.send(buf, rinfo.port, rinfo.address), rinfo);
  });
  let server: Server | undefined;
  const open = new Set<Socket>();
  if (tcp) {
    server = createServer((conn) => {
      open.add(conn);
      conn.on('close', () => open.delete(conn));
      conn.on('error', () => undefined);
      let pending = Buffer.alloc(0);
      conn.on('data', (chunk) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
          const raw = pending.subarray(2, 2 + pending.readUInt16BE(0));
          pending = pending.subarray(2 + raw.length);
          const q = parseQuery(Buffer.from(raw));
          tcpQueries.push(q);
          void tcp(q, conn);
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', (error) => {
        socket.close();
        reject(error);
      });
      server!.listen(port, host, () => resolve());
    });
  }
  return {
    port,
    server: { host, port },
    udp: socket,
    queries,
    tcpQueries,
    async close() {
      socket.close();
      for (const conn of open) conn.destroy();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}
