// SPF over the 10-lookup limit, end to end against a real BIND serving the providers'
// trees: plan --resolve lists the remedies with their counts; the chosen ones (a covered
// include dropped, own hosts by address, a newsletter service flattened) give a record
// set under the limit whose chain named-checkzone loads and that mailrec's spf check and
// mailauth's SPF agree passes for every sender's address; a provider changing a range is
// caught by the next audit and refreshed by the next plan --resolve.

import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spf as mailauthSpf } from 'mailauth/lib/spf/index.js';
import { createDnsClient } from '../../../src/dns/client.js';
import type { Resolver } from '../../../src/dns/resolver.js';
import { checkZone } from '../../helpers/bind-tools.js';
import { startBind, type BindServer } from '../../helpers/bind.js';
import { REPO_ROOT, runCli } from '../../helpers/cli.js';
import { parse as parseYaml } from 'yaml';
import { startGitlabApi } from '../../helpers/gitlab-api.js';

let bind: BindServer;
let work: string;
let repo: string;

/** The newsletter service's second record: many ranges, so that flattening it needs a chain. */
const NEWS_RANGES = Array.from({ length: 50 }, (_, i) => `127.51.${i}.0/24`);
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

/** The policy's head: the estate's zone, with its zone file so that plan reads the hosts' addresses. */
const HEAD = `version: 1
zones:
  example.org:
    fragment: zones/example.org.mail.zone
    zone_file: zones/example.org.zone
domains:
  example.org:
    senders:
`;

const POLICY = (senders: string, spf = '{ all: softfail }') => `${HEAD}${senders}
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
      // A zone updated by RFC 2136: own hosts there are read from its primary.
      { name: 'hosts.example.net', text: [...SOA, 'relay IN A 127.0.20.1', 'relay IN AAAA ::1'].join('\n'), dynamic: true },
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
  // MX answers are objects, which mailauth's type for the resolver leaves out.
  return async (name: string, type: string): Promise<string[]> => {
    const answer = await resolver.resolve(name.replace(/\.$/, ''), type as 'TXT');
    if (answer.status === 'nxdomain') throw Object.assign(new Error(`${name}: NXDOMAIN`), { code: 'ENOTFOUND' });
    if (answer.status === 'error') throw Object.assign(new Error(`${name}: ${answer.reason}`), { code: 'ESERVFAIL' });
    const records = answer.status === 'ok' ? answer.records.filter((r) => r.type === type) : [];
    if (records.length === 0) throw Object.assign(new Error(`${name}: no ${type}`), { code: 'ENODATA' });
    return records.map((r) => (r.type === 'TXT' ? r.strings : r.type === 'A' || r.type === 'AAAA' ? r.address : r.type === 'MX' ? { exchange: r.exchange, priority: r.preference } : null)) as unknown as string[];
  };
}

/** Serve the repo's fragment as example.org's mail records. */
async function publish(): Promise<void> {
  const fragment = readFileSync(join(repo, 'zones/example.org.mail.zone'), 'utf8');
  writeFileSync(join(work, 'served.zone'), fragment);
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
      // 52 ranges need two chain links: flattening this one alone saves nothing, and the count says so.
      'remedy 9: flatten include:spf.mandrillapp.com (flatten: true): 52 ranges in a chain of 2 links, refreshed by plan --resolve and watched by audit (spf.flatten-stale); 14 lookups',
    ]);
    // The office suite carries people's own mail: never advised onto an envelope subdomain.
    expect(remedies.some((m) => m.includes('move include:spf.protection.outlook.com'))).toBe(false);
    expect(remedies[3]).toContain('https://mandrill.zendesk.com/');
  });
});

/** The chosen remedies: the CRM dropped (the suite covers it), own hosts by address, the newsletter flattened, the ticketing system on its own envelope subdomain. */
const CHOSEN_POLICY = `${HEAD}      - mx
      - host: relay-01.example.org
      - host: relay-02.example.org
      - include: spf.protection.outlook.com
      - include: spf.mandrillapp.com
        flatten: true
    spf: { all: softfail, own_hosts: addresses }
    mx:
      - { host: mx-01.example.org, preference: 10 }
  bounce.example.org:
    senders:
      - include: mail.tickets.example.com
