import { describe, expect, it } from 'vitest';
import { RecordError } from '../../src/base/errors.js';
import {
  parseRData,
  parseRDataText,
  RDataSyntaxError,
  renderRData,
  renderRR,
} from '../../src/dns-types/rdata.js';
import type { RData, RR } from '../../src/dns-types/rr.js';

const KEY_2048 =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzK4FH0wjHhrji5H2td6tXUSn0JE9JGRrhTthNrDYAMDZoOeLkjUeRS5t4ZPtUxDZno+HRSNv0GYX+LH80vH4QvAD5GL82OW+IrWSpjKrsoYeemcRWKH28TWo1Hx/s3/UyKI+P7J6o/IBzZTIXtTbBfnlO33LylsSm5ygSO98XOmtJAnuUjg0jmjTzoOnSGp8GCZYCY9GejG4P44tDvZHz+xgIBufrrZjLiEStU0wPrgWWqS7dT7asd0cIBVfkSdkSM7fsFhtK0F6wUATLK+hdYHhY4kVYIttUsosBLwWC2H8WjSDWoQE5j2XjZOk+htUioxyRr9g884/f8YqIhzdsQIDAQAB';

// Canonical values: render then parse must give them back unchanged.
const roundTrip: Array<[string, RData, string]> = [
  ['A', { type: 'A', address: '192.0.2.1' }, '192.0.2.1'],
  ['AAAA', { type: 'AAAA', address: '2001:db8::1' }, '2001:db8::1'],
  ['AAAA mapped', { type: 'AAAA', address: '::ffff:192.0.2.1' }, '::ffff:192.0.2.1'],
  ['CNAME', { type: 'CNAME', target: 'www.example.org' }, 'www.example.org.'],
  ['CNAME to root', { type: 'CNAME', target: '' }, '.'],
  ['NS', { type: 'NS', host: 'ns1.example.org' }, 'ns1.example.org.'],
  ['PTR', { type: 'PTR', host: 'mx-01.example.org' }, 'mx-01.example.org.'],
  ['MX', { type: 'MX', preference: 10, exchange: 'mx-01.example.org' }, '10 mx-01.example.org.'],
  ['null MX (RFC 7505)', { type: 'MX', preference: 0, exchange: '' }, '0 .'],
  ['TXT one string', { type: 'TXT', strings: ['v=spf1 mx -all'] }, '"v=spf1 mx -all"'],
  ['TXT empty string', { type: 'TXT', strings: [''] }, '""'],
  [
    'TXT DKIM split at 255',
    { type: 'TXT', strings: [`v=DKIM1; k=rsa; p=${KEY_2048.slice(0, 200)}`, KEY_2048.slice(200)] },
    `"v=DKIM1; k=rsa; p=${KEY_2048.slice(0, 200)}" "${KEY_2048.slice(200)}"`,
  ],
  ['TXT escapes', { type: 'TXT', strings: ['a"b\\c;d'] }, '"a\\"b\\\\c;d"'],
  ['TXT control and UTF-8', { type: 'TXT', strings: ['l1\nl2\r\t', 'café'] }, '"l1\\010l2\\013\\009" "caf\\195\\169"'],
  ['TXT 255 octets', { type: 'TXT', strings: ['x'.repeat(255)] }, `"${'x'.repeat(255)}"`],
  [
    'SRV',
    { type: 'SRV', priority: 0, weight: 1, port: 465, target: 'submission.example.org' },
    '0 1 465 submission.example.org.',
  ],
  ['SRV no service', { type: 'SRV', priority: 0, weight: 0, port: 0, target: '' }, '0 0 0 .'],
  [
    'TLSA',
    { type: 'TLSA', usage: 3, selector: 1, matchingType: 1, certificate: '8D02536C887482BC34FF54E41D2BA659BF85B341A0A20AFADB5813DCFBCF286D' },
    '3 1 1 8D02536C887482BC34FF54E41D2BA659BF85B341A0A20AFADB5813DCFBCF286D',
  ],
  [
    'SOA',
    {
      type: 'SOA',
      mname: 'ns1.example.org',
      rname: 'hostmaster.example.org',
      serial: 4294967295,
      refresh: 7200,
      retry: 3600,
      expire: 1209600,
      minimum: 300,
    },
    'ns1.example.org. hostmaster.example.org. 4294967295 7200 3600 1209600 300',
  ],
  ['OTHER CAA', { type: 'OTHER', rrtype: 'CAA', text: '0 issue "letsencrypt.org"' }, '0 issue "letsencrypt.org"'],
  ['OTHER generic', { type: 'OTHER', rrtype: 'TYPE65280', text: '\\# 4 0A000001' }, '\\# 4 0A000001'],
  ['escaped name (read from a zone)', { type: 'CNAME', target: 'a\\.b\\032c.example.org' }, 'a\\.b\\032c.example.org.'],
];

describe('renderRData / parseRData round trip', () => {
  it.each(roundTrip)('%s', (_label, rd, text) => {
    const rendered = renderRData(rd);
    expect(rendered).toBe(text);
    const type = rd.type === 'OTHER' ? rd.rrtype : rd.type;
    expect(parseRDataText(type, rendered)).toEqual(rd);
  });
});

