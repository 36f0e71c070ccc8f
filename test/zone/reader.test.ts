import { describe, expect, it } from 'vitest';
import { formatPosition, ZoneSyntaxError } from '../../src/base/errors.js';
import type { RR } from '../../src/dns-types/rr.js';
import { parseZoneText, type ParsedRR, type ParseZoneOptions } from '../../src/zone/reader.js';
import { parseTtl } from '../../src/dns-types/ttl.js';

const withoutPosition = (records: ParsedRR[]): RR[] => records.map(({ position: _p, ...rr }) => rr as RR);

function read(text: string, options: Partial<ParseZoneOptions> = {}): RR[] {
  return withoutPosition(parseZoneText(text, { file: 'test.zone', origin: 'example.org', ...options }).records);
}

/** A file system as a map, for $INCLUDE. */
function files(map: Record<string, string>): (path: string) => string {
  return (path) => {
    const text = map[path];
    if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    return text;
  };
}

describe('parseTtl', () => {
  it.each([
    ['0', 0],
    ['3600', 3600],
    ['1h30m', 5400],
    ['1W', 604800],
    ['2d12h', 216000],
    ['90s', 90],
    ['2147483647', 2147483647],
  ])('%s = %d', (text, seconds) => {
    expect(parseTtl(text)).toBe(seconds);
  });
  it.each(['', '1x', 'h', '1h30', '-1', '1.5', '2147483648', '24856d'])('refuses %j', (text) => {
    expect(() => parseTtl(text)).toThrow();
  });
});

describe('parseZoneText', () => {
  it.each<[string, string, RR[]]>([
    [
      '@, omitted owner, $TTL',
      '$TTL 300\n@ IN MX 10 mx\n  IN MX 20 mx2.example.net.\n',
      [
        { name: 'example.org', ttl: 300, type: 'MX', preference: 10, exchange: 'mx.example.org' },
        { name: 'example.org', ttl: 300, type: 'MX', preference: 20, exchange: 'mx2.example.net' },
      ],
    ],
    [
      'class and TTL in either order, class omitted',
      'a 60 IN A 192.0.2.1\nb IN 1m A 192.0.2.2\nc 1h A 192.0.2.3\n',
      [
        { name: 'a.example.org', ttl: 60, type: 'A', address: '192.0.2.1' },
        { name: 'b.example.org', ttl: 60, type: 'A', address: '192.0.2.2' },
        { name: 'c.example.org', ttl: 3600, type: 'A', address: '192.0.2.3' },
      ],
    ],
    [
      'RFC 1035 TTL: the last explicit one when there is no $TTL',
      'a 60 A 192.0.2.1\nb A 192.0.2.2\n$TTL 120\nc A 192.0.2.3\nd 30 A 192.0.2.4\ne A 192.0.2.5\n',
      [
        { name: 'a.example.org', ttl: 60, type: 'A', address: '192.0.2.1' },
        { name: 'b.example.org', ttl: 60, type: 'A', address: '192.0.2.2' },
        { name: 'c.example.org', ttl: 120, type: 'A', address: '192.0.2.3' },
        { name: 'd.example.org', ttl: 30, type: 'A', address: '192.0.2.4' },
        { name: 'e.example.org', ttl: 120, type: 'A', address: '192.0.2.5' },
      ],
    ],
    [
      'SOA minimum as the default when nothing else is known (BIND)',
      '@ IN SOA ns hm 1 2 3 4 5\nns A 192.0.2.1\n',
      [
        { name: 'example.org', ttl: 5, type: 'SOA', mname: 'ns.example.org', rname: 'hm.example.org', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 },
        { name: 'ns.example.org', ttl: 5, type: 'A', address: '192.0.2.1' },
      ],
    ],
    [
      'parentheses across lines with comments inside, multi-string TXT',
      '$TTL 60\nsel._domainkey TXT ( "v=DKIM1; " ; first\n   "k=rsa; "   ; second\n\n  "p=AB" )  ; last\n',
      [{ name: 'sel._domainkey.example.org', ttl: 60, type: 'TXT', strings: ['v=DKIM1; ', 'k=rsa; ', 'p=AB'] }],
    ],
    [
      'escapes in quoted and unquoted strings; ";" and "$INCLUDE" inside quotes are text',
      '$TTL 60\nt TXT "a\\"b" "c\\\\d" e\\059f "g;h" "$INCLUDE /etc/passwd" "\\195\\169"\n',
      [{ name: 't.example.org', ttl: 60, type: 'TXT', strings: ['a"b', 'c\\d', 'e;f', 'g;h', '$INCLUDE /etc/passwd', 'é'] }],
    ],
    [
      'a quote inside an unquoted token starts a new string (BIND)',
      '$TTL 60\nt TXT abc"def"\n',
      [{ name: 't.example.org', ttl: 60, type: 'TXT', strings: ['abc', 'def'] }],
    ],
    [
      '$ORIGIN absolute and relative',
      '$TTL 60\n$ORIGIN sub.example.org.\n@ A 192.0.2.1\n$ORIGIN deeper\nx A 192.0.2.2\n',
      [
        { name: 'sub.example.org', ttl: 60, type: 'A', address: '192.0.2.1' },
        { name: 'x.deeper.sub.example.org', ttl: 60, type: 'A', address: '192.0.2.2' },
      ],
    ],
    [
      'names are lowercased; CRLF line ends; a BOM',
      '\uFEFF$TTL 60\r\nWWW.Example.ORG. CNAME Target\r\n',
      [{ name: 'www.example.org', ttl: 60, type: 'CNAME', target: 'target.example.org' }],
    ],
    [
      'unknown types kept as OTHER, RFC 3597 forms',
      '$TTL 60\nc CAA 0 issue "ca.example"\ng TYPE65280 \\# 2 ABCD\nt TYPE16 "by number"\na A \\# 4 C0000201\n',
      [
        { name: 'c.example.org', ttl: 60, type: 'OTHER', rrtype: 'CAA', text: '0 issue "ca.example"' },
        { name: 'g.example.org', ttl: 60, type: 'OTHER', rrtype: 'TYPE65280', text: '\\# 2 ABCD' },
        { name: 't.example.org', ttl: 60, type: 'TXT', strings: ['by number'] },
        { name: 'a.example.org', ttl: 60, type: 'A', address: '192.0.2.1' },
      ],
    ],
  ])('%s', (_label, text, records) => {
    expect(read(text)).toEqual(records);
  });

  it('gives every record the position of its entry', () => {
    const { records } = parseZoneText('$TTL 60\n\na A 192.0.2.1\n   A 192.0.2.2\nb TXT (\n "x" )\n', {
      file: 'z.zone',
      origin: 'example.org',
    });
    expect(records.map((rr) => formatPosition(rr.position))).toEqual(['z.zone:3:1', 'z.zone:4:4', 'z.zone:5:1']);
  });

  it('accepts an origin with or without its trailing dot, and no origin for absolute names', () => {
    const text = '$TTL 60\n@ A 192.0.2.1\n';
    expect(read(text, { origin: 'Example.org.' })).toEqual(read(text, { origin: 'example.org' }));
    expect(read('x.example.org. 60 A 192.0.2.1\n', { origin: undefined })).toEqual([
      { name: 'x.example.org', ttl: 60, type: 'A', address: '192.0.2.1' },
    ]);
  });

  it('uses defaultTtl before any $TTL', () => {
    expect(read('a A 192.0.2.1\n', { defaultTtl: 86400 })).toEqual([
      { name: 'a.example.org', ttl: 86400, type: 'A', address: '192.0.2.1' },
    ]);
  });
});

