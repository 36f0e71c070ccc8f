// Building outgoing DNS messages: header, question, RR sections, EDNS0 OPT (RFC 1035 §4.1, RFC 6891 §6).
//
// mailrec writes its own messages (rather than dns-packet's encoder) because RFC 2136
// needs class NONE and empty rdata, and TSIG needs the exact bytes that were sent.

import { randomFillSync } from 'node:crypto';
import { CLASS, encodeName, nameLabels } from './wire.js';

/** A record in wire terms: what RFC 2136 and TSIG build, class and rdata explicit. */
export interface WireRR {
  name: string;
  type: number;
  class: number;
  ttl: number;
  rdata: Buffer;
}

export interface WireQuestion {
  name: string;
  type: number;
  class: number;
}

export const OPCODE = { QUERY: 0, UPDATE: 5 } as const;

/** Header flag bits in the second 16-bit word (RFC 1035 §4.1.1, RFC 4035 §3.1.6 for AD/CD). */
export const FLAG = { QR: 0x8000, AA: 0x0400, TC: 0x0200, RD: 0x0100, RA: 0x0080, AD: 0x0020, CD: 0x0010 } as const;

export interface MessageSpec {
  id: number;
  opcode?: number;
  /** Flag bits from FLAG (QR, RD, AD...); the opcode and rcode are set separately. */
  flags?: number;
  rcode?: number;
  questions?: WireQuestion[];
  /** Answer section; RFC 2136 §2.4 calls it the prerequisite section. */
  answers?: WireRR[];
  /** Authority section; RFC 2136 §2.5 calls it the update section. */
  authorities?: WireRR[];
  additionals?: WireRR[];
}

/** IDs drawn from the CSPRNG in blocks: one call into OpenSSL per 1,024 queries, not one each. */
const ids = new Uint16Array(1024);
let nextId = ids.length;

/** A fresh query ID from the CSPRNG (RFC 5452 §4.3: IDs must be unpredictable). */
export function randomId(): number {
  if (nextId === ids.length) {
    randomFillSync(ids);
    nextId = 0;
  }
  return ids[nextId++]!;
}

export function encodeRR(rr: WireRR): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(rr.type, 0);
  fixed.writeUInt16BE(rr.class, 2);
  fixed.writeUInt32BE(rr.ttl >>> 0, 4);
  fixed.writeUInt16BE(rr.rdata.length, 8);
  return Buffer.concat([encodeName(rr.name), fixed, rr.rdata]);
}

function encodeQuestion(q: WireQuestion): Buffer {
  const fixed = Buffer.alloc(4);
  fixed.writeUInt16BE(q.type, 0);
  fixed.writeUInt16BE(q.class, 2);
  return Buffer.concat([encodeName(q.name), fixed]);
}

/** Encode a whole message, names uncompressed. */
export function buildMessage(spec: MessageSpec): Buffer {
  const questions = spec.questions ?? [];
  const answers = spec.answers ?? [];
  const authorities = spec.authorities ?? [];
  const additionals = spec.additionals ?? [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(spec.id, 0);
  const flags = ((spec.flags ?? 0) & 0x87f0) | (((spec.opcode ?? OPCODE.QUERY) & 0xf) << 11) | ((spec.rcode ?? 0) & 0xf);
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(questions.length, 4);
  header.writeUInt16BE(answers.length, 6);
  header.writeUInt16BE(authorities.length, 8);
  header.writeUInt16BE(additionals.length, 10);
  return Buffer.concat([
    header,
    ...questions.map(encodeQuestion),
    ...answers.map(encodeRR),
    ...authorities.map(encodeRR),
    ...additionals.map(encodeRR),
  ]);
}

/** The DNS Flag Day 2020 value: 1232 octets avoids IP fragmentation on common paths. */
export const EDNS_UDP_PAYLOAD = 1232;

/** The EDNS0 OPT pseudo-RR (RFC 6891 §6.1.2-§6.1.3): payload size in CLASS, DO bit in TTL. */
export function optRR(udpPayloadSize = EDNS_UDP_PAYLOAD, dnssecOk = false): WireRR {
  return { name: '', type: 41, class: udpPayloadSize, ttl: dnssecOk ? 0x8000 : 0, rdata: Buffer.alloc(0) };
}

export interface QuerySpec {
  id: number;
  name: string;
  type: number;
  recursionDesired?: boolean;
  /** Send EDNS0 (default true). */
  edns?: boolean;
  udpPayloadSize?: number;
  dnssecOk?: boolean;
}

/**
 * A standard query. The AD bit is set so that a validating resolver reports whether
 * it validated the answer even without DO (RFC 6840 §5.7).
 */
export function buildQuery(spec: QuerySpec): Buffer {
  const edns = spec.edns ?? true;
  // Written in place (one buffer, no concatenation): a bulk audit builds tens of thousands.
  // The same octets as buildMessage with the question and the OPT record.
  const labels = nameLabels(spec.name);
  let nameOctets = 1;
  for (const label of labels) nameOctets += 1 + Buffer.byteLength(label, 'utf8');
  const length = HEADER_OCTETS + nameOctets + 4 + (edns ? OPT_OCTETS : 0);
  // From Node's shared pool (no ArrayBuffer of its own per query); every octet is written below.
  const buf = Buffer.allocUnsafe(length);
  buf.writeUInt16BE(spec.id, 0);
  buf.writeUInt16BE((spec.recursionDesired ?? true ? FLAG.RD : 0) | FLAG.AD, 2);
  buf.writeUInt16BE(1, 4);
  buf.writeUInt32BE(0, 6); // ANCOUNT, NSCOUNT
  buf.writeUInt16BE(edns ? 1 : 0, 10);
  let at = HEADER_OCTETS;
  for (const label of labels) {
    const octets = buf.write(label, at + 1, 'utf8');
    buf[at] = octets;
    at += 1 + octets;
  }
  buf[at++] = 0;
  buf.writeUInt16BE(spec.type, at);
  buf.writeUInt16BE(CLASS.IN, at + 2);
  at += 4;
  if (edns) {
    // OPT (RFC 6891 §6.1.2): root owner, type 41, CLASS = payload size, TTL = DO bit, no rdata.
    buf[at] = 0;
    buf.writeUInt16BE(41, at + 1);
    buf.writeUInt16BE(spec.udpPayloadSize ?? EDNS_UDP_PAYLOAD, at + 3);
    buf.writeUInt32BE(spec.dnssecOk ? 0x8000 : 0, at + 5);
    buf.writeUInt16BE(0, at + 9);
  }
  return buf;
}

const HEADER_OCTETS = 12;
/** Root owner (1), type, class, TTL, rdlength. */
const OPT_OCTETS = 11;
