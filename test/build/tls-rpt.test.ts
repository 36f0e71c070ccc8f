import { describe, expect, it } from 'vitest';
import { buildTlsRpt } from '../../src/build/tls-rpt.js';
import { txtText } from '../../src/dns-types/rr.js';
import { makeDomain, pos } from './fixtures.js';

function build(rua: string[]) {
  return buildTlsRpt(makeDomain('example.org', { tlsRpt: { rua, position: pos } }));
}

describe('buildTlsRpt', () => {
  it.each([
    [['tlsrpt@example.org'], 'v=TLSRPTv1; rua=mailto:tlsrpt@example.org'],
    [['mailto:a@example.org', 'https://reports.example.net/tlsrpt', 'a@example.org'], 'v=TLSRPTv1; rua=mailto:a@example.org,https://reports.example.net/tlsrpt'],
  ])('%j -> %s at _smtp._tls', (rua, want) => {
    const built = build(rua);
    expect(built.notices).toEqual([]);
    expect(built.records.map((r) => [r.name, r.type === 'TXT' ? txtText(r) : ''])).toEqual([['_smtp._tls.example.org', want]]);
  });

  it.each([[[]], [['ftp://x.example/r']]])('refuses rua %j', (rua) => {
    const built = build(rua);
    expect(built.records).toEqual([]);
    expect(built.notices.map((n) => [n.severity, n.code])).toEqual([['error', 'tls-rpt.syntax']]);
  });

  it('nothing declared: nothing', () => {
    expect(buildTlsRpt(makeDomain('example.org')).records).toEqual([]);
  });
});
