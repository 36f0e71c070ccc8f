import { describe, expect, it } from 'vitest';
import type { SrvRecord } from '../../src/policy/model.js';
import { buildSrv } from '../../src/build/srv.js';
import { SRV_STANDARD_PORTS } from '../../src/mail/srv/record.js';
import { makeDomain, pos } from './fixtures.js';

function srv(service: string, port: number, target = 'mail.example.org', overrides: Partial<SrvRecord> = {}): SrvRecord {
  return { service, protocol: 'tcp', target, port, priority: 0, weight: 1, position: pos, ...overrides };
}

function build(...records: SrvRecord[]) {
  return buildSrv(makeDomain('example.org', { srv: records, ttl: 7200 }));
}

describe('buildSrv', () => {
  it('owner is _<service>._<protocol>.<domain>, target lowercase', () => {
    expect(build(srv('submissions', 465, 'Submission.Example.org.')).records).toEqual([
      { name: '_submissions._tcp.example.org', ttl: 7200, type: 'SRV', priority: 0, weight: 1, port: 465, target: 'submission.example.org' },
    ]);
  });

  it('standard ports per RFC 6186 / RFC 8314', () => {
    expect(SRV_STANDARD_PORTS).toMatchObject({ submission: 587, submissions: 465, imap: 143, imaps: 993, pop3: 110, pop3s: 995 });
  });

  it.each([
    ['submission', 587],
    ['submissions', 465],
    ['imaps', 993],
    ['pop3s', 995],
  ])('_%s on its standard port %s: no notice', (service, port) => {
    const built = build(srv(service, port));
    expect(built.records).toHaveLength(1);
    expect(built.notices).toEqual([]);
  });

  it('refuses _submission._tcp on 465 (implicit TLS belongs under _submissions)', () => {
    const built = build(srv('submission', 465));
    expect(built.records).toEqual([]);
    expect(built.notices.map((n) => [n.severity, n.code, n.name])).toEqual([['error', 'srv.submission-465', '_submission._tcp.example.org']]);
  });

  it.each([[''], ['.']])('target %j means "service not offered" and renders as "."', (target) => {
    const built = build(srv('pop3', 0, target, { weight: 0 }));
    expect(built.notices).toEqual([]);
    expect(built.records).toEqual([{ name: '_pop3._tcp.example.org', ttl: 7200, type: 'SRV', priority: 0, weight: 0, port: 0, target: '' }]);
  });

  it('notes a non-standard port', () => {
    expect(build(srv('imaps', 1993)).notices.map((n) => [n.severity, n.code])).toEqual([['info', 'srv.nonstandard-port']]);
  });

  it.each([
    [srv('imaps', 993, '192.0.2.1'), 'srv.ip-literal'],
    [srv('imaps', 70000), 'srv.invalid-field'],
    [srv('imaps', 993, 'imap.example.org', { priority: -1 }), 'srv.invalid-field'],
  ])('refuses %o', (record, code) => {
    const built = build(record);
    expect(built.records).toEqual([]);
    expect(built.notices.map((n) => n.code)).toEqual([code]);
  });

  it('sorts by owner, priority, weight, port, target and drops duplicates; leading "_" tolerated', () => {
    const built = build(
      srv('submissions', 465, 'b.example.org', { priority: 10 }),
      srv('imaps', 993, 'imap.example.org'),
      srv('submissions', 465, 'z.example.org', { priority: 5 }),
      srv('_submissions', 465, 'a.example.org', { priority: 10 }),
      srv('submissions', 465, 'a.example.org', { priority: 10 }),
    );
    expect(built.records.map((r) => (r.type === 'SRV' ? `${r.name} ${r.priority} ${r.target}` : ''))).toEqual([
      '_imaps._tcp.example.org 0 imap.example.org',
      '_submissions._tcp.example.org 5 z.example.org',
      '_submissions._tcp.example.org 10 a.example.org',
      '_submissions._tcp.example.org 10 b.example.org',
    ]);
  });
});
