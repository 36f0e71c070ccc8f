import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DomainPolicy, MtaStsPolicy } from '../../src/policy/model.js';
import { buildMtaSts } from '../../src/build/mta-sts.js';
import { compileMtaStsId, matchesMxPattern } from '../../src/mail/mta-sts/record.js';
import { txtText } from '../../src/dns-types/rr.js';
import { makeDomain, pos } from './fixtures.js';

function sts(overrides: Partial<MtaStsPolicy> = {}): MtaStsPolicy {
  return { mode: 'enforce', maxAge: 604800, position: pos, ...overrides };
}

function domain(policy: MtaStsPolicy, overrides: Partial<DomainPolicy> = {}): DomainPolicy {
  return makeDomain('example.org', {
    mx: [
      { host: 'mx-02.example.org', preference: 20 },
      { host: 'mx-01.example.org', preference: 10 },
    ],
    mtaSts: policy,
    ...overrides,
  });
}

function idOf(result: ReturnType<typeof buildMtaSts>): string {
  const rr = result.records[0]!;
  const m = /^v=STSv1; id=([A-Za-z0-9]{1,32})$/.exec(rr.type === 'TXT' ? txtText(rr) : '');
  if (!m) throw new Error('no id');
  return m[1]!;
}

describe('buildMtaSts', () => {
  it('writes the policy file with CRLF lines, mx defaulting to the MX hosts, and the TXT record', () => {
    const built = buildMtaSts(domain(sts()));
    const content = 'version: STSv1\r\nmode: enforce\r\nmx: mx-01.example.org\r\nmx: mx-02.example.org\r\nmax_age: 604800\r\n';
    expect(built.notices).toEqual([]);
    expect(built.files).toEqual([{ path: 'mta-sts/example.org/.well-known/mta-sts.txt', content }]);
    const id = createHash('sha256').update(content).digest('hex').slice(0, 32);
    expect(built.records).toEqual([{ name: '_mta-sts.example.org', ttl: 3600, type: 'TXT', strings: [`v=STSv1; id=${id}`] }]);
  });

  it('explicit mx patterns replace the MX hosts, sorted and lowercased', () => {
    const built = buildMtaSts(domain(sts({ mode: 'testing', mx: ['*.Example.org', 'backup.example.net'] })));
    expect(built.files[0]!.content).toBe('version: STSv1\r\nmode: testing\r\nmx: *.example.org\r\nmx: backup.example.net\r\nmax_age: 604800\r\n');
  });

  it('the id changes exactly when the policy text changes', () => {
    const base = idOf(buildMtaSts(domain(sts())));
    // Same text, reached differently: same id.
    expect(idOf(buildMtaSts(domain(sts({ mx: ['MX-02.example.org', 'mx-01.example.org'] }))))).toBe(base);
    expect(idOf(buildMtaSts(domain(sts(), { ttl: 60 })))).toBe(base);
    // Any change of the text: new id.
    const changed = [
      buildMtaSts(domain(sts({ maxAge: 86400 }))),
      buildMtaSts(domain(sts({ mode: 'testing' }))),
      buildMtaSts(domain(sts({ mx: ['mx-01.example.org', 'mx-02.example.org', 'mx-03.example.org'] }))),
    ].map(idOf);
    expect(new Set([base, ...changed]).size).toBe(4);
    expect(compileMtaStsId('a')).not.toBe(compileMtaStsId('a\n'));
    expect(compileMtaStsId('a')).toMatch(/^[a-z0-9]{32}$/);
  });

  it('refuses an enforce policy when an MX host escapes its patterns (RFC 8461 §4.1), as the audit rates it', () => {
    const built = buildMtaSts(domain(sts({ mx: ['mx-01.example.org'] })));
    expect(built.records).toEqual([]);
    expect(built.notices.map((n) => [n.severity, n.code])).toEqual([['error', 'mta-sts.mx-not-covered']]);
    expect(built.notices[0]!.message).toContain('mx-02.example.org');
    expect(buildMtaSts(domain(sts({ mx: ['*.example.org'] }))).notices).toEqual([]);
  });

  it.each([
    ['mx.example.org', '*.example.org', true],
    ['a.b.example.org', '*.example.org', false],
    ['example.org', '*.example.org', false],
    ['mx.example.org', 'mx.example.org', true],
  ])('%s against %s: %s', (host, pattern, want) => {
    expect(matchesMxPattern(host, pattern)).toBe(want);
  });

  it('refuses enforce or testing without any mx; mode none is fine', () => {
    const none = buildMtaSts(domain(sts(), { mx: undefined }));
    expect(none.records).toEqual([]);
    expect(none.files).toEqual([]);
    expect(none.notices.map((n) => n.code)).toEqual(['mta-sts.no-mx']);
    const off = buildMtaSts(domain(sts({ mode: 'none' }), { mx: undefined }));
    expect(off.files[0]!.content).toBe('version: STSv1\r\nmode: none\r\nmax_age: 604800\r\n');
  });

  it.each([[-1], [31557601], [1.5]])('refuses max_age %s', (maxAge) => {
    expect(buildMtaSts(domain(sts({ maxAge }))).notices.map((n) => n.code)).toEqual(['mta-sts.invalid-max-age']);
  });

  it('nothing declared: nothing', () => {
    expect(buildMtaSts(makeDomain('example.org'))).toEqual({ records: [], files: [], notices: [] });
  });
});
