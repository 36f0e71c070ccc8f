// Wire conversion: every model type round-trips through rdata encoding, a message and the guarded decoder.

import { describe, expect, test } from 'vitest';
import type { RR } from '../../src/dns-types/rr.js';
import { buildMessage, buildQuery, FLAG } from '../../src/dns/message.js';
import { matchesQuery, parseResponse } from '../../src/dns/response.js';
import { CLASS, encodeName, encodeRdata, nameLabels, typeCode, typeName } from '../../src/dns/wire.js';
import { DnsError } from '../../src/base/errors.js';

const records: RR[] = [
  { name: 'example.org', ttl: 300, type: 'A', address: '192.0.2.1' },
  { name: 'example.org', ttl: 300, type: 'AAAA', address: '2001:db8::1' },
  { name: 'www.example.org', ttl: 60, type: 'CNAME', target: 'web.example.net' },
  { name: 'example.org', ttl: 86400, type: 'NS', host: 'ns1.example.org' },
  { name: '1.2.0.192.in-addr.arpa', ttl: 300, type: 'PTR', host: 'mx-01.example.org' },
  { name: 'example.org', ttl: 300, type: 'MX', preference: 10, exchange: 'mx-01.example.org' },
  { name: 'no-mail.example.org', ttl: 300, type: 'MX', preference: 0, exchange: '' },
  { name: 'example.org', ttl: 300, type: 'TXT', strings: ['v=spf1 ip4:192.0.2.0/24 -all'] },
  { name: 'example.org', ttl: 300, type: 'TXT', strings: ['a'.repeat(255), 'b'.repeat(100)] },
  { name: 'example.org', ttl: 300, type: 'TXT', strings: ['héllo wörld ✓'] },
  { name: 'example.org', ttl: 300, type: 'TXT', strings: [''] },
  { name: '_submissions._tcp.example.org', ttl: 300, type: 'SRV', priority: 0, weight: 1, port: 465, target: 'submit.example.org' },
  { name: '_25._tcp.mx-01.example.org', ttl: 300, type: 'TLSA', usage: 3, selector: 1, matchingType: 1, certificate: 'ab'.repeat(32) },
  {
    name: 'example.org', ttl: 3600, type: 'SOA', mname: 'ns1.example.org', rname: 'hostmaster.example.org',
    serial: 2026112501, refresh: 3600, retry: 600, expire: 1209600, minimum: 300,
  },
  { name: 'example.org', ttl: 300, type: 'OTHER', rrtype: 'CAA', text: '\\# 18 000569737375656578616d706c652e6e6574' },
  { name: 'example.org', ttl: 300, type: 'OTHER', rrtype: 'TYPE65280', text: '\\# 3 010203' },
];

function responseWith(rr: RR): Buffer {
  const type = typeCode(rr.type === 'OTHER' ? rr.rrtype : rr.type);
  return buildMessage({
    id: 42,
    flags: FLAG.QR | FLAG.AA,
    questions: [{ name: rr.name, type, class: CLASS.IN }],
    answers: [{ name: rr.name, type, class: CLASS.IN, ttl: rr.ttl, rdata: encodeRdata(rr) }],
  });
}

describe('round trip RR -> wire -> RR', () => {
  for (const rr of records) {
    test(`${rr.type === 'OTHER' ? rr.rrtype : rr.type} ${rr.name}`, () => {
      const response = parseResponse(responseWith(rr));
      expect(response.answers).toEqual([rr]);
      expect(response.rcode).toBe('NOERROR');
      expect(response.flags.aa).toBe(true);
    });
  }

  test('names come back lowercase, TTLs with the top bit set read as 0 (RFC 2181 §8)', () => {
    const msg = buildMessage({
      id: 1,
      flags: FLAG.QR,
      questions: [{ name: 'example.org', type: 1, class: 1 }],
      answers: [{ name: 'example.org', type: 1, class: 1, ttl: 0x80000001, rdata: Buffer.from([192, 0, 2, 1]) }],
    });
    // encodeName lowercases, so write the uppercase owner by hand.
    msg.write('EXAMPLE', 12 + 17 + 1, 'ascii');
    const rr = parseResponse(msg).answers[0]!;
    expect(rr).toEqual({ name: 'example.org', ttl: 0, type: 'A', address: '192.0.2.1' });
  });

  test('records of another class are not records of the answer', () => {
    const msg = buildMessage({
      id: 1,
      flags: FLAG.QR,
      questions: [{ name: 'example.org', type: 16, class: 1 }],
      answers: [{ name: 'example.org', type: 16, class: 3, ttl: 1, rdata: Buffer.from([1, 0x61]) }],
    });
    expect(parseResponse(msg).answers).toEqual([]);
  });
});

