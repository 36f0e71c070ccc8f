// mailrec import end to end on zone repos: the bundled example and a hand-written estate, each followed by mailrec plan.

import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { loadFragmentInZone } from '../helpers/bind-tools.js';
import { copyExample, REPO_ROOT, runCli, snapshotTree } from '../helpers/cli.js';
import { dkimP } from './helpers.js';

const ESTATE = join(REPO_ROOT, 'test/fixtures/interop/estate');

function copyEstate(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mailrec-estate-'));
  cpSync(ESTATE, dir, { recursive: true });
  return dir;
}

async function planExit(repo: string, policy = 'policies/imported.yaml'): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(['-p', policy, 'plan', '--detailed-exitcode'], { cwd: repo });
}

describe('the bundled example', () => {
  test('imported from its zone files, it gives a policy whose plan is empty, and reuses the keys and fragments in place', async () => {
    const repo = copyExample();
    const run = await runCli(['import'], { cwd: repo });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Imported 17 mail records of 2 zones (4 domains): 17 as policy keys, 0 kept raw.');
    expect(run.stdout).toContain('wrote policies/imported.yaml\n');
    for (const file of ['keys/example.org.2026a.pub', 'keys/lists.example.org.2026e.pub', 'zones/example.org.mail.zone', 'zones/example.net.mail.zone']) {
      expect(run.stdout).toContain(`unchanged ${file}`);
    }
    expect(run.stdout).toContain('note: policies/mail.yaml is also in the policy directory');
    expect(run.stdout).toContain('mailrec plan -p policies/imported.yaml: no changes.');

    const plan = await planExit(repo);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('No changes. The zones match the policy.');

    // It reads what the zones publish, not what the hand-written policy asks for (relay-01 is still pending there).
    const imported = parse(readFileSync(join(repo, 'policies/imported.yaml'), 'utf8'));
    expect(imported.domains['example.org'].senders).toEqual(['self', 'mx', { host: 'submit-01.example.org' }]);
    expect(imported.domains['example.org'].mta_sts).toEqual({ mode: 'testing', max_age: 86400 });
    expect(imported.domains['example.net']).toEqual({ mail: 'none' });
    expect(imported.zones['example.org']).toEqual({ fragment: 'zones/example.org.mail.zone', zone_file: 'zones/example.org.zone' });
  });
});

describe('a hand-written estate', () => {
  test('every record is reproduced: policy keys where they fit, raw: entries where not; plan is empty', async () => {
    const repo = copyEstate();
    const run = await runCli(['import'], { cwd: repo });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Imported 36 mail records of 2 zones (8 domains): 23 as policy keys, 13 kept raw.');
    expect(run.stdout).toContain('mailrec plan -p policies/imported.yaml: no changes.');
    const plan = await planExit(repo);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);

    const policy = parse(readFileSync(join(repo, 'policies/imported.yaml'), 'utf8'));
    const raw = Object.entries(policy.domains as Record<string, { raw?: { name: string; type: string }[] }>).flatMap(([d, v]) =>
      (v.raw ?? []).map((r) => `${d} ${r.name} ${r.type}`),
    );
    expect(raw.sort()).toEqual(
      [
        'big.example.com @ TXT', // eleven lookups: mailrec refuses to build it
        'bulk.example.com @ TXT', // macro and exists:
        'example.com 2024b._domainkey TXT', // 64-character strings
        'example.com _dmarc TXT', // unknown tag
        'example.com _mta-sts TXT', // hand-made id
        'example.com customer.example._report._dmarc TXT', // authorizes a domain outside the policy
        'example.com selector1._domainkey CNAME', // Microsoft 365
        'example.com test._domainkey TXT', // t=y
        'example.com weak._domainkey TXT', // 512 bits
        'lists.example.com @ MX', // TTL 86400
        'lists.example.com _dmarc TXT', // split over two strings
        'marketing.example.com @ TXT', // split by hand
        'relay.example.com @ TXT', // ptr
      ].sort(),
    );
    expect(policy.domains['parked.example.com']).toEqual({ mail: 'none' });
    expect(policy.domains['example.net']).toEqual({ mail: 'none', ttl: 86400 });
    expect(policy.domains['example.com'].senders).toEqual([
      'mx',
      { host: 'out.example.com' },
      { ip4: '192.0.2.0/24' },
      { ip6: '2001:db8::/32' },
      { provider: 'google' },
      { provider: 'microsoft365' },
    ]);
    for (const code of ['spf.too-many-lookups', 'spf.ptr', 'spf.neutral-all', 'spf.macro-target', 'dkim.testing', 'dkim.rsa-too-short', 'dkim.rsa-weak', 'dmarc.unknown-tag', 'dmarc.removed-tag']) {
      expect(run.stdout).toContain(` ${code} `);
    }
    expect(dkimP(readFileSync(join(repo, 'keys/example.com.ed.pub'), 'utf8'))).toBe('5JZPGt/3nuM6l7ig85Rjn2L56kTngRHB3GxPcbitXaQ=');

    // The fragments hold the records as read, and BIND loads them.
    for (const zone of ['example.com', 'example.net']) {
      const loaded = loadFragmentInZone(zone, readFileSync(join(repo, `zones/${zone}.mail.zone`), 'utf8'));
      expect(loaded.output).toMatch(/OK/);
      expect(loaded.ok).toBe(true);
    }
    // The moves name each record's file and line.
    expect(run.stdout).toContain('zones/lists.inc:3:1  lists.example.com MX');
    expect(run.stdout).toContain('add "$INCLUDE example.com.mail.zone" to zones/example.com.zone');
  });

  test('after the records move into the fragment and the zone file includes it, plan is still empty', async () => {
    const repo = copyEstate();
    expect((await runCli(['import'], { cwd: repo })).code).toBe(0);
    // What the report asks for, done for example.net: its three mail records leave the zone file, the $INCLUDE comes in.
    const zoneFile = join(repo, 'zones/example.net.zone');
    const kept = readFileSync(zoneFile, 'utf8')
      .split('\n')
      .filter((line) => !/ IN (MX|TXT) /.test(line));
    writeFileSync(zoneFile, [...kept, '$INCLUDE example.net.mail.zone', ''].join('\n'));
    const policyFile = join(repo, 'policies/imported.yaml');
    writeFileSync(policyFile, readFileSync(policyFile, 'utf8').replace('    fragment: zones/example.net.mail.zone\n', '    fragment: zones/example.net.mail.zone\n    zone_file: zones/example.net.zone\n'));
    const plan = await planExit(repo);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    // And a re-import of the moved estate finds the fragment in place.
    rmSync(policyFile);
    const again = await runCli(['import'], { cwd: repo });
    expect(again.stdout).toContain('unchanged zones/example.net.mail.zone');
    expect(parse(readFileSync(policyFile, 'utf8')).zones['example.net']).toEqual({ fragment: 'zones/example.net.mail.zone', zone_file: 'zones/example.net.zone' });
  });

  test('--normalize models what means the same; plan then shows exactly the rewrites', async () => {
    const repo = copyEstate();
    const run = await runCli(['import', '--normalize', '--format', 'json'], { cwd: repo });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.stats).toMatchObject({ records: 36, raw: 8 });
    expect(report.changes.map((c: { name: string; type: string }) => `${c.name} ${c.type}`).sort()).toEqual(
      ['2024b._domainkey.example.com TXT', '_dmarc.lists.example.com TXT', '_mta-sts.example.com TXT', 'lists.example.com MX', 'marketing.example.com TXT'].sort(),
    );
    expect(report.fileChanges).toEqual(['mta-sts/example.com/.well-known/mta-sts.txt']);
    expect(report.planCheck).toEqual({ policyPath: 'policies/imported.yaml', changes: 5, files: 1, refused: 0, clean: false });
    expect((await planExit(repo)).code).toBe(2);
  });

  test('--zone-file with --origin, and markdown', async () => {
    const repo = copyEstate();
    const run = await runCli(['-f', 'markdown', 'import', '--zone-file', 'zones/example.net.zone', '--origin', 'example.net', '--out', 'policies/net.yaml'], { cwd: repo });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('## mailrec import');
    expect(run.stdout).toContain('Imported 3 mail records of 1 zone (1 domain): 3 as policy keys, 0 kept raw.');
    expect((await planExit(repo, 'policies/net.yaml')).code).toBe(0);
  });
});

