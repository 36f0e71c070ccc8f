// TSIG (RFC 8945): sign requests and verify responses; the MAC is computed here over the exact wire bytes.

import { timingSafeEqual } from 'node:crypto';
import { DnsError } from '../base/errors.js';
import { readName, type ScannedMessage, type ScannedRR } from './guard.js';
import type { WireRR } from './message.js';
import { encodeRR } from './message.js';
import type { TsigKey } from './tsig-key.js';
import { CLASS, encodeName } from './wire.js';

export const TYPE_TSIG = 250;
/** RFC 8945 recommends a fudge of 300 seconds. */
export const TSIG_FUDGE = 300;

/** TSIG error field values (RFC 8945 §4.2, §5.2). */
export const TSIG_ERRORS: Record<number, string> = { 0: 'NOERROR', 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 22: 'BADTRUNC' };

export function tsigErrorName(code: number): string {
  return TSIG_ERRORS[code] ?? `TSIG error ${code}`;
}

/** The fields of a TSIG RR (RFC 8945 §4.2). */
export interface TsigRecord {
  keyName: string;
  algorithm: string;
  /** Seconds since the epoch (48-bit on the wire). */
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  other: Buffer;
}

/** The TSIG RR of a scanned message (the guard checked it is last and well-formed), if any. */
export function findTsig(buf: Buffer, scan: ScannedMessage): { rr: ScannedRR; tsig: TsigRecord } | undefined {
  const rr = scan.additionals[scan.additionals.length - 1];
  if (!rr || rr.type !== TYPE_TSIG) return undefined;
  const alg = readName(buf, rr.rdataOffset);
  let at = alg.end;
  const timeSigned = buf.readUInt16BE(at) * 2 ** 32 + buf.readUInt32BE(at + 2);
  const fudge = buf.readUInt16BE(at + 6);
  const macSize = buf.readUInt16BE(at + 8);
  at += 10;
  const mac = Buffer.from(buf.subarray(at, at + macSize));
  at += macSize;
  const originalId = buf.readUInt16BE(at);
  const error = buf.readUInt16BE(at + 2);
  const otherLen = buf.readUInt16BE(at + 4);
  const other = Buffer.from(buf.subarray(at + 6, at + 6 + otherLen));
  return { rr, tsig: { keyName: rr.name, algorithm: alg.name, timeSigned, fudge, mac, originalId, error, other } };
}

function uint48(value: number): Buffer {
  const out = Buffer.alloc(6);
  out.writeUInt16BE(Math.floor(value / 2 ** 32) & 0xffff, 0);
  out.writeUInt32BE(value % 2 ** 32, 2);
  return out;
}

function uint16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value, 0);
  return out;
}

/** RFC 8945 §4.3.3 "TSIG Variables", names in canonical (lowercase, uncompressed) form. */
function tsigVariables(keyName: string, algorithm: string, timeSigned: number, fudge: number, error: number, other: Buffer): Buffer {
  const classTtl = Buffer.alloc(6);
  classTtl.writeUInt16BE(CLASS.ANY, 0); // TTL stays 0
  return Buffer.concat([
    encodeName(keyName), classTtl, encodeName(algorithm),
    uint48(timeSigned), uint16(fudge), uint16(error), uint16(other.length), other,
  ]);
}

/** RFC 8945 §4.3.1: the MAC with its 2-octet length, as it prefixes a response digest. */
function macWithLength(mac: Buffer): Buffer {
  return Buffer.concat([uint16(mac.length), mac]);
}

function tsigRR(key: TsigKey, t: Omit<TsigRecord, 'keyName' | 'algorithm'>): WireRR {
  const rdata = Buffer.concat([
    encodeName(key.algorithm), uint48(t.timeSigned), uint16(t.fudge), uint16(t.mac.length), t.mac,
    uint16(t.originalId), uint16(t.error), uint16(t.other.length), t.other,
  ]);
  return { name: key.name, type: TYPE_TSIG, class: CLASS.ANY, ttl: 0, rdata };
}

/** The message with one more additional record appended. */
function appendAdditional(message: Buffer, rr: WireRR): Buffer {
  const out = Buffer.concat([message, encodeRR(rr)]);
  out.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return out;
}

export interface SignedMessage {
  message: Buffer;
  /** The request MAC, which prefixes the response digest (RFC 8945 §4.3.1). */
  mac: Buffer;
  timeSigned: number;
}

/**
 * Sign a complete request (RFC 8945 §4.3.2): HMAC over the message as it stands plus the
 * TSIG variables, then the TSIG RR appended as the last additional record.
 */
export function signMessage(message: Buffer, key: TsigKey, options: { now?: () => number; fudge?: number } = {}): SignedMessage {
  const timeSigned = Math.floor((options.now ?? Date.now)() / 1000);
  const fudge = options.fudge ?? TSIG_FUDGE;
  const other = Buffer.alloc(0);
  const mac = key.mac([message, tsigVariables(key.name, key.algorithm, timeSigned, fudge, 0, other)]);
  const signed = appendAdditional(message, tsigRR(key, { timeSigned, fudge, mac, originalId: message.readUInt16BE(0), error: 0, other }));
  return { message: signed, mac, timeSigned };
}

