import { describe, expect, it } from 'vitest';
import { checkDkim, type DkimSelector } from '../../src/audit/checks/dkim.js';
import { parseDkimKey } from '../../src/mail/dkim/record.js';
import type { FakeZone } from '../helpers/fake-resolver.js';
import { codes, ed25519P, resolverFor, rsa2048, rsaP } from './zone.js';

const D = 'example.org';
const NAME = `s1._domainkey.${D}`;
const rsa1024 = rsaP(1024);
const rsa512 = rsaP(512);
const ed = ed25519P();

function at(txt: string[] | 'nxdomain' | 'servfail'): FakeZone {
  return { [NAME]: Array.isArray(txt) ? { TXT: txt } : txt };
}

async function run(z: FakeZone, state?: DkimSelector['state']) {
  return checkDkim(D, resolverFor(z), { selectors: [{ selector: 's1', ...(state ? { state } : {}) }] });
}

describe('DKIM key checks: one planted defect each', () => {
  const cases: [string, FakeZone, DkimSelector['state'] | undefined, string[]][] = [
    ['clean RSA 2048', at([`v=DKIM1; k=rsa; p=${rsa2048()}`]), 'active', []],
    ['clean Ed25519 (raw 32 bytes)', at([`v=DKIM1; k=ed25519; p=${ed.raw}`]), 'active', []],
    ['no v=, no k= (defaults to rsa)', at([`p=${rsa2048()}`]), 'active', []],
    ['missing', at('nxdomain'), 'active', ['dkim.missing']],
    ['missing pre-rotation key', at('nxdomain'), 'published', ['dkim.next-missing']],
    ['retired and gone', at('nxdomain'), 'retired', []],
    ['revoked, policy says retired', at(['v=DKIM1; p=']), 'retired', ['dkim.revoked']],
    ['revoked, policy says active', at(['v=DKIM1; k=rsa; p=']), 'active', ['dkim.active-revoked']],
    ['retired but still published', at([`v=DKIM1; p=${rsa2048()}`]), 'retired', ['dkim.retired-not-revoked']],
    ['RSA 1024', at([`v=DKIM1; k=rsa; p=${rsa1024}`]), 'active', ['dkim.rsa-weak']],
    ['RSA 512', at([`v=DKIM1; k=rsa; p=${rsa512}`]), 'active', ['dkim.rsa-too-short']],
    ['k=ed25519 with an RSA key', at([`v=DKIM1; k=ed25519; p=${rsa2048()}`]), 'active', ['dkim.key-type-mismatch']],
    ['k=rsa with a raw Ed25519 key', at([`v=DKIM1; k=rsa; p=${ed.raw}`]), 'active', ['dkim.key-type-mismatch']],
    ['Ed25519 as SPKI', at([`v=DKIM1; k=ed25519; p=${ed.spki}`]), 'active', ['dkim.key-invalid']],
    ['truncated key', at([`v=DKIM1; k=rsa; p=${rsa2048().slice(0, 100)}`]), 'active', ['dkim.key-invalid']],
    ['unknown k', at([`v=DKIM1; k=dsa; p=${rsa2048()}`]), 'active', ['dkim.key-type-unknown']],
    ['v= not first', at([`k=rsa; v=DKIM1; p=${rsa2048()}`]), 'active', ['dkim.version-invalid']],
    ['v=DKIM2', at([`v=DKIM2; p=${rsa2048()}`]), 'active', ['dkim.version-invalid']],
    ['no p=', at(['v=DKIM1; k=rsa']), 'active', ['dkim.syntax']],
    ['t=y', at([`v=DKIM1; t=y; p=${rsa2048()}`]), 'active', ['dkim.testing']],
    ['s=tlsrpt', at([`v=DKIM1; s=tlsrpt; p=${rsa2048()}`]), 'active', ['dkim.service-type']],
    ['h=sha1', at([`v=DKIM1; h=sha1; p=${rsa2048()}`]), 'active', ['dkim.sha1-only']],
    ['two records', at([`v=DKIM1; p=${rsa2048()}`, `v=DKIM1; p=${rsa1024}`]), 'active', ['dkim.multiple']],
    ['lookup failed', at('servfail'), 'active', ['dkim.unknown']],
    ['selector from the command line, revoked', at(['v=DKIM1; p=']), undefined, ['dkim.revoked']],
  ];
  it.each(cases)('%s', async (_n, z, state, want) => {
    const findings = await run(z, state);
    expect(codes(findings)).toEqual(want);
    for (const f of findings) {
      expect(f.name).toBe(NAME);
      expect(f.category).toBe('dkim');
    }
  });

  it('severities: revoked is info when retired, error when active', async () => {
    expect((await run(at(['p=']), 'retired'))[0]!.severity).toBe('info');
    expect((await run(at(['p=']), 'active'))[0]!.severity).toBe('error');
    expect((await run(at([`p=${rsa1024}`]), 'active'))[0]!.severity).toBe('warning');
  });
});

describe('DKIM key parser', () => {
  it('reads the key size', () => {
    const p = parseDkimKey(`v=DKIM1; k=rsa; p=${rsa1024}`);
    expect(p.ok && p.record.key).toEqual({ type: 'rsa', bits: 1024 });
  });
  it('rejects "v=DKIM1:" (a colon is not a separator)', () => {
    const p = parseDkimKey('v=DKIM1: g=*; k=rsa; p=AAAA');
    expect(p.ok).toBe(false);
  });
});
