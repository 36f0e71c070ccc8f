import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODES, type Code } from '../../src/base/codes.js';
import { makeFinding, type Finding } from '../../src/base/finding.js';
import { CATEGORY_WEIGHTS, scoreDomain } from '../../src/audit/score.js';

const f = (code: Code, domain = 'example.org'): Finding => makeFinding(code, domain, domain, code, { asked: [] });

describe('score model (docs/score.md)', () => {
  it('weights add up to 100', () => {
    expect(Object.values(CATEGORY_WEIGHTS).reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('worked example 1: example.org scores 79', () => {
    const card = scoreDomain([f('dmarc.not-enforcing'), f('spf.neutral-all'), f('tls-rpt.missing')]);
    expect(card.score).toBe(79);
    expect(card.categories.map((c) => [c.category, c.percent])).toEqual([
      ['spf', 80],
      ['dmarc', 60],
      ['dkim', 100],
      ['mx', 100],
      ['transport', 70],
    ]);
    expect(card.pathTo100.map((s) => [s.code, s.gain])).toEqual([
      ['dmarc.not-enforcing', 12],
      ['spf.neutral-all', 5],
      ['tls-rpt.missing', 4],
    ]);
  });

  it('worked example 2: shop.example.net scores 60 with DKIM left out', () => {
    const d = 'shop.example.net';
    const card = scoreDomain([
      f('spf.too-many-lookups', d),
      f('spf.ptr', d),
      f('mx.target-cname', d),
      f('transport.none', d),
      f('dkim.rsa-weak', d),
      f('dkim.unknown', d),
    ]);
    expect(card.score).toBe(60);
    expect(card.categories.find((c) => c.category === 'dkim')!.status).toBe('unknown');
    expect(card.pathTo100.map((s) => [s.code, s.gain])).toEqual([
      ['spf.too-many-lookups', 19],
      ['transport.none', 13],
      ['mx.target-cname', 5],
      ['spf.ptr', 3],
    ]);
  });

  it('counts a code once however many names carry it, and floors a category at 0', () => {
    const card = scoreDomain([f('spf.ptr'), f('spf.ptr', 'x.example.org'), f('spf.missing'), f('spf.pass-all')]);
    expect(card.categories[0]!.percent).toBe(0);
    expect(card.categories[0]!.penalties.map((p) => p.code)).toEqual(['spf.missing', 'spf.pass-all', 'spf.ptr']);
    expect(card.score).toBe(75);
  });

  it('has no score when nothing could be scored', () => {
    const card = scoreDomain([f('spf.unknown'), f('dmarc.unknown'), f('mx.unknown')], { dkim: 'no selectors', transport: 'no mail' });
    expect(card.score).toBeNull();
  });

  it('docs/score.md lists exactly the catalogue penalties', () => {
    const doc = readFileSync(new URL('../../docs/score.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z0-9.-]+)` \| ([a-z]+) \| ([a-z]+) \| (\d+) \|$/gm)].map((m) => [m[1], m[2], m[3], Number(m[4])]);
    const want = Object.entries(CODES)
      .filter(([, e]) => e.penalty > 0)
      .map(([code, e]) => [code, e.category, e.severity, e.penalty]);
    expect(rows.sort()).toEqual(want.sort());
  });
});
