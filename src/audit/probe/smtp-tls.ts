// The live SMTP probe of one MX (RFC 5321, RFC 3207, RFC 7672 §2): banner, EHLO, STARTTLS, an unverified TLS handshake, the served chain, QUIT; every step bounded in time and size.
//
// This is the only module of the DANE probe that opens sockets. It judges nothing: it
// returns what the server did (or the one reason it stopped), and dane-match.ts decides.

import { Socket, connect as connectTcp } from 'node:net';
import { parseIp } from '../../dns-types/ip.js';
import { connect as connectTls, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';

export interface SmtpProbeOptions {
  /** TCP port; 25 for real MX hosts (RFC 5321 §4.5.4), a high port in tests. */
  port?: number;
  /** Connect to this address instead of resolving the host (tests; one address of a multi-homed MX). */
  address?: string;
  /** Longest wait for one step: connect, each reply, the TLS handshake. Default 10 s. */
  timeoutMs?: number;
  /** Longest the whole probe may take. Default 30 s. */
  totalTimeoutMs?: number;
  /** The name sent in EHLO. Default "mailrec.invalid" (RFC 2606: never a real host). */
  heloName?: string;
  /**
   * Longest reply line accepted, CRLF included. RFC 5321 §4.5.3.1.5 sets 512 octets;
   * real servers exceed it a little, so the default is 2048.
   */
  maxLineOctets?: number;
  /** Most lines in one multi-line reply (banner, EHLO). Default 64. */
  maxReplyLines?: number;
  /** Most certificates kept from the served chain. Default 16. */
  maxChainCertificates?: number;
  /** Most octets of DER kept from the served chain. Default 128 KiB (OpenSSL refuses a Certificate message over 100 KiB first). */
  maxChainOctets?: number;
}

export type ProbeStage = 'connect' | 'banner' | 'ehlo' | 'starttls' | 'tls';

/**
 * Why a probe stopped early:
 * - timeout, refused, unreachable, closed: the outcome is unknown (network or a dead server);
 * - protocol: the server broke SMTP (bad greeting, refused EHLO, no 220 to STARTTLS);
 * - limit: the server exceeded a size limit (endless banner, huge chain);
 * - tls: the TLS handshake failed.
 */
export type ProbeFailureKind = 'timeout' | 'refused' | 'unreachable' | 'closed' | 'protocol' | 'limit' | 'tls';

export interface ProbeFailure {
  stage: ProbeStage;
  kind: ProbeFailureKind;
  reason: string;
}

export interface SmtpProbeResult {
  host: string;
  port: number;
  /** The address connected to, when known. */
  address?: string;
  /** tls: handshake done and chain read; no-starttls: EHLO did not offer it; failed: see failure. */
  outcome: 'tls' | 'no-starttls' | 'failed';
  /** The first greeting line, at most 200 characters. */
  banner?: string;
  /** EHLO keywords, upper case (RFC 5321 §4.1.1.1). */
  extensions?: string[];
  starttls?: boolean;
  /** The served chain as DER, leaf first, in issuing order (outcome tls). */
  chain?: Buffer[];
  tls?: { protocol: string | null; cipher: string };
  failure?: ProbeFailure;
  /** Things worth knowing that did not stop the probe. */
  notes: string[];
  elapsedMs: number;
}

const DEFAULTS = {
  port: 25,
  timeoutMs: 10_000,
  totalTimeoutMs: 30_000,
  heloName: 'mailrec.invalid',
  maxLineOctets: 2048,
  maxReplyLines: 64,
  maxChainCertificates: 16,
  maxChainOctets: 128 * 1024,
};

interface Reply {
  code: number;
  lines: string[];
}

class ProbeStop extends Error {
  constructor(readonly failure: ProbeFailure) {
    super(failure.reason);
  }
}

/** Network error codes that mean "could not reach", by kind. */
function kindOfError(error: NodeJS.ErrnoException): ProbeFailureKind {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return 'closed';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return 'unreachable';
    default:
      return 'unreachable';
  }
}

