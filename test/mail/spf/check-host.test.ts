import { describe, expect, it } from 'vitest';
import { checkHost } from '../../../src/mail/spf/check-host.js';
import { InputError } from '../../../src/base/errors.js';
import type { FakeZone } from '../../helpers/fake-resolver.js';
import { resolverFor } from '../../audit/zone.js';

const D = 'example.org';
const z: FakeZone = {
  [D]: { TXT: [`v=spf1 ip4:192.0.2.0/24 include:_spf.${D} mx -all exp=why.${D}`], MX: [[10, `mx.${D}`]] },
  [`_spf.${D}`]: { TXT: ['v=spf1 ip6:2001:db8::/32 a:relay.example.org ~all'] },
  [`relay.${D}`]: { A: ['198.51.100.7'] },
  [`mx.${D}`]: { A: ['203.0.113.25'] },
  [`why.${D}`]: { TXT: ['%{i} is not a mail server of %{d}'] },
  [`soft.${D}`]: { TXT: ['v=spf1 ~all'] },
  [`loop.${D}`]: { TXT: [`v=spf1 include:loop.${D} -all`] },
  [`slow.${D}`]: 'servfail',
  [`none.${D}`]: { A: ['192.0.2.9'] },
  ['1.113.0.203.in-addr.arpa']: 'nxdomain',
};

describe('spf check: check_host() (RFC 7208)', () => {
  it.each([
    ['192.0.2.55', `a@${D}`, 'pass', 0],
    ['2001:db8::5', `a@${D}`, 'pass', 1],
    ['198.51.100.7', `a@${D}`, 'pass', 2],
    ['203.0.113.25', `a@${D}`, 'pass', 3],
    ['203.0.113.1', `a@${D}`, 'fail', 3],
    ['203.0.113.1', `a@soft.${D}`, 'softfail', 0],
    ['203.0.113.1', `a@none.${D}`, 'none', 0],
    ['203.0.113.1', `a@slow.${D}`, 'temperror', 0],
    ['203.0.113.1', `a@loop.${D}`, 'permerror', 10],
  ] as const)('%s from %s → %s', async (ip, sender, result, lookups) => {
    const out = await checkHost({ ip, sender, helo: 'mail.example.net' }, resolverFor(z));
    expect(out.result).toBe(result);
    if (result !== 'permerror') expect(out.counts.lookups).toBe(lookups);
    else expect(out.counts.lookups).toBeGreaterThan(10);
  });

  it('gives the exp= explanation for a fail, with macros expanded', async () => {
    const out = await checkHost({ ip: '203.0.113.1', sender: `a@${D}` }, resolverFor(z));
    expect(out.explanation).toBe(`203.0.113.1 is not a mail server of ${D}`);
  });

  it('returns the lookup tree', async () => {
    const out = await checkHost({ ip: '198.51.100.7', sender: `a@${D}` }, resolverFor(z));
    expect(out.tree.record).toContain('v=spf1');
    const inc = out.tree.terms.find((t) => t.term === `include:_spf.${D}`)!;
    expect(inc.matched).toBe(true);
    expect(inc.child!.terms.map((t) => [t.term, t.matched])).toEqual([
      ['ip6:2001:db8::/32', false],
      ['a:relay.example.org', true],
    ]);
  });

  it('uses the HELO identity when MAIL FROM is empty', async () => {
    const out = await checkHost({ ip: '192.0.2.1', sender: '', helo: D }, resolverFor(z));
    expect(out.sender).toBe(`postmaster@${D}`);
    expect(out.result).toBe('pass');
  });

  it('refuses an address that is not one', async () => {
    await expect(checkHost({ ip: 'not-an-ip', sender: `a@${D}` }, resolverFor(z))).rejects.toBeInstanceOf(InputError);
  });
});