describe('$INCLUDE', () => {
  it('reads relative to the including file, with an origin argument; origin and owner revert after', () => {
    const readInclude = files({
      'zones/mail/dept.inc': '@ TXT "dept apex"\n$TTL 120\n$ORIGIN elsewhere.example.\nx A 192.0.2.9\n$INCLUDE ../team.inc team.example.org.\n',
      'zones/team.inc': '  TXT "blank owner inherits the current owner"\n@ A 192.0.2.10\n',
    });
    const { records } = parseZoneText(
      '$TTL 60\nbefore TXT "before"\n$INCLUDE mail/dept.inc dept\n  TXT "after"\nlater A 192.0.2.11\n',
      { file: 'zones/example.org.zone', origin: 'example.org', readInclude },
    );
    expect(records.map((rr) => `${formatPosition(rr.position)} ${rr.name} ${rr.ttl} ${rr.type}`)).toEqual([
      'zones/example.org.zone:2:1 before.example.org 60 TXT',
      'zones/mail/dept.inc:1:1 dept.example.org 60 TXT',
      'zones/mail/dept.inc:4:1 x.elsewhere.example 120 A',
      'zones/team.inc:1:3 x.elsewhere.example 120 TXT',
      'zones/team.inc:2:1 team.example.org 120 A',
      // RFC 1035 §5.1: origin and owner revert; $TTL persists, as in BIND.
      'zones/example.org.zone:4:3 before.example.org 120 TXT',
      'zones/example.org.zone:5:1 later.example.org 120 A',
    ]);
  });

  it('accepts an absolute and a quoted path', () => {
    const readInclude = files({ '/abs/with space.inc': 'x 60 A 192.0.2.1\n' });
    expect(read('$INCLUDE "/abs/with space.inc"\n', { readInclude })).toEqual([
      { name: 'x.example.org', ttl: 60, type: 'A', address: '192.0.2.1' },
    ]);
  });
});