/**
 * Reads CRLF-terminated reply lines from a plain socket with hard limits: a line longer
 * than maxLineOctets, or a reply of more than maxReplyLines lines, stops the probe before
 * the buffer can grow (an endless banner costs at most maxLineOctets of memory).
 */
class ReplyReader {
  private buffer = '';
  private waiting: { resolve: (reply: Reply) => void; reject: (error: Error) => void; lines: string[] } | undefined;
  private ended: ProbeFailure | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly limits: { maxLineOctets: number; maxReplyLines: number },
    private readonly stage: () => ProbeStage,
  ) {
    socket.setEncoding('latin1');
    socket.on('data', this.onData);
  }

  private readonly onData = (chunk: string): void => {
    this.buffer += chunk;
    this.drain();
  };

  /** Stop reading: the socket is handed to TLS. Returns what the server sent beyond the last reply. */
  detach(): string {
    this.socket.off('data', this.onData);
    this.socket.pause();
    const rest = this.buffer;
    this.buffer = '';
    return rest;
  }

  fail(failure: ProbeFailure): void {
    this.ended ??= failure;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(new ProbeStop(this.ended));
  }

  next(): Promise<Reply> {
    if (this.ended) return Promise.reject(new ProbeStop(this.ended));
    return new Promise<Reply>((resolve, reject) => {
      this.waiting = { resolve, reject, lines: [] };
      this.drain();
    });
  }

  private drain(): void {
    const waiting = this.waiting;
    if (!waiting) {
      // Data nobody asked for (a server talking ahead): bound it all the same.
      if (this.buffer.length > this.limits.maxLineOctets * this.limits.maxReplyLines) {
        this.fail({ stage: this.stage(), kind: 'limit', reason: `the server sent more than ${this.buffer.length} octets unasked` });
      }
      return;
    }
    for (;;) {
      const end = this.buffer.indexOf('\n');
      if (end < 0) {
        if (this.buffer.length > this.limits.maxLineOctets) {
          this.fail({ stage: this.stage(), kind: 'limit', reason: `a reply line longer than ${this.limits.maxLineOctets} octets (RFC 5321 §4.5.3.1.5 allows 512)` });
        }
        return;
      }
      if (end + 1 > this.limits.maxLineOctets) {
        this.fail({ stage: this.stage(), kind: 'limit', reason: `a reply line of ${end + 1} octets, over the limit of ${this.limits.maxLineOctets} (RFC 5321 §4.5.3.1.5 allows 512)` });
        return;
      }
      const line = this.buffer.slice(0, end).replace(/\r$/, '');
      this.buffer = this.buffer.slice(end + 1);
      // RFC 5321 §4.2: Reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF
      const match = /^([2-5][0-9][0-9])([ -]|$)/.exec(line);
      if (!match) {
        this.fail({ stage: this.stage(), kind: 'protocol', reason: `not an SMTP reply line: "${printable(line)}"` });
        return;
      }
      waiting.lines.push(line.slice(4));
      if (waiting.lines.length > this.limits.maxReplyLines) {
        this.fail({ stage: this.stage(), kind: 'limit', reason: `a reply of more than ${this.limits.maxReplyLines} lines` });
        return;
      }
      if (match[2] !== '-') {
        this.waiting = undefined;
        waiting.resolve({ code: Number(match[1]), lines: waiting.lines });
        return;
      }
    }
  }
}

