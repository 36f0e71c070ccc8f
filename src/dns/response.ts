// Reading received messages: guard, dns-packet decode, RR model, flags and rcode (RFC 1035 §4.1.1, RFC 6891 §6.1.3).

import packet from 'dns-packet';
import type { RR } from '../records/rr.js';
import { MalformedMessageError, scanMessage, type ScannedMessage, type ScannedRR } from './guard.js';
import { CLASS, fromPacketAnswer, typeName } from './wire.js';

export interface DnsFlags {
  qr: boolean;
  /** Authoritative answer. */
  aa: boolean;
  /** Truncated: retry over TCP (RFC 7766 §5). */
  tc: boolean;
  rd: boolean;
  ra: boolean;
  /** Authentic data: the resolver validated the answer with DNSSEC (RFC 4035 §3.2.3). */
  ad: boolean;
  cd: boolean;
}

export interface DnsResponse {
  id: number;
  opcode: number;
  /** "NOERROR", "NXDOMAIN", "SERVFAIL", ..., "BADVERS", or "RCODE_n". */
  rcode: string;
  /** The full 12-bit rcode: header bits plus the OPT extension (RFC 6891 §6.1.3). */
  rcodeValue: number;
  flags: DnsFlags;
  question?: { name: string; type: string; class: number };
  /** Class IN records only; OPT and TSIG are not records. */
  answers: RR[];
  authorities: RR[];
  additionals: RR[];
  edns?: { udpPayloadSize: number; dnssecOk: boolean; version: number };
  /** The raw message and its structure, for TSIG verification. */
  raw: Buffer;
  scan: ScannedMessage;
}

const RCODE_NAMES: Record<number, string> = {
  0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED',
  6: 'YXDOMAIN', 7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE', 16: 'BADVERS',
};

export function rcodeName(value: number): string {
  return RCODE_NAMES[value] ?? `RCODE_${value}`;
}

function convert(list: packet.Answer[] | undefined, scanned: ScannedRR[], buf: Buffer): RR[] {
  const out: RR[] = [];
  (list ?? []).forEach((answer, i) => {
    const s = scanned[i]!;
    if (s.class !== CLASS.IN) return;
    const rr = fromPacketAnswer(answer, buf.subarray(s.rdataOffset, s.rdataOffset + s.rdlength), typeName(s.type));
    if (rr) out.push(rr);
  });
  return out;
}

/**
 * Parse a received message. Throws MalformedMessageError when the guard or dns-packet
 * refuses it; the caller drops such a message.
 */
export function parseResponse(buf: Buffer): DnsResponse {
  const scan = scanMessage(buf);
  let decoded: packet.DecodedPacket;
  try {
    decoded = packet.decode(buf);
  } catch (error) {
    throw new MalformedMessageError(`malformed DNS message: ${(error as Error).message.split('\n')[0]}`);
  }
  if (
    decoded.answers?.length !== scan.answers.length ||
    decoded.authorities?.length !== scan.authorities.length ||
    decoded.additionals?.length !== scan.additionals.length
  ) {
    throw new MalformedMessageError('malformed DNS message: sections do not match their counts');
  }
  const f = scan.flags;
  const opt = decoded.additionals.find((a): a is packet.OptAnswer => a.type === 'OPT');
  const rcodeValue = ((opt?.extendedRcode ?? 0) << 4) | (f & 0xf);
  const q = scan.questions[0];
  const response: DnsResponse = {
    id: scan.id,
    opcode: (f >> 11) & 0xf,
    rcode: rcodeName(rcodeValue),
    rcodeValue,
    flags: {
      qr: (f & 0x8000) !== 0,
      aa: (f & 0x0400) !== 0,
      tc: (f & 0x0200) !== 0,
      rd: (f & 0x0100) !== 0,
      ra: (f & 0x0080) !== 0,
      ad: (f & 0x0020) !== 0,
      cd: (f & 0x0010) !== 0,
    },
    answers: convert(decoded.answers, scan.answers, buf),
    authorities: convert(decoded.authorities, scan.authorities, buf),
    additionals: convert(decoded.additionals, scan.additionals, buf),
    raw: buf,
    scan,
  };
  if (q) response.question = { name: q.name, type: typeName(q.type), class: q.class };
  if (opt) response.edns = { udpPayloadSize: opt.udpPayloadSize, dnssecOk: opt.flag_do, version: opt.ednsVersion };
  return response;
}

/**
 * RFC 5452 §4.3 / RFC 1035 §7.3: a response belongs to a query only if its ID, QR bit,
 * opcode and question (name case-insensitively, type, class) all match.
 */
export function matchesQuery(
  response: DnsResponse,
  query: { id: number; opcode?: number; name: string; type: number; class: number },
): boolean {
  const q = response.scan.questions;
  return (
    response.id === query.id &&
    response.flags.qr &&
    response.opcode === (query.opcode ?? 0) &&
    q.length === 1 &&
    q[0]!.name === query.name.toLowerCase() &&
    q[0]!.type === query.type &&
    q[0]!.class === query.class
  );
}
