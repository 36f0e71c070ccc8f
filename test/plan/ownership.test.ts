import { describe, expect, it } from 'vitest';
import { ownershipKey } from '../../src/plan/ownership.js';
import { tagOf } from '../../src/mail/txt-tag.js';
import type { RR } from '../../src/dns-types/rr.js';

const txt = (name: string, text: string): RR => ({ name, ttl: 300, type: 'TXT', strings: [text] });

describe('tagOf', () => {
  it.each([
    ['example.org', 'v=spf1 a ~all', 'spf'],
    ['example.org', 'V=SPF1 -all', 'spf'],
    ['example.org', 'v=spf1', 'spf'],
    ['example.org', 'v=spf10 a', undefined],
    ['_dmarc.example.org', 'v=DMARC1; p=none', 'dmarc'],
    ['_dmarc.example.org', 'v=DMARC1', 'dmarc'],
    ['s._domainkey.example.org', 'v=DKIM1; k=rsa; p=AAAA', 'dkim'],
    ['s._domainkey.example.org', 'k=rsa; p=AAAA', 'dkim'],
    ['example.org', 'k=rsa; p=AAAA', undefined],
    ['_mta-sts.example.org', 'v=STSv1; id=1', 'mta-sts'],
    ['_smtp._tls.example.org', 'v=TLSRPTv1; rua=mailto:a@b', 'tls-rpt'],
    ['example.org', 'google-site-verification=abc', undefined],
  ])('%s %j -> %s', (name, text, tag) => {
    expect(tagOf(name, text)).toBe(tag);
  });
});

describe('ownershipKey', () => {
  it('owns TXT per tag, MX/SRV/TLSA per RRset, nothing else', () => {
    expect(ownershipKey(txt('example.org', 'v=spf1 -all'))).toBe('example.org TXT spf');
    expect(ownershipKey(txt('example.org', 'hello'))).toBeUndefined();
    expect(ownershipKey({ name: 'example.org', ttl: 1, type: 'MX', preference: 10, exchange: 'mx.example.org' })).toBe('example.org MX');
    expect(ownershipKey({ name: 'example.org', ttl: 1, type: 'A', address: '127.0.0.1' })).toBeUndefined();
  });
});
