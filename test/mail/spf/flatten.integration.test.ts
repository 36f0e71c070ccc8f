// SPF over the 10-lookup limit, end to end against a real BIND serving the providers'
// trees: plan --resolve lists the remedies with their counts; the chosen ones (a covered
// include dropped, own hosts by address, a newsletter service flattened) give a record
// set under the limit whose chain named-checkzone loads and that mailrec's spf check and
// mailauth's SPF agree passes for every sender's address; a provider changing a range is
// caught by the next audit and refreshed by the next plan --resolve.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spf as mailauthSpf } from 'mailauth/lib/spf/index.js';
import { createDnsClient } from '../../../src/dns/client.js';
import type { Resolver } from '../../../src/dns/resolver.js';
import { checkZone } from '../../helpers/bind-tools.js';
import { startBind, type BindServer } from '../../helpers/bind.js';
import { runCli } from '../../helpers/cli.js';

let bind: BindServer;
let work: string;
let repo: string;

/** The newsletter service's second record: many ranges, so that flattening it needs a chain. */
const NEWS_RANGES = Array.from({ length: 36 }, (_, i) => `127.51.${i}.0/24`);
const newsZone = (ranges: readonly string[]) =>
  [
    'spf IN TXT "v=spf1 ip4:127.50.0.0/24 ip4:127.50.1.0/24 include:more.mandrillapp.com ~all"',
    // One TXT record of several strings (RFC 7208 §3.3), as long provider records are published.
    `more IN TXT ${chunks(`v=spf1 ${ranges.map((r) => `ip4:${r}`).join(' ')} ~all`)}`,
  ].join('\n');

function chunks(text: string): string {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 200) out.push(`"${text.slice(i, i + 200)}"`);
  return `( ${out.join(' ')} )`;
}

const SOA = ['@ IN SOA ns1 hostmaster 1 3600 600 86400 60', '@ IN NS ns1', 'ns1 IN A 127.0.0.1'];

/** The estate's own zone as its zone file holds it (the fragment is $INCLUDEd). */
const ESTATE_ZONE = (relay2: string) =>
  [
    '$ORIGIN example.org.',
    '$TTL 3600',
    '@ IN SOA ns1.example.org. hostmaster.example.org. 2026120701 7200 3600 1209600 3600',
    '  IN NS ns1.example.org.',
    'ns1 IN A 127.0.0.53',
    'mx-01 IN A 127.0.10.1',
    'relay-01 IN A 127.0.10.2',
    `relay-02 IN A ${relay2}`,
    'relay-02 IN AAAA ::1',
    '$INCLUDE example.org.mail.zone',
    '',
  ].join('\n');

const POLICY = (senders: string, spf = '{ all: softfail }') => `version: 1
zones:
  example.org:
    fragment: zones/example.org.mail.zone
    zone_file: zones/example.org.zone
domains:
  example.org:
    senders:
${senders}
    spf: ${spf}
    mx:
      - { host: mx-01.example.org, preference: 10 }
`;

const OVER = `      - mx
      - host: relay-01.example.org
      - host: relay-02.example.org
      - include: spf.protection.outlook.com
      - include: _spf.crm.example.com
      - include: spf.mandrillapp.com
      - include: mail.tickets.example.com`;

const CHOSEN = `      - mx
      - host: relay-01.example.org
      - host: relay-02.example.org
      - include: spf.protection.outlook.com
      - include: spf.mandrillapp.com
        flatten: true
      - include: mail.tickets.example.com`;

