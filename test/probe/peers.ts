// SMTP peers for the probe tests on 127.0.0.1 and a free high port: a real one (smtp-server, with or without STARTTLS) and bad ones (silent, closing mid-handshake, endless banner, huge chain).

import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import { SMTPServer } from 'smtp-server';

export interface Peer {
  port: number;
  /** Octets the peer wrote to clients so far (bad peers). */
  written(): number;
  close(): Promise<void>;
}

/** A real SMTP server (smtp-server) with STARTTLS serving `chain` (leaf first), or without STARTTLS. */
export async function startSmtp(tls: { key: string; chain: string } | 'no-starttls'): Promise<Peer> {
  const server = new SMTPServer({
    ...(tls === 'no-starttls' ? { disabledCommands: ['STARTTLS'], hideSTARTTLS: true } : { key: tls.key, cert: tls.chain }),
    authOptional: true,
    logger: false,
    banner: 'mailrec probe test peer',
    closeTimeout: 100,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, written: () => 0, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A raw TCP peer driven by `onConnection`; counts what it writes. */
async function startRaw(onConnection: (socket: Socket, count: (n: number) => void) => void): Promise<Peer> {
  const sockets = new Set<Socket>();
  let written = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket, (n) => {
      written += n;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    written: () => written,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Accepts and never says a word. */
export function startSilent(): Promise<Peer> {
  return startRaw(() => undefined);
}

/** Speaks SMTP up to STARTTLS, answers 220, then `afterStarttls` takes the socket. */
function startTlsPeer(afterStarttls: (socket: Socket, count: (n: number) => void) => void): Promise<Peer> {
  return startRaw((socket, count) => {
    const say = (text: string): void => {
      count(text.length);
      socket.write(text);
    };
    say('220 bad.test ESMTP\r\n');
    let buffer = '';
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('latin1');
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const line = buffer.slice(0, end).trim().toUpperCase();
        buffer = buffer.slice(end + 1);
        if (line.startsWith('EHLO')) say('250-bad.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n');
        else if (line === 'STARTTLS') {
          say('220 2.0.0 go ahead\r\n');
          socket.off('data', onData);
          afterStarttls(socket, count);
          return;
        } else if (line === 'QUIT') {
          say('221 bye\r\n');
          socket.end();
        } else say('502 no\r\n');
      }
    };
    socket.on('data', onData);
  });
}

/** Closes the connection as soon as the client's TLS ClientHello arrives. */
export function startClosingMidHandshake(): Promise<Peer> {
  return startTlsPeer((socket) => {
    socket.once('data', () => socket.destroy());
  });
}

/** Answers the ClientHello with TLS garbage, then stays open and silent. */
export function startGarbageTls(): Promise<Peer> {
  return startTlsPeer((socket, count) => {
    socket.once('data', () => {
      const junk = Buffer.from('16030300ff02', 'hex');
      count(junk.length);
      socket.write(junk);
    });
  });
}

/** Serves a certificate chain of `copies` extra CA certificates after the leaf over STARTTLS. */
export function startHugeChain(key: string, leaf: string, extra: string, copies: number): Promise<Peer> {
  const context = createSecureContext({ key, cert: leaf + extra.repeat(copies) });
  return startTlsPeer((socket, count) => {
    const before = socket.bytesWritten;
    const tls = new TLSSocket(socket, { isServer: true, secureContext: context });
    tls.on('error', () => undefined);
    tls.on('close', () => count(socket.bytesWritten - before));
  });
}

/** A greeting that never ends: one line without a line break, `chunk` octets at a time. */
export function startEndlessLine(chunk = 16 * 1024): Promise<Peer> {
  return startRaw((socket, count) => {
    const payload = `220 ${'x'.repeat(chunk)}`;
    const pump = (): void => {
      while (!socket.destroyed && socket.write(payload.slice(0, chunk))) count(chunk);
      if (!socket.destroyed) socket.once('drain', pump);
    };
    pump();
  });
}

/** A multi-line greeting that never ends: "220-..." continuation lines forever. */
export function startEndlessMultiline(): Promise<Peer> {
  return startRaw((socket, count) => {
    const lines = '220-still greeting you\r\n'.repeat(512);
    const pump = (): void => {
      while (!socket.destroyed && socket.write(lines)) count(lines.length);
      if (!socket.destroyed) socket.once('drain', pump);
    };
    pump();
  });
}

/** Sends `greeting`, then answers every line with `reply`. */
export function startScripted(greeting: string, reply: string): Promise<Peer> {
  return startRaw((socket, count) => {
    count(greeting.length);
    socket.write(greeting);
    socket.on('data', () => {
      count(reply.length);
      socket.write(reply);
    });
  });
}

/** A port nobody listens on (bound, then closed). */
export async function refusedPort(): Promise<number> {
  const peer = await startRaw(() => undefined);
  await peer.close();
  return peer.port;
}
