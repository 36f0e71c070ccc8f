// The size of records on the wire, and the limits a zone must stay under to load and to be
// answered over UDP: RDATA at most 65,535 octets, a TXT RRset within a 1232-octet answer.

import { labelsOf } from './name.js';
import type { RData, RR } from './rr.js';

/** RFC 1035 §3.2.1, §4.1.3: RDLENGTH is 16 bits. BIND refuses a longer record ("ran out of space"). */
export const RDATA_MAX_OCTETS = 65535;

/**
 * The EDNS UDP payload size resolvers advertise since DNS Flag Day 2020 (1232 octets: an
 * IPv6 packet in a 1280-octet MTU). An answer larger than that is truncated and must be
 * retried over TCP (RFC 7766), which some resolvers and firewalls do not do.
 */
export const UDP_ANSWER_OCTETS = 1232;

const HEADER_OCTETS = 12; // RFC 1035 §4.1.1
const QUESTION_FIXED_OCTETS = 4; // QTYPE, QCLASS
const RR_FIXED_OCTETS = 10; // TYPE, CLASS, TTL, RDLENGTH
const COMPRESSED_OWNER_OCTETS = 2; // a pointer to the question's name (RFC 1035 §4.1.4)
const OPT_RR_OCTETS = 11; // RFC 6891 §6.1.2, no options

/** Labels of 1..63 printable ASCII octets, no escapes; anything else goes through labelsOf (which refuses a bad name). */
const PLAIN_NAME = /^[\x21-\x2d\x2f-\x5b\x5d-\x7e]{1,63}(?:\.[\x21-\x2d\x2f-\x5b\x5d-\x7e]{1,63})*$/;

/** A name's wire length, root label included (RFC 1035 §3.1). */
export function nameWireOctets(name: string): number {
  // Printable ASCII without escapes: each dot stands for the next label's length octet, so
  // the wire form is the text plus the first length octet and the root (RFC 1035 §3.1).
  if (PLAIN_NAME.test(name)) return name.length + 2;
  return labelsOf(name).reduce((sum, label) => sum + 1 + label.length, 1);
}

/** The octets of the RDATA, uncompressed (RFC 1035 §3.3). OTHER in generic form counts exactly, else by its text. */
export function rdataWireOctets(rd: RData): number {
  switch (rd.type) {
    case 'A':
      return 4;
    case 'AAAA':
      return 16;
    case 'CNAME':
      return nameWireOctets(rd.target);
    case 'NS':
    case 'PTR':
      return nameWireOctets(rd.host);
    case 'MX':
      return 2 + nameWireOctets(rd.exchange);
    case 'TXT':
      return rd.strings.reduce((sum, s) => sum + 1 + Buffer.byteLength(s, 'utf8'), 0);
    case 'SRV':
      return 6 + nameWireOctets(rd.target);
    case 'TLSA':
      return 3 + rd.certificate.length / 2;
    case 'SOA':
      return nameWireOctets(rd.mname) + nameWireOctets(rd.rname) + 20;
    case 'OTHER': {
      const generic = /^\\# (\d+)/.exec(rd.text);
      return generic ? Number(generic[1]) : Buffer.byteLength(rd.text, 'utf8');
    }
  }
}

/** The size of a UDP answer with EDNS that holds exactly this RRset (one owner, one type). */
export function answerWireOctets(rrset: readonly RR[]): number {
  const owner = rrset[0] ? nameWireOctets(rrset[0].name) : 1;
  const records = rrset.reduce((sum, rr) => sum + COMPRESSED_OWNER_OCTETS + RR_FIXED_OCTETS + rdataWireOctets(rr), 0);
  return HEADER_OCTETS + owner + QUESTION_FIXED_OCTETS + records + OPT_RR_OCTETS;
}
