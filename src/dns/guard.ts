// Structural check of a received DNS message before dns-packet decodes it: bounds, counts, names, rdata (RFC 1035 §4.1).
//
// dns-packet trusts its input: it allocates arrays from the header counts, reads past an
// RR's rdata, and decodes only what a well-formed message holds. Every message from the
// network goes through scanMessage first; anything it rejects is dropped, never believed.

import { DnsError } from '../base/errors.js';
import { MAX_NAME_OCTETS } from './wire.js';

/** A message that does not parse. Callers drop it and keep waiting for a good one. */
export class MalformedMessageError extends DnsError {}

export interface ScannedQuestion {
  name: string;
  type: number;
  class: number;
}

export interface ScannedRR {
  name: string;
  type: number;
  class: number;
  ttl: number;
  /** Offset of the owner name: where the RR starts. */
  offset: number;
  rdataOffset: number;
  rdlength: number;
}

export interface ScannedMessage {
  id: number;
  /** The 16-bit flags word of the header (QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode). */
  flags: number;
  questions: ScannedQuestion[];
  answers: ScannedRR[];
  authorities: ScannedRR[];
  additionals: ScannedRR[];
  /** Offset just past the last RR; anything after it is ignored. */
  end: number;
}

export const HEADER_OCTETS = 12;
export const MAX_MESSAGE_OCTETS = 65535;
const MIN_QUESTION_OCTETS = 5; // root name, type, class
const MIN_RR_OCTETS = 11; // root name, type, class, ttl, rdlength
const TYPE_OPT = 41;
const TYPE_TSIG = 250;

function malformed(what: string): MalformedMessageError {
  return new MalformedMessageError(`malformed DNS message: ${what}`);
}

export interface ScannedName {
  name: string;
  /** Offset just past the name where it was read (after the first pointer, if any). */
  end: number;
}

/**
 * Read a possibly compressed name (RFC 1035 §4.1.4). Each pointer must go strictly below
 * every offset already visited, so a pointer loop is impossible; labels over 63 octets
 * cannot be expressed (a length byte above 63 is a pointer or a reserved label type,
 * RFC 6891 §5), and the whole name must fit in 255 octets. A label containing a dot is
 * refused, since the model could not tell it from two labels, except where `allowDot`
 * (an SOA RNAME mailbox, RFC 1035 §8).
 */
export function readName(buf: Buffer, offset: number, allowDot = false): ScannedName {
  return walkName(buf, offset, allowDot, []);
}

/** Where a name ends, with every check of readName but without building its text. */
function nameEnd(buf: Buffer, offset: number, allowDot = false): number {
  return walkName(buf, offset, allowDot, undefined).end;
}

function walkName(buf: Buffer, offset: number, allowDot: boolean, labels: string[] | undefined): ScannedName {
  let pos = offset;
  let lowest = offset;
  let end = -1;
  let octets = 1; // the root label
  for (;;) {
    if (pos >= buf.length) throw malformed('name runs past the end');
    const len = buf[pos]!;
    if (len === 0) {
      if (end < 0) end = pos + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) throw malformed('name runs past the end');
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (target < HEADER_OCTETS || target >= lowest) throw malformed('compression pointer does not point backwards');
      if (end < 0) end = pos + 2;
      pos = target;
      lowest = target;
      continue;
    }
    if (kind !== 0) throw malformed(`unsupported label type 0x${len.toString(16)}`);
    if (pos + 1 + len > buf.length) throw malformed('label runs past the end');
    octets += len + 1;
    if (octets > MAX_NAME_OCTETS) throw malformed(`name over ${MAX_NAME_OCTETS} octets`);
    // Octet 0x2e is the only one that decodes to "." in UTF-8.
    if (!allowDot) for (let i = pos + 1; i <= pos + len; i++) if (buf[i] === 0x2e) throw malformed('label contains a dot');
    labels?.push(buf.toString('utf8', pos + 1, pos + 1 + len).toLowerCase());
    pos += 1 + len;
  }
  return { name: labels ? labels.join('.') : '', end };
}