describe('renderRData canonical forms', () => {
  it.each([
    [{ type: 'AAAA', address: '2001:DB8:0:0:1:0:0:1' }, '2001:db8::1:0:0:1'],
    [{ type: 'AAAA', address: '2001:db8:0:1:1:1:1:1' }, '2001:db8:0:1:1:1:1:1'], // RFC 5952 §4.2.2
    [{ type: 'AAAA', address: '0:0:0:0:0:1:0:0' }, '::1:0:0'],
    [{ type: 'AAAA', address: '::2' }, '::2'],
    [{ type: 'AAAA', address: '::1.2.3.4' }, '::1.2.3.4'],
    [{ type: 'TLSA', usage: 3, selector: 1, matchingType: 1, certificate: 'abcdef' }, '3 1 1 ABCDEF'],
    [{ type: 'MX', preference: 10, exchange: 'MX-01.Example.ORG' }, '10 mx-01.example.org.'],
  ] satisfies Array<[RData, string]>)('%j -> %s', (rd, text) => {
    expect(renderRData(rd)).toBe(text);
  });
});

describe('parseRData', () => {
  const origin = 'example.org';
  it.each([
    ['MX', ['10', 'mx-01'], { type: 'MX', preference: 10, exchange: 'mx-01.example.org' }],
    ['mx', ['10', 'MX-01.Example.Org.'], { type: 'MX', preference: 10, exchange: 'mx-01.example.org' }],
    ['CNAME', ['@'], { type: 'CNAME', target: 'example.org' }],
    ['TXT', [{ raw: 'a\\"b', quoted: false }, { raw: 'semi\\059colon', quoted: true }], { type: 'TXT', strings: ['a"b', 'semi;colon'] }],
    ['TXT', [{ raw: 'caf\\195\\169', quoted: true }], { type: 'TXT', strings: ['café'] }],
    ['TYPE16', [{ raw: 'by number', quoted: true }], { type: 'TXT', strings: ['by number'] }],
    ['TLSA', ['3', '1', '1', 'abcd', 'EF01'], { type: 'TLSA', usage: 3, selector: 1, matchingType: 1, certificate: 'ABCDEF01' }],
    [
      'SOA',
      ['ns1', 'hostmaster', '1', '2h', '30m', '2w', '5m'],
      { type: 'SOA', mname: 'ns1.example.org', rname: 'hostmaster.example.org', serial: 1, refresh: 7200, retry: 1800, expire: 1209600, minimum: 300 },
    ],
    ['AAAA', ['2001:DB8:0:0:0:0:0:53'], { type: 'AAAA', address: '2001:db8::53' }],
    // RFC 3597 §5 generic form, for modelled and unmodelled types.
    ['A', ['\\#', '4', 'C0000201'], { type: 'A', address: '192.0.2.1' }],
    ['TYPE1', ['\\#', '4', 'c0', '000201'], { type: 'A', address: '192.0.2.1' }],
    ['TXT', ['\\#', '4', '03616263'], { type: 'TXT', strings: ['abc'] }],
    ['MX', ['\\#', '6', '000a', '02', '6d78', '00'], { type: 'MX', preference: 10, exchange: 'mx' }],
    ['TYPE65280', ['\\#', '3', 'abcdef'], { type: 'OTHER', rrtype: 'TYPE65280', text: '\\# 3 ABCDEF' }],
    ['TYPE257', ['\\#', '0'], { type: 'OTHER', rrtype: 'CAA', text: '\\# 0' }],
    ['CAA', ['0', 'issue', { raw: 'ca.example\\046net', quoted: true }], { type: 'OTHER', rrtype: 'CAA', text: '0 issue "ca.example.net"' }],
    // Octets that are not UTF-8 cannot be model strings: kept as OTHER, escaped.
    ['TXT', [{ raw: '\\255\\254', quoted: true }], { type: 'OTHER', rrtype: 'TXT', text: '"\\255\\254"' }],
    ['TXT', ['\\#', '4', '01ff', '0161'], { type: 'OTHER', rrtype: 'TXT', text: '"\\255" "a"' }],
  ] satisfies Array<[string, Array<string | { raw: string; quoted: boolean }>, RData]>)('%s %j', (type, tokens, rd) => {
    expect(parseRData(type, tokens, { origin })).toEqual(rd);
  });

  it.each([
    ['MX', '70000 mx.example.org.', 0, /not an integer from 0 to 65535/],
    ['MX', '10', undefined, /missing its exchange/],
    ['MX', '10 a. b.', 2, /too many fields/],
    ['A', '192.0.2.256', 0, /bad dotted quad/],
    ['A', '010.0.2.1', 0, /bad dotted quad/],
    ['AAAA', '2001:db8::1::2', 0, /bad IPv6/],
    ['TLSA', '3 1 1 ABC', 3, /odd number of hex digits/],
    ['TLSA', '3 1 1 XYZ', 3, /not hex/],
    ['TXT', '', undefined, /at least one character-string/],
    ['TXT', `"${'x'.repeat(256)}"`, 0, /256 octets/],
    ['CNAME', 'relative', 0, /needs an origin/],
    ['CNAME', 'a..b.', 0, /empty label/],
    ['CNAME', `${'a'.repeat(64)}.`, 0, /64 octets/],
    ['A', '\\# 5 C0000201', 1, /length says 5/],
    ['FOO', 'x', undefined, /unknown RR type/],
  ])('%s %s fails at field %s', (type, text, tokenIndex, message) => {
    let caught: unknown;
    try {
      parseRDataText(type, text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RDataSyntaxError);
    expect((caught as RDataSyntaxError).tokenIndex).toBe(tokenIndex);
    expect((caught as Error).message).toMatch(message);
  });
});

describe('renderRData refusals', () => {
  it.each([
    ['a 256-octet string', { type: 'TXT', strings: ['x'.repeat(256)] }, /256 octets is over the limit of 255/],
    ['a 128-char string of 2-octet characters', { type: 'TXT', strings: ['é'.repeat(128)] }, /256 octets/],
    ['no strings', { type: 'TXT', strings: [] }, /at least one string/],
    ['a lone surrogate', { type: 'TXT', strings: ['\ud800'] }, /lone UTF-16 surrogate/],
    ['a bad address', { type: 'A', address: '192.0.2.1 ; x' }, /bad IPv4/],
    ['a bad IPv6 address', { type: 'AAAA', address: '2001:db8::1\n' }, /bad IPv6/],
    ['a preference out of range', { type: 'MX', preference: 65536, exchange: 'mx.example.org' }, /MX preference/],
    ['a fractional port', { type: 'SRV', priority: 0, weight: 0, port: 25.5, target: 'x.example.org' }, /SRV port/],
    ['non-hex TLSA data', { type: 'TLSA', usage: 3, selector: 1, matchingType: 1, certificate: 'AB CD' }, /not hex/],
    ['an exchange with a space', { type: 'MX', preference: 10, exchange: 'mx 01.example.org' }, /cannot be written/],
    ['an exchange with a newline', { type: 'MX', preference: 10, exchange: 'mx\n.example.org' }, /cannot be written/],
    ['OTHER with a newline', { type: 'OTHER', rrtype: 'CAA', text: '0 issue "x"\nevil IN A 192.0.2.1' }, /printable ASCII/],
    ['OTHER with a comment', { type: 'OTHER', rrtype: 'CAA', text: '0 issue x ; y' }, /unquoted ";"/],
    ['OTHER with unbalanced quotes', { type: 'OTHER', rrtype: 'CAA', text: '0 issue "x' }, /unbalanced quotes/],
    ['OTHER with a parenthesis', { type: 'OTHER', rrtype: 'CAA', text: '0 issue ( x' }, /unquoted "\("/],
    ['OTHER with a bad mnemonic', { type: 'OTHER', rrtype: 'CAA IN', text: '0 issue "x"' }, /not a type mnemonic/],
  ] satisfies Array<[string, RData, RegExp]>)('refuses %s', (_label, rd, message) => {
    expect(() => renderRData(rd)).toThrow(RecordError);
    expect(() => renderRData(rd)).toThrow(message);
  });

  it('strict names refuse what the default accepts', () => {
    const rd: RData = { type: 'CNAME', target: 'a\\.b.example.org' };
    expect(renderRData(rd)).toBe('a\\.b.example.org.');
    expect(() => renderRData(rd, { names: 'strict' })).toThrow(/"\\\\" is not allowed/);
  });
});

describe('renderRR', () => {
  it.each([
    [{ name: 'example.org', ttl: 3600, type: 'MX', preference: 10, exchange: 'mx-01.example.org' }, 'example.org. 3600 IN MX 10 mx-01.example.org.'],
    [{ name: '_dmarc.example.org', ttl: 300, type: 'TXT', strings: ['v=DMARC1; p=none'] }, '_dmarc.example.org. 300 IN TXT "v=DMARC1; p=none"'],
    [{ name: '', ttl: 0, type: 'NS', host: 'a.root-servers.net' }, '. 0 IN NS a.root-servers.net.'],
    [{ name: 'x.example.org', ttl: 60, type: 'OTHER', rrtype: 'CAA', text: '0 issue "ca.example"' }, 'x.example.org. 60 IN CAA 0 issue "ca.example"'],
  ] satisfies Array<[RR, string]>)('%s', (rr, line) => {
    expect(renderRR(rr)).toBe(line);
  });

  it.each([
    [-1, /TTL/],
    [2 ** 31, /TTL/],
    [1.5, /TTL/],
  ])('refuses TTL %s', (ttl, message) => {
    expect(() => renderRR({ name: 'example.org', ttl, type: 'A', address: '192.0.2.1' })).toThrow(message);
  });

  it('refuses an owner that would inject a record', () => {
    const rr: RR = { name: 'x.example.org. 300 IN A 192.0.2.1\nevil.example.org', ttl: 300, type: 'A', address: '192.0.2.1' };
    expect(() => renderRR(rr)).toThrow(RecordError);
    expect(() => renderRR(rr, { names: 'strict' })).toThrow(RecordError);
  });
});
