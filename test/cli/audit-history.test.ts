// audit --compare / --history on the bundled example, offline (--zones): the comparison in
// every format and through `audit merge`; the flags' usage errors; hostile inputs to
// --compare and in the history directory (a FIFO, a huge file, garbage gzip, not an audit)
// refused in one line and bounded time; a failing notify command is a warning, not a crash.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAuditOutput } from '../../src/audit/merge.js';
import type { RunComparison } from '../../src/audit/history/compare.js';
import { copyExample, expectOneLineError, runCli } from '../helpers/cli.js';

let repo: string;
const DOMAINS = ['example.org', 'example.net'];

const audit = (...args: string[]) => runCli(['audit', '--zones', 'zones', ...args], { cwd: repo });
const comparisonOf = (stdout: string): RunComparison => (JSON.parse(stdout) as { comparison: RunComparison }).comparison;

beforeAll(async () => {
  repo = copyExample();
  expect((await runCli(['apply'], { cwd: repo })).code).toBe(0);
  const before = await audit('--format', 'json', ...DOMAINS);
  expect(before.code).toBe(0);
  writeFileSync(join(repo, 'before.json'), before.stdout);
  // Between the runs: example.org's DMARC record removed from its fragment.
  const fragment = join(repo, 'zones/example.org.mail.zone');
  writeFileSync(fragment, readFileSync(fragment, 'utf8').replace(/^_dmarc\.example\.org\..*\n/m, ''));
});

