import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasCoveringRrsig } from '../../src/audit/sources/authoritative.js';
import { createZoneRepoResolver, loadZoneRepo, OUTSIDE_REASON } from '../../src/audit/sources/zone-repo.js';
import type { Answer } from '../../src/dns/resolver.js';
import type { RR } from '../../src/dns-types/rr.js';
import { parseZoneText } from '../../src/zone/reader.js';

function zone(apex: string, text: string) {
  const records = parseZoneText(`$ORIGIN ${apex}.\n$TTL 300\n${text}`, { file: `${apex}.zone` }).records.map(({ position: _p, ...rr }) => rr as RR);
  return { apex, records, files: [`${apex}.zone`] };
}

const ORG = zone(
  'example.org',
  [
    '@ SOA ns1 hostmaster 1 3600 600 86400 300',
    '@ NS ns1',
    '@ MX 10 mx1',
    '@ TXT "v=spf1 mx -all"',
    '@ SPF "v=spf1 mx -all"',
    'ns1 A 127.0.0.53',
    'mx1 A 127.0.0.25',
    'www CNAME mx1',
    'ext CNAME mail.example.net.',
    'loop1 CNAME loop2',
    'loop2 CNAME loop1',
    'a.b.c TXT "deep"',
    '*.wild TXT "from the wildcard"',
    'sub NS ns.elsewhere.example.',
    'both CNAME mx1',
    'both TXT "beside a CNAME"',
  ].join('\n'),
);

const resolver = createZoneRepoResolver([ORG]);
const statusOf = (a: Answer) => (a.status === 'ok' ? a.records.map((r) => `${r.name} ${r.type}`) : a.status === 'error' ? `error: ${a.reason}` : a.status);

