// mailrec audit end to end: a real BIND serves a clean zone and one zone per planted defect;
// the CLI audits them live, through the zones' own servers, and offline from the same zone
// texts as files. A resolver that never answers gives "unknown", never "missing".

import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/base/finding.js';
import type { DomainJson } from '../../src/audit/summary.js';
import { startBind, type BindServer } from '../helpers/bind.js';
import { copyExample, REPO_ROOT, runCli } from '../helpers/cli.js';
import { bindZones, CNAME_FIXTURE, FIXTURES, PARENT_ZONE, renderSpec, zoneFileText } from './fixtures-bind.js';

interface AuditDoc {
  schema: string;
  domains: DomainJson[];
  summary: { passed: boolean; failures: string[] };
}

const DOMAINS = FIXTURES.map((f) => f.domain);
let bind: BindServer;
let cwd: string;
let live: AuditDoc;
let liveMs: number;

async function auditJson(args: string[], domains: string[] = DOMAINS): Promise<AuditDoc> {
  const run = await runCli(['audit', '--no-probe', '--format', 'json', '--selector', 'sel1', ...args, ...domains], { cwd });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as AuditDoc;
}

const byDomain = (doc: AuditDoc, domain: string): DomainJson => doc.domains.find((d) => d.domain === domain)!;
const brief = (findings: Finding[]): string[] => findings.map((f) => `${f.code} ${f.severity}`);
/** The questions behind a finding, in name order: concurrent lookups answer in any order. */
const settled = (findings: Finding[]): Finding[] =>
  findings.map((f) => ({ ...f, evidence: { ...f.evidence, asked: [...f.evidence.asked].sort((a, b) => (`${a.name} ${a.type}` < `${b.name} ${b.type}` ? -1 : 1)) } }));
const codesOf = (findings: Finding[]): string[] => [...new Set(findings.map((f) => f.code))].sort();