describe('the comparison in every format', () => {
  it('json: the new error, the drift, the record gone', async () => {
    const run = await audit('--format', 'json', '--compare', 'before.json', ...DOMAINS);
    expect(run.code).toBe(0);
    const c = comparisonOf(run.stdout);
    // Offline, the DMARC tree walk cannot ask _dmarc.org, outside the repo: an info, new too.
    expect(c.new.map((f) => `${f.code} ${f.name}`)).toEqual(['dmarc.missing _dmarc.example.org', 'dmarc.walk-unknown _dmarc.org', 'drift.missing _dmarc.example.org']);
    expect(c.resolved.map((f) => f.code)).toEqual(['dmarc.not-enforcing']);
    expect(c.records).toEqual([
      { domain: 'example.org', name: '_dmarc.example.org', type: 'TXT', before: { status: 'ok', data: ['"v=DMARC1; p=none; sp=none; rua=mailto:dmarc-reports@example.org"'] }, after: { status: 'nxdomain' } },
    ]);
  });

  it('ndjson: a comparison line just before the summary line, read back by audit merge', async () => {
    const run = await audit('--format', 'ndjson', '--compare', 'before.json', '--fail-on-new', 'error', ...DOMAINS);
    expect(run.code).toBe(2);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(lines.map((l) => l.type)).toEqual(['domain', 'domain', 'comparison', 'summary']);
    expect(lines[3]).toMatchObject({ failOnNew: 'error', passed: false, failures: ['example.org has 2 new errors since the previous run (dmarc.missing, drift.missing)'] });
    const parsed = parseAuditOutput(run.stdout, 'x.ndjson');
    expect(parsed.ok && parsed.part.comparison?.counts.new.error).toBe(2);
  });

  it('sarif: baselineState new for the new findings, unchanged for the rest; resolved in the run properties', async () => {
    const run = await audit('--format', 'sarif', '--compare', 'before.json', ...DOMAINS);
    const sarif = JSON.parse(run.stdout) as { runs: { results: { ruleId: string; baselineState: string }[]; properties: { comparison: { resolved: { code: string }[] } } }[] };
    const results = sarif.runs[0]!.results;
    expect(results.filter((r) => r.baselineState === 'new').map((r) => r.ruleId)).toEqual(['dmarc.missing', 'dmarc.walk-unknown', 'drift.missing']);
    expect(results.filter((r) => r.baselineState !== 'new').every((r) => r.baselineState === 'unchanged')).toBe(true);
    expect(sarif.runs[0]!.properties.comparison.resolved.map((r) => r.code)).toEqual(['dmarc.not-enforcing']);
  });

  it('junit: a "since the previous run" suite whose new errors fail under --fail-on-new error', async () => {
    const run = await audit('--format', 'junit', '--compare', 'before.json', '--fail-on-new', 'error', ...DOMAINS);
    expect(run.code).toBe(2);
    new SaxesParser().write(run.stdout).close();
    const suite = run.stdout.slice(run.stdout.indexOf('<testsuite name="since the previous run"'));
    expect(suite).toMatch(/^<testsuite name="since the previous run" tests="6" failures="2"/);
    expect(suite).toContain('name="new dmarc.missing at _dmarc.example.org"');
    expect(suite).toContain('name="resolved dmarc.not-enforcing at _dmarc.example.org"');
    expect(suite).toContain('name="record _dmarc.example.org TXT"');
  });

  it('markdown and text: the section with its headline', async () => {
    const md = await audit('--format', 'markdown', '--compare', 'before.json', ...DOMAINS);
    expect(md.stdout).toContain('#### Since the previous run (before.json, 2 domains)\n\n3 new (2 errors, 1 info), 1 resolved (1 warning), ');
    expect(md.stdout).toContain('| example.org | `_dmarc.example.org TXT` | `"v=DMARC1; p=none; sp=none; rua=mailto:dmarc-reports@example.org"` | `(the name does not exist: NXDOMAIN)` |');
    const text = await audit('--compare', 'before.json', ...DOMAINS);
    expect(text.stdout).toMatch(/^since the previous run \(before\.json, 2 domains\): 3 new \(2 errors, 1 info\), 1 resolved \(1 warning\), \d+ still open, 1 score changed, 1 record changed in DNS$/m);
  });

  it('ndjson with --history: the stream is stored as it goes, and the next run compares with it', async () => {
    const first = await runCli(['audit', '--zones', 'zones', '--format', 'ndjson', '--history', 'ndjson-history', ...DOMAINS], { cwd: repo, env: { MAILREC_NOW: '2026-12-01T00:00:00Z' } });
    expect(first.code).toBe(0);
    const second = await runCli(['audit', '--zones', 'zones', '--format', 'ndjson', '--history', 'ndjson-history', ...DOMAINS], { cwd: repo, env: { MAILREC_NOW: '2026-12-02T00:00:00Z' } });
    const parsed = parseAuditOutput(second.stdout, 'second.ndjson');
    expect(parsed.ok && parsed.part.comparison?.previous).toEqual({ file: 'audit-20261201T000000Z.json.gz', domains: 2 });
    expect(parsed.ok && parsed.part.comparison?.new).toEqual([]);
  });

  it('audit merge joins the shards\' comparisons into the one of the whole run, or compares itself', async () => {
    const whole = comparisonOf((await audit('--format', 'json', '--compare', 'before.json', ...DOMAINS)).stdout);
    for (const k of [1, 2]) {
      const shard = await audit('--format', 'json', '--shard', `${k}/2`, '--compare', 'before.json', ...DOMAINS);
      writeFileSync(join(repo, `shard-${k}.json`), shard.stdout);
    }
    const merged = await runCli(['audit', 'merge', 'shard-1.json', 'shard-2.json', '--format', 'json'], { cwd: repo });
    expect(merged.code).toBe(0);
    expect(comparisonOf(merged.stdout)).toEqual({ ...whole, previous: { ...whole.previous, file: 'before.json' } });
    const compared = await runCli(['audit', 'merge', 'shard-1.json', 'shard-2.json', '--format', 'json', '--compare', 'before.json', '--fail-on-new', 'error', '--history', 'merged-history'], { cwd: repo });
    expect(compared.code).toBe(2);
    expect(comparisonOf(compared.stdout).new).toEqual(whole.new);
    expect(compared.stderr).toContain('failed: example.org has 2 new errors since the previous run');
  });
});

describe('usage', () => {
  it.each([
    [['--keep', '90d'], /^error: --keep goes with --history/],
    [['--fail-on-new', 'error'], /^error: --fail-on-new needs a previous run/],
    [['--notify-command', 'true'], /^error: --notify-command needs a previous run/],
    [['--compare', 'before.json', '--fail-on-new', 'info'], /^error: --fail-on-new: unknown severity 'info'/],
    [['--history', 'h', '--keep', 'soon'], /^error: --keep 'soon' is not a duration/],
    [['--history', 'h', '--shard', '1/2'], /^error: --history stores whole runs, not one shard/],
  ])('%j', async (args, message) => {
    expectOneLineError(await audit(...args, ...DOMAINS), message);
  });
});

