// Wire form of names, types and records: RR model <-> dns-packet, name and rdata encoding (RFC 1035 §3, §4.1).

import packet from 'dns-packet';
import { parseIp } from '../dns-types/ip.js';
import { DnsError } from '../base/errors.js';
import { normalizeName, type RData, type RR } from '../dns-types/rr.js';

/** RR classes used by mailrec (RFC 1035 §3.2.4, RFC 2136 §1.3 for NONE). */
export const CLASS = { IN: 1, NONE: 254, ANY: 255 } as const;

const TYPE_CODES: Record<string, number> = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, HINFO: 13, MX: 15, TXT: 16, RP: 17, AFSDB: 18,
  KEY: 25, AAAA: 28, LOC: 29, SRV: 33, NAPTR: 35, KX: 36, CERT: 37, DNAME: 39, OPT: 41,
  APL: 42, DS: 43, SSHFP: 44, IPSECKEY: 45, RRSIG: 46, NSEC: 47, DNSKEY: 48, DHCID: 49,
  NSEC3: 50, NSEC3PARAM: 51, TLSA: 52, SMIMEA: 53, HIP: 55, CDS: 59, CDNSKEY: 60,
  OPENPGPKEY: 61, CSYNC: 62, ZONEMD: 63, SVCB: 64, HTTPS: 65, SPF: 99, TKEY: 249,
  TSIG: 250, IXFR: 251, AXFR: 252, ANY: 255, URI: 256, CAA: 257,
};
const TYPE_NAMES = new Map(Object.entries(TYPE_CODES).map(([k, v]) => [v, k]));

/** The numeric type for a mnemonic ("MX", "TYPE65534"); throws on an unknown mnemonic. */
export function typeCode(mnemonic: string): number {
  const upper = mnemonic.toUpperCase();
  const known = TYPE_CODES[upper];
  if (known !== undefined) return known;
  const generic = /^TYPE(\d{1,5})$/.exec(upper);
  if (generic && Number(generic[1]) <= 65535) return Number(generic[1]);
  throw new DnsError(`unknown RR type "${mnemonic}"`);
}

/** The mnemonic for a numeric type, or the RFC 3597 §5 generic "TYPEnnn". */
export function typeName(code: number): string {
  return TYPE_NAMES.get(code) ?? `TYPE${code}`;
}

export const MAX_LABEL_OCTETS = 63; // RFC 1035 §2.3.4
export const MAX_NAME_OCTETS = 255; // RFC 1035 §2.3.4, wire form including the root label

/** Labels of 1 to 63 printable ASCII characters other than ".". */
const PLAIN_ASCII_NAME = /^[!-\-/-~]{1,63}(?:\.[!-\-/-~]{1,63})*$/;

/** The labels of a model name ("" is the root), checked against RFC 1035 §2.3.4 limits. */
export function nameLabels(name: string): string[] {
  const n = normalizeName(name);
  if (n === '') return [];
  // Fast path: printable ASCII without empty labels, where octets are characters.
  if (n.length <= MAX_NAME_OCTETS - 2 && PLAIN_ASCII_NAME.test(n)) return n.split('.');
  const labels = n.split('.');
  let total = 1;
  for (const label of labels) {
    const octets = Buffer.byteLength(label, 'utf8');
    if (octets === 0) throw new DnsError(`invalid name "${name}": empty label`);
    if (octets > MAX_LABEL_OCTETS) throw new DnsError(`invalid name "${name}": label over ${MAX_LABEL_OCTETS} octets`);
    total += octets + 1;
  }
  if (total > MAX_NAME_OCTETS) throw new DnsError(`invalid name: over ${MAX_NAME_OCTETS} octets`);
  return labels;
}

/**
 * Uncompressed wire form of a name. Lowercased, which is also the canonical form that
 * TSIG needs for key and algorithm names (RFC 8945 §4.3.3, RFC 4034 §6.2).
 */
