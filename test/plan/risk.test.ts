import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/plan/diff.js';
import { assessRisks } from '../../src/plan/risk.js';
import type { RR } from '../../src/records/rr.js';

const txt = (name: string, text: string): RR => ({ name, ttl: 3600, type: 'TXT', strings: [text] });

function change(action: Change['action'], name: string, tag: string, before?: string, after?: string): Change {
  return {
    action,
    zone: 'example.org',
    name,
    type: 'TXT',
    tag,
    before: before === undefined ? [] : [txt(name, before)],
    after: after === undefined ? [] : [txt(name, after)],
  };
}

const messages = (c: Change) => assessRisks(c).map((r) => `${r.level}: ${r.message}`);

describe('DMARC risk', () => {
  it('tightening none -> quarantine is high risk and says quarantined', () => {
    const m = messages(change('update', '_dmarc.example.org', 'dmarc', 'v=DMARC1; p=none', 'v=DMARC1; p=quarantine'));
    expect(m).toHaveLength(1);
    expect(m[0]).toMatch(/^high: tightens the policy \(p=\) from none to quarantine: .* quarantined/);
  });

  it('t=y softens reject to quarantine in the note', () => {
    const m = messages(change('update', '_dmarc.example.org', 'dmarc', 'v=DMARC1; p=none', 'v=DMARC1; p=reject; t=y'));
    expect(m[0]).toContain('from none to reject (t=y: applied one step softer)');
    expect(m[0]).toContain('quarantined');
    expect(m.some((x) => x.includes('turns testing mode on'))).toBe(true);
  });

  it('removing t=y with p=reject is a tightening', () => {
    const m = messages(change('update', '_dmarc.example.org', 'dmarc', 'v=DMARC1; p=reject; t=y', 'v=DMARC1; p=reject'));
    expect(m.some((x) => x.startsWith('high: tightens the policy (p=) from reject to reject'))).toBe(true);
    expect(m.some((x) => x.includes('turns testing mode off'))).toBe(true);
  });

  it('sp moving apart from p gets its own note; a loosening is low', () => {
    const m = messages(change('update', '_dmarc.example.org', 'dmarc', 'v=DMARC1; p=reject', 'v=DMARC1; p=reject; sp=none'));
    expect(m).toEqual([expect.stringMatching(/^low: loosens the subdomain policy \(sp=\) from reject to none/)]);
  });

  it('report address removed', () => {
    const m = messages(change('update', '_dmarc.example.org', 'dmarc', 'v=DMARC1; p=none; rua=mailto:a@example.org', 'v=DMARC1; p=none'));
    expect(m).toEqual([expect.stringMatching(/^medium: removes the report address/)]);
  });
});

describe('SPF risk', () => {
  it('names the removed sender', () => {
    const m = messages(change('update', 'example.org', 'spf', 'v=spf1 a a:relay.example.org ~all', 'v=spf1 a -all'));
    expect(m[0]).toMatch(/^high: no longer authorizes a:relay\.example\.org/);
    expect(m.some((x) => x.includes('from ~all to -all'))).toBe(true);
  });
  it('deleting SPF is high risk', () => {
    expect(messages(change('delete', 'example.org', 'spf', 'v=spf1 a ~all'))[0]).toMatch(/^high: removes SPF/);
  });
});

describe('DKIM risk', () => {
  it('retiring a selector (p= empty) is high risk and names it', () => {
    const m = messages(change('update', '2026a._domainkey.example.org', 'dkim', 'v=DKIM1; k=rsa; p=MIIB', 'v=DKIM1; p='));
    expect(m[0]).toMatch(/^high: retires DKIM selector 2026a/);
  });
});