describe('the zone repo as a resolver (authoritative answers, RFC 1034 §4.3.2)', () => {
  it.each([
    ['example.org', 'MX', ['example.org MX']],
    ['example.org', 'AAAA', 'nodata'],
    ['nothere.example.org', 'A', 'nxdomain'],
    // RFC 8020: an empty non-terminal exists.
    ['b.c.example.org', 'TXT', 'nodata'],
    ['c.example.org', 'A', 'nodata'],
    // A CNAME is followed; the answer holds the last name's records, like the DNS client.
    ['www.example.org', 'A', ['mx1.example.org A']],
    ['www.example.org', 'CNAME', ['www.example.org CNAME']],
    // RFC 4592: synthesized from *.wild for a name that does not exist.
    ['x.wild.example.org', 'TXT', ['x.wild.example.org TXT']],
    ['x.wild.example.org', 'MX', 'nodata'],
    // The data beside a CNAME is answered, so that the audit can see the conflict.
    ['both.example.org', 'TXT', ['both.example.org TXT']],
  ] as const)('%s %s', async (name, type, want) => {
    expect(statusOf(await resolver.resolve(name, type))).toEqual(want);
  });

  it('answers names outside every loaded zone as unknown, never as missing', async () => {
    expect(await resolver.resolve('example.com', 'TXT')).toEqual({ status: 'error', reason: OUTSIDE_REASON, cause: 'outside-zone-repo' });
    expect(await resolver.resolve('_dmarc.org', 'TXT')).toEqual({ status: 'error', reason: OUTSIDE_REASON, cause: 'outside-zone-repo' });
    // A CNAME that leaves the repo, and a delegated subzone, are unknown too.
    expect((await resolver.resolve('ext.example.org', 'A')).status).toBe('error');
    const sub = await resolver.resolve('host.sub.example.org', 'A');
    expect(sub.status === 'error' && sub.reason).toMatch(/outside the zone repo \(sub.example.org is delegated/);
    expect((await resolver.resolve('loop1.example.org', 'A')).status).toBe('error');
  });

  it('answers type 99 SPF records through resolveType', async () => {
    const a = await resolver.resolveType('example.org', 'SPF');
    expect(a.status === 'ok' && a.records[0]).toMatchObject({ type: 'OTHER', rrtype: 'SPF' });
    expect((await resolver.resolveType('mx1.example.org', 'SPF')).status).toBe('nodata');
  });

  it('picks the longest loaded zone for a name', async () => {
    const child = zone('lists.example.org', '@ SOA ns1.example.org. h.example.org. 1 1 1 1 1\n@ TXT "v=spf1 -all"');
    const r = createZoneRepoResolver([ORG, child]);
    expect(statusOf(await r.resolve('lists.example.org', 'TXT'))).toEqual(['lists.example.org TXT']);
    expect(statusOf(await r.resolve('x.lists.example.org', 'TXT'))).toBe('nxdomain');
  });
});

describe('loading a zone repo', () => {
  function repo(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'mailrec-zones-'));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return dir;
  }

  it('reads zone files with their $INCLUDEs, and an included file only as part of its zone', async () => {
    const dir = repo({
      'example.org.zone': '$ORIGIN example.org.\n$TTL 300\n@ SOA ns1 h 1 1 1 1 1\n@ NS ns1\nns1 A 127.0.0.53\n$INCLUDE example.org.mail.zone\n',
      'example.org.mail.zone': 'example.org. 3600 IN TXT "v=spf1 -all"\n',
      'sub/example.net.zone': '$TTL 300\nexample.net. SOA ns1.example.org. h.example.org. 1 1 1 1 1\n',
    });
    const loaded = await loadZoneRepo(dir);
    expect(loaded.zones.map((z) => [z.apex, z.records.length, z.files])).toEqual([
      ['example.net', 1, ['sub/example.net.zone']],
      ['example.org', 4, ['example.org.zone', 'example.org.mail.zone']],
    ]);
    expect(loaded.notes).toEqual([]);
  });

  it('takes the origin from the policy, else from the file name when the file has relative names and no $ORIGIN', async () => {
    const dir = repo({ 'db.example.org': '', 'example.org.zone': '$TTL 300\n@ SOA ns1 h 1 1 1 1 1\nmx1 A 127.0.0.25\n', 'x.zone': '$TTL 300\n@ SOA ns1 h 1 1 1 1 1\n' });
    const byName = await loadZoneRepo(dir);
    expect(byName.zones.map((z) => z.apex)).toEqual(['example.org', 'x']);
    expect(byName.skipped).toEqual([{ file: 'db.example.org', reason: 'holds no records' }]);
    const byPolicy = await loadZoneRepo(dir, { origins: new Map([[join(dir, 'x.zone'), 'example.com']]) });
    expect(byPolicy.zones.map((z) => z.apex)).toEqual(['example.com', 'example.org']);
  });

  it('lends the records of a fragment no zone file includes to the zone that holds them, and says what it ignored', async () => {
    const dir = repo({
      'example.org.zone': '$ORIGIN example.org.\n$TTL 300\n@ SOA ns1 h 1 1 1 1 1\nstray.example.com. A 127.0.0.1\n',
      'example.org.mail.zone': 'example.org. 3600 IN TXT "v=spf1 -all"\nexample.net. 3600 IN TXT "v=spf1 -all"\n',
    });
    const loaded = await loadZoneRepo(dir);
    expect(loaded.zones[0]!.records.map((r) => `${r.name} ${r.type}`)).toEqual(['example.org SOA', 'example.org TXT']);
    expect(loaded.notes).toEqual([
      'example.org.zone: 1 record(s) outside the zone example.org ignored',
      'example.org.mail.zone: no SOA and no zone in the policy; 1 record(s) in no loaded zone ignored',
    ]);
  });

  it('refuses a directory without zone files, and reports a broken file with its line', async () => {
    await expect(loadZoneRepo(repo({ 'README.md': 'x' }))).rejects.toThrow(/no zone file could be read/);
    await expect(loadZoneRepo(repo({ 'a.zone': '$ORIGIN a.\n$TTL 300\n@ SOA ns1 h 1 1 1 1 1\n@ MX ten mx\n' }))).rejects.toThrow(/a\.zone:4:/);
  });
});

describe('RRSIG presence for --authoritative (RFC 4034 §3.1)', () => {
  const sig = (covered: string): RR => ({ name: 'x.example', ttl: 300, type: 'OTHER', rrtype: 'RRSIG', text: `\\# 6 ${covered}0d020000` });
  it('reads the type covered from the RFC 3597 form', () => {
    expect(hasCoveringRrsig([sig('0034')], 'x.example', 'TLSA')).toBe(true);
    expect(hasCoveringRrsig([sig('0010')], 'x.example', 'TLSA')).toBe(false);
    expect(hasCoveringRrsig([sig('0034')], 'y.example', 'TLSA')).toBe(false);
  });
});
