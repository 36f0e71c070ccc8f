import { describe, expect, it } from 'vitest';
import { auditDomains, auditEach, type DomainReport } from '../../src/audit/run.js';
import type { Answer, Resolver } from '../../src/dns/resolver.js';
import type { RRType } from '../../src/dns-types/rr.js';

const domains = Array.from({ length: 20 }, (_, i) => `d${i}.example`);

/** Every name NXDOMAIN, after a delay that makes later domains finish first. */
function staggered(): Resolver {
  return {
    async resolve(name: string, _type: RRType): Promise<Answer> {
      const i = Number(/d(\d+)\.example$/.exec(name)?.[1] ?? 0);
      await new Promise((r) => setTimeout(r, (20 - i) % 5));
      return { status: 'nxdomain', authenticated: false };
    },
  };
}

describe('auditEach', () => {
  it('hands every report over once, with its input index, and keeps none', async () => {
    const seen: [string, number][] = [];
    const result = await auditEach(domains, staggered(), (r, i) => seen.push([r.domain, i]), { concurrency: 6 });
    expect(result).toBeUndefined();
    expect(seen).toHaveLength(domains.length);
    for (const [domain, i] of seen) expect(domains[i]).toBe(domain);
    expect(new Set(seen.map(([d]) => d)).size).toBe(domains.length);
  });

  it('reports in completion order, before the progress callback of the same domain', async () => {
    const events: string[] = [];
    await auditEach(domains, staggered(), (r) => events.push(`report ${r.domain}`), {
      concurrency: 6,
      onProgress: (done, _total, d) => events.push(`progress ${done} ${d}`),
    });
    for (let k = 0; k < events.length; k += 2) {
      const domain = events[k]!.slice('report '.length);
      expect(events[k + 1]).toBe(`progress ${k / 2 + 1} ${domain}`);
    }
  });
});

describe('auditDomains with onReport', () => {
  it('streams and still returns the reports in input order', async () => {
    const streamed: DomainReport[] = [];
    const reports = await auditDomains(domains, staggered(), { concurrency: 4, onReport: (r) => streamed.push(r) });
    expect(reports.map((r) => r.domain)).toEqual(domains);
    expect(new Set(streamed)).toEqual(new Set(reports));
  });
});
