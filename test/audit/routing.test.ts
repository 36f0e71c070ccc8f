import { describe, expect, it } from 'vitest';
import { checkCname } from '../../src/audit/checks/cname.js';
import { checkMx } from '../../src/audit/checks/mx.js';
import { checkSrv } from '../../src/audit/checks/srv.js';
import type { DomainPolicy } from '../../src/policy/model.js';
import type { FakeZone } from '../helpers/fake-resolver.js';
import { absentMailNames, codes, resolverFor } from './zone.js';

const D = 'example.org';
const pos = { file: 'policies/mail.yaml', line: 1, column: 1 };
const policy = (over: Partial<DomainPolicy> = {}): DomainPolicy => ({
  name: D, zone: D, ttl: 3600, noMail: false, spfAll: 'fail', dkim: [], srv: [], tlsa: [], position: pos, ...over,
});

const base: FakeZone = { [D]: { MX: [[10, `mx1.${D}`]] }, [`mx1.${D}`]: { A: ['192.0.2.10'] } };

describe('MX checks: one planted defect each', () => {
  const cases: [string, FakeZone, DomainPolicy | undefined, string[], 'error' | 'warning' | undefined][] = [
    ['clean', base, undefined, [], undefined],
    ['null MX alone', { [D]: { MX: [[0, '.']] } }, undefined, [], undefined],
    ['no MX, policy declares hosts', { [D]: { A: ['192.0.2.1'] } }, policy({ mx: [{ host: `mx1.${D}`, preference: 10 }] }), ['mx.missing'], 'error'],
    ['no MX, no policy', { [D]: { A: ['192.0.2.1'] } }, undefined, ['mx.none-declared'], 'warning'],
    ['null MX beside another', { [D]: { MX: [[0, '.'], [10, `mx1.${D}`]] }, [`mx1.${D}`]: { A: ['192.0.2.10'] } }, undefined, ['mx.null-not-alone'], 'error'],
    ['target is a CNAME', { [D]: { MX: [[10, `mail.${D}`]] }, [`mail.${D}`]: { CNAME: [`mx1.${D}`] }, [`mx1.${D}`]: { A: ['192.0.2.10'] } }, undefined, ['mx.target-cname'], 'error'],
    ['target is an IP literal', { [D]: { MX: [[10, '192.0.2.10']] } }, undefined, ['mx.target-ip-literal'], 'error'],
    ['target has no address', { [D]: { MX: [[10, `mx1.${D}`]] }, [`mx1.${D}`]: { TXT: ['x'] } }, undefined, ['mx.target-no-address'], 'error'],
    ['MX lookup failed', { [D]: 'servfail' }, undefined, ['mx.unknown'], 'warning'],
  ];
  it.each(cases)('%s', async (_n, z, p, want, severity) => {
    const findings = await checkMx(D, resolverFor(z), p ? { policy: p } : {});
    expect(codes(findings)).toEqual(want);
    if (severity) expect(findings[0]!.severity).toBe(severity);
  });
});

describe('forward-confirmed reverse DNS of sending addresses', () => {
  const ptr = { '10.2.0.192.in-addr.arpa': [`mx1.${D}`], '12.2.0.192.in-addr.arpa': [`elsewhere.${D}`] };
  const z: FakeZone = {
    ...base,
    '10.2.0.192.in-addr.arpa': {},
    '11.2.0.192.in-addr.arpa': 'nxdomain',
    '12.2.0.192.in-addr.arpa': {},
    [`elsewhere.${D}`]: { A: ['198.51.100.1'] },
    [`submit.${D}`]: { A: ['192.0.2.10'] },
  };
  it.each([
    ['192.0.2.10', []],
    ['192.0.2.11', ['mx.fcrdns-missing']],
    ['192.0.2.12', ['mx.fcrdns-mismatch']],
  ])('%s → %j', async (ip, want) => {
    expect(codes(await checkMx(D, resolverFor(z, { ptr }), { sendingAddresses: [ip] }))).toEqual(want);
  });
  it('checks the addresses of sending hosts', async () => {
    const r = resolverFor(z, { ptr });
    expect(await checkMx(D, r, { sendingHosts: [`submit.${D}`] })).toEqual([]);
    expect(r.calls).toContain('PTR 10.2.0.192.in-addr.arpa');
  });
});

describe('SRV checks (RFC 6186, RFC 8314)', () => {
  const absent = Object.fromEntries(absentMailNames(D).map((n) => [n, 'nxdomain' as const]));
  it('flags port 465 under _submission._tcp', async () => {
    const z: FakeZone = { ...absent, [`_submission._tcp.${D}`]: { SRV: [[0, 1, 465, `smtp.${D}`]] }, [`_submissions._tcp.${D}`]: 'nxdomain', [`smtp.${D}`]: { A: ['192.0.2.2'] } };
    const f = await checkSrv(D, resolverFor(z));
    expect(codes(f)).toEqual(['srv.submission-465']);
    expect(f[0]!.severity).toBe('error');
  });
  it('flags a target without addresses, and accepts "." (service not offered)', async () => {
    const z: FakeZone = { ...absent, [`_submissions._tcp.${D}`]: { SRV: [[0, 1, 465, `gone.${D}`]] }, [`_imap._tcp.${D}`]: { SRV: [[0, 0, 0, '.']] }, [`gone.${D}`]: 'nxdomain' };
    expect(codes(await checkSrv(D, resolverFor(z)))).toEqual(['srv.target-unresolvable']);
  });
});

describe('CNAME beside other data (RFC 1034 §3.6.2)', () => {
  it('flags a name with a CNAME and a TXT', async () => {
    const z: FakeZone = {
      [D]: { A: ['192.0.2.1'] },
      [`_dmarc.${D}`]: { CNAME: ['dmarc.provider.example'], TXT: ['v=DMARC1; p=none'] },
      'dmarc.provider.example': { TXT: ['v=DMARC1; p=none'] },
      [`_mta-sts.${D}`]: 'nxdomain',
      [`_smtp._tls.${D}`]: 'nxdomain',
    };
    const f = await checkCname(D, resolverFor(z));
    expect(codes(f)).toEqual(['dns.cname-and-other-data']);
    expect(f[0]!.name).toBe(`_dmarc.${D}`);
  });
  it('accepts a plain CNAME', async () => {
    const z: FakeZone = {
      [D]: { A: ['192.0.2.1'] },
      [`_dmarc.${D}`]: { CNAME: ['dmarc.provider.example'] },
      'dmarc.provider.example': { TXT: ['v=DMARC1; p=none'] },
      [`_mta-sts.${D}`]: 'nxdomain',
      [`_smtp._tls.${D}`]: 'nxdomain',
    };
    expect(await checkCname(D, resolverFor(z))).toEqual([]);
  });
});