describe('encoding refuses what the wire cannot carry', () => {
  test('label over 63 octets', () => {
    expect(() => encodeName(`${'a'.repeat(64)}.example.org`)).toThrow(/label over 63 octets/);
    expect(encodeName(`${'a'.repeat(63)}.example.org`)).toHaveLength(1 + 63 + 1 + 7 + 1 + 3 + 1);
  });
  test('name over 255 octets', () => {
    const long = Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.');
    expect(() => encodeName(long)).toThrow(DnsError);
    expect(() => nameLabels('a..b')).toThrow(/empty label/);
  });
  test('TXT string over 255 octets, bad addresses, bad hex', () => {
    expect(() => encodeRdata({ name: 'x', ttl: 1, type: 'TXT', strings: ['é'.repeat(128)] })).toThrow(/over 255/);
    expect(() => encodeRdata({ name: 'x', ttl: 1, type: 'A', address: '192.0.2.256' })).toThrow(/invalid A/);
    expect(() => encodeRdata({ name: 'x', ttl: 1, type: 'AAAA', address: '192.0.2.1' })).toThrow(/invalid AAAA/);
    expect(() => encodeRdata({ name: 'x', ttl: 1, type: 'TLSA', usage: 3, selector: 1, matchingType: 1, certificate: 'xyz' })).toThrow(/hex/);
    expect(() => encodeRdata({ name: 'x', ttl: 1, type: 'OTHER', rrtype: 'CAA', text: '0 issue "ca.example"' })).toThrow(/RFC 3597/);
  });
  test('type mnemonics', () => {
    expect(typeCode('mx')).toBe(15);
    expect(typeCode('TYPE65280')).toBe(65280);
    expect(typeName(52)).toBe('TLSA');
    expect(typeName(65280)).toBe('TYPE65280');
    expect(() => typeCode('BOGUS')).toThrow(/unknown RR type/);
  });
});

describe('queries and matching', () => {
  test('a query carries EDNS0 with a 1232-octet buffer, RD and AD; DO on request', () => {
    const q = parseResponse(buildQuery({ id: 9, name: 'Example.ORG', type: 16, dnssecOk: true }));
    expect(q.edns).toEqual({ udpPayloadSize: 1232, dnssecOk: true, version: 0 });
    expect(q.flags).toMatchObject({ qr: false, rd: true, ad: true });
    expect(q.question).toEqual({ name: 'example.org', type: 'TXT', class: 1 });
    const plain = parseResponse(buildQuery({ id: 9, name: 'example.org', type: 1, edns: false, recursionDesired: false }));
    expect(plain.edns).toBeUndefined();
    expect(plain.flags.rd).toBe(false);
  });

  test('matchesQuery needs ID, QR, opcode and the question', () => {
    const response = parseResponse(responseWith(records[0]!));
    const query = { id: 42, name: 'example.org', type: 1, class: 1 };
    expect(matchesQuery(response, query)).toBe(true);
    expect(matchesQuery(response, { ...query, id: 43 })).toBe(false);
    expect(matchesQuery(response, { ...query, type: 28 })).toBe(false);
    expect(matchesQuery(response, { ...query, name: 'example.net' })).toBe(false);
    expect(matchesQuery(response, { ...query, opcode: 5 })).toBe(false);
  });
});
