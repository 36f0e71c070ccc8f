import { describe, expect, it } from 'vitest';
import { diffRecords } from '../../src/plan/diff.js';
import type { RR } from '../../src/dns-types/rr.js';

const txt = (name: string, text: string, ttl = 3600): RR => ({ name, ttl, type: 'TXT', strings: [text] });
const mx = (name: string, preference: number, exchange: string): RR => ({ name, ttl: 3600, type: 'MX', preference, exchange });

const spf = txt('example.org', 'v=spf1 a mx ~all');
const verification = txt('example.org', 'google-site-verification=xyz');

describe('diffRecords', () => {
  it('is empty when desired equals current, whatever the order', () => {
    const records = [spf, mx('example.org', 10, 'a.example.org'), mx('example.org', 20, 'b.example.org')];
    expect(diffRecords('example.org', records, [...records].reverse(), 'all')).toEqual([]);
  });

  it('creates, updates and deletes by ownership key in a fixed order', () => {
    const current = [txt('example.org', 'v=spf1 a ~all'), mx('old.example.org', 10, 'mx.example.org')];
    const desired = [spf, txt('_dmarc.example.org', 'v=DMARC1; p=none')];
    const changes = diffRecords('example.org', desired, current, 'all');
    expect(changes.map((c) => `${c.action} ${c.name} ${c.type} ${c.tag ?? ''}`.trim())).toEqual([
      'update example.org TXT spf',
      'create _dmarc.example.org TXT dmarc',
      'delete old.example.org MX',
    ]);
    expect(changes[0]!.before).toEqual([txt('example.org', 'v=spf1 a ~all')]);
    expect(changes[0]!.after).toEqual([spf]);
  });

  it('a TTL change is an update', () => {
    const changes = diffRecords('example.org', [spf], [txt('example.org', 'v=spf1 a mx ~all', 300)], 'all');
    expect(changes.map((c) => c.action)).toEqual(['update']);
  });

  it('never touches a foreign TXT at a shared name under the declared scope', () => {
    const changes = diffRecords('example.org', [spf], [verification, txt('example.org', 'v=spf1 -all')], 'declared');
    expect(changes).toHaveLength(1);
    expect(changes[0]!.action).toBe('update');
    expect(changes[0]!.before).toEqual([txt('example.org', 'v=spf1 -all')]);
    expect(JSON.stringify(changes)).not.toContain('google-site-verification');
  });

  it('declared scope leaves undeclared owned records alone; fragment scope deletes them', () => {
    const stray = txt('_dmarc.other.example.org', 'v=DMARC1; p=none');
    expect(diffRecords('example.org', [spf], [spf, stray], 'declared')).toEqual([]);
    expect(diffRecords('example.org', [spf], [spf, stray], 'all').map((c) => c.action)).toEqual(['delete']);
  });

  it('replaces an MX RRset as a whole', () => {
    const changes = diffRecords('example.org', [mx('example.org', 10, 'a.example.org')], [mx('example.org', 10, 'a.example.org'), mx('example.org', 20, 'b.example.org')], 'declared');
    expect(changes).toHaveLength(1);
    expect(changes[0]!.before).toHaveLength(2);
    expect(changes[0]!.after).toHaveLength(1);
  });
});

describe('claimed keys under the declared scope', () => {
  it('deletes an undeclared record only where mailrec claims it', () => {
    const tlsrpt = txt('_smtp._tls.example.org', 'v=TLSRPTv1; rua=mailto:t@example.org');
    const claimed = new Set(['_smtp._tls.example.org TXT tls-rpt']);
    expect(diffRecords('example.org', [spf], [spf, tlsrpt], 'declared', claimed).map((c) => `${c.action} ${c.name}`)).toEqual([
      'delete _smtp._tls.example.org',
    ]);
    expect(diffRecords('example.org', [spf], [spf, tlsrpt, verification], 'declared', new Set())).toEqual([]);
  });
});