const cli = (args: string[]) => runCli(args, { cwd: repo });
const viaBind = () => ['--resolver', `127.0.0.1:${bind.port}`];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mailrec-spf-limit-'));
  writeFileSync(join(work, 'news.zone'), newsZone(NEWS_RANGES));
  writeFileSync(join(work, 'served.zone'), '');
  bind = await startBind({
    zones: [
      {
        // The office suite: three lookups.
        name: 'protection.outlook.com',
        text: [...SOA, 'spf IN TXT "v=spf1 include:spfa.protection.outlook.com include:spfb.protection.outlook.com -all"', 'spfa IN TXT "v=spf1 ip4:127.40.0.0/16 ip6:2001:db8:40::/48 -all"', 'spfb IN TXT "v=spf1 ip4:127.41.0.0/16 -all"'].join('\n'),
      },
      // The newsletter service (the catalogue's Mailchimp / Mandrill include), served from a file the test changes.
      { name: 'mandrillapp.com', text: [...SOA, `$INCLUDE ${join(work, 'news.zone')}`].join('\n') },
      {
        name: 'example.com',
        text: [
          ...SOA,
          // The CRM sends through the office suite: every range it passes is the suite's too.
          '_spf.crm IN TXT "v=spf1 ip4:127.40.5.0/24 include:relay.crm.example.com -all"',
          'relay.crm IN TXT "v=spf1 ip4:127.41.9.9 -all"',
          // The ticketing system: a, mx and an include, four lookups.
          'mail.tickets IN TXT "v=spf1 a:out.tickets.example.com mx:tickets.example.com include:_spf2.tickets.example.com ~all"',
          'out.tickets IN A 127.60.0.1',
          'tickets IN MX 10 out2.tickets.example.com.',
          'out2.tickets IN A 127.60.0.2',
          '_spf2.tickets IN TXT "v=spf1 ip4:127.61.0.0/24 -all"',
          // A provider whose record depends on the message: never flattened.
          'spf.macro IN TXT "v=spf1 exists:%{i}._ip.macro.example.com ptr:macro.example.com ip4:127.70.0.0/24 ~all"',
        ].join('\n'),
      },
      { name: 'example.org', text: ['@ IN SOA ns1 hostmaster 1 3600 600 86400 60', '@ IN NS ns1', 'ns1 IN A 127.0.0.53', 'mx-01 IN A 127.0.10.1', 'relay-01 IN A 127.0.10.2', 'relay-02 IN A 127.0.10.3', 'relay-02 IN AAAA ::1', `$INCLUDE ${join(work, 'served.zone')}`].join('\n') },
    ],
  });
  repo = join(work, 'repo');
  mkdirSync(join(repo, 'policies'), { recursive: true });
  mkdirSync(join(repo, 'zones'));
  writeFileSync(join(repo, 'zones/example.org.zone'), ESTATE_ZONE('127.0.10.3'));
  writeFileSync(join(repo, 'policies/mail.yaml'), POLICY(OVER));
}, 60_000);

afterAll(async () => {
  await bind?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** mailauth's resolver interface (Node's dns.resolve shapes and error codes) over mailrec's client. */
function mailauthResolver(resolver: Resolver) {
  return async (name: string, type: string): Promise<unknown> => {
    const answer = await resolver.resolve(name.replace(/\.$/, ''), type as 'TXT');
    if (answer.status === 'nxdomain') throw Object.assign(new Error(`${name}: NXDOMAIN`), { code: 'ENOTFOUND' });
    if (answer.status === 'error') throw Object.assign(new Error(`${name}: ${answer.reason}`), { code: 'ESERVFAIL' });
    const records = answer.status === 'ok' ? answer.records.filter((r) => r.type === type) : [];
    if (records.length === 0) throw Object.assign(new Error(`${name}: no ${type}`), { code: 'ENODATA' });
    return records.map((r) => (r.type === 'TXT' ? r.strings : r.type === 'A' || r.type === 'AAAA' ? r.address : r.type === 'MX' ? { exchange: r.exchange, priority: r.preference } : null));
  };
}

async function mailrecVerdict(ip: string): Promise<string> {
  const run = await cli(['spf', 'check', 'example.org', '--ip', ip, '--format', 'json', ...viaBind()]);
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { result: string }).result;
}

async function mailauthVerdict(ip: string): Promise<string> {
  const out = (await mailauthSpf({ sender: 'postmaster@example.org', ip, helo: 'mail.example.org', mta: 'mx.receiver.test', resolver: mailauthResolver(createDnsClient({ servers: [{ host: '127.0.0.1', port: bind.port }] })) })) as { status: { result: string } };
  return out.status.result;
}

