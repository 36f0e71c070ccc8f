import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeReports } from '../../src/dmarc-reports/analyze.js';
import { checkPolicySpf } from '../../src/dmarc-reports/fix.js';
import { resolveExistence, resolveSourceNames } from '../../src/dmarc-reports/resolve.js';
import type { Answer, Resolver } from '../../src/dns/resolver.js';
import { loadPolicy } from '../../src/policy/load.js';
import type { DomainPolicy, Policy } from '../../src/policy/model.js';
import type { RRType } from '../../src/dns-types/rr.js';
import { createFakeResolver, type FakeZone } from '../helpers/fake-resolver.js';
import { FIXTURES, writeEstate } from './estate.js';

const ROOT = join(FIXTURES, 'repo');

async function policy(): Promise<Policy> {
  return loadPolicy(['policies'], { root: ROOT });
}

/** The fake zone plus PTR records, which the shared fake resolver does not model. */
function resolverWith(zone: FakeZone, ptr: Record<string, string>): Resolver & { calls: string[] } {
  const base = createFakeResolver(zone, { strict: false });
  return {
    calls: base.calls,
    async resolve(name: string, type: RRType): Promise<Answer> {
      if (type === 'PTR') {
        base.calls.push(`PTR ${name}`);
        const host = ptr[name];
        if (host === 'servfail') return { status: 'error', reason: 'SERVFAIL' };
        return host ? { status: 'ok', records: [{ name, ttl: 300, type: 'PTR', host }], authenticated: false } : { status: 'nxdomain', authenticated: false };
      }
      return base.resolve(name, type);
    },
  };
}

const ZONE: FakeZone = {
  'example.org': { MX: [[10, 'mx-01.example.org']], A: ['192.0.2.1'] },
  'mx-01.example.org': { A: ['192.0.2.25'] },
  'news.example.org': { A: ['192.0.2.30'] },
  'ghost.example.org': 'nxdomain',
  'mail.esp.test': { A: ['203.0.113.5'] },
  'out.mailgun.test': { A: ['203.0.113.200'] },
  'mail-ot1-f41.google.com': { A: ['203.0.113.7'] },
  '_spf.google.com': { TXT: ['v=spf1 ip4:209.85.128.0/17 ~all'] },
};

const PTR: Record<string, string> = {
  '5.113.0.203.in-addr.arpa': 'mail.esp.test',
  '6.113.0.203.in-addr.arpa': 'out.mailgun.test',
  '7.113.0.203.in-addr.arpa': 'mail-ot1-f41.google.com',
  '8.113.0.203.in-addr.arpa': 'servfail',
};

describe('does a source pass SPF under the policy\'s senders', () => {
  it('offline: ip4 terms decide; a/mx/include terms leave it unknown', async () => {
    const example = (await policy()).domains[0]!;
    expect(await checkPolicySpf('192.0.2.12', example, undefined)).toEqual({
      domain: 'example.org',
      result: 'pass',
      detail: 'ip4:192.0.2.0/24 in the policy\'s SPF for example.org covers 192.0.2.12',
    });
    expect((await checkPolicySpf('203.0.113.5', example, undefined)).result).toBe('unknown');
  });

  it('with DNS: RFC 7208 check_host over the policy\'s record (mx, include), not the published one', async () => {
    const example = (await policy()).domains[0]!;
    const resolver = createFakeResolver({ ...ZONE, 'example.org': { ...(ZONE['example.org'] as object), TXT: ['v=spf1 -all'] } }, { strict: false });
    expect(await checkPolicySpf('192.0.2.25', example, resolver)).toMatchObject({ result: 'pass' }); // via mx
    expect(await checkPolicySpf('203.0.113.5', example, resolver)).toMatchObject({ result: 'softfail' });
    expect(resolver.calls).not.toContain('TXT example.org'); // the policy's SPF stands in for DNS
    const withGoogle: DomainPolicy = { ...example, senders: [{ kind: 'provider', name: 'google' }] };
    expect(await checkPolicySpf('209.85.220.41', withGoogle, resolver)).toMatchObject({ result: 'pass' });
    expect(await checkPolicySpf('not-an-ip', withGoogle, resolver)).toMatchObject({ result: 'unknown' });
    expect(await checkPolicySpf('192.0.2.1', { ...example, senders: undefined }, resolver)).toMatchObject({ result: 'no-policy' });
  });
});