/** Check that rdata of the well-known types fills its rdlength exactly (RFC 1035 §3.3, §3.4). */
function checkRdata(buf: Buffer, type: number, klass: number, start: number, length: number): void {
  const stop = start + length;
  // RFC 2136 §2.4, §2.5: class ANY and NONE carry empty rdata in prerequisites and deletes.
  if (length === 0 && (klass === 254 || klass === 255) && type !== TYPE_OPT && type !== TYPE_TSIG) return;
  const nameAt = (at: number, allowDot = false): number => {
    const end = nameEnd(buf, at, allowDot);
    if (end > stop) throw malformed('name in rdata runs past rdlength');
    return end;
  };
  const exactly = (at: number, what: string): void => {
    if (at !== stop) throw malformed(`${what} rdata does not match rdlength`);
  };
  switch (type) {
    case 1: // A
      return exactly(start + 4, 'A');
    case 28: // AAAA
      return exactly(start + 16, 'AAAA');
    case 2: // NS
    case 5: // CNAME
    case 12: // PTR
    case 39: // DNAME
      return exactly(nameAt(start), 'name');
    case 15: // MX
      if (length < 3) throw malformed('MX rdata too short');
      return exactly(nameAt(start + 2), 'MX');
    case 33: // SRV
      if (length < 7) throw malformed('SRV rdata too short');
      return exactly(nameAt(start + 6), 'SRV');
    case 6: {
      // SOA
      const afterRname = nameAt(nameAt(start), true);
      return exactly(afterRname + 20, 'SOA');
    }
    case 16: {
      // TXT: one or more <character-string>s
      let at = start;
      while (at < stop) at += 1 + buf[at]!;
      return exactly(at, 'TXT');
    }
    case 52: // TLSA
      if (length < 3) throw malformed('TLSA rdata too short');
      return;
    case TYPE_OPT: {
      // RFC 6891 §6.1.2: {code, length, data} options
      let at = start;
      while (at + 4 <= stop) at += 4 + buf.readUInt16BE(at + 2);
      return exactly(at, 'OPT');
    }
    case TYPE_TSIG: {
      // RFC 8945 §4.2: algorithm, time signed (48), fudge, MAC size, MAC, original ID, error, other len, other
      let at = nameAt(start) + 10;
      if (at > stop) throw malformed('TSIG rdata too short');
      at += buf.readUInt16BE(at - 2) + 6;
      if (at > stop) throw malformed('TSIG rdata too short');
      at += buf.readUInt16BE(at - 2);
      return exactly(at, 'TSIG');
    }
    default:
      return;
  }
}

/**
 * Walk a whole message, checking every bound; throws MalformedMessageError on anything
 * dns-packet could misread. Counts are checked against the size first, so that a header
 * announcing 65535 answers in 100 octets is refused before any work.
 */
export function scanMessage(buf: Buffer): ScannedMessage {
  if (buf.length < HEADER_OCTETS) throw malformed('shorter than a header');
  if (buf.length > MAX_MESSAGE_OCTETS) throw malformed('longer than 65535 octets');
  const qdcount = buf.readUInt16BE(4);
  const counts = [buf.readUInt16BE(6), buf.readUInt16BE(8), buf.readUInt16BE(10)] as const;
  const rrTotal = counts[0] + counts[1] + counts[2];
  if (qdcount * MIN_QUESTION_OCTETS + rrTotal * MIN_RR_OCTETS > buf.length - HEADER_OCTETS) {
    throw malformed('section counts exceed the message size');
  }
  let pos = HEADER_OCTETS;
  const questions: ScannedQuestion[] = [];
  for (let i = 0; i < qdcount; i++) {
    const { name, end } = readName(buf, pos);
    if (end + 4 > buf.length) throw malformed('question runs past the end');
    questions.push({ name, type: buf.readUInt16BE(end), class: buf.readUInt16BE(end + 2) });
    pos = end + 4;
  }
  const sections: ScannedRR[][] = [[], [], []];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s]!; i++) {
      const offset = pos;
      const { name, end } = readName(buf, pos);
      if (end + 10 > buf.length) throw malformed('record header runs past the end');
      const type = buf.readUInt16BE(end);
      const klass = buf.readUInt16BE(end + 2);
      const ttl = buf.readUInt32BE(end + 4);
      const rdlength = buf.readUInt16BE(end + 8);
      const rdataOffset = end + 10;
      if (rdataOffset + rdlength > buf.length) throw malformed('rdata runs past the end');
      checkRdata(buf, type, klass, rdataOffset, rdlength);
      sections[s]!.push({ name, type, class: klass, ttl, offset, rdataOffset, rdlength });
      pos = rdataOffset + rdlength;
    }
  }
  const [answers, authorities, additionals] = sections as [ScannedRR[], ScannedRR[], ScannedRR[]];
  // RFC 6891 §6.1.1: at most one OPT, owned by the root, in the additional section.
  // RFC 8945 §5.2: at most one TSIG, as the last record of the additional section.
  // (One pass over the sections: this runs for every message of a bulk audit.)
  let opt: ScannedRR | undefined;
  let optCount = 0;
  let tsig: ScannedRR | undefined;
  let tsigCount = 0;
  for (const section of sections) {
    for (const rr of section) {
      if (rr.type === TYPE_OPT) {
        optCount++;
        opt = rr;
      } else if (rr.type === TYPE_TSIG) {
        tsigCount++;
        tsig = rr;
      }
    }
  }
  if (optCount > 1 || (opt && (!additionals.includes(opt) || opt.name !== ''))) {
    throw malformed('misplaced or repeated OPT record');
  }
  if (tsigCount > 1 || (tsig && additionals[additionals.length - 1] !== tsig)) {
    throw malformed('misplaced or repeated TSIG record');
  }
  return { id: buf.readUInt16BE(0), flags: buf.readUInt16BE(2), questions, answers, authorities, additionals, end: pos };
}
