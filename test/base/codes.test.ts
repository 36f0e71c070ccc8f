import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalCode, codeEntry, CODES, entryFor, raisedBy, type CodeEntry } from '../../src/base/codes.js';
import { makeNotice } from '../../src/build/notice.js';

const entries = Object.entries(CODES) as [keyof typeof CODES, CodeEntry][];

/** The category each code family reports under. */
const FAMILY_CATEGORY: Record<string, string> = {
  spf: 'spf', dmarc: 'dmarc', dkim: 'dkim', mx: 'mx', srv: 'mx', dns: 'mx',
  tlsa: 'transport', 'mta-sts': 'transport', 'tls-rpt': 'transport', transport: 'transport',
  drift: 'drift', zone: 'zone', rrset: 'zone', import: 'import',
};

describe('the finding catalogue', () => {
  it('every code has a one-line fix, a family that matches its category, and stages; info costs nothing', () => {
    for (const [code, e] of entries) {
      expect(e.fix, code).not.toContain('\n');
      if (e.severity === 'info') expect(e.penalty, code).toBe(0);
      expect(FAMILY_CATEGORY[code.slice(0, code.indexOf('.'))], code).toBe(e.category);
      expect(e.stages.length, code).toBeGreaterThan(0);
      expect(new Set(e.stages).size, code).toBe(e.stages.length);
    }
  });

  it('every code the audit raises cites an RFC (SARIF links it) and belongs to a scored category or drift', () => {
    for (const [code, e] of entries.filter(([, e]) => e.stages.includes('audit'))) {
      expect(e.rfc?.length ?? 0, code).toBeGreaterThan(0);
      expect(['zone', 'import'], code).not.toContain(e.category);
    }
  });

  it('only scored audit codes cost points', () => {
    for (const [code, e] of entries.filter(([, e]) => !e.stages.includes('audit'))) expect(e.penalty, code).toBe(0);
  });

  it('former names are no live code, lead to their code, and are listed in CHANGELOG.md', () => {
    const changelog = readFileSync(new URL('../../CHANGELOG.md', import.meta.url), 'utf8');
    const aliased = entries.filter(([, e]) => e.aliases !== undefined);
    expect(aliased.length).toBeGreaterThan(10);
    for (const [code, e] of aliased) {
      for (const alias of e.aliases!) {
        expect(alias in CODES, alias).toBe(false);
        expect(codeEntry(alias), alias).toBe(codeEntry(canonicalCode(alias)!));
        expect(e.stages, `${code} took over ${alias}, a plan code`).toContain('plan');
        expect(changelog, alias).toContain(`\`${alias}\``);
        expect(changelog, code).toContain(`\`${code}\``);
      }
    }
    expect(canonicalCode('spf.record-long')).toBe('spf.too-long');
    expect(canonicalCode('spf.too-long')).toBe('spf.too-long');
    expect(canonicalCode('spf.nonsense')).toBeUndefined();
  });

  it('a stage can raise only the codes listed for it', () => {
    expect(raisedBy('spf.too-long', 'plan')).toBe(true);
    expect(raisedBy('spf.missing', 'plan')).toBe(false);
    expect(entryFor('spf.missing', 'audit').severity).toBe('error');
    expect(() => entryFor('spf.missing', 'import')).toThrow(/import raised spf.missing/);
  });

  it("plan's notice under a renamed code carries its former names (plan --format json), and takes severity and RFC from the catalogue", () => {
    expect(makeNotice('spf.too-long', 'example.org', 'the SPF record is 460 octets (over 450)')).toEqual({
      severity: 'warning',
      code: 'spf.too-long',
      message: 'the SPF record is 460 octets (over 450)',
      name: 'example.org',
      rfc: 'RFC 7208 §3.4',
      aliases: ['spf.record-long'],
    });
    expect(makeNotice('zone.outside', 'x.example.net', 'm')).toEqual({ severity: 'error', code: 'zone.outside', message: 'm', name: 'x.example.net' });
    expect(() => makeNotice('spf.missing', 'example.org', 'm')).toThrow(/plan raised spf.missing/);
  });
});
