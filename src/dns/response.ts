// Reading received messages: guard, dns-packet decode, RR model, flags and rcode (RFC 1035 §4.1.1, RFC 6891 §6.1.3).

import packet from 'dns-packet';
import type { RR } from '../dns-types/rr.js';
import { MalformedMessageError, readName, scanMessage, type ScannedMessage, type ScannedRR } from './guard.js';
import { CLASS, fromPacketAnswer, renderGenericRdata, typeName } from './wire.js';

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

// dns-packet's per-record codec. Its whole-message decoder trusts rdlength only for some
// types, so one odd record would shift every record after it; decoding each record at the
// offset the guard found, and checking that it consumed exactly its rdata, rules that out.
type RecordDecoder = ((buf: Buffer, offset: number) => packet.Answer) & { bytes: number };
const recordCodec = (packet as unknown as { answer: { decode: RecordDecoder } }).answer;

/** Types decoded through dns-packet into the model; any other is kept as RFC 3597 rdata. */
const MODEL_TYPES = new Set([1, 2, 5, 6, 12, 15, 16, 28, 33, 52]);

/**
 * The common types read straight from the octets the guard has already checked (names in
 * rdata end exactly at rdlength, TXT strings fill it, A is four octets): the same RR as
 * dns-packet and fromPacketAnswer give, without building dns-packet's objects first. Other
 * model types (AAAA, TLSA) still go through dns-packet.
 */
function decodeDirect(buf: Buffer, s: ScannedRR): RR | undefined {
  const name = s.name;
  // RFC 2181 §8: a TTL with the top bit set is treated as zero.
  const ttl = s.ttl > 0x7fffffff ? 0 : s.ttl;
  const at = s.rdataOffset;
  switch (s.type) {
    case 1:
      return { name, ttl, type: 'A', address: `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}` };
    case 2:
      return { name, ttl, type: 'NS', host: readName(buf, at).name };
    case 5:
      return { name, ttl, type: 'CNAME', target: readName(buf, at).name };
    case 12:
      return { name, ttl, type: 'PTR', host: readName(buf, at).name };
    case 15:
      return { name, ttl, type: 'MX', preference: buf.readUInt16BE(at), exchange: readName(buf, at + 2).name };
    case 16: {
      const strings: string[] = [];
      const stop = at + s.rdlength;
      for (let i = at; i < stop; i += 1 + buf[i]!) strings.push(buf.toString('utf8', i + 1, i + 1 + buf[i]!));
      return { name, ttl, type: 'TXT', strings };
    }
    case 33:
      return {
        name,
        ttl,
        type: 'SRV',
        priority: buf.readUInt16BE(at),
        weight: buf.readUInt16BE(at + 2),
        port: buf.readUInt16BE(at + 4),
        target: readName(buf, at + 6).name,
      };
    case 6: {
      const mname = readName(buf, at);
      const rname = readName(buf, mname.end, true);
      const n = rname.end;
      return {
        name,
        ttl,
        type: 'SOA',
        mname: mname.name,
        // RFC 1035 §8: a dot inside the mailbox's local part is escaped, as dns-packet does.
        rname: rnameText(buf, mname.end),
        serial: buf.readUInt32BE(n),
        refresh: buf.readUInt32BE(n + 4),
        retry: buf.readUInt32BE(n + 8),
        expire: buf.readUInt32BE(n + 12),
        minimum: buf.readUInt32BE(n + 16),
      };
    }
    default:
      return undefined;
  }
}

/** The SOA RNAME as dns-packet renders it: labels joined by ".", a dot inside a label as "\\.". */
function rnameText(buf: Buffer, offset: number): string {
  const labels: string[] = [];
  let pos = offset;
  for (;;) {
    const len = buf[pos]!;
    if (len === 0) break;
    if ((len & 0xc0) === 0xc0) {
      pos = ((len & 0x3f) << 8) | buf[pos + 1]!;
      continue;
    }
    labels.push(buf.toString('utf8', pos + 1, pos + 1 + len).replace(/\./g, '\\.').toLowerCase());
    pos += 1 + len;
  }
  return labels.join('.');
}

const DIRECT_TYPES = new Set([1, 2, 5, 6, 12, 15, 16, 33]);

function decodeRecord(buf: Buffer, s: ScannedRR): RR | undefined {
  if (s.class !== CLASS.IN) return undefined;
  if (DIRECT_TYPES.has(s.type)) return decodeDirect(buf, s);
  const rdata = buf.subarray(s.rdataOffset, s.rdataOffset + s.rdlength);
  if (!MODEL_TYPES.has(s.type)) {
    return { name: s.name, ttl: s.ttl > 0x7fffffff ? 0 : s.ttl, type: 'OTHER', rrtype: typeName(s.type), text: renderGenericRdata(rdata) };
  }
  let decoded: packet.Answer;
  try {
    decoded = recordCodec.decode(buf, s.offset);
  } catch (error) {
    throw new MalformedMessageError(`malformed DNS message: ${(error as Error).message.split('\n')[0]}`);
  }
  // After decoding: dns-packet must have read this record and nothing else.
  if (recordCodec.decode.bytes !== s.rdataOffset + s.rdlength - s.offset || decoded.name.toLowerCase() !== (s.name || '.')) {
    throw new MalformedMessageError('malformed DNS message: record decoded differently from its framing');
  }
  return fromPacketAnswer(decoded, rdata, typeName(s.type));
}

function convert(scanned: ScannedRR[], buf: Buffer): RR[] {
  const out: RR[] = [];
  for (const s of scanned) {
    const rr = decodeRecord(buf, s);
    if (rr) out.push(rr);
  }
  return out;
}

/**
 * Parse a received message: the guard checks its structure, then dns-packet decodes each
 * record of a model type. Throws MalformedMessageError on anything odd; the caller drops
 * such a message.
 */
export function parseResponse(buf: Buffer): DnsResponse {
  const scan = scanMessage(buf);
  const f = scan.flags;
  // RFC 6891 §6.1.3: OPT's CLASS is the payload size, TTL holds extended rcode, version, DO.
  const opt = scan.additionals.find((rr) => rr.type === 41);
  const rcodeValue = (((opt?.ttl ?? 0) >>> 24) << 4) | (f & 0xf);
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
    answers: convert(scan.answers, buf),
    authorities: convert(scan.authorities, buf),
    additionals: convert(scan.additionals, buf),
    raw: buf,
    scan,
  };
  if (q) response.question = { name: q.name, type: typeName(q.type), class: q.class };
  if (opt) response.edns = { udpPayloadSize: opt.class, dnssecOk: (opt.ttl & 0x8000) !== 0, version: (opt.ttl >>> 16) & 0xff };
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
