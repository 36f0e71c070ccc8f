// The reader against BIND: the same files read by mailrec and by named-compilezone -D
// (whose canonical output mailrec reads too) must give the same record set.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ZoneSyntaxError } from '../../src/base/errors.js';
import type { RR } from '../../src/dns-types/rr.js';
import { parseZoneText, readZoneFile } from '../../src/zone/reader.js';
import { checkZone, compileZone, requireTool } from '../helpers/bind-tools.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/zone/bind/', import.meta.url));
// Reader comparisons need no host-name or integrity checks, only BIND's parser.
const LAX = ['-k', 'ignore', '-i', 'none'];

/** Records as comparable strings: the model's fields exactly (no rendering to hide a difference). */
function recordSet(records: readonly RR[]): string[] {
  return [...new Set(records.map(({ position: _position, ...rr }: RR & { position?: unknown }) => JSON.stringify(rr)))].sort();
}

function readWithBind(origin: string, file: string, cwd: string): string[] {
  const canonical = compileZone(origin, file, { cwd, flags: LAX });
  return recordSet(parseZoneText(canonical, { file: 'named-compilezone output', origin }).records);
}

describe('reader agrees with named-compilezone', () => {
  it('has its oracle', () => {
    expect(requireTool('named-compilezone')).toMatch(/named-compilezone$/);
  });

  it.each([
    ['varied.zone', 'example.org', 38],
    ['rfc1035-ttl.zone', 'example.net', 6],
  ])('%s', (file, origin, count) => {
    const path = join(FIXTURES, file);
    const ours = readZoneFile(path, { origin }).records;
    expect(ours).toHaveLength(count);
    expect(recordSet(ours)).toHaveLength(count); // no duplicates to hide behind a set
    expect(recordSet(ours)).toEqual(readWithBind(origin, path, FIXTURES));
  });

  it('reads the tricky strings of varied.zone as intended', () => {
    const records = readZoneFile(join(FIXTURES, 'varied.zone'), { origin: 'example.org' }).records;
    const strings = (name: string): string[][] =>
      records.filter((rr) => rr.name === name && rr.type === 'TXT').map((rr) => (rr.type === 'TXT' ? rr.strings : []));
    expect(strings('esc.example.org')).toEqual([
      ['quote" backslash\\ semicolon; and ; inside', 'unquoted word'],
      ['café', 'tab\tx', 'dollar $INCLUDE /etc/passwd'],
    ]);
    const dkim = strings('2026a._domainkey.example.org')[0]!;
    expect(dkim).toHaveLength(3);
    expect(dkim.join('')).toMatch(/^v=DKIM1; k=rsa; p=MIIBIjAN[A-Za-z0-9+/]{384}$/);
    expect(strings('2024a._domainkey.example.org')[0]).toHaveLength(1);
    const tlsa = records.find((rr) => rr.type === 'TLSA');
    expect(tlsa).toMatchObject({ name: '_25._tcp.mx-01.example.org', certificate: '8D02536C887482BC34FF54E41D2BA659BF85B341A0A20AFADB5813DCFBCF286D' });
  });
});

describe('reader agrees with BIND on generated strings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailrec-reader-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every octet, quoted and escaped in all the ways RFC 1035 §5.1 allows', () => {
    const lines = ['$ORIGIN example.org.', '$TTL 60', '@ SOA ns hm 1 2 3 4 5', '@ NS ns', 'ns A 192.0.2.1'];
    for (let octet = 0; octet < 256; octet++) {
      const ddd = `\\${String(octet).padStart(3, '0')}`;
      const printable = octet > 0x20 && octet < 0x7f && !'"\\;()'.includes(String.fromCharCode(octet));
      const plain = printable ? String.fromCharCode(octet) : ddd;
      const escaped = octet > 0x20 && octet < 0x7f && !/[0-9]/.test(String.fromCharCode(octet)) ? `\\${String.fromCharCode(octet)}` : ddd;
      lines.push(`o${octet} TXT "${ddd}" ${plain} "${escaped}x" a${escaped}b`);
    }
    const file = join(dir, 'octets.zone');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const ours = readZoneFile(file, { origin: 'example.org' }).records;
    expect(ours).toHaveLength(256 + 3);
    expect(recordSet(ours)).toEqual(readWithBind('example.org', file, dir));
  });
});

describe('what the reader refuses, BIND refuses too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailrec-refuse-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const head = '$ORIGIN example.org.\n$TTL 60\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n';

  it.each([
    ['unbalanced quotes', 't TXT "abc\n'],
    ['an unclosed parenthesis', 't TXT ( "a"\n'],
    ['a stray parenthesis', 't TXT "a" )\n'],
    ['a bad TTL', 't 1x TXT "a"\n'],
    ['an unknown directive', '$FOO bar\n'],
    ['class CH', 't CH TXT "a"\n'],
    ['an unknown type', 't TXTT "a"\n'],
    ['an MX preference out of range', 't MX 70000 mx\n'],
    ['a \\DDD escape over 255', 't TXT "\\256"\n'],
    ['a 256-octet string', `t TXT "${'x'.repeat(256)}"\n`],
    ['a 64-octet label', `${'a'.repeat(64)} A 192.0.2.1\n`],
    ['a bad dotted quad', 't A 192.0.2.300\n'],
    ['an include loop', '$INCLUDE self.zone\n'],
  ])('%s', (label, body) => {
    const file = join(dir, 'self.zone');
    writeFileSync(file, head + body);
    expect(() => readZoneFile(file, { origin: 'example.org' })).toThrow(ZoneSyntaxError);
    const bind = checkZone('example.org', file, { cwd: dir, flags: LAX });
    expect(bind.ok, `${label}: BIND accepted it:\n${bind.output}`).toBe(false);
  });
});