describe('hostile inputs: one line, bounded time, nothing quoted', () => {
  const timed = async (...args: string[]) => {
    const t0 = performance.now();
    const run = await audit(...args, ...DOMAINS);
    return { run, ms: performance.now() - t0 };
  };

  it.each([
    ['a FIFO', (p: string) => execFileSync('mkfifo', [p]), 'in.json', /^error: in\.json: is a FIFO, not a regular file$/],
    ['a huge file', (p: string) => (writeFileSync(p, ''), truncateSync(p, 1100 * 1024 * 1024)), 'in.json', /^error: in\.json: 1100 MiB, over the 1024 MiB limit/],
    ['garbage gzip', (p: string) => writeFileSync(p, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad])), 'in.json.gz', /^error: in\.json\.gz: is not valid gzip data \(corrupt or cut short\)$/],
    ['not an audit', (p: string) => writeFileSync(p, '{"secret": "do-not-show"}'), 'in.json', /^error: in\.json: not mailrec audit output/],
    ['a private key', (p: string) => writeFileSync(p, '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n'), 'in.json', /^error: in\.json: looks like .*nothing of it is shown$/],
  ])('--compare %s', async (_what, make, name, message) => {
    const dir = `hostile-${Math.random().toString(36).slice(2)}`;
    mkdirSync(join(repo, dir));
    make(join(repo, dir, name));
    const { run, ms } = await timed('--compare', `${dir}/${name}`);
    expect(run.stderr).not.toContain('do-not-show');
    expectOneLineError(run, new RegExp(`^error: ${dir}/${message.source.slice('^error: '.length)}`));
    expect(ms).toBeLessThan(10_000);
  });

  it.each([
    ['a FIFO', (p: string) => execFileSync('mkfifo', [p]), /is a FIFO, not a regular file$/],
    ['not gzip at all', (p: string) => writeFileSync(p, 'not gzip at all'), / not mailrec audit output \(JSON or NDJSON expected\)$/],
    ['a gzip of garbage', (p: string) => writeFileSync(p, Buffer.from([0x1f, 0x8b, 1, 2, 3])), /is not valid gzip data/],
    ['a huge file', (p: string) => (writeFileSync(p, ''), truncateSync(p, 300 * 1024 * 1024)), /300 MiB, over the 256 MiB limit/],
  ])('the newest run in --history is %s', async (_what, make, message) => {
    const dir = `history-${Math.random().toString(36).slice(2)}`;
    mkdirSync(join(repo, dir));
    make(join(repo, dir, 'audit-20991231T000000Z.json.gz'));
    const { run, ms } = await timed('--history', dir);
    expectOneLineError(run, new RegExp(`^error: ${dir}/audit-20991231T000000Z\\.json\\.gz:.*${message.source}`));
    expect(ms).toBeLessThan(10_000);
  });

  it('--history naming a file, not a directory', async () => {
    expectOneLineError(await audit('--history', 'before.json', '--format', 'json', ...DOMAINS), /^error: before\.json: /);
  });
});

describe('--notify-command', () => {
  it('a command that fails is one warning line; the exit code is the audit\'s', async () => {
    const run = await audit('--compare', 'before.json', '--format', 'json', '--notify-command', 'echo "webhook refused" >&2; exit 7', ...DOMAINS);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("warning: --notify-command exited with status 7 (webhook refused); the audit's result stands\n");
    expect(comparisonOf(run.stdout).counts.new.error).toBe(2);
  });

  it('a command that does not read its stdin, or does not exist, is not a crash either', async () => {
    const quiet = await audit('--compare', 'before.json', '--format', 'json', '--notify-command', 'true', ...DOMAINS);
    expect([quiet.code, quiet.stderr]).toEqual([0, '']);
    const missing = await audit('--compare', 'before.json', '--format', 'json', '--notify-command', 'no-such-command-here', ...DOMAINS);
    expect(missing.code).toBe(0);
    expect(missing.stderr).toMatch(/^warning: --notify-command exited with status 127 \(.*not found\); the audit's result stands\n$/);
  });

  it('gets no variable the policy names for a secret', async () => {
    const policy = join(repo, 'policies/mail.yaml');
    const text = readFileSync(policy, 'utf8');
    writeFileSync(policy, `${text}\ntargets:\n  - type: rfc2136\n    server: 127.0.0.1:53\n    key: { name: mailrec., algorithm: hmac-sha256, secret_env: MAILREC_TSIG_SECRET }\n`);
    try {
      const run = await runCli(['audit', '--zones', 'zones', '--compare', 'before.json', '--format', 'json', '--notify-command', 'env > notify-env.txt', ...DOMAINS], {
        cwd: repo,
        env: { MAILREC_TSIG_SECRET: 'c2VjcmV0', WEBHOOK_URL: 'http://127.0.0.1:9/hook' },
      });
      expect(run.stderr).toBe('');
      const env = readFileSync(join(repo, 'notify-env.txt'), 'utf8');
      expect(env).toContain('WEBHOOK_URL=http://127.0.0.1:9/hook');
      expect(env).not.toContain('c2VjcmV0');
    } finally {
      writeFileSync(policy, text);
    }
  });
});