/** A short, printable excerpt of server text for a reason or a note. */
function printable(text: string, max = 200): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** The served chain, leaf first, as OpenSSL built it from the certificates the server sent. */
function servedChain(socket: TLSSocket, maxCertificates: number, maxOctets: number): { chain: Buffer[] } | { failure: string } {
  const chain: Buffer[] = [];
  const seen = new Set<string>();
  let octets = 0;
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  if (!cert || !cert.raw) return { failure: 'the server sent no certificate' };
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    octets += cert.raw.length;
    if (chain.length + 1 > maxCertificates) return { failure: `the served chain has more than ${maxCertificates} certificates` };
    if (octets > maxOctets) return { failure: `the served chain is larger than ${maxOctets} octets` };
    chain.push(Buffer.from(cert.raw));
    cert = cert.issuerCertificate;
  }
  return { chain };
}

/**
 * Probes one MX: connect, banner (220), EHLO, STARTTLS if offered (RFC 3207 §4), a TLS
 * handshake without certificate verification (the verdicts are DANE's and MTA-STS's, not
 * the WebPKI's), the served chain, QUIT. Never throws and never outlives totalTimeoutMs.
 */
export function probeMx(host: string, options: SmtpProbeOptions = {}): Promise<SmtpProbeResult> {
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  const started = Date.now();
  const notes: string[] = [];
  let stage: ProbeStage = 'connect';
  let banner: string | undefined;
  let extensions: string[] | undefined;
  let starttls: boolean | undefined;
  let tlsSocket: TLSSocket | undefined;

  const raw = connectTcp({ host: o.address ?? host, port: o.port });
  const reader = new ReplyReader(raw, o, () => stage);
  let stepTimer: NodeJS.Timeout | undefined;
  let failRaced: (failure: ProbeFailure) => void = () => undefined;
  const raced = new Promise<never>((_, reject) => {
    failRaced = (failure) => reject(new ProbeStop(failure));
  });
  raced.catch(() => undefined);
  const stop = (failure: ProbeFailure): void => {
    reader.fail(failure);
    failRaced(failure);
  };
  const totalTimer = setTimeout(() => stop({ stage, kind: 'timeout', reason: `the probe took longer than ${o.totalTimeoutMs} ms (at ${stage})` }), o.totalTimeoutMs);
  const step = (next: ProbeStage): void => {
    stage = next;
    clearTimeout(stepTimer);
    stepTimer = setTimeout(() => stop({ stage, kind: 'timeout', reason: `no answer within ${o.timeoutMs} ms at ${stage}` }), o.timeoutMs);
  };
  raw.on('error', (error: NodeJS.ErrnoException) => stop({ stage, kind: kindOfError(error), reason: `${error.code ?? 'error'}: ${error.message}` }));
  raw.on('close', () => stop({ stage, kind: 'closed', reason: `the server closed the connection at ${stage}` }));
  raw.on('end', () => stop({ stage, kind: 'closed', reason: `the server closed the connection at ${stage}` }));

  const write = (line: string): void => {
    raw.write(`${line}\r\n`);
  };

  const run = async (): Promise<SmtpProbeResult> => {
    step('connect');
    await Promise.race([new Promise<void>((resolve) => raw.once('connect', () => resolve())), raced]);

    // RFC 5321 §3.1: the greeting is 220; 421 or 554 refuse the session, often because of
    // who connects (a blocklisted audit host), so the outcome is unknown rather than broken.
    step('banner');
    const greeting = await Promise.race([reader.next(), raced]);
    banner = printable(greeting.lines[0] ?? '');
    if (greeting.code !== 220) {
      const refused = greeting.code === 421 || greeting.code === 554;
      throw new ProbeStop({ stage, kind: refused ? 'refused' : 'protocol', reason: `the greeting is ${greeting.code} ${banner}, not 220${refused ? ': the server refuses this client or is busy' : ''}` });
    }

    step('ehlo');
    write(`EHLO ${o.heloName}`);
    const ehlo = await Promise.race([reader.next(), raced]);
    if (ehlo.code !== 250) {
      throw new ProbeStop({ stage, kind: 'protocol', reason: `EHLO answered ${ehlo.code} ${printable(ehlo.lines[0] ?? '')}` });
    }
    // The first line is the server's name; each further line starts with a keyword.
    extensions = ehlo.lines.slice(1).map((l) => (l.split(' ')[0] ?? '').toUpperCase()).filter((k) => k !== '');
    starttls = extensions.includes('STARTTLS');
    if (!starttls) {
      write('QUIT');
      return result('no-starttls');
    }

    step('starttls');
    write('STARTTLS');
    const ready = await Promise.race([reader.next(), raced]);
    if (ready.code !== 220) {
      throw new ProbeStop({ stage, kind: 'protocol', reason: `STARTTLS answered ${ready.code} ${printable(ready.lines[0] ?? '')}` });
    }
    // RFC 3207 §4.2 / CVE-2011-0411: data after the 220 belongs to no one; it is dropped.
    const ahead = reader.detach();
    if (ahead !== '') notes.push(`the server sent ${ahead.length} octets after its STARTTLS 220; they were discarded`);

    step('tls');
    raw.removeAllListeners('close');
    raw.removeAllListeners('end');
    const servername = parseIp(host, false) === undefined ? host.replace(/\.$/, '') : undefined;
    tlsSocket = connectTls({
      socket: raw,
      // RFC 7672 §8.1: SNI is sent with the MX host name.
      ...(servername ? { servername } : {}),
      rejectUnauthorized: false,
      // An empty CA list: no local trust store, so the chain read back is only what the server sent.
      ca: [],
    });
    const secured = new Promise<void>((resolve, reject) => {
      tlsSocket!.once('secureConnect', () => resolve());
      tlsSocket!.once('error', (error: NodeJS.ErrnoException) => {
        const excessive = /excessive message size|too long|record overflow/i.test(error.message);
        const closed = error.code === 'ECONNRESET' || /disconnected before secure TLS connection/i.test(error.message);
        reject(
          new ProbeStop({
            stage: 'tls',
            kind: excessive ? 'limit' : closed ? 'closed' : 'tls',
            reason: excessive ? `the TLS handshake was too large for the client: ${error.message}` : closed ? `the server closed the connection during the TLS handshake (${error.code ?? error.message})` : `TLS handshake failed: ${error.message}`,
          }),
        );
      });
      tlsSocket!.once('close', () => reject(new ProbeStop({ stage: 'tls', kind: 'closed', reason: 'the server closed the connection during the TLS handshake' })));
    });
    secured.catch(() => undefined);
    await Promise.race([secured, raced]);
    const read = servedChain(tlsSocket, o.maxChainCertificates, o.maxChainOctets);
    if ('failure' in read) throw new ProbeStop({ stage: 'tls', kind: read.failure.startsWith('the server sent no') ? 'tls' : 'limit', reason: read.failure });
    const cipher = tlsSocket.getCipher();
    const tls = { protocol: tlsSocket.getProtocol(), cipher: cipher.name };
    tlsSocket.write('QUIT\r\n');
    return { ...result('tls'), chain: read.chain, tls };
  };

  function result(outcome: SmtpProbeResult['outcome'], failure?: ProbeFailure): SmtpProbeResult {
    return {
      host,
      port: o.port,
      ...(raw.remoteAddress ? { address: raw.remoteAddress } : o.address ? { address: o.address } : {}),
      outcome,
      ...(banner !== undefined ? { banner } : {}),
      ...(extensions !== undefined ? { extensions } : {}),
      ...(starttls !== undefined ? { starttls } : {}),
      ...(failure ? { failure } : {}),
      notes,
      elapsedMs: Date.now() - started,
    };
  }

  return run()
    .catch((error: unknown) => {
      if (error instanceof ProbeStop) return result('failed', error.failure);
      return result('failed', { stage, kind: 'tls', reason: error instanceof Error ? error.message : String(error) });
    })
    .finally(() => {
      clearTimeout(stepTimer);
      clearTimeout(totalTimer);
      tlsSocket?.destroy();
      raw.destroy();
    });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