export function encodeName(name: string): Buffer {
  const parts: Buffer[] = [];
  for (const label of nameLabels(name)) {
    const bytes = Buffer.from(label, 'utf8');
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/** A name as dns-packet returns it ("." for the root) in the model's form. */
function modelName(name: string): string {
  return name === '.' ? '' : normalizeName(name);
}

/** RFC 2181 §8: a TTL with the top bit set is treated as zero. */
function modelTtl(ttl: number | undefined): number {
  const t = ttl ?? 0;
  return t > 0x7fffffff ? 0 : t;
}

function hex(buf: Buffer): string {
  return buf.toString('hex');
}

/** RFC 3597 §5 generic rdata: `\# LENGTH HEX`. */
export function renderGenericRdata(rdata: Buffer): string {
  return rdata.length === 0 ? '\\# 0' : `\\# ${rdata.length} ${hex(rdata)}`;
}

function parseGenericRdata(text: string, rrtype: string): Buffer {
  const m = /^\\#\s+(\d+)((?:\s+[0-9a-fA-F]+)*)\s*$/.exec(text.trim());
  if (!m) throw new DnsError(`cannot encode ${rrtype} rdata "${text}": only the RFC 3597 \\# form is supported`);
  const data = Buffer.from(m[2]!.replace(/\s+/g, ''), 'hex');
  if (data.length !== Number(m[1])) throw new DnsError(`${rrtype} rdata length does not match its \\# header`);
  return data;
}

function checkTxtStrings(strings: string[]): void {
  for (const s of strings) {
    // RFC 1035 §3.3: a character-string is at most 255 octets; dns-packet would wrap silently.
    if (Buffer.byteLength(s, 'utf8') > 255) throw new DnsError('TXT string over 255 octets');
  }
}

/** The RR model as a dns-packet answer (not for OTHER: see encodeRdata). */
export function toPacketAnswer(rr: RR): packet.Answer {
  const name = rr.name === '' ? '.' : rr.name;
  nameLabels(rr.name);
  const base = { name, ttl: rr.ttl, class: 'IN' as const };
  switch (rr.type) {
    case 'A':
    case 'AAAA':
      return { ...base, type: rr.type, data: rr.address };
    case 'CNAME':
      nameLabels(rr.target);
      return { ...base, type: 'CNAME', data: rr.target === '' ? '.' : rr.target };
    case 'NS':
    case 'PTR':
      nameLabels(rr.host);
      return { ...base, type: rr.type, data: rr.host === '' ? '.' : rr.host };
    case 'MX':
      nameLabels(rr.exchange);
      return { ...base, type: 'MX', data: { preference: rr.preference, exchange: rr.exchange === '' ? '.' : rr.exchange } };
    case 'TXT':
      checkTxtStrings(rr.strings);
      // dns-packet converts strings in place: hand it fresh Buffers.
      return { ...base, type: 'TXT', data: rr.strings.map((s) => Buffer.from(s, 'utf8')) };
    case 'SRV':
      nameLabels(rr.target);
      return {
        ...base,
        type: 'SRV',
        data: { priority: rr.priority, weight: rr.weight, port: rr.port, target: rr.target === '' ? '.' : rr.target },
      };
    case 'TLSA':
      return {
        ...base,
        type: 'TLSA',
        data: {
          usage: rr.usage,
          selector: rr.selector,
          matchingType: rr.matchingType,
          certificate: Buffer.from(rr.certificate, 'hex'),
        },
      };
    case 'SOA':
      nameLabels(rr.mname);
      return {
        ...base,
        type: 'SOA',
        data: {
          mname: rr.mname || '.',
          rname: rr.rname || '.',
          serial: rr.serial,
          refresh: rr.refresh,
          retry: rr.retry,
          expire: rr.expire,
          minimum: rr.minimum,
        },
      };
    case 'OTHER':
      throw new DnsError(`cannot convert ${rr.rrtype} to a dns-packet answer`);
  }
}

/** Uncompressed rdata of a record (RFC 1035 §3.3; RFC 3597 §4 for OTHER). */
export function encodeRdata(rr: RR): Buffer {
  if (rr.type === 'OTHER') return parseGenericRdata(rr.text, rr.rrtype);
  if (rr.type === 'A' || rr.type === 'AAAA') {
    const family = rr.type === 'A' ? 4 : 6;
    if (!isAddress(rr.address, family)) throw new DnsError(`invalid ${rr.type} address "${rr.address}"`);
  }
  if (rr.type === 'TLSA' && !/^([0-9a-f]{2})*$/i.test(rr.certificate)) throw new DnsError('TLSA certificate is not hex');
  // Encode a one-record message with a root owner: header (12) + root (1) + type, class,
  // ttl (8) put the rdlength at offset 21 and the rdata at 23. dns-packet never compresses.
  const message = packet.encode({ answers: [{ ...toPacketAnswer(rr), name: '.' }] });
  const rdlength = message.readUInt16BE(21);
  return Buffer.from(message.subarray(23, 23 + rdlength));
}

function isAddress(text: string, family: 4 | 6): boolean {
  return parseIp(text, false)?.family === family;
}

/**
 * A dns-packet answer as the RR model. `rdata` is the record's raw rdata, used for types
 * outside the model (kept in RFC 3597 generic form so that nothing is lost). Returns
 * undefined for OPT and TSIG, which are message metadata, not records.
 */
export function fromPacketAnswer(answer: packet.Answer, rdata: Buffer, rrtype: string = answer.type): RR | undefined {
  if (answer.type === 'OPT' || (answer.type as string) === 'TSIG') return undefined;
  const base = { name: modelName(answer.name), ttl: modelTtl(answer.ttl) };
  const data: RData | undefined = toModelData(answer);
  if (data) return { ...base, ...data } as RR;
  return { ...base, type: 'OTHER', rrtype, text: renderGenericRdata(rdata) };
}

function toModelData(a: packet.Answer): RData | undefined {
  switch (a.type) {
    case 'A':
    case 'AAAA':
      return { type: a.type, address: a.data };
    case 'CNAME':
      return { type: 'CNAME', target: modelName(a.data) };
    case 'NS':
    case 'PTR':
      return { type: a.type, host: modelName(a.data) };
    case 'MX':
      return { type: 'MX', preference: a.data.preference ?? 0, exchange: modelName(a.data.exchange) };
    case 'TXT': {
      const list = Array.isArray(a.data) ? a.data : [a.data];
      return { type: 'TXT', strings: list.map((s) => (typeof s === 'string' ? s : s.toString('utf8'))) };
    }
    case 'SRV':
      return {
        type: 'SRV',
        priority: a.data.priority ?? 0,
        weight: a.data.weight ?? 0,
        port: a.data.port,
        target: modelName(a.data.target),
      };
    case 'TLSA':
      return {
        type: 'TLSA',
        usage: a.data.usage,
        selector: a.data.selector,
        matchingType: a.data.matchingType,
        certificate: hex(a.data.certificate),
      };
    case 'SOA':
      return {
        type: 'SOA',
        mname: modelName(a.data.mname),
        rname: modelName(a.data.rname),
        serial: a.data.serial ?? 0,
        refresh: a.data.refresh ?? 0,
        retry: a.data.retry ?? 0,
        expire: a.data.expire ?? 0,
        minimum: a.data.minimum ?? 0,
      };
    default:
      return undefined;
  }
}