describe('what import refuses', () => {
  test('an existing policy file is not overwritten without --force, and nothing is written', async () => {
    const repo = copyEstate();
    expect((await runCli(['import'], { cwd: repo })).code).toBe(0);
    writeFileSync(join(repo, 'policies/imported.yaml'), 'version: 1\n');
    const before = snapshotTree(repo);
    const again = await runCli(['import'], { cwd: repo });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('policies/imported.yaml already exists with other content; nothing was written');
    expect(again.stderr).toContain('hint: pass --force');
    expect(snapshotTree(repo)).toEqual(before);
    expect((await runCli(['import', '--force'], { cwd: repo })).code).toBe(0);
  });

  test('--dry-run writes nothing and prints the policy', async () => {
    const repo = copyEstate();
    const before = snapshotTree(repo);
    const run = await runCli(['import', '--dry-run'], { cwd: repo });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('would write policies/imported.yaml');
    expect(run.stdout).toContain('--- policies/imported.yaml (not written) ---\n# Imported by mailrec import');
    expect(snapshotTree(repo)).toEqual(before);
  });

  test('--no-fragments leaves the zone files alone', async () => {
    const repo = copyEstate();
    const run = await runCli(['import', '--no-fragments'], { cwd: repo });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('skipped zones/example.com.mail.zone (--no-fragments)');
    expect(existsSync(join(repo, 'zones/example.com.mail.zone'))).toBe(false);
  });

  test('usage errors: --live with --zone-file, --origin alone, no zone files', async () => {
    const repo = copyEstate();
    expect((await runCli(['import', '--live', 'example.com', '--zone-file', 'zones/example.com.zone'], { cwd: repo })).stderr).toContain('--live and --zone-file are exclusive');
    expect((await runCli(['import', '--origin', 'example.com'], { cwd: repo })).stderr).toContain('--origin without its --zone-file');
    const empty = mkdtempSync(join(tmpdir(), 'mailrec-empty-'));
    const none = await runCli(['import'], { cwd: empty });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no zone files to import in zones/');
  });

  test('a zone file with a syntax error is reported with file, line and column', async () => {
    const repo = copyEstate();
    writeFileSync(join(repo, 'zones/example.net.zone'), '$ORIGIN example.net.\n@ 3600 IN MX ten mx1.example.com.\n');
    const run = await runCli(['import'], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/zones\/example\.net\.zone:2:\d+: /);
  });
});