`;

interface PlanJson {
  changes: Array<{ action: string; name: string; type: string; after: Array<{ strings?: string[] }>; before: Array<{ strings?: string[] }>; risks: Array<{ level: string; message: string }> }>;
  notices: Array<{ code: string; severity: string; message: string }>;
}

async function planJson(...args: string[]): Promise<{ code: number; plan: PlanJson; stderr: string }> {
  const run = await cli(['plan', '--format', 'json', ...args]);
  return { code: run.code, plan: run.stdout === '' ? { changes: [], notices: [] } : (JSON.parse(run.stdout) as PlanJson), stderr: run.stderr };
}

/** plan --resolve saved and applied as it is. */
async function resolveAndApply(): Promise<PlanJson> {
  const run = await cli(['plan', '--resolve', '--format', 'json', ...viaBind()]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  writeFileSync(join(work, 'plan.json'), run.stdout);
  const applied = await cli(['apply', '--plan-file', join(work, 'plan.json')]);
  expect(applied.stderr).toBe('');
  expect(applied.code).toBe(0);
  return JSON.parse(run.stdout) as PlanJson;
}

const SUITE = ['127.40.0.1', '127.40.255.254', '127.41.0.1', '2001:db8:40::1'];
const CRM = ['127.40.5.1', '127.41.9.9'];
const OWN = ['127.0.10.1', '127.0.10.2', '127.0.10.3', '::1'];
const NEWS = (ranges: readonly string[]) => ['127.50.0.1', '127.50.1.200', ...ranges.map(inside)];
const TICKETS = ['127.60.0.1', '127.60.0.2', '127.61.0.1'];
const OUTSIDE = ['127.99.0.1', '127.52.3.1', '2001:db8:41::1'];

async function verdicts(domain: string, ips: readonly string[]): Promise<Array<[string, string, string]>> {
  const out: Array<[string, string, string]> = [];
  for (const ip of ips) {
    const run = await cli(['spf', 'check', domain, '--ip', ip, '--format', 'json', ...viaBind()]);
    expect(run.code).toBe(0);
    const own = JSON.parse(run.stdout) as { result: string; counts: { lookups: number } };
    expect(own.counts.lookups).toBeLessThanOrEqual(10);
    const other = (await mailauthSpf({
      sender: `postmaster@${domain}`,
      ip,
      helo: 'mail.sender.test',
      mta: 'mx.receiver.test',
      resolver: mailauthResolver(createDnsClient({ servers: [{ host: '127.0.0.1', port: bind.port }] })),
    })) as { status: { result: string } };
    out.push([ip, own.result, other.status.result]);
  }
  return out;
}

describe('with the chosen remedies', () => {
  it('plan without --resolve cannot flatten yet: the fragment keeps no ranges', async () => {
    writeFileSync(join(repo, 'policies/mail.yaml'), CHOSEN_POLICY);
    const run = await cli(['plan']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error spf.flatten-uncached: include:spf.mandrillapp.com is to be flattened, but the fragment keeps no ranges for it yet: run mailrec plan --resolve (example.org)');
  });

  it('plan --resolve plans a record set under 10 lookups, split into a chain that named-checkzone loads', async () => {
    const plan = await resolveAndApply();
    expect(plan.notices.filter((n) => n.severity === 'error')).toEqual([]);
    expect(plan.notices.filter((n) => n.code === 'spf.flatten-refresh').map((n) => n.message)).toEqual(['include:spf.mandrillapp.com flattened into 52 ranges (the include cost 2 lookups)']);
    const fragment = readFileSync(join(repo, 'zones/example.org.mail.zone'), 'utf8');
    expect(fragment).toContain(`; mailrec-flatten: example.org include:spf.mandrillapp.com ip4:127.50.0.0/24 ip4:127.50.1.0/24 ${NEWS_RANGES.map((r) => `ip4:${r}`).join(' ')}\n`);
    const spf = plan.changes.filter((c) => c.type === 'TXT').map((c) => [c.action, c.name]);
    expect(spf).toEqual([
      ['create', 'example.org'],
      ['create', '_spf1.example.org'],
      ['create', '_spf2.example.org'],
      ['create', 'bounce.example.org'],
    ]);
    for (const change of plan.changes.filter((c) => c.type === 'TXT')) {
      const strings = change.after[0]!.strings!;
      // RFC 7208 §3.4: each record under 450 octets; RFC 1035 §3.3: each string at most 255.
      expect(strings.join('').length).toBeLessThanOrEqual(450);
      for (const s of strings) expect(s.length).toBeLessThan(256);
    }
    const root = plan.changes.find((c) => c.name === 'example.org' && c.type === 'TXT')!.after[0]!.strings!.join('');
    // The domain's own terms first, as many ranges as fit, its includes, the first link, the all term.
    const head = ['ip4:127.50.0.0/24', 'ip4:127.50.1.0/24', ...NEWS_RANGES.slice(0, 16).map((r) => `ip4:${r}`)].join(' ');
    expect(root).toBe(`v=spf1 mx ip4:127.0.10.2 ip4:127.0.10.3 ${head} include:spf.protection.outlook.com include:_spf1.example.org ~all`);
    const link = (name: string) => plan.changes.find((c) => c.name === name)!.after[0]!.strings!.join('');
    expect(link('_spf1.example.org')).toMatch(/^v=spf1 ip4:127\.51\.16\.0\/24 .* include:_spf2\.example\.org$/);
    expect(link('_spf2.example.org')).toMatch(/^v=spf1 ip4:127\.51\.\d+\.0\/24 .* ip4:127\.51\.49\.0\/24 ip6:::1$/);
    const checked = checkZone('example.org', join(repo, 'zones/example.org.zone'), { cwd: join(repo, 'zones'), flags: ['-k', 'fail'] });
    expect(checked.output).toMatch(/OK/);
    expect(checked.ok).toBe(true);
    // The fragment is the cache: a plan without --resolve has nothing to change.
    const again = await cli(['plan', '--detailed-exitcode']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    // export reads the same cache: the chain goes to a cloud provider too.
    const exported = await cli(['export', '--to', 'octodns', '--out', 'octodns']);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const yaml = readFileSync(join(repo, 'octodns', 'example.org.yaml'), 'utf8');
    expect(yaml).toContain('_spf2:');
    expect(yaml).toContain('ip4:127.51.49.0/24');
  });

  it("mailrec's spf check and mailauth agree: every sender's address passes, none outside does", async () => {
    await publish();
    const own = await verdicts('example.org', [...OWN, ...SUITE, ...CRM, ...NEWS(NEWS_RANGES)]);
    expect(own.filter(([, a, b]) => a !== 'pass' || b !== 'pass')).toEqual([]);
    expect(own).toHaveLength(4 + 4 + 2 + 52);
    const tickets = await verdicts('bounce.example.org', TICKETS);
    expect(tickets.filter(([, a, b]) => a !== 'pass' || b !== 'pass')).toEqual([]);
    expect(await verdicts('example.org', OUTSIDE)).toEqual(OUTSIDE.map((ip) => [ip, 'softfail', 'softfail']));
  });
});

describe('a provider changing a range', () => {
  const CHANGED = NEWS_RANGES.map((r) => (r === '127.51.3.0/24' ? '127.52.3.0/24' : r));

  it('is caught by the next audit as spf.flatten-stale, with the missing range', async () => {
    const audit = async () => {
      const run = await cli(['audit', '--no-probe', '--format', 'json', ...viaBind(), 'example.org']);
      expect(run.stderr).toBe('');
      return (JSON.parse(run.stdout) as { domains: Array<{ findings: Array<{ code: string; severity: string; message: string }> }> }).domains[0]!.findings;
    };
    expect((await audit()).filter((f) => f.code.startsWith('spf.') || f.code.startsWith('drift.'))).toEqual([]);
    writeFileSync(join(work, 'news.zone'), newsZone(CHANGED));
    await bind.reload();
    const stale = (await audit()).filter((f) => f.code === 'spf.flatten-stale');
    expect(stale).toEqual([
      expect.objectContaining({
        severity: 'error',
        message: 'include:spf.mandrillapp.com is published flattened, but now passes 1 range the SPF of example.org does not list: ip4:127.52.3.0/24; mail from there fails SPF (run mailrec plan --resolve, then apply)',
      }),
    ]);
    expect(await verdicts('example.org', ['127.52.3.1'])).toEqual([['127.52.3.1', 'softfail', 'softfail']]);
  });

  it('is refreshed by the next plan --resolve, shown as a change with its risk', async () => {
    const plan = await resolveAndApply();
    expect(plan.notices.filter((n) => n.code === 'spf.flatten-refresh').map((n) => n.message)).toEqual([
      'include:spf.mandrillapp.com changed its ranges: adds ip4:127.52.3.0/24; removes ip4:127.51.3.0/24 (mail from the removed ranges fails SPF once applied: apply only when the provider no longer sends from them)',
    ]);
    const risks = plan.changes.flatMap((c) => c.risks.map((r) => `${c.name} ${r.level}: ${r.message}`));
    expect(risks).toEqual([
      'example.org high: no longer authorizes ip4:127.51.3.0/24: mail from there fails SPF, and fails DMARC unless DKIM-signed',
      'example.org low: authorizes ip4:127.52.3.0/24 to send',
    ]);
    await publish();
    expect((await verdicts('example.org', ['127.52.3.1', ...NEWS(CHANGED)])).filter(([, a, b]) => a !== 'pass' || b !== 'pass')).toEqual([]);
    const run = await cli(['audit', '--no-probe', '--format', 'json', ...viaBind(), 'example.org']);
    const findings = (JSON.parse(run.stdout) as { domains: Array<{ findings: Array<{ code: string }> }> }).domains[0]!.findings;
    expect(findings.filter((f) => f.code.startsWith('spf.') || f.code.startsWith('drift.'))).toEqual([]);
  });
});

describe('own_hosts: addresses', () => {
  it('follows an A record change of the zone file in the same plan', async () => {
    writeFileSync(join(repo, 'zones/example.org.zone'), ESTATE_ZONE('127.0.10.4'));
    const { code, plan } = await planJson('--detailed-exitcode');
    expect(code).toBe(2);
    const change = plan.changes.find((c) => c.name === 'example.org' && c.type === 'TXT')!;
    expect(change.action).toBe('update');
    expect(change.risks.map((r) => r.message)).toEqual([
      'no longer authorizes ip4:127.0.10.3: mail from there fails SPF, and fails DMARC unless DKIM-signed',
      'authorizes ip4:127.0.10.4 to send',
    ]);
    writeFileSync(join(repo, 'zones/example.org.zone'), ESTATE_ZONE('127.0.10.3'));
    expect((await planJson('--detailed-exitcode')).code).toBe(0);
  });

  it('reads a host of an rfc2136 zone from its primary', async () => {
    const policy = CHOSEN_POLICY.replace('zones:\n', 'zones:\n  hosts.example.net: {}\n')
      .replace('      - host: relay-02.example.org\n', '      - host: relay-02.example.org\n      - host: relay.hosts.example.net\n')
      .concat(`targets:\n  - type: rfc2136\n    server: 127.0.0.1:${bind.port}\n    zones: [hosts.example.net]\n`);
    writeFileSync(join(repo, 'policies/mail.yaml'), policy);
    const { code, plan, stderr } = await planJson('--detailed-exitcode');
    expect(stderr).toBe('');
    expect(code).toBe(2);
    const change = plan.changes.find((c) => c.name === 'example.org' && c.type === 'TXT')!;
    expect(change.risks.map((r) => r.message)).toEqual(['authorizes ip4:127.0.20.1 to send']);
    writeFileSync(join(repo, 'policies/mail.yaml'), CHOSEN_POLICY);
  });

  it('refuses a host whose addresses mailrec cannot read, with the reason', async () => {
    writeFileSync(join(repo, 'policies/mail.yaml'), CHOSEN_POLICY.replace('      - host: relay-02.example.org\n', '      - host: relay-02.example.org\n      - host: relay.elsewhere.example.net\n      - host: gone.example.org\n'));
    const run = await cli(['plan']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error spf.own-host-unreadable: own_hosts: addresses: cannot publish the addresses of relay.elsewhere.example.net: relay.elsewhere.example.net is in none of the policy\'s zones, so mailrec cannot read its addresses (example.org)');
    expect(run.stderr).toContain('error spf.own-host-unreadable: own_hosts: addresses: cannot publish the addresses of gone.example.org: zones/example.org.zone (with zones/example.org.mail.zone) has no A or AAAA record for gone.example.org (example.org)');
    writeFileSync(join(repo, 'policies/mail.yaml'), CHOSEN_POLICY);
  });
});

describe('a provider whose record depends on the message', () => {
  it('is refused with each term that keeps it from a fixed address set', async () => {
    writeFileSync(join(repo, 'policies/mail.yaml'), CHOSEN_POLICY.replace('      - include: spf.mandrillapp.com\n', '      - include: spf.macro.example.com\n        flatten: true\n      - include: spf.mandrillapp.com\n'));
    const run = await cli(['plan', '--resolve', ...viaBind()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'error spf.flatten-refused: include:spf.macro.example.com cannot be flattened: "exists:%{i}._ip.macro.example.com" at spf.macro.example.com asks DNS per message (RFC 7208 §5.7); "ptr:macro.example.com" at spf.macro.example.com depends on the client\'s reverse DNS (RFC 7208 §5.5) (example.org)',
    );
    writeFileSync(join(repo, 'policies/mail.yaml'), CHOSEN_POLICY);
  });
});

describe('a flattened include in an rfc2136 zone', () => {
  it('has no fragment to keep its ranges: plan needs --resolve, which plans the chain as owned records', async () => {
    const policy = CHOSEN_POLICY.replace('zones:\n', 'zones:\n  hosts.example.net: {}\n')
      .concat(`  hosts.example.net:\n    senders:\n      - include: spf.mandrillapp.com\n        flatten: true\n`)
      .concat(`targets:\n  - type: rfc2136\n    server: 127.0.0.1:${bind.port}\n    zones: [hosts.example.net]\n`);
    writeFileSync(join(repo, 'policies/mail.yaml'), policy);
    const plain = await cli(['plan']);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain(
      'error spf.flatten-uncached: include:spf.mandrillapp.com is to be flattened, but no fragment of zone hosts.example.net was read (an rfc2136 zone has none; plan --live reads none), so nothing keeps its ranges between runs: run mailrec plan --resolve (hosts.example.net)',
    );
    const { code, plan, stderr } = await planJson('--resolve', '--detailed-exitcode', ...viaBind());
    expect(stderr).toBe('');
    expect(code).toBe(2);
    expect(plan.changes.filter((c) => c.name.endsWith('hosts.example.net')).map((c) => [c.action, c.name])).toEqual([
      ['create', 'hosts.example.net'],
      ['create', '_spf1.hosts.example.net'],
      ['create', '_spf2.hosts.example.net'],
    ]);
    writeFileSync(join(repo, 'policies/mail.yaml'), CHOSEN_POLICY);
  });

  it('turned off again: the chain links found on the primary are deleted with the record that named them', async () => {
    writeFileSync(join(repo, 'tsig.secret'), `${bind.key.secret}\n`, { mode: 0o600 });
    const key = `    key: { name: ${bind.key.name}, algorithm: ${bind.key.algorithm}, secret_file: tsig.secret }\n`;
    const target = `targets:\n  - type: rfc2136\n    server: 127.0.0.1:${bind.port}\n    zones: [hosts.example.net]\n${key}`;
    const withZone = CHOSEN_POLICY.replace('zones:\n', 'zones:\n  hosts.example.net: {}\n');
    const sender = (flatten: boolean) => `  hosts.example.net:\n    senders:\n      - include: spf.mandrillapp.com\n${flatten ? '        flatten: true\n' : ''}`;
    const txtAt = async (name: string) => {
      const answer = await createDnsClient({ servers: [{ host: '127.0.0.1', port: bind.port }] }).resolve(name, 'TXT');
      return answer.status === 'ok' ? answer.records.filter((r) => r.type === 'TXT').length : 0;
    };
    writeFileSync(join(repo, 'policies/mail.yaml'), withZone + sender(true) + target);
    const made = await cli(['plan', '--resolve', '--format', 'json', ...viaBind()]);
    expect(made.stderr).toBe('');
    writeFileSync(join(work, 'plan.json'), made.stdout);
    const applied = await cli(['apply', '--plan-file', join(work, 'plan.json')]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect([await txtAt('_spf1.hosts.example.net'), await txtAt('_spf2.hosts.example.net')]).toEqual([1, 1]);

    // The policy no longer flattens, so it claims no link: the primary's own chain says where they are.
    writeFileSync(join(repo, 'policies/mail.yaml'), withZone + sender(false) + target);
    const { code, plan, stderr } = await planJson('--detailed-exitcode');
    expect(stderr).toBe('');
    expect(code).toBe(2);
    expect(plan.changes.filter((c) => c.name.endsWith('hosts.example.net')).map((c) => [c.action, c.name])).toEqual([
      ['update', 'hosts.example.net'],
      ['delete', '_spf1.hosts.example.net'],
      ['delete', '_spf2.hosts.example.net'],
    ]);
    expect((await cli(['apply'])).code).toBe(0);
    expect([await txtAt('_spf1.hosts.example.net'), await txtAt('_spf2.hosts.example.net')]).toEqual([0, 0]);
    expect((await planJson('--detailed-exitcode')).code).toBe(0);
    writeFileSync(join(repo, 'policies/mail.yaml'), CHOSEN_POLICY);
  });
});

describe('unflattening', () => {
  it('removes the chain links and the fragment note when the include is published as it is again', async () => {
    writeFileSync(join(repo, 'policies/mail.yaml'), CHOSEN_POLICY.replace('      - include: spf.mandrillapp.com\n        flatten: true\n', '      - include: spf.mandrillapp.com\n'));
    const { code, plan } = await planJson('--detailed-exitcode');
    expect(code).toBe(2);
    expect(plan.changes.filter((c) => c.type === 'TXT').map((c) => [c.action, c.name, c.risks.length])).toEqual([
      ['update', 'example.org', 2],
      ['delete', '_spf1.example.org', 0],
      ['delete', '_spf2.example.org', 0],
    ]);
    // Judged over the whole chain: the ranges leave, the include that passes them comes back.
    expect(plan.changes[0]!.risks.map((r) => r.message)).toEqual([
      `no longer authorizes ${['ip4:127.50.0.0/24', 'ip4:127.50.1.0/24', ...NEWS_RANGES.filter((r) => r !== '127.51.3.0/24').map((r) => `ip4:${r}`), 'ip4:127.52.3.0/24'].join(', ')}: mail from there fails SPF, and fails DMARC unless DKIM-signed`,
      'authorizes include:spf.mandrillapp.com to send',
    ]);
    expect((await cli(['apply'])).code).toBe(0);
    expect(readFileSync(join(repo, 'zones/example.org.mail.zone'), 'utf8')).not.toContain('mailrec-flatten');
  });
});

describe('docs/ci.md: the scheduled refresh of flattened includes', () => {
  interface Step {
    run?: string;
    id?: string;
    if?: string;
  }
  const doc = readFileSync(join(REPO_ROOT, 'docs/ci.md'), 'utf8');
  const steps = (): Step[] => {
    const m = /```yaml recipe=github-flatten\n([\s\S]*?)\n```/.exec(doc);
    if (!m) throw new Error('docs/ci.md has no ```yaml recipe=github-flatten block');
    return (parseYaml(m[1]!) as { jobs: { refresh: { steps: Step[] } } }).jobs.refresh.steps;
  };
  /** The `mailrec ARGS [> FILE]` lines of a script; DNS questions go to the test BIND. */
  const calls = (script: string) =>
    script
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('mailrec '))
      .map((line) => {
        const words = line.split(/\s+/).slice(1);
        const out = words.indexOf('>');
        const args = out < 0 ? words : words.slice(0, out);
        return { args: args[0] === 'apply' || args.includes('--plan-file') ? args : [...args, ...viaBind()], file: out < 0 ? undefined : words[out + 1] };
      });

  it('finds a stale include, plans --resolve, applies that plan, and has the pull request body', async () => {
    for (const step of steps()) if (step.run) execFileSync('bash', ['-n'], { input: step.run.replace(/\$\{\{[^}]*\}\}/g, 'X') });
    writeFileSync(join(repo, 'policies/mail.yaml'), CHOSEN_POLICY);
    await resolveAndApply();
    await publish();
    // The provider changed 127.51.3.0/24 before (above); now 127.51.4.0/24 too.
    writeFileSync(join(work, 'news.zone'), newsZone(NEWS_RANGES.map((r) => (r === '127.51.3.0/24' ? '127.52.3.0/24' : r === '127.51.4.0/24' ? '127.53.4.0/24' : r))));
    await bind.reload();
    const output = join(work, 'github-output');
    writeFileSync(output, '');
    for (const step of steps()) {
      if (step.if && !readFileSync(output, 'utf8').includes('stale=yes')) continue;
      if (!step.run || step.run.includes('gh pr create')) continue;
      const list = calls(step.run);
      if (step.id === 'stale') {
        // The shell of the "stale?" step, as the runner runs it.
        execFileSync('bash', ['-e', '-c', step.run], { cwd: repo, env: { ...process.env, GITHUB_OUTPUT: output } });
        continue;
      }
      // npm install and the rest of the runner's setup are not the test's.
      for (const call of list) {
        const run = await cli(call.args);
        expect(run.code, `mailrec ${call.args.join(' ')}: ${run.stderr}`).toBe(0);
        if (call.file) writeFileSync(join(repo, call.file), run.stdout);
      }
    }
    expect(readFileSync(output, 'utf8')).toBe('stale=yes\n');
    const body = readFileSync(join(repo, 'plan.md'), 'utf8');
    // The body is the applied plan's own rendering, not a second resolution's.
    expect(body).toBe((await cli(['plan', '--plan-file', 'plan.json', '--format', 'markdown'])).stdout);
    expect(body).toContain('include:spf.mandrillapp.com changed its ranges: adds ip4:127.53.4.0/24; removes ip4:127.51.4.0/24');
    expect(readFileSync(join(repo, 'zones/example.org.mail.zone'), 'utf8')).toContain('ip4:127.53.4.0/24');
  });
});