/** Serve the repo's fragment as example.org's mail records. */
async function publish(): Promise<void> {
  writeFileSync(join(work, 'served.zone'), readFileSync(join(repo, 'zones/example.org.mail.zone'), 'utf8'));
  await bind.reload();
}

/** The first address of each range ("127.51.3.0/24" → "127.51.3.1"). */
const inside = (range: string) => range.replace(/\.0\/\d+$/, '.1').replace(/\/\d+$/, '');

describe('a typical estate over the limit', () => {
  it('plan --resolve refuses it and lists the remedies in order of safety, each with its count', async () => {
    const run = await cli(['plan', '--resolve', ...viaBind()]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.split('\n');
    const notice = (code: string) => lines.filter((l) => l.startsWith(`policies/mail.yaml:7:3: `) && l.includes(` ${code}: `)).map((l) => l.replace(/^.*? spf\.[a-z-]+: /, '').replace(/ \(example\.org\)$/, ''));
    expect(notice('spf.too-many-lookups')[0]).toMatch(/^14 DNS-querying terms, over the limit of 10: mx 1, a:relay-01\.example\.org 1, a:relay-02\.example\.org 1, include:_spf\.crm\.example\.com 2 \(1 \+ 1 inside\), include:mail\.tickets\.example\.com 4 \(1 \+ 3 inside\), include:spf\.mandrillapp\.com 2 \(1 \+ 1 inside\), include:spf\.protection\.outlook\.com 3 \(1 \+ 2 inside\)$/);
    const remedies = notice('spf.remedy');
    const mandrillSetting = 'Mailchimp / Mandrill\'s custom Return Path domain (Settings > Tracking & Return Path Domains)';
    expect(remedies.map((m) => m.replace(/ \(https:[^)]*\)/, ''))).toEqual([
      'remedy 1: drop include:_spf.crm.example.com: every range it passes is already listed by include:spf.protection.outlook.com; 12 lookups',
      expect.stringMatching(/^remedy 2: move include:mail\.tickets\.example\.com to its own envelope subdomain \(bounce\.example\.org with "v=spf1 include:mail\.tickets\.example\.com -all"\) through the service's "custom return-path" or "custom bounce domain" setting, if it has one; .*; 10 lookups \(within the limit\)$/),
      expect.stringMatching(/^remedy 3: move include:_spf\.crm\.example\.com to its own envelope subdomain .*; 12 lookups$/),
      expect.stringMatching(new RegExp(`^remedy 4: move include:spf\\.mandrillapp\\.com to its own envelope subdomain .* through ${mandrillSetting.replace(/[()/>]/g, '\\$&')}; .*; 12 lookups$`)),
      'remedy 5: publish the addresses of relay-01.example.org, relay-02.example.org (spf: { own_hosts: addresses }): read from the zone repo in the same plan; 12 lookups',
      'remedy 6: flatten include:mail.tickets.example.com (flatten: true): 3 ranges, refreshed by plan --resolve and watched by audit (spf.flatten-stale); 10 lookups (within the limit)',
      'remedy 7: flatten include:spf.protection.outlook.com (flatten: true): 3 ranges, refreshed by plan --resolve and watched by audit (spf.flatten-stale); 11 lookups',
      'remedy 8: flatten include:_spf.crm.example.com (flatten: true): 2 ranges, refreshed by plan --resolve and watched by audit (spf.flatten-stale); 12 lookups',
      // 38 ranges need two chain links: flattening this one alone saves nothing, and the count says so.
      'remedy 9: flatten include:spf.mandrillapp.com (flatten: true): 38 ranges in a chain of 2 links, refreshed by plan --resolve and watched by audit (spf.flatten-stale); 14 lookups',
    ]);
    // The office suite carries people's own mail: never advised onto an envelope subdomain.
    expect(remedies.some((m) => m.includes('move include:spf.protection.outlook.com'))).toBe(false);
    expect(remedies[3]).toContain('https://mandrill.zendesk.com/');
  });
});