/**
 * Sign a response to a signed request (RFC 8945 §4.3.1: the request MAC prefixes the
 * digest). mailrec never serves DNS; test servers use this to answer like BIND does.
 */
export function signResponse(message: Buffer, key: TsigKey, requestMac: Buffer, options: { now?: () => number; fudge?: number } = {}): Buffer {
  const timeSigned = Math.floor((options.now ?? Date.now)() / 1000);
  const fudge = options.fudge ?? TSIG_FUDGE;
  const other = Buffer.alloc(0);
  const mac = key.mac([macWithLength(requestMac), message, tsigVariables(key.name, key.algorithm, timeSigned, fudge, 0, other)]);
  return appendAdditional(message, tsigRR(key, { timeSigned, fudge, mac, originalId: message.readUInt16BE(0), error: 0, other }));
}

/** The message as it was before its TSIG was added: TSIG cut, ARCOUNT less one, original ID (RFC 8945 §4.3.2). */
function stripTsig(buf: Buffer, rr: ScannedRR, originalId: number): Buffer {
  const out = Buffer.from(buf.subarray(0, rr.offset));
  out.writeUInt16BE(originalId, 0);
  out.writeUInt16BE(buf.readUInt16BE(10) - 1, 10);
  return out;
}

/** A TSIG failure, with the TSIG error when the server sent one. Never carries the secret. */
export class TsigError extends DnsError {
  constructor(
    message: string,
    readonly tsigError?: string,
  ) {
    super(message);
  }
}

export interface TsigVerifier {
  /** Check one response message, in order; throws TsigError. */
  verify(buf: Buffer, scan: ScannedMessage): void;
  /** At the end of a multi-message answer: the last message must have been signed (RFC 8945 §5.3.1). */
  finish(): void;
}

/**
 * Verify the response(s) to a signed request (RFC 8945 §5.4, client processing of an
 * answer; §5.3.1 for the message chain of a TCP transfer). The first message must be
 * signed, digested as request MAC + message + TSIG variables; later messages of a zone
 * transfer as previous MAC + unsigned messages since + this message + timers, with at
 * most 99 unsigned messages in between.
 */
export function createTsigVerifier(key: TsigKey, requestMac: Buffer, server: string, options: { now?: () => number } = {}): TsigVerifier {
  const now = options.now ?? Date.now;
  const about = `TSIG key ${key.name} with ${server}`;
  let previousMac: Buffer | undefined;
  let unsigned: Buffer[] = [];
  return {
    verify(buf, scan) {
      const found = findTsig(buf, scan);
      if (!found) {
        if (previousMac === undefined) throw new TsigError(`${about}: the response is not signed`);
        unsigned.push(buf);
        if (unsigned.length > 99) throw new TsigError(`${about}: more than 99 unsigned messages in a row`);
        return;
      }
      const { rr, tsig } = found;
      if (tsig.keyName !== key.name || tsig.algorithm !== key.algorithm) {
        throw new TsigError(`${about}: the response is signed with another key (${tsig.keyName}, ${tsig.algorithm})`, 'BADKEY');
      }
      if (tsig.error !== 0) {
        // RFC 8945 §5.3.2: the server rejected our signature; its error answer has no usable MAC.
        throw new TsigError(`${about}: the server answered ${tsigErrorName(tsig.error)}`, tsigErrorName(tsig.error));
      }
      if (tsig.mac.length !== key.macLength) {
        // RFC 8945 §5.2.2.1 allows truncated MACs only when the key is configured for them.
        throw new TsigError(`${about}: unexpected ${tsig.mac.length}-octet MAC`, 'BADTRUNC');
      }
      const stripped = stripTsig(buf, rr, tsig.originalId);
      const input =
        previousMac === undefined
          ? [macWithLength(requestMac), stripped, tsigVariables(tsig.keyName, tsig.algorithm, tsig.timeSigned, tsig.fudge, tsig.error, tsig.other)]
          : [macWithLength(previousMac), ...unsigned, stripped, Buffer.concat([uint48(tsig.timeSigned), uint16(tsig.fudge)])];
      const expected = key.mac(input);
      if (!timingSafeEqual(expected, tsig.mac)) throw new TsigError(`${about}: the response signature is wrong (BADSIG)`, 'BADSIG');
      // RFC 8945 §5.4: the time is checked once the MAC is known good.
      const seconds = Math.floor(now() / 1000);
      if (Math.abs(seconds - tsig.timeSigned) > tsig.fudge) {
        throw new TsigError(`${about}: the response time is outside the ${tsig.fudge} s fudge (BADTIME)`, 'BADTIME');
      }
      previousMac = tsig.mac;
      unsigned = [];
    },
    finish() {
      if (previousMac === undefined || unsigned.length > 0) throw new TsigError(`${about}: the last message is not signed`);
    },
  };
}
