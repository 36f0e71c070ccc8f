// Hostile answers: spoofed, malformed or oversized responses are dropped or refused, never believed, never a crash.

import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import packet from 'dns-packet';
import { afterEach, describe, expect, test } from 'vitest';
import { createDnsClient } from '../../src/dns/client.js';
import { DnsTimeoutError } from '../../src/dns/failure.js';
import { MalformedMessageError, scanMessage } from '../../src/dns/guard.js';
import { buildMessage, FLAG } from '../../src/dns/message.js';
import { parseResponse } from '../../src/dns/response.js';
import { exchangeTcp } from '../../src/dns/transport-tcp.js';
import { CLASS, encodeName } from '../../src/dns/wire.js';
import { aRecord, answer, frame, startFake, type FakeQuery, type FakeServer } from './fake-server.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function header(id: number, flags: number, qd: number, an: number, ns = 0, ar = 0): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(flags, 2);
  h.writeUInt16BE(qd, 4);
  h.writeUInt16BE(an, 6);
  h.writeUInt16BE(ns, 8);
  h.writeUInt16BE(ar, 10);
  return h;
}

function question(name: string, type = 1): Buffer {
  const fixed = Buffer.alloc(4);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(1, 2);
  return Buffer.concat([encodeName(name), fixed]);
}

/** An RR with an arbitrary owner given as raw bytes. */
function rawRR(owner: Buffer, type: number, rdata: Buffer, rdlength = rdata.length): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(1, 2);
  fixed.writeUInt32BE(300, 4);
  fixed.writeUInt16BE(rdlength, 8);
  return Buffer.concat([owner, fixed, rdata]);
}

/** An RR of class ANY (TSIG) or with the class field free (OPT: payload size 1232). */
function rawAnyRR(owner: Buffer, type: number, rdata: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(type === 41 ? 1232 : 255, 2);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([owner, fixed, rdata]);
}

/** A structurally valid TSIG RR (hmac-sha256, 32-octet MAC). */
function validTsig(): Buffer {
  const body = Buffer.alloc(10 + 32 + 6);
  body.writeUInt16BE(300, 6);
  body.writeUInt16BE(32, 8);
  return rawAnyRR(encodeName('key'), 250, Buffer.concat([encodeName('hmac-sha256'), body]));
}

const QNAME = 'www.example.test';
const ANSWER_FLAGS = FLAG.QR | FLAG.AA;