/** The fixture scores computed by hand in docs/score.md ("The test fixtures"). */
function handScores(): Map<string, number> {
  const text = readFileSync(join(REPO_ROOT, 'docs/score.md'), 'utf8');
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^\| `([a-z0-9-]+\.test)` \|.*\| \*\*(\d+)\*\* \|$/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

beforeAll(async () => {
  bind = await startBind({ zones: bindZones() });
  cwd = mkdtempSync(join(tmpdir(), 'mailrec-audit-'));
  const t0 = performance.now();
  live = await auditJson(['--resolver', `127.0.0.1:${bind.port}`]);
  liveMs = performance.now() - t0;
});

afterAll(async () => {
  await bind?.stop();
});

describe('mailrec audit against BIND: one zone per planted defect', () => {
  it.each(FIXTURES.map((f) => [f.domain, f.defect, f.findings] as const))('%s (%s)', (domain, _defect, want) => {
    const report = byDomain(live, domain);
    expect(brief(report.findings)).toEqual(want);
    // The run asked the server: nothing unknown, every category decided.
    expect(report.unknownCategories).toEqual([]);
  });

  it('scores the clean zone 100 with no error or warning and nothing to fix', () => {
    const clean = byDomain(live, 'clean.test');
    expect(clean.score).toBe(100);
    expect(clean.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(clean.pathTo100).toEqual([]);
    expect(clean.spf).toMatchObject({ lookups: 1, voids: 0 });
  });

  it('counts the SPF cases other tools get wrong', () => {
    expect(byDomain(live, 'spf-a.test').spf).toMatchObject({ lookups: 11 });
    expect(byDomain(live, 'spf-mx.test').spf).toMatchObject({ lookups: 11 });
    expect(byDomain(live, 'spf-tree.test').spf).toMatchObject({ lookups: 13 });
    expect(byDomain(live, 'spf-void.test').spf).toMatchObject({ voids: 3 });
    const mx = byDomain(live, 'spf-mxhosts.test').findings.find((f) => f.code === 'spf.mx-too-many-hosts')!;
    expect(mx.message).toContain('11 MX hosts');
  });

  it('gives every fixture the score computed by hand in docs/score.md', () => {
    const hand = handScores();
    expect([...hand.keys()].sort()).toEqual([...DOMAINS, CNAME_FIXTURE.domain].sort());
    for (const d of live.domains) expect({ domain: d.domain, score: d.score }).toEqual({ domain: d.domain, score: hand.get(d.domain) });
  });

  it('runs the domains concurrently over one cache', () => {
    // 18 domains, each some 40 questions, against a local server.
    expect(liveMs).toBeLessThan(10_000);
  });
});

describe('the same findings from other sources', () => {
  it('--zones: the zone texts as files give the same findings offline', async () => {
    const repo = join(cwd, 'zones');
    mkdirSync(repo, { recursive: true });
    for (const zone of bindZones([...FIXTURES, CNAME_FIXTURE])) writeFileSync(join(repo, `${zone.name}.zone`), zoneFileText(zone));
    const offline = await auditJson(['--zones', 'zones'], [...DOMAINS, CNAME_FIXTURE.domain]);
    for (const domain of DOMAINS) {
      expect({ domain, findings: settled(byDomain(offline, domain).findings), score: byDomain(offline, domain).score }).toEqual({
        domain,
        findings: settled(byDomain(live, domain).findings),
        score: byDomain(live, domain).score,
      });
    }
    // BIND refuses to load a CNAME beside other data; the zone files can still hold one.
    const cname = byDomain(offline, CNAME_FIXTURE.domain);
    expect(brief(cname.findings)).toEqual(CNAME_FIXTURE.findings);
    expect(cname.score).toBe(handScores().get(CNAME_FIXTURE.domain));
    expect(renderSpec(CNAME_FIXTURE.spec)).toContain('CNAME');
  });

  it('--zones: names outside the repo are unknown, not missing', async () => {
    const offline = await auditJson(['--zones', 'zones'], ['outside.example']);
    const report = byDomain(offline, 'outside.example');
    expect(codesOf(report.findings)).toEqual(['dkim.unknown', 'dmarc.unknown', 'mx.unknown', 'spf.unknown', 'transport.unknown']);
    expect(report.score).toBeNull();
  });

  it("--authoritative: the zones' own servers, asked without recursion, give the same findings", async () => {
    const auth = await auditJson(['--authoritative', '--resolver', `127.0.0.1:${bind.port}`, '--authoritative-port', String(bind.port)]);
    for (const domain of DOMAINS) expect({ domain, findings: settled(byDomain(auth, domain).findings) }).toEqual({ domain, findings: settled(byDomain(live, domain).findings) });
  });
});

describe('a resolver that never answers', () => {
  let silent: Socket;
  let port: number;
  beforeAll(async () => {
    // Bound and read, never answered: every query times out.
    silent = createSocket('udp4');
    silent.on('message', () => {});
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()));
    port = silent.address().port;
  });
  afterAll(() => silent.close());

  it('yields unknown categories and no score, never a missing record', async () => {
    const t0 = performance.now();
    const doc = await auditJson(['--resolver', `127.0.0.1:${port}`, '--timeout', '100'], ['clean.test']);
    const report = doc.domains[0]!;
    expect(report.findings.every((f) => f.code.endsWith('.unknown'))).toBe(true);
    expect(codesOf(report.findings)).toEqual(['dkim.unknown', 'dmarc.unknown', 'mx.unknown', 'spf.unknown', 'transport.unknown']);
    expect(report.unknownCategories.sort()).toEqual(['dkim', 'dmarc', 'mx', 'spf', 'transport']);
    expect(report.score).toBeNull();
    expect(performance.now() - t0).toBeLessThan(15_000);
  });

  it('--fail-under fails a domain that could not be scored', async () => {
    const run = await runCli(['audit', '--resolver', `127.0.0.1:${port}`, '--timeout', '100', '--fail-under', '50', 'clean.test'], { cwd });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('failed: clean.test has no score');
  });
});

