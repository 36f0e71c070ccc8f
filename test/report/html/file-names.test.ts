// Domain page names: safe for any name the audit output holds, distinct for distinct names, stable.

import { describe, expect, it } from 'vitest';
import { domainPageName } from '../../../src/report/html/file-names.js';

describe('domainPageName', () => {
  it('keeps a readable name, IDN as A-labels, with a hash that tells names apart', () => {
    expect(domainPageName('example.org')).toMatch(/^domains\/example\.org-[0-9a-f]{10}\.html$/);
    expect(domainPageName('bücher.example')).toMatch(/^domains\/xn--bcher-kva\.example-[0-9a-f]{10}\.html$/);
    expect(domainPageName('example.org')).toBe(domainPageName('example.org'));
    expect(domainPageName('Example.org')).not.toBe(domainPageName('example.org'));
  });

  it('never makes a path out of a hostile name', () => {
    const names = ['../../etc/passwd', '..', '.hidden', 'a/b', 'a\\b', '<script>x</script>.org', 'nul\u0000.org', 'x'.repeat(300), '', ' spaced name .org', 'a..b'];
    const pages = names.map(domainPageName);
    for (const p of pages) {
      expect(p).toMatch(/^domains\/[a-z0-9][a-z0-9._-]*-[0-9a-f]{10}\.html$/);
      expect(p.slice('domains/'.length)).not.toContain('/');
      expect(p.length).toBeLessThan(120);
    }
    expect(new Set(pages).size).toBe(names.length);
  });
});
