import { describe, expect, it } from 'vitest';
import { checkMtaSts } from '../../src/audit/checks/mta-sts.js';
import { mtaStsProblem } from '../../src/mail/mta-sts/record.js';
import { checkTlsa } from '../../src/audit/checks/tlsa.js';
import { checkTlsRpt } from '../../src/audit/checks/tls-rpt.js';
import { tlsRptProblem } from '../../src/mail/tls-rpt/record.js';
import { checkTransport } from '../../src/audit/checks/transport.js';
import type { FakeZone } from '../helpers/fake-resolver.js';
import { codes, resolverFor } from './zone.js';

const D = 'example.org';
const MX = `mx1.${D}`;
const TLSA = `_25._tcp.${MX}`;
const h1 = 'a'.repeat(64);
const h2 = 'b'.repeat(64);

describe('TLSA (RFC 7672)', () => {
  const cases: [string, FakeZone, boolean, string[]][] = [
    ['current and next key under DNSSEC', { [TLSA]: { TLSA: [[3, 1, 1, h1], [3, 1, 1, h2]] } }, true, []],
    ['DANE-EE plus DANE-TA under DNSSEC', { [TLSA]: { TLSA: [[3, 1, 1, h1], [2, 0, 1, h2]] } }, true, []],
    ['without DNSSEC', { [TLSA]: { TLSA: [[3, 1, 1, h1], [3, 1, 1, h2]] } }, false, ['tlsa.no-dnssec']],
    ['PKIX-EE usage on port 25', { [TLSA]: { TLSA: [[1, 1, 1, h1], [3, 1, 1, h2]] } }, true, ['tlsa.bad-usage', 'tlsa.no-rollover']],
    ['one record only', { [TLSA]: { TLSA: [[3, 1, 1, h1]] } }, true, ['tlsa.no-rollover']],
    ['SHA-256 of the wrong length', { [TLSA]: { TLSA: [[3, 1, 1, 'abcd'], [3, 1, 1, h2]] } }, true, ['tlsa.invalid', 'tlsa.no-rollover']],
    ['none published', { [TLSA]: 'nxdomain' }, false, []],
  ];
  it.each(cases)('%s', async (_n, z, ad, want) => {
    const findings = await checkTlsa(D, resolverFor(z, { authenticated: ad ? [TLSA] : [] }), { mxHosts: [MX] });
    expect(codes(findings)).toEqual(want);
  });
  it('severities', async () => {
    const f = await checkTlsa(D, resolverFor({ [TLSA]: { TLSA: [[3, 1, 1, h1]] } }), { mxHosts: [MX] });
    expect(f.map((x) => [x.code, x.severity])).toEqual([['tlsa.no-dnssec', 'warning'], ['tlsa.no-rollover', 'info']]);
  });
});

describe('MTA-STS and TLS-RPT TXT syntax', () => {
  it.each([
    ['v=STSv1; id=20260101T000000', undefined],
    ['v=STSv1; id=abc123;', undefined],
    ['v=STSv1;', 'no id= field'],
    ['v=STSv1; id=' + 'x'.repeat(33), 'is not 1-32'],
    ['v=STSv1; id=2026-01-01', 'is not 1-32'],
    ['id=1; v=STSv1', 'first field'],
  ])('MTA-STS %s', (text, problem) => {
    const got = mtaStsProblem(text);
    if (problem === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(problem);
  });
  it.each([
    ['v=TLSRPTv1; rua=mailto:tlsrpt@example.org', undefined],
    ['v=TLSRPTv1; rua=mailto:a@example.org,https://reports.example.org/tlsrpt', undefined],
    ['v=TLSRPTv1;', 'no rua='],
    ['v=TLSRPTv1; rua=ftp://example.org', 'not a mailto: or https:'],
  ])('TLS-RPT %s', (text, problem) => {
    const got = tlsRptProblem(text);
    if (problem === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(problem);
  });

  it('reports the planted defects with their codes', async () => {
    const z: FakeZone = {
      [`_mta-sts.${D}`]: { TXT: ['v=STSv1; id=bad-id!'] },
      [`_smtp._tls.${D}`]: { TXT: ['v=TLSRPTv1; rua=tlsrpt@example.org'] },
    };
    expect(codes(await checkMtaSts(D, resolverFor(z)))).toEqual(['mta-sts.syntax']);
    expect(codes(await checkTlsRpt(D, resolverFor(z), { receivesMail: true }))).toEqual(['tls-rpt.syntax']);
    const two: FakeZone = { [`_mta-sts.${D}`]: { TXT: ['v=STSv1; id=1', 'v=STSv1; id=2'] }, [`_smtp._tls.${D}`]: 'nxdomain' };
    expect(codes(await checkMtaSts(D, resolverFor(two)))).toEqual(['mta-sts.multiple']);
    expect(codes(await checkTlsRpt(D, resolverFor(two), { receivesMail: true }))).toEqual(['tls-rpt.missing']);
  });
});

describe('transport security as a whole', () => {
  const none: FakeZone = { [`_mta-sts.${D}`]: 'nxdomain', [`_smtp._tls.${D}`]: { TXT: ['v=TLSRPTv1; rua=mailto:t@example.org'] }, [TLSA]: 'nxdomain' };
  it('neither MTA-STS nor DANE → transport.none', async () => {
    const f = await checkTransport(D, resolverFor(none), { mxHosts: [MX] });
    expect(codes(f)).toEqual(['transport.none']);
    expect(f[0]!.severity).toBe('warning');
  });
  it('validated DANE alone is enough', async () => {
    const z: FakeZone = { ...none, [TLSA]: { TLSA: [[3, 1, 1, h1], [3, 1, 1, h2]] } };
    expect(await checkTransport(D, resolverFor(z, { authenticated: [TLSA] }), { mxHosts: [MX] })).toEqual([]);
  });
  it('a failed lookup is unknown, and transport.none is not claimed', async () => {
    const z: FakeZone = { ...none, [`_mta-sts.${D}`]: 'servfail' };
    expect(codes(await checkTransport(D, resolverFor(z), { mxHosts: [MX] }))).toEqual(['transport.unknown']);
  });
});