describe('exit codes', () => {
  const audit = (...args: string[]) => runCli(['audit', '--no-probe', '--resolver', `127.0.0.1:${bind.port}`, '--selector', 'sel1', ...args], { cwd });

  it.each([
    [['--fail-under', '100', 'clean.test'], 0],
    [['--fail-under', '85', 'spf-a.test'], 0],
    [['--fail-under', '86', 'spf-a.test'], 2],
    [['--fail-on', 'error', 'dmarc-none.test'], 0],
    [['--fail-on', 'warning', 'dmarc-none.test'], 2],
    [['--fail-on', 'error', 'dkim-missing.test'], 2],
    [['--fail-on', 'warning', 'clean.test'], 0],
    [['dkim-missing.test'], 0],
    [['--no-probe', '--fail-under', '100', 'clean.test'], 0],
    [['--fail-on', 'critical', 'clean.test'], 1],
    [['--fail-under', '101', 'clean.test'], 1],
    [['--zones', 'zones', 'clean.test'], 1],
    [['--format', 'yaml', 'clean.test'], 1],
    [['--domains-file', 'missing.txt'], 1],
  ] as const)('%j -> %i', async (args, code) => {
    const run = await audit(...args);
    expect(run.code, run.stderr).toBe(code);
    if (code === 1) expect(run.stderr).toMatch(/^error: /);
  });

  it('names an unknown --fail-on severity and the two it takes', async () => {
    const run = await audit('--fail-on', 'critical', 'clean.test');
    expect(run.stderr).toMatch(/^error: --fail-on: unknown severity 'critical'\nhint: use --fail-on error or --fail-on warning\n$/);
  });

  it('says why it failed, on stdout in text and on stderr for machine formats', async () => {
    const text = await audit('--fail-under', '90', 'spf-a.test', 'clean.test');
    expect(text.stdout).toContain('failed: spf-a.test scores 85, under 90');
    const sarif = await audit('--fail-on', 'error', '--format', 'sarif', 'dkim-missing.test');
    expect(sarif.code).toBe(2);
    expect(sarif.stderr).toBe('failed: dkim-missing.test has 1 finding at --fail-on error (dkim.missing)\n');
    expect(JSON.parse(sarif.stdout).runs[0].results).toHaveLength(1);
  });

  it('reads --domains-file: one domain a line, # comments', async () => {
    writeFileSync(join(cwd, 'domains.txt'), '# the estate\nclean.test\n\n  spf-all.test   # +all\nclean.test\n');
    const run = await audit('--domains-file', 'domains.txt', '--format', 'json');
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as AuditDoc).domains.map((d) => [d.domain, d.score])).toEqual([['clean.test', 100], ['spf-all.test', 75]]);
  });
});

describe('mailrec spf check', () => {
  const check = (...args: string[]) => runCli(['spf', 'check', ...args, '--resolver', `127.0.0.1:${bind.port}`], { cwd });

  it('shows the result, the lookup tree and the counts', async () => {
    const run = await check('spf-tree.test', '--ip', '127.0.0.43', '--helo', 'mail.example');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('result: pass');
    expect(run.stdout).toContain('include:s2.spf-tree.test');
    // Evaluation stops at the first match: exists:e1 matches every address.
    expect(run.stdout).toMatch(/include:s1\.spf-tree\.test\s+1\s+matched, \+2 inside/);
    expect(run.stdout).toMatch(/exists:e1\.spf-tree\.test\s+1\s+matched/);
    expect(run.stdout).toContain('lookups: 3 of 10; void lookups: 0 of 2');
  });

  it('stops at the 11th DNS-querying term with permerror, as a receiver does', async () => {
    const run = await check('spf-a.test', '--ip', '192.0.2.1', '--format', 'json');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ schema: 'mailrec-spf-check/1', result: 'permerror', domain: 'spf-a.test', sender: 'postmaster@spf-a.test', counts: { lookups: 11 } });
  });

  it('fails and softfails, and refuses a sender at another domain', async () => {
    expect((await check('clean.test', '--ip', '192.0.2.1', '--sender', 'alice')).stdout).toContain('check_host(192.0.2.1, clean.test, alice@clean.test)');
    expect((await check('clean.test', '--ip', '192.0.2.1')).stdout).toContain('result: fail');
    const other = await check('clean.test', '--ip', '192.0.2.1', '--sender', 'bob@example.net');
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('--sender bob@example.net is not at clean.test');
    expect((await check('clean.test', '--ip', 'not-an-ip')).code).toBe(1);
  });
});

