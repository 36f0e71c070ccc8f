import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/plan/diff.js';
import { assessRisks } from '../../src/plan/risk.js';
import type { RR } from '../../src/dns-types/rr.js';

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

  it('reads the record as receivers do: values in capitals, spaces around "=", an invalid sp falls back to p', () => {
    expect(messages(change('update', '_dmarc.example.org', 'dmarc', 'v=DMARC1; p=none', 'v=DMARC1; p = REJECT'))[0]).toMatch(/^high: tightens the policy \(p=\) from none to reject: .* rejected/);
    expect(messages(change('update', '_dmarc.example.org', 'dmarc', 'v=DMARC1; p=reject', 'v=DMARC1; p=reject; sp=bogus'))).toEqual([]);
    expect(messages(change('update', '_dmarc.example.org', 'dmarc', 'v=DMARC1; p=none; rua=mailto:a@example.org', 'v=DMARC1;p=none;rua= mailto:a@example.org'))).toEqual([]);
  });

  it('a new record receivers would ignore is high risk, whatever its p=', () => {
    for (const text of ['v=DMARC1 p=reject', 'p=reject; v=DMARC1', 'v=DMARC2; p=reject']) {
      const m = messages(change('update', '_dmarc.example.org', 'dmarc', 'v=DMARC1; p=quarantine', text));
      expect(m, text).toHaveLength(1);
      expect(m[0]).toMatch(/^high: the new record is not valid DMARC \(.+\): receivers ignore it, as if the domain had none$/);
    }
  });

  it('from a record receivers ignored, a valid p=reject is a tightening from none', () => {
    const m = messages(change('update', '_dmarc.example.org', 'dmarc', 'v=DMARC1 p=reject', 'v=DMARC1; p=reject'));
    expect(m[0]).toMatch(/^high: tightens the policy \(p=\) from none to reject/);
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

describe('TLSA rollover steps (RFC 7671 §8.1)', () => {
  const name = '_25._tcp.mx-01.example.org';
  const rr = (hex: string, ttl = 3600): RR => ({ name, ttl, type: 'TLSA', usage: 3, selector: 1, matchingType: 1, certificate: hex.repeat(32) });
  const tlsa = (action: Change['action'], before: RR[], after: RR[]): string[] =>
    assessRisks({ action, zone: 'example.org', name, type: 'TLSA', before, after }).map((r) => `${r.level}: ${r.message}`);

  it('first record: no note', () => {
    expect(tlsa('create', [], [rr('aa')])).toEqual([]);
  });
  it('adding a second record: publish next, wait two TTLs', () => {
    expect(tlsa('update', [rr('aa')], [rr('aa'), rr('bb')])).toEqual([
      'low: publish next: wait two TTLs before switching the certificate (2 × 3600 s)',
    ]);
  });
  it('removing one of two: retire old', () => {
    const m = tlsa('update', [rr('aa'), rr('bb')], [rr('bb')]);
    expect(m).toHaveLength(1);
    expect(m[0]).toMatch(/^medium: retire old: make sure the server already serves the new key;/);
  });
  it('replacing the only record: high risk, no overlap', () => {
    const m = tlsa('update', [rr('aa')], [rr('bb')]);
    expect(m).toHaveLength(1);
    expect(m[0]).toMatch(/^high: no overlap: DANE senders defer mail until caches expire \(2 × 3600 s\);/);
  });
  it('replacing both of two at once: still no overlap', () => {
    expect(tlsa('update', [rr('aa'), rr('bb')], [rr('cc'), rr('dd')])[0]).toMatch(/^high: no overlap/);
  });
  it('swap with overlap (retire old and publish the one after next): two notes', () => {
    const m = tlsa('update', [rr('aa'), rr('bb')], [rr('bb'), rr('cc')]);
    expect(m.map((x) => x.split(':').slice(0, 2).join(':'))).toEqual(['low: publish next', 'medium: retire old']);
  });
  it('TTL only: low', () => {
    expect(tlsa('update', [rr('aa', 3600)], [rr('aa', 300)])).toEqual(['low: changes the TTL of the TLSA records only']);
  });
  it('removing the RRset: high', () => {
    expect(tlsa('delete', [rr('aa')], [])[0]).toMatch(/^high: removes every TLSA record/);
  });
  it('a full rollover done by following the notes never leaves the served key without a record', () => {
    // current key aa served; steps: publish bb, switch server to bb, retire aa.
    const steps: { rrset: RR[]; served: string }[] = [
      { rrset: [rr('aa')], served: 'aa' },
      { rrset: [rr('aa'), rr('bb')], served: 'aa' },
      { rrset: [rr('aa'), rr('bb')], served: 'bb' },
      { rrset: [rr('bb')], served: 'bb' },
    ];
    for (let i = 1; i < steps.length; i++) {
      const prev = steps[i - 1]!;
      const cur = steps[i]!;
      // Caches may hold the previous RRset or the current one: both must match what is served.
      for (const rrset of [prev.rrset, cur.rrset]) {
        expect(rrset.some((r) => r.type === 'TLSA' && r.certificate === cur.served.repeat(32))).toBe(true);
      }
      if (prev.rrset.length !== cur.rrset.length) {
        expect(tlsa('update', prev.rrset, cur.rrset).every((m) => !m.startsWith('high'))).toBe(true);
      }
    }
  });
});

describe('DKIM key re-split', () => {
  it('the same key in other strings is low risk, a new key is medium', () => {
    const same: Change = {
      action: 'update',
      zone: 'example.org',
      name: 's._domainkey.example.org',
      type: 'TXT',
      tag: 'dkim',
      before: [{ name: 's._domainkey.example.org', ttl: 3600, type: 'TXT', strings: ['v=DKIM1; k=rsa; p=AB', 'CD'] }],
      after: [{ name: 's._domainkey.example.org', ttl: 3600, type: 'TXT', strings: ['v=DKIM1; k=rsa; p=ABCD'] }],
    };
    expect(messages(same)).toEqual(["low: rewrites the record's strings or TTL; the key is unchanged"]);
    const other = { ...same, after: [{ name: 's._domainkey.example.org', ttl: 3600, type: 'TXT' as const, strings: ['v=DKIM1; k=rsa; p=EF'] }] };
    expect(messages(other)).toEqual(['medium: replaces the DKIM key: mail signed with the old key in transit fails DKIM']);
  });
});