describe('docs/ci.md: the same refresh as a scheduled GitLab job', () => {
  interface Job {
    variables: Record<string, string>;
    script: string[];
  }
  const job = (): Job => {
    const m = /```yaml recipe=gitlab-flatten\n([\s\S]*?)\n```/.exec(readFileSync(join(REPO_ROOT, 'docs/ci.md'), 'utf8'));
    if (!m) throw new Error('docs/ci.md has no ```yaml recipe=gitlab-flatten block');
    return (parseYaml(m[1]!) as Record<string, Job>)['mailrec-spf-refresh']!;
  };

  it('pushes the refresh branch and opens the merge request with the applied plan as its description', async () => {
    for (const tool of ['git', 'jq', 'curl']) expect(spawnSync(tool, ['--version']).status, `${tool} is needed (apt-get install ${tool})`).toBe(0);
    writeFileSync(join(repo, 'policies/mail.yaml'), CHOSEN_POLICY);
    await resolveAndApply();
    await publish();
    // The zone repo in git, its remote a bare repository on disk (the schedule's PUSH_URL).
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: repo, encoding: 'utf8' });
    const remote = join(work, 'remote.git');
    execFileSync('git', ['init', '--quiet', '--bare', remote]);
    git('init', '--quiet', '--initial-branch=main');
    git('add', '-A');
    git('commit', '--quiet', '-m', 'zone repo');
    git('push', '--quiet', remote, 'main');
    // `mailrec` on PATH: the built CLI, every DNS question to the test BIND.
    const bin = mkdtempSync(join(tmpdir(), 'mailrec-bin-'));
    writeFileSync(
      join(bin, 'mailrec'),
      `#!/bin/sh\ncase "$*" in apply*|*--plan-file*) exec "${process.execPath}" "${join(REPO_ROOT, 'bin/mailrec')}" "$@";; esac\nexec "${process.execPath}" "${join(REPO_ROOT, 'bin/mailrec')}" "$@" --resolver 127.0.0.1:${bind.port}\n`,
    );
    chmodSync(join(bin, 'mailrec'), 0o755);
    const api = await startGitlabApi('{"iid": 7}');
    const posts = api.requests;
    const env = {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
      PUSH_URL: remote,
      MAILREC_TOKEN: 'glpat-test',
      CI_DEFAULT_BRANCH: 'main',
      CI_PROJECT_ID: '42',
      CI_API_V4_URL: api.baseUrl,
    };
    /** The job's script as the runner runs it (bash, -e and pipefail), after the npm install. */
    const runJob = async () => {
      const script = job().script.filter((line) => !line.startsWith('npm install')).join('\n');
      return await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = execFile('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd: repo, env }, (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
        child.stdin?.end();
      });
    };
    try {
      expect(job().variables.PUSH_URL).toContain('${MAILREC_TOKEN}');
      const quiet = await runJob();
      expect(quiet.stderr).toBe('');
      expect([quiet.code, quiet.stdout.trim(), posts.length]).toEqual([0, 'no flattened include is stale', 0]);

      writeFileSync(join(work, 'news.zone'), newsZone(NEWS_RANGES.map((r) => (r === '127.51.3.0/24' ? '127.52.3.0/24' : r === '127.51.4.0/24' ? '127.54.4.0/24' : r))));
      await bind.reload();
      const run = await runJob();
      expect(run.code, run.stderr).toBe(0);
      const branch = `mailrec/spf-refresh-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
      const pushed = execFileSync('git', ['--git-dir', remote, 'show', `${branch}:zones/example.org.mail.zone`], { encoding: 'utf8' });
      expect(pushed).toContain('ip4:127.54.4.0/24');
      expect(pushed).not.toContain('ip4:127.53.4.0/24');
      expect(posts.map((p) => [p.url, p.token])).toEqual([['POST /api/v4/projects/42/merge_requests', 'glpat-test']]);
      const request = JSON.parse(posts[0]!.body) as Record<string, string>;
      expect(request).toEqual({
        source_branch: branch,
        target_branch: 'main',
        title: 'SPF: refresh flattened includes',
        description: readFileSync(join(repo, 'plan.md'), 'utf8'),
      });
      expect(request.description).toContain('include:spf.mandrillapp.com changed its ranges: adds ip4:127.54.4.0/24; removes ip4:127.53.4.0/24');
    } finally {
      await api.close();
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