describe('drift: the bundled example against what BIND serves', () => {
  let server: BindServer;
  let repo: string;

  /** A zone file with its fragment's $INCLUDE replaced by the fragment (BIND reads one file per zone here). */
  function flatten(zone: string): string {
    const text = readFileSync(join(repo, 'zones', `${zone}.zone`), 'utf8');
    return text.replace(/^\$INCLUDE (\S+).*$/m, (_line, file: string) => readFileSync(join(repo, 'zones', file), 'utf8'));
  }

  beforeAll(async () => {
    repo = copyExample();
    expect((await runCli(['apply'], { cwd: repo })).code).toBe(0);
    const org = flatten('example.org')
      // changed: the SPF record loses a:relay-01
      .replace('"v=spf1 a mx a:relay-01.example.org a:submit-01.example.org ~all"', '"v=spf1 a mx a:submit-01.example.org ~all"')
      // missing: the DMARC record
      .split('\n')
      .filter((line) => !line.startsWith('_dmarc.example.org.'))
      .join('\n')
      // unexpected: an SRV record at a name mailrec claims, which the policy does not declare
      .concat('\n_imap._tcp.example.org. 3600 IN SRV 0 1 143 imap.example.org.\n');
    // Reverse DNS for submit-01 (127.0.0.26) only: forward-confirmed; the other senders have none.
    const reverse = ['@ SOA ns1.example.org. hostmaster.example.org. 1 3600 600 86400 300', '@ NS ns1.example.org.', '26 PTR submit-01.example.org.'].join('\n');
    server = await startBind({
      zones: [
        { name: 'example.org', text: org },
        { name: 'example.net', text: flatten('example.net') },
        { name: '0.0.127.in-addr.arpa', text: reverse },
      ],
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('finds exactly the changed, missing and unexpected records, and the foreign TXT as foreign', async () => {
    const run = await runCli(['audit', '--no-probe', '--resolver', `127.0.0.1:${server.port}`, '--format', 'json'], { cwd: repo });
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as AuditDoc;
    const drift = doc.domains.flatMap((d) => d.findings.filter((f) => f.category === 'drift').map((f) => `${d.domain}: ${f.code} ${f.name} ${f.severity}`));
    expect(drift).toEqual([
      'example.org: drift.changed example.org error',
      'example.org: drift.missing _dmarc.example.org error',
      'example.org: drift.unexpected _imap._tcp.example.org warning',
      'example.org: drift.foreign example.org info',
    ]);
    const org = byDomain(doc, 'example.org');
    const changed = org.findings.find((f) => f.code === 'drift.changed')!;
    expect(changed.evidence.before).toEqual(['3600 TXT "v=spf1 a mx a:submit-01.example.org ~all"']);
    expect(changed.evidence.after).toEqual(['3600 TXT "v=spf1 a mx a:relay-01.example.org a:submit-01.example.org ~all"']);
    expect(org.findings.find((f) => f.code === 'drift.unexpected')!.evidence.before).toEqual(['3600 SRV 0 1 143 imap.example.org.']);
    expect(doc.domains.every((d) => d.drift === 'checked')).toBe(true);
    // Forward-confirmed reverse DNS of the declared senders (RFC 1912 §2.1).
    const fcrdns = doc.domains.flatMap((d) => d.findings.filter((f) => f.code.startsWith('mx.fcrdns')).map((f) => `${d.domain}: ${f.code} ${f.name}`));
    expect(fcrdns).toEqual([
      'crm.example.org: mx.fcrdns-missing 30.0.0.127.in-addr.arpa',
      'example.org: mx.fcrdns-missing 27.0.0.127.in-addr.arpa',
      'lists.example.org: mx.fcrdns-missing 29.0.0.127.in-addr.arpa',
    ]);
  });

  it('--jobs 2 streams byte for byte what --jobs 1 streams: drift, notes, a domain outside the policy, the summary', async () => {
    // Each worker renders its domains' lines and summaries (audit/parallel.ts): the drift
    // notes and the policy come from the main thread with each domain.
    const args = ['audit', '--no-probe', '--resolver', `127.0.0.1:${server.port}`, '--format', 'ndjson', '--fail-under', '90', '--fail-on', 'error'];
    const domains = ['example.org', 'outside.example', 'crm.example.org', 'example.net', 'lists.example.org'];
    const one = await runCli([...args, '--jobs', '1', ...domains], { cwd: repo });
    const two = await runCli([...args, '--jobs', '2', ...domains], { cwd: repo });
    expect(one.code, one.stderr).toBe(2);
    expect(two.code, two.stderr).toBe(2);
    const lines = one.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; domain?: string; notes?: string[]; drift?: string; failures?: string[] });
    expect(lines.map((l) => l.domain ?? l.type)).toEqual([...domains, 'summary']);
    expect(lines[1]!.notes).toContain('drift not checked: the domain is not in the policy');
    expect(lines[0]!.drift).toBe('checked');
    expect(lines.at(-1)!.failures!.length).toBeGreaterThan(1);
    expect(two.stdout).toBe(one.stdout);
    expect(two.stderr).toBe(one.stderr);
  });

  it('fails --fail-on error on drift, and SARIF points at the policy lines that declared the records', async () => {
    const run = await runCli(['audit', '--no-probe', '--resolver', `127.0.0.1:${server.port}`, '--format', 'sarif', '--fail-on', 'error', 'example.org'], { cwd: repo });
    expect(run.code).toBe(2);
    const results = JSON.parse(run.stdout).runs[0].results as { ruleId: string; locations: { physicalLocation?: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[];
    const at = (code: string) => results.find((r) => r.ruleId === code)!.locations[0]!.physicalLocation!;
    const policy = readFileSync(join(repo, 'policies/mail.yaml'), 'utf8').split('\n');
    expect(at('drift.missing').artifactLocation.uri).toBe('policies/mail.yaml');
    expect(policy[at('drift.missing').region.startLine - 1]).toMatch(/^\s+dmarc:/);
    expect(policy[at('drift.changed').region.startLine - 1]).toMatch(/^\s+example\.org:/);
    expect(policy[at('tlsa.no-dnssec').region.startLine - 1]).toMatch(/port: 25, host: mx-01/);
  });
});

describe('--authoritative on a signed zone', () => {
  let signed: BindServer;
  beforeAll(async () => {
    const spec = { ...FIXTURES.find((f) => f.domain === 'tlsa-nodnssec.test')!.spec };
    // The signed zone first: startBind waits until the first zone answers with RRSIGs.
    signed = await startBind({ zones: [{ name: 'dane.test', text: renderSpec(spec).replaceAll('tlsa-nodnssec.test', 'dane.test') }, PARENT_ZONE], dnssec: true });
  });
  afterAll(async () => {
    await signed?.stop();
  });

  it('takes an RRSIG over the TLSA RRset as DNSSEC (RFC 7672 §2.2); a recursive answer without AD is not', async () => {
    const common = ['audit', '--no-probe', '--format', 'json', '--selector', 'sel1', '--resolver', `127.0.0.1:${signed.port}`];
    const auth = JSON.parse((await runCli([...common, '--authoritative', '--authoritative-port', String(signed.port), 'dane.test'], { cwd })).stdout) as AuditDoc;
    expect(brief(auth.domains[0]!.findings)).toEqual(['tlsa.no-rollover info']);
    expect(auth.domains[0]!.score).toBe(100);
    const plain = JSON.parse((await runCli([...common, 'dane.test'], { cwd })).stdout) as AuditDoc;
    expect(brief(plain.domains[0]!.findings)).toEqual(['tlsa.no-dnssec warning', 'tlsa.no-rollover info']);
  });
});
