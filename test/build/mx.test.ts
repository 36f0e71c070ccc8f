import { describe, expect, it } from 'vitest';
import type { MxHost } from '../../src/policy/model.js';
import { buildMx } from '../../src/build/mx.js';
import { makeDomain } from './fixtures.js';

function mxOf(mx: MxHost[] | 'none' | undefined, noMail = false) {
  return buildMx(makeDomain('example.org', { mx, noMail, ttl: 1800 }));
}

describe('buildMx', () => {
  it('sorts by preference, then host; lowercases; drops exact duplicates', () => {
    const built = mxOf([
      { host: 'MX-02.example.org.', preference: 20 },
      { host: 'mx-b.example.org', preference: 10 },
      { host: 'mx-a.example.org', preference: 10 },
      { host: 'mx-a.example.org', preference: 10 },
      { host: 'backup.example.net', preference: 5 },
    ]);
    expect(built.notices).toEqual([]);
    expect(built.records).toEqual([
      { name: 'example.org', ttl: 1800, type: 'MX', preference: 5, exchange: 'backup.example.net' },
      { name: 'example.org', ttl: 1800, type: 'MX', preference: 10, exchange: 'mx-a.example.org' },
      { name: 'example.org', ttl: 1800, type: 'MX', preference: 10, exchange: 'mx-b.example.org' },
      { name: 'example.org', ttl: 1800, type: 'MX', preference: 20, exchange: 'mx-02.example.org' },
    ]);
  });

  it.each([
    ['mx: none', 'none' as const, false],
    ['mail: none', undefined, true],
    ['mail: none wins over declared hosts', [{ host: 'mx.example.org', preference: 10 }], true],
  ])('%s -> a single null MX "MX 0 ."', (_label, mx, noMail) => {
    expect(mxOf(mx, noMail).records).toEqual([{ name: 'example.org', ttl: 1800, type: 'MX', preference: 0, exchange: '' }]);
  });

  it('no MX declared: nothing', () => {
    expect(mxOf(undefined)).toEqual({ records: [], files: [], notices: [] });
  });

  it.each([
    ['192.0.2.25', 'mx.target-ip-literal', '192.0.2.25'],
    ['[192.0.2.25]', 'mx.target-ip-literal', '[192.0.2.25]'],
    ['2001:db8::25', 'mx.target-ip-literal', '2001:db8::25'],
    ['.', 'mx.null-not-alone', 'example.org'],
  ])('refuses host %s (%s), keeps the others', (host, code, name) => {
    const built = mxOf([{ host, preference: 10 }, { host: 'mx.example.org', preference: 20 }]);
    expect(built.records.map((r) => (r.type === 'MX' ? r.exchange : ''))).toEqual(['mx.example.org']);
    expect(built.notices.map((n) => [n.severity, n.code, n.name])).toEqual([['error', code, name]]);
  });

  it.each([[-1], [65536], [1.5]])('refuses preference %s', (preference) => {
    expect(mxOf([{ host: 'mx.example.org', preference }]).notices.map((n) => n.code)).toEqual(['mx.invalid-preference']);
  });
});
