// DKIM key lifecycle findings: an old active key (dkim.key-old), a private key in the repo
// that does not match the published key (dkim.key-mismatch), a removed or retired selector
// still publishing a key, and signer configs naming another selector (drift.signer).

import { describe, expect, it } from 'vitest';
import { checkDkim } from '../../src/audit/checks/dkim.js';
import { checkKeyAge, checkSignerDrift, type SignerView } from '../../src/audit/checks/dkim-keys.js';
import type { DkimKey } from '../../src/policy/model.js';
import { makeDomain, pos } from '../build/fixtures.js';
import { codes, resolverFor, rsa2048, rsaP } from './zone.js';

const D = 'example.org';
const NOW = Date.parse('2026-12-01T00:00:00Z');
const DAY = 86_400_000;
const key = (selector: string, state: DkimKey['state'], extra: Partial<DkimKey> = {}): DkimKey => ({ selector, state, keyPath: '', keyPem: '', position: pos, ...extra });

describe('dkim.key-old', () => {
  const maxAge = 180 * 86_400;
  it('reports an active key older than max_age, from created, active_since or its scheme selector', () => {
    const domain = makeDomain(D, {
      dkim: [
        key('old', 'active', { created: NOW - 181 * DAY }),
        key('young', 'published', { created: NOW - 400 * DAY }),
        key('202501a', 'active'),
        key('fresh', 'active', { activeSince: NOW - 10 * DAY }),
        key('2026a', 'active'),
      ],
    });
    const findings = checkKeyAge(domain, maxAge, NOW);
    expect(findings.map((f) => `${f.code} ${f.name}: ${f.message}`)).toEqual([
      'dkim.key-old old._domainkey.example.org: the active key old is 181 days old (since 2026-06-03T00:00:00Z); dkim_keys.max_age is 180 days',
      'dkim.key-old 202501a._domainkey.example.org: the active key 202501a is 699 days old (since 2025-01-01T00:00:00Z); dkim_keys.max_age is 180 days',
    ]);
    expect(findings[0]!.severity).toBe('warning');
    expect(findings[0]!.category).toBe('dkim');
  });

  it('a key exactly max_age old is not old yet', () => {
    expect(checkKeyAge(makeDomain(D, { dkim: [key('k', 'active', { created: NOW - 180 * DAY })] }), maxAge, NOW)).toEqual([]);
  });
});

describe('dkim.key-mismatch and removed selectors (checkDkim)', () => {
  const name = `s1._domainkey.${D}`;
  const published = rsa2048();
  const run = (state: DkimKey['state'], privateKey: { file: string; p?: string } | undefined, txt: string[] | 'nxdomain') =>
    checkDkim(D, resolverFor({ [name]: txt === 'nxdomain' ? 'nxdomain' : { TXT: txt } }), { selectors: [{ selector: 's1', state, ...(privateKey ? { privateKey } : {}) }] });

  it('is quiet when the repo key matches p= (whitespace in p= ignored)', async () => {
    const spaced = `v=DKIM1; k=rsa; p=${published.slice(0, 100)} ${published.slice(100)}`;
    expect(codes(await run('active', { file: 'keys/private/example.org.s1.key', p: published }, [spaced]))).toEqual([]);
  });

  it('reports a repo key that is another key, or no key at all, for active and published selectors', async () => {
    const other = rsaP(2048);
    const a = await run('active', { file: 'keys/private/example.org.s1.key', p: other }, [`v=DKIM1; k=rsa; p=${published}`]);
    expect(a.map((f) => `${f.code}: ${f.message}`)).toEqual([`dkim.key-mismatch: the private key keys/private/example.org.s1.key does not match the key published at ${name}`]);
    expect(a[0]!.severity).toBe('error');
    const b = await run('published', { file: 'keys/private/example.org.s1.key' }, [`v=DKIM1; k=rsa; p=${published}`]);
    expect(b.map((f) => `${f.code}: ${f.message}`)).toEqual([`dkim.key-mismatch: keys/private/example.org.s1.key holds no usable private key for ${name}`]);
  });

  it('a removed selector must publish nothing: gone is fine, a revoked record is info, a key is a finding', async () => {
    expect(codes(await run('removed', undefined, 'nxdomain'))).toEqual([]);
    expect(codes(await run('removed', undefined, ['v=DKIM1; p=']))).toEqual(['dkim.revoked']);
    const still = await run('removed', undefined, [`v=DKIM1; k=rsa; p=${published}`]);
    expect(still.map((f) => `${f.code}: ${f.message}`)).toEqual(['dkim.retired-not-revoked: the removed selector s1 still publishes a key']);
  });
});

describe('drift.signer', () => {
  const domain = makeDomain(D, { dkim: [key('202605a', 'published', { activeUntil: NOW }), key('202606a', 'active'), key('202601a', 'removed')] });
  const view = (entries: [string, string[]][], signer: SignerView['signer'] = 'rspamd'): SignerView => ({ signer, files: ['signers/dkim_signing.conf'], selectors: new Map(entries) });

  it('is quiet when the signer signs with exactly the active selector', () => {
    expect(checkSignerDrift(domain, [view([[D, ['202606a']]])])).toEqual([]);
  });

  it('names a selector the policy does not have active, and an active one the signer lacks', () => {
    const findings = checkSignerDrift(domain, [view([[D, ['202605a']]]), view([['other.org', ['x']]], 'opendkim')]);
    expect(findings.map((f) => `${f.code} ${f.name}: ${f.message}`)).toEqual([
      'drift.signer 202605a._domainkey.example.org: rspamd (signers/dkim_signing.conf) signs example.org with 202605a, which the policy has as published (active: 202606a)',
      'drift.signer 202606a._domainkey.example.org: rspamd (signers/dkim_signing.conf) does not sign example.org with its active selector 202606a',
      'drift.signer 202606a._domainkey.example.org: opendkim (signers/dkim_signing.conf) does not sign example.org with its active selector 202606a',
    ]);
    expect(findings.every((f) => f.category === 'drift' && f.severity === 'error')).toBe(true);
  });

  it('reports an unreadable or missing config once there is an active key to sign with', () => {
    const missing: SignerView = { signer: 'rspamd', files: ['signers/dkim_signing.conf'], problem: 'not written yet (run mailrec apply)' };
    expect(checkSignerDrift(domain, [missing]).map((f) => f.message)).toEqual(['rspamd (signers/dkim_signing.conf): not written yet (run mailrec apply)']);
    expect(checkSignerDrift(makeDomain(D, { dkim: [key('a', 'published')] }), [missing])).toEqual([]);
  });
});