/** Malformed responses to a query for www.example.test A with the given ID. */
function hostile(id: number): Record<string, Buffer> {
  const q = question(QNAME);
  const ptrToQname = Buffer.from([0xc0, 12]);
  const longName = Buffer.concat([...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([60]), Buffer.alloc(60, 0x61)])), Buffer.from([0])]);
  const valid = answer({ id, name: QNAME, type: 1 }, [aRecord(QNAME, '192.0.2.1')]);
  return {
    // Cut inside the answer's rdata.
    truncated: valid.subarray(0, valid.length - 2),
    // An owner name whose pointer points at itself (offset of the answer RR).
    'compression-pointer loop': Buffer.concat([header(id, ANSWER_FLAGS, 1, 1), q, rawRR(Buffer.from([0xc0, 12 + q.length]), 1, Buffer.from([192, 0, 2, 1]))]),
    // A pointer forward, past the end of the message.
    'forward pointer': Buffer.concat([header(id, ANSWER_FLAGS, 1, 1), q, rawRR(Buffer.from([0xc0, 0xff]), 1, Buffer.from([192, 0, 2, 1]))]),
    // Length byte 64 is not a label length (0x40 is the obsolete extended label type).
    'label > 63': Buffer.concat([header(id, ANSWER_FLAGS, 1, 1), q, rawRR(Buffer.concat([Buffer.from([64]), Buffer.alloc(64, 0x61), Buffer.from([0])]), 1, Buffer.from([192, 0, 2, 1]))]),
    // 5 labels of 60 octets: 306 octets of name.
    'name > 255 octets': Buffer.concat([header(id, ANSWER_FLAGS, 1, 1), q, rawRR(longName, 1, Buffer.from([192, 0, 2, 1]))]),
    // 65535 answers announced in about 60 octets.
    'absurd counts': Buffer.concat([header(id, ANSWER_FLAGS, 1, 65535), q, rawRR(ptrToQname, 1, Buffer.from([192, 0, 2, 1]))]),
    // rdlength says 200 but the message ends after 4 octets.
    'rdata past the end': Buffer.concat([header(id, ANSWER_FLAGS, 1, 1), q, rawRR(ptrToQname, 1, Buffer.from([192, 0, 2, 1]), 200)]),
    // An A record of 5 octets.
    'A rdata of 5 octets': Buffer.concat([header(id, ANSWER_FLAGS, 1, 1), q, rawRR(ptrToQname, 1, Buffer.from([192, 0, 2, 1, 9]))]),
    // An MX whose exchange name runs past its rdlength into the next bytes.
    'MX name past rdlength': Buffer.concat([header(id, ANSWER_FLAGS, 1, 1), question(QNAME, 15), rawRR(ptrToQname, 15, Buffer.concat([Buffer.from([0, 10]), encodeName('mx.example.test')]), 4)]),
    // A TXT whose string length overruns the rdata.
    'TXT string past rdlength': Buffer.concat([header(id, ANSWER_FLAGS, 1, 1), question(QNAME, 16), rawRR(ptrToQname, 16, Buffer.from([10, 0x61, 0x62]))]),
    // A label containing a dot would read as two labels.
    'dot inside a label': Buffer.concat([header(id, ANSWER_FLAGS, 1, 1), q, rawRR(Buffer.concat([Buffer.from([7]), Buffer.from('evil.co'), Buffer.from([0])]), 1, Buffer.from([192, 0, 2, 1]))]),
    'shorter than a header': Buffer.from([1, 2, 3]),
    // A TSIG of class ANY with no rdata: nothing to verify, must not be read past.
    'empty TSIG rdata': Buffer.concat([header(id, ANSWER_FLAGS, 1, 1, 0, 1), q, rawRR(ptrToQname, 1, Buffer.from([192, 0, 2, 1])), rawAnyRR(encodeName('key'), 250, Buffer.alloc(0))]),
    // Two OPT records (RFC 6891 §6.1.1).
    'two OPT records': Buffer.concat([header(id, ANSWER_FLAGS, 1, 0, 0, 2), q, rawAnyRR(Buffer.from([0]), 41, Buffer.alloc(0)), rawAnyRR(Buffer.from([0]), 41, Buffer.alloc(0))]),
    // A TSIG that is not the last additional record.
    'TSIG not last': Buffer.concat([header(id, ANSWER_FLAGS, 1, 0, 0, 2), q, validTsig(), rawAnyRR(Buffer.from([0]), 41, Buffer.alloc(0))]),
  };
}

describe('the guard refuses malformed messages before dns-packet sees them', () => {
  for (const [name, buf] of Object.entries(hostile(0x1234))) {
    test(name, () => {
      const started = performance.now();
      expect(() => scanMessage(buf)).toThrow(MalformedMessageError);
      expect(() => parseResponse(buf)).toThrow(MalformedMessageError);
      // Bounded work: a pointer loop or a quadratic walk would take seconds. 50 ms flaked on a
      // loaded 2-core machine (82 ms seen), so the bound leaves room for the scheduler.
      expect(performance.now() - started).toBeLessThan(1_000);
    });
  }

  test('dns-packet alone would believe some of them', () => {
    // Why the guard exists: dns-packet decodes these without complaint.
    const cases = hostile(1);
    expect(() => packet.decode(cases['A rdata of 5 octets']!)).not.toThrow();
    expect(() => packet.decode(cases['dot inside a label']!)).not.toThrow();
  });

  test('an empty class-ANY record cannot shift the records after it (dns-packet would misread them)', () => {
    const q = question(QNAME);
    const buf = Buffer.concat([
      header(9, ANSWER_FLAGS, 1, 2), q,
      rawAnyRR(Buffer.from([0xc0, 12]), 1, Buffer.alloc(0)),
      rawRR(Buffer.from([0xc0, 12]), 1, Buffer.from([192, 0, 2, 80])),
    ]);
    expect(parseResponse(buf).answers).toEqual([{ name: QNAME, ttl: 300, type: 'A', address: '192.0.2.80' }]);
    const naive = packet.decode(buf).answers?.[1] as { data?: unknown } | undefined;
    expect(naive?.data).not.toBe('192.0.2.80');
  });

  test('random corruption of a valid answer never escapes as anything but MalformedMessageError', () => {
    const valid = answer({ id: 7, name: QNAME, type: 16 }, [
      { name: QNAME, type: 16, class: CLASS.IN, ttl: 60, rdata: Buffer.from([3, 0x61, 0x62, 0x63, 2, 0x64, 0x65]) },
      aRecord(QNAME, '192.0.2.7'),
    ]);
    for (let i = 0; i < 5000; i++) {
      const buf = Buffer.from(valid);
      const flips = randomInt(1, 4);
      for (let f = 0; f < flips; f++) buf[randomInt(0, buf.length)] = randomInt(0, 256);
      const cut = randomInt(0, 3) === 0 ? buf.subarray(0, randomInt(0, buf.length)) : buf;
      try {
        parseResponse(cut);
      } catch (error) {
        expect(error).toBeInstanceOf(MalformedMessageError);
      }
    }
  });
});

