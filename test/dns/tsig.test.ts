// TSIG (RFC 8945): our signatures equal dig's byte for byte, dig accepts our response signatures, verification refuses every forgery.

import { execFile } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { scanMessage } from '../../src/dns/guard.js';
import { buildMessage, FLAG } from '../../src/dns/message.js';
import { createTsigVerifier, findTsig, signMessage, signResponse, TsigError } from '../../src/dns/tsig.js';
import { TsigKey, type TsigAlgorithm } from '../../src/dns/tsig-key.js';
import { findTool } from '../helpers/bind.js';
import { aRecord, answer, startFake } from './fake-server.js';

const SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=';
const ALGORITHMS: TsigAlgorithm[] = ['hmac-sha256', 'hmac-sha512', 'hmac-sha1'];

function dig(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(findTool('dig'), args, { timeout: 10_000 }, (_error, stdout) => resolve(String(stdout)));
  });
}

describe('interop with dig -y', () => {
  for (const algorithm of ALGORITHMS) {
    test(`${algorithm}: re-signing dig's request gives dig's exact bytes; dig verifies our signed response`, async () => {
      const key = new TsigKey('mailrec-test', algorithm, SECRET);
      let request: Buffer | undefined;
      const fake = await startFake((q, reply) => {
        request = q.raw;
        const found = findTsig(q.raw, q.scan)!;
        const response = answer(q, [aRecord(q.name, '192.0.2.1')]);
        reply(signResponse(response, key, found.tsig.mac));
      });
      try {
        const out = await dig(['-y', `${algorithm}:mailrec-test:${SECRET}`, '@127.0.0.1', '-p', String(fake.port), '+tries=1', '+time=2', 'example.test', 'A']);
        expect(request).toBeDefined();
        const scan = scanMessage(request!);
        const { rr, tsig } = findTsig(request!, scan)!;
        expect(tsig).toMatchObject({ keyName: 'mailrec-test', algorithm, fudge: 300, error: 0 });
        const unsigned = Buffer.from(request!.subarray(0, rr.offset));
        unsigned.writeUInt16BE(unsigned.readUInt16BE(10) - 1, 10);
        const ours = signMessage(unsigned, key, { now: () => tsig.timeSigned * 1000, fudge: tsig.fudge });
        expect(ours.mac.toString('hex')).toBe(tsig.mac.toString('hex'));
        expect(ours.message.toString('hex')).toBe(request!.toString('hex'));
        // dig checks the response TSIG and says so when it fails.
        expect(out).toMatch(/status: NOERROR/);
        expect(out).not.toMatch(/verify|Couldn't|failure/i);
        expect(out).toMatch(/mailrec-test\.\s+0\s+ANY\s+TSIG\s+/);
      } finally {
        await fake.close();
      }
    });
  }
});

describe('verification', () => {
  const key = new TsigKey('Key.Example.', 'hmac-sha256', SECRET);
  const NOW = 1_800_000_000_000;
  const request = () => signMessage(buildMessage({ id: 77, questions: [{ name: 'example.test', type: 6, class: 1 }] }), key, { now: () => NOW });
  const response = (id = 77) => buildMessage({ id, flags: FLAG.QR, questions: [{ name: 'example.test', type: 6, class: 1 }] });
  const verify = (buf: Buffer, mac: Buffer, now = NOW) => createTsigVerifier(key, mac, '127.0.0.1:53', { now: () => now }).verify(buf, scanMessage(buf));

  test('the key name is canonical (lowercase, no trailing dot) in the TSIG RR', () => {
    const { message } = request();
    expect(findTsig(message, scanMessage(message))!.tsig.keyName).toBe('key.example');
    expect(message.includes(Buffer.from('\x03key\x07example\x00', 'latin1'))).toBe(true);
  });

  test('a correct response passes; at the edge of the fudge too', () => {
    const { mac } = request();
    verify(signResponse(response(), key, mac, { now: () => NOW }), mac);
    verify(signResponse(response(), key, mac, { now: () => NOW }), mac, NOW + 300_000);
  });

  test('one flipped bit: BADSIG', () => {
    const { mac } = request();
    const signed = signResponse(response(), key, mac, { now: () => NOW });
    signed.writeUInt8(signed.readUInt8(3) ^ 0x01, 3);
    expect(() => verify(signed, mac)).toThrow(/signature is wrong \(BADSIG\)/);
  });

  test('signed for another request: BADSIG', () => {
    const { mac } = request();
    const other = Buffer.alloc(32, 7);
    expect(() => verify(signResponse(response(), key, other, { now: () => NOW }), mac)).toThrow(/BADSIG/);
  });

  test('outside the fudge: BADTIME', () => {
    const { mac } = request();
    expect(() => verify(signResponse(response(), key, mac, { now: () => NOW }), mac, NOW + 301_000)).toThrow(/BADTIME/);
  });

  test('unsigned, or signed by another key or with another secret', () => {
    const { mac } = request();
    expect(() => verify(response(), mac)).toThrow(/the response is not signed/);
    const otherName = new TsigKey('other', 'hmac-sha256', SECRET);
    expect(() => verify(signResponse(response(), otherName, mac, { now: () => NOW }), mac)).toThrow(/another key/);
    const otherSecret = new TsigKey('key.example', 'hmac-sha256', Buffer.alloc(32, 1));
    expect(() => verify(signResponse(response(), otherSecret, mac, { now: () => NOW }), mac)).toThrow(/BADSIG/);
    const otherAlgorithm = new TsigKey('key.example', 'hmac-sha512', SECRET);
    expect(() => verify(signResponse(response(), otherAlgorithm, mac, { now: () => NOW }), mac)).toThrow(/another key/);
  });

  test('the server reports a TSIG error: TsigError carrying it, naming key and server', () => {
    const { mac } = request();
    const signed = signResponse(response(), key, mac, { now: () => NOW });
    const { rr } = findTsig(signed, scanMessage(signed))!;
    // error field: 2 octets before "other len" at the end of the rdata
    signed.writeUInt16BE(17, rr.rdataOffset + rr.rdlength - 4);
    try {
      verify(signed, mac);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TsigError);
      expect((error as TsigError).tsigError).toBe('BADKEY');
      expect((error as Error).message).toBe('TSIG key key.example with 127.0.0.1:53: the server answered BADKEY');
    }
  });

  test('multi-message: later MACs chain on the previous one (RFC 8945 §5.3.1); the last must be signed', () => {
    const { mac } = request();
    const first = signResponse(response(), key, mac, { now: () => NOW });
    const firstMac = findTsig(first, scanMessage(first))!.tsig.mac;
    const middle = response();
    const last = response();
    // Subsequent digest: previous MAC, unsigned messages, this message, timers only.
    const timers = Buffer.from([0, 0, 0, 0, 0, 0, 0x01, 0x2c]);
    timers.writeUInt32BE(Math.floor(NOW / 1000), 2);
    const lastMac = key.mac([Buffer.from([0, 32]), firstMac, middle, last, timers]);
    const lastSigned = Buffer.concat([last, tsigRdataRR(lastMac, Math.floor(NOW / 1000))]);
    lastSigned.writeUInt16BE(1, 10);
    const verifier = createTsigVerifier(key, mac, 'x', { now: () => NOW });
    verifier.verify(first, scanMessage(first));
    verifier.verify(middle, scanMessage(middle));
    expect(() => verifier.finish()).toThrow(/last message is not signed/);
    verifier.verify(lastSigned, scanMessage(lastSigned));
    verifier.finish();
  });
});

/** A TSIG RR for key.example / hmac-sha256 with the given MAC, built by hand. */
function tsigRdataRR(mac: Buffer, time: number): Buffer {
  const owner = Buffer.from('\x03key\x07example\x00', 'latin1');
  const alg = Buffer.from('\x0bhmac-sha256\x00', 'latin1');
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(250, 0);
  fixed.writeUInt16BE(255, 2);
  const body = Buffer.alloc(10 + mac.length + 6);
  body.writeUInt16BE(0, 0);
  body.writeUInt32BE(time, 2);
  body.writeUInt16BE(300, 6);
  body.writeUInt16BE(mac.length, 8);
  mac.copy(body, 10);
  body.writeUInt16BE(77, 10 + mac.length);
  const rdata = Buffer.concat([alg, body]);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([owner, fixed, rdata]);
}
