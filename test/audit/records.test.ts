// recordsOf: the answers a run keeps in json, for the domain's own names only, one entry per
// question, each record's data in presentation form without TTL, sorted; failures kept as such.

import { describe, expect, it } from 'vitest';
import { RecordingResolver } from '../../src/audit/evidence.js';
import { recordsOf } from '../../src/audit/records.js';
import type { Answer, Resolver } from '../../src/dns/resolver.js';
import type { RRType } from '../../src/dns-types/rr.js';

const answers: Record<string, Answer> = {
  'a.example MX': { status: 'ok', authenticated: false, records: [
    { name: 'a.example', ttl: 300, type: 'MX', preference: 20, exchange: 'mx2.a.example' },
    { name: 'a.example', ttl: 299, type: 'MX', preference: 10, exchange: 'mx1.a.example' },
  ] },
  '_dmarc.a.example TXT': { status: 'ok', authenticated: false, records: [
    { name: '_dmarc.a.example', ttl: 300, type: 'CNAME', target: 'dmarc.provider.example' },
    { name: 'dmarc.provider.example', ttl: 300, type: 'TXT', strings: ['v=DMARC1; p=reject'] },
  ] },
  'sel._domainkey.a.example TXT': { status: 'nxdomain', authenticated: false },
  '_smtp._tls.a.example TXT': { status: 'error', reason: 'timeout' },
  'provider.example TXT': { status: 'ok', authenticated: false, records: [{ name: 'provider.example', ttl: 300, type: 'TXT', strings: ['v=spf1 -all'] }] },
};

const resolver: Resolver = {
  resolve: (name: string, type: RRType) => Promise.resolve(answers[`${name} ${type}`] ?? { status: 'nodata', authenticated: false }),
};

describe('recordsOf', () => {
  it('keeps the domain\'s own names, once each, data sorted, no TTL, failures as error', async () => {
    const rec = new RecordingResolver(resolver);
    for (const q of ['_smtp._tls.a.example TXT', 'a.example MX', 'provider.example TXT', '_dmarc.a.example TXT', 'sel._domainkey.a.example TXT', 'a.example MX', 'a.example AAAA']) {
      const [name, type] = q.split(' ') as [string, RRType];
      await rec.resolve(name, type);
    }
    expect(recordsOf('a.example', rec.answers)).toEqual([
      { name: '_dmarc.a.example', type: 'TXT', status: 'ok', data: ['"v=DMARC1; p=reject"', 'CNAME dmarc.provider.example.'] },
      { name: '_smtp._tls.a.example', type: 'TXT', status: 'error' },
      { name: 'a.example', type: 'AAAA', status: 'nodata' },
      { name: 'a.example', type: 'MX', status: 'ok', data: ['10 mx1.a.example.', '20 mx2.a.example.'] },
      { name: 'sel._domainkey.a.example', type: 'TXT', status: 'nxdomain' },
    ]);
  });
});