describe('the client drops hostile UDP answers and keeps waiting for the real one', () => {
  for (const name of Object.keys(hostile(0))) {
    test(`${name}: dropped, the real answer still accepted`, async () => {
      const fake = await startFake((q, reply) => {
        reply(hostile(q.id)[name]!);
        setTimeout(() => reply(answer(q, [aRecord(QNAME, '192.0.2.80')])), 20);
      });
      servers.push(fake);
      const client = createDnsClient({ servers: [fake.server], timeoutMs: 1000, attempts: 1, cache: false });
      const result = await client.resolve(QNAME, 'A');
      expect(result).toEqual({ status: 'ok', records: [{ name: QNAME, ttl: 300, type: 'A', address: '192.0.2.80' }], authenticated: false });
      expect(client.stats().dropped).toBe(1);
    });
  }

  test('spoofed ID: dropped, the real answer accepted', async () => {
    const fake = await startFake((q, reply) => {
      reply(answer({ ...q, id: (q.id + 1) & 0xffff }, [aRecord(QNAME, '6.6.6.6')]));
      setTimeout(() => reply(answer(q, [aRecord(QNAME, '192.0.2.80')])), 20);
    });
    servers.push(fake);
    const client = createDnsClient({ servers: [fake.server], timeoutMs: 1000, attempts: 1 });
    const result = await client.resolve(QNAME, 'A');
    expect(result.status === 'ok' && result.records[0]).toMatchObject({ address: '192.0.2.80' });
    expect(client.stats().dropped).toBe(1);
  });

  test('wrong question (name, type, class) and a query echoed back: dropped', async () => {
    const fake = await startFake((q, reply) => {
      reply(answer({ ...q, name: 'other.example.test' }, [aRecord('other.example.test', '6.6.6.6')]));
      reply(answer({ ...q, type: 28 }, []));
      reply(buildMessage({ id: q.id, flags: FLAG.QR, questions: [{ name: q.name, type: q.type, class: 3 }], answers: [aRecord(QNAME, '6.6.6.6')] }));
      reply(q.raw); // QR clear: our own query reflected
      setTimeout(() => reply(answer({ ...q, name: q.name.toUpperCase() }, [aRecord(QNAME, '192.0.2.80')])), 20);
    });
    servers.push(fake);
    const client = createDnsClient({ servers: [fake.server], timeoutMs: 1000, attempts: 1 });
    const result = await client.resolve(QNAME, 'A');
    // The question matches case-insensitively (RFC 4343).
    expect(result.status === 'ok' && result.records.map((r) => r.type === 'A' && r.address)).toEqual(['192.0.2.80']);
    expect(client.stats().dropped).toBe(4);
  });

  test('an answer from another port is not believed', async () => {
    const spoofer = createSocket('udp4');
    await new Promise<void>((resolve) => spoofer.bind(0, '127.0.0.1', () => resolve()));
    const fake = await startFake((q, reply, rinfo) => {
      // Right ID and question, wrong source port.
      spoofer.send(answer(q, [aRecord(QNAME, '6.6.6.6')]), rinfo.port, rinfo.address);
      setTimeout(() => reply(answer(q, [aRecord(QNAME, '192.0.2.80')])), 30);
    });
    servers.push(fake);
    try {
      const client = createDnsClient({ servers: [fake.server], timeoutMs: 1000, attempts: 1 });
      const result = await client.resolve(QNAME, 'A');
      expect(result.status === 'ok' && result.records.map((r) => r.type === 'A' && r.address)).toEqual(['192.0.2.80']);
    } finally {
      spoofer.close();
    }
  });

  test('only garbage: a timeout error, reported as such', async () => {
    const fake = await startFake((q, reply) => reply(hostile(q.id)['absurd counts']!));
    servers.push(fake);
    const client = createDnsClient({ servers: [fake.server], timeoutMs: 200, attempts: 2 });
    const result = await client.resolve(QNAME, 'A');
    expect(result.status).toBe('error');
    expect(result.status === 'error' && result.reason).toMatch(/^timeout after 200 ms waiting for 127\.0\.0\.1:\d+ \(UDP\)$/);
    expect(fake.queries).toHaveLength(2);
    await expect(client.query(QNAME, 'A')).rejects.toBeInstanceOf(DnsTimeoutError);
  });

  test('each query has a fresh random ID and a fresh source port', async () => {
    const ports = new Set<number>();
    const fake = await startFake((q, reply, rinfo) => {
      ports.add(rinfo.port);
      reply(answer(q, [aRecord(q.name, '192.0.2.1')]));
    });
    servers.push(fake);
    const client = createDnsClient({ servers: [fake.server], cache: false });
    for (let i = 0; i < 20; i++) await client.query(`h${i}.example.test`, 'A');
    expect(new Set(fake.queries.map((q) => q.id)).size).toBeGreaterThan(15);
    expect(ports.size).toBeGreaterThan(15);
  });
});