function syntaxError(text: string, options: Partial<ParseZoneOptions> = {}): ZoneSyntaxError {
  try {
    parseZoneText(text, { file: 'bad.zone', origin: 'example.org', ...options });
  } catch (error) {
    if (error instanceof ZoneSyntaxError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('errors carry file:line:column', () => {
  const deep = Object.fromEntries(
    Array.from({ length: 20 }, (_, i) => [`z/d${i}.inc`, `$INCLUDE d${i + 1}.inc\n`]),
  );
  it.each<[string, string, Partial<ParseZoneOptions>, string, RegExp]>([
    ['unbalanced quotes', '$TTL 60\nt TXT "abc\nu TXT "x"\n', {}, 'bad.zone:2:7', /unbalanced quotes/],
    ['unbalanced quotes at the end', '$TTL 60\nt TXT "abc', {}, 'bad.zone:2:7', /unbalanced quotes/],
    ['an unclosed parenthesis', '$TTL 60\nt TXT ( "a"\n "b"\n', {}, 'bad.zone:2:7', /"\(" is never closed/],
    ['a stray closing parenthesis', '$TTL 60\nt TXT "a" )\n', {}, 'bad.zone:2:11', /"\)" without "\("/],
    ['a bad TTL', 'a 1x IN A 192.0.2.1\n', {}, 'bad.zone:1:3', /bad TTL "1x"/],
    ['a TTL too large', 'a 2147483648 A 192.0.2.1\n', {}, 'bad.zone:1:3', /RFC 2181/],
    ['a bad $TTL', '\n$TTL soon\n', {}, 'bad.zone:2:6', /bad TTL "soon"/],
    ['an unknown directive', '$TTL 60\n  \n$FOO bar\n', {}, 'bad.zone:3:1', /unknown directive \$FOO/],
    ['$GENERATE', '$GENERATE 1-4 h$ A 192.0.2.$\n', {}, 'bad.zone:1:1', /\$GENERATE/],
    ['$ORIGIN without argument', '$ORIGIN\n', {}, 'bad.zone:1:1', /needs an argument/],
    ['$TTL with two arguments', '$TTL 60 70\n', {}, 'bad.zone:1:9', /unexpected "70"/],
    ['a relative owner without origin', '$TTL 60\nwww A 192.0.2.1\n', { origin: undefined }, 'bad.zone:2:1', /relative name "www" needs an origin/],
    ['a relative target without origin', '$TTL 60\nwww.example.org. CNAME web\n', { origin: undefined }, 'bad.zone:2:24', /needs an origin/],
    ['a class other than IN', '$TTL 60\nt CH TXT "x"\n', {}, 'bad.zone:2:3', /class CH is not supported/],
    ['an unknown type', '$TTL 60\nt TXTT "x"\n', {}, 'bad.zone:2:3', /unknown RR type "TXTT"/],
    ['a missing type', '$TTL 60\nt 60 IN\n', {}, 'bad.zone:2:6', /no type/],
    ['bad rdata', '$TTL 60\n@ MX 70000 mx\n', {}, 'bad.zone:2:6', /preference/],
    ['missing rdata', '$TTL 60\n@ MX\t10\n', {}, 'bad.zone:2:6', /missing its exchange/],
    ['a bad \\DDD escape', '$TTL 60\nt TXT "a\\256"\n', {}, 'bad.zone:2:9', /over 255/],
    ['a short \\DDD escape', '$TTL 60\nt TXT a\\25\n', {}, 'bad.zone:2:8', /three decimal digits/],
    ['a 256-octet string', `$TTL 60\nt TXT "ok" "${'x'.repeat(256)}"\n`, {}, 'bad.zone:2:12', /256 octets/],
    ['a 64-octet label', `$TTL 60\n${'a'.repeat(64)} A 192.0.2.1\n`, {}, 'bad.zone:2:1', /limit is 63/],
    ['no TTL at all', 'a A 192.0.2.1\n', {}, 'bad.zone:1:3', /no TTL/],
    ['a first record without owner', '$TTL 60\n  A 192.0.2.1\n', {}, 'bad.zone:2:3', /no owner/],
    ['$INCLUDE without a file reader', '$INCLUDE x.inc\n', {}, 'bad.zone:1:1', /not allowed here/],
    [
      'a missing included file',
      '$TTL 60\n$INCLUDE  missing.inc\n',
      { readInclude: files({}) },
      'bad.zone:2:11',
      /cannot read included file missing.inc: ENOENT/,
    ],
    [
      'an error inside an included file',
      '$TTL 60\n$INCLUDE inc/a.inc\n',
      { readInclude: files({ 'inc/a.inc': 'ok A 192.0.2.1\n\nbad A 192.0.2.300\n' }) },
      'inc/a.inc:3:7',
      /bad dotted quad/,
    ],
    [
      'an include loop',
      '$INCLUDE a.inc\n',
      { file: 'z/top.zone', readInclude: files({ 'z/a.inc': '$INCLUDE b.inc\n', 'z/b.inc': '\n$INCLUDE ./a.inc\n' }) },
      'z/b.inc:2:10',
      /include loop: z\/top.zone -> z\/a.inc -> z\/b.inc -> z\/a.inc/,
    ],
    [
      'a file including itself',
      '$INCLUDE top.zone\n',
      { file: 'z/top.zone', readInclude: files({ 'z/top.zone': '' }) },
      'z/top.zone:1:10',
      /include loop/,
    ],
    ['includes nested too deep', '$INCLUDE d0.inc\n', { file: 'z/top.zone', readInclude: files(deep) }, 'z/d15.inc:1:10', /deeper than 16/],
  ])('%s', (_label, text, options, position, message) => {
    const error = syntaxError(text, options);
    expect(formatPosition(error.position)).toBe(position);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`${position}: `)).toBe(true);
  });
});
