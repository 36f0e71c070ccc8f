// The records parseResponse reads itself (A, NS, CNAME, PTR, MX, TXT, SRV, SOA) are the
// records dns-packet's decoder and fromPacketAnswer give, compressed names included.

import packet from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { parseResponse } from '../../src/dns/response.js';
import { fromPacketAnswer } from '../../src/dns/wire.js';

const answers: packet.Answer[] = [
  { name: 'Example.ORG', type: 'A', ttl: 300, data: '192.0.2.1' },
  { name: 'example.org', type: 'A', ttl: 0xffffffff, data: '255.0.2.254' },
  { name: 'example.org', type: 'NS', ttl: 60, data: 'NS1.example.org' },
  { name: 'www.example.org', type: 'CNAME', ttl: 60, data: 'example.org' },
  { name: '1.2.0.192.in-addr.arpa', type: 'PTR', ttl: 60, data: 'mail.example.org' },
  { name: 'example.org', type: 'MX', ttl: 60, data: { preference: 10, exchange: 'mx1.example.org' } },
  { name: 'example.org', type: 'MX', ttl: 60, data: { preference: 0, exchange: '.' } },
  { name: 'example.org', type: 'TXT', ttl: 60, data: ['v=spf1 -all', '', 'ünïcode', 'x'.repeat(255)] },
  { name: '_submissions._tcp.example.org', type: 'SRV', ttl: 60, data: { priority: 1, weight: 2, port: 465, target: 'Submit.example.org' } },
  { name: 'example.org', type: 'SOA', ttl: 60, data: { mname: 'ns1.example.org', rname: 'host\\.master.Example.org', serial: 2026112501, refresh: 7200, retry: 3600, expire: 1209600, minimum: 300 } },
  { name: 'example.org', type: 'AAAA', ttl: 60, data: '2001:db8::1' },
];

describe('parseResponse reads the common types itself', () => {
  it('gives the RR model dns-packet and fromPacketAnswer give', () => {
    // dns-packet compresses repeated names with pointers, as BIND does.
    const buf = packet.encode({ type: 'response', id: 7, flags: packet.AUTHORITATIVE_ANSWER, questions: [{ name: 'example.org', type: 'TXT' }], answers });
    const decoded = packet.decode(buf);
    // The raw rdata only matters for types outside the model: none here.
    const expected = decoded.answers!.map((a) => fromPacketAnswer(a, Buffer.alloc(0)));
    expect(parseResponse(buf).answers).toEqual(expected);
  });

  it('in every section', () => {
    const soa = answers.find((a) => a.type === 'SOA')!;
    const buf = packet.encode({ type: 'response', id: 7, questions: [{ name: 'nothing.example.org', type: 'TXT' }], authorities: [soa], additionals: [answers[0]!] });
    const r = parseResponse(buf);
    expect(r.authorities).toEqual([fromPacketAnswer(packet.decode(buf).authorities![0]!, Buffer.alloc(0))]);
    expect(r.additionals).toEqual([fromPacketAnswer(packet.decode(buf).additionals![0]!, Buffer.alloc(0))]);
  });
});

describe('the guard on names', () => {
  it('refuses a label holding a dot, except in an SOA mailbox', async () => {
    const { scanMessage, MalformedMessageError } = await import('../../src/dns/guard.js');
    // Header, then the question "a.b" written as ONE label of three octets, type A, class IN.
    const header = Buffer.from([0, 1, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    const dotted = Buffer.concat([header, Buffer.from([3, 0x61, 0x2e, 0x62, 0, 0, 1, 0, 1])]);
    expect(() => scanMessage(dotted)).toThrow(MalformedMessageError);
    expect(() => scanMessage(dotted)).toThrow(/label contains a dot/);
    const plain = Buffer.concat([header, Buffer.from([1, 0x61, 1, 0x62, 0, 0, 1, 0, 1])]);
    expect(scanMessage(plain).questions).toEqual([{ name: 'a.b', type: 1, class: 1 }]);
    // The SOA test above ("host\\.master") is a dotted label in an RNAME, accepted.
  });
});