describe('hostile TCP answers', () => {
  async function tcpOnly(handler: (q: FakeQuery, socket: import('node:net').Socket) => void): Promise<FakeServer> {
    const fake = await startFake(() => undefined, handler);
    servers.push(fake);
    return fake;
  }

  test('a length prefix announcing 64 KiB, then a stall: timeout, no crash', async () => {
    const fake = await tcpOnly((q, socket) => socket.write(Buffer.concat([Buffer.from([0xff, 0xff]), answer(q).subarray(0, 20)])));
    const client = createDnsClient({ servers: [fake.server], timeoutMs: 300, attempts: 1 });
    const started = Date.now();
    await expect(client.query(QNAME, 'A', { tcp: true })).rejects.toThrow(/timeout after 300 ms waiting for 127\.0\.0\.1:\d+ \(TCP\)/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  test('an endless stream of frames: refused once over the size limit', async () => {
    const fake = await tcpOnly((q, socket) => {
      const junk = frame(answer({ ...q, id: (q.id + 1) & 0xffff }, Array.from({ length: 200 }, () => aRecord(QNAME, '6.6.6.6'))));
      const pump = () => {
        if (!socket.destroyed && socket.write(junk)) setImmediate(pump);
        else if (!socket.destroyed) socket.once('drain', pump);
      };
      pump();
    });
    const client = createDnsClient({ servers: [fake.server], timeoutMs: 5000, attempts: 1 });
    await expect(client.query(QNAME, 'A', { tcp: true })).rejects.toThrow(/exceeds \d+ octets; dropped/);
  });

  test('a message larger than the caller allows: refused at the length prefix', async () => {
    const fake = await tcpOnly((q, socket) => socket.write(frame(answer(q, Array.from({ length: 300 }, () => aRecord(QNAME, '192.0.2.1'))))));
    let called = false;
    const exchange = exchangeTcp({
      server: fake.server,
      message: buildMessage({ id: 1, questions: [{ name: QNAME, type: 1, class: 1 }] }),
      timeoutMs: 1000,
      maxMessageOctets: 512,
      onMessage: () => {
        called = true;
        return { done: true, value: 1 };
      },
    });
    await expect(exchange).rejects.toThrow(/exceeds the 512-octet limit; dropped/);
    expect(called).toBe(false);
  });

  test('a malformed frame and a wrong ID over TCP are skipped, the real answer taken', async () => {
    const fake = await tcpOnly((q, socket) => {
      socket.write(frame(hostile(q.id)['compression-pointer loop']!));
      socket.write(frame(answer({ ...q, id: (q.id + 7) & 0xffff }, [aRecord(QNAME, '6.6.6.6')])));
      socket.write(frame(answer(q, [aRecord(QNAME, '192.0.2.80')])));
    });
    const client = createDnsClient({ servers: [fake.server], timeoutMs: 1000, attempts: 1 });
    const result = await client.query(QNAME, 'A', { tcp: true });
    expect(result.answers).toEqual([{ name: QNAME, ttl: 300, type: 'A', address: '192.0.2.80' }]);
    expect(client.stats().dropped).toBe(2);
  });

  test('a connection closed mid-answer: a network error, not a partial answer', async () => {
    const fake = await tcpOnly((q, socket) => socket.end(frame(answer(q, [aRecord(QNAME, '192.0.2.80')])).subarray(0, 30)));
    const client = createDnsClient({ servers: [fake.server], timeoutMs: 1000, attempts: 1 });
    await expect(client.query(QNAME, 'A', { tcp: true })).rejects.toThrow(/connection closed before a complete answer/);
  });
});