describe('what DNS adds with --resolve', () => {
  it('reverse names, forward-confirmed, with their operator', async () => {
    const names = await resolveSourceNames(['203.0.113.5', '203.0.113.6', '203.0.113.8', '203.0.113.9', 'nonsense'], resolverWith(ZONE, PTR));
    expect(names.get('203.0.113.5')).toEqual({ ip: '203.0.113.5', name: 'mail.esp.test', confirmed: true, operator: 'esp.test' });
    expect(names.get('203.0.113.6')).toEqual({ ip: '203.0.113.6', name: 'out.mailgun.test', confirmed: false, operator: 'mailgun.test' });
    expect(names.get('203.0.113.8')).toEqual({ ip: '203.0.113.8', problem: 'PTR lookup failed: SERVFAIL' });
    expect(names.get('203.0.113.9')).toEqual({ ip: '203.0.113.9', problem: 'no PTR record' });
    expect(names.get('nonsense')).toEqual({ ip: 'nonsense', problem: 'not an IP address' });
  });

  it('a subdomain without A, AAAA and MX does not exist; a failed lookup is unknown', async () => {
    const resolver = createFakeResolver({ ...ZONE, 'empty.example.org': { TXT: ['x'] }, 'broken.example.org': 'servfail' }, { strict: false });
    const exists = await resolveExistence(['news.example.org', 'ghost.example.org', 'empty.example.org', 'broken.example.org'], resolver);
    expect([...exists.entries()]).toEqual([
      ['news.example.org', true],
      ['ghost.example.org', false],
      ['empty.example.org', false],
    ]);
  });

  it('the estate with --resolve: np applies to the ghost, sources grouped by operator, fixes evaluated', async () => {
    const dir = writeEstate();
    const analysis = await analyzeReports({ paths: [dir], base: dir, policy: await policy(), resolver: resolverWith(ZONE, PTR) });
    expect(analysis.simulation.proposed).toMatchObject({ quarantined: 6, rejected: 23, overridden: 10 });
    expect(analysis.simulation.notes.some((n) => n.includes('evaluated under sp='))).toBe(false);
    expect(analysis.resolved).toBe(true);
    const top = analysis.sources[0]!;
    expect(top.ip).toBe('203.0.113.5');
    expect(top.name).toMatchObject({ name: 'mail.esp.test', operator: 'esp.test', confirmed: true });
    expect(top.fixes).toHaveLength(1);
    expect(top.fixes[0]).toMatchObject({
      headerFrom: 'example.org',
      spf: { domain: 'example.org', result: 'softfail' },
      envelopes: ['esp.test'],
      envelopeAligned: false,
      declaredSelectors: ['2026a'],
      usesDeclaredSelector: false,
      add: [{ domain: 'example.org', key: 'senders', line: '- ip4: 203.0.113.5' }],
    });
    // A Google host: the fix names the provider instead of the address.
    const google = analysis.sources.find((s) => s.ip === '203.0.113.7')!;
    expect(google.fixes[0]!.add).toEqual([{ domain: 'news.example.org', key: 'senders', line: '- provider: google' }]);
    // The source whose selector is unknown to the policy gets the selector line.
    const old = analysis.sources.find((s) => s.ip === '203.0.113.6')!;
    expect(old.fixes[0]!.add).toContainEqual({ domain: 'example.org', key: 'dkim', line: '- selector: old' });
    // Forwarded and mailing-list mail: no line to add.
    const relay = analysis.sources.find((s) => s.ip === '203.0.113.9')!;
    expect(relay.fixes[0]!.add).toEqual([]);
    expect(relay.fixes[0]!.advice[0]).toMatch(/^receivers marked this mail forwarded, mailing_list: the source relays mail/);
    expect(analysis.operators?.map((o) => [o.operator, o.sources, o.lost])).toEqual([
      ['esp.test', 1, 12],
      ['(no reverse DNS)', 4, 6], // and 10 that may be lost: before google.com (the sources that lose mail only)
      ['google.com', 1, 6],
      ['mailgun.test', 1, 5],
    ]);
    // Lost-mail sources that pass SPF under the policy get no senders line.
    const inSpf = analysis.sources.find((s) => s.ip === '192.0.2.12')!;
    expect(inSpf.fixes[0]!.spf.result).toBe('pass');
    expect(inSpf.fixes[0]!.add).toEqual([]);
  });
});
