// End to end on the bundled example: plan, apply, re-apply, and the refusals.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkZone } from '../helpers/bind-tools.js';
import { copyExample, runCli, snapshotTree } from '../helpers/cli.js';
import { expectGolden } from '../helpers/golden.js';

describe('mailrec plan on the bundled example', () => {
  it('prints the pending change record by record (golden) and exits 0', async () => {
    const repo = copyExample();
    const run = await runCli(['plan'], { cwd: repo });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expectGolden('cli/plan-example.txt', run.stdout);
  });

  it('--detailed-exitcode: 2 with changes, 0 once applied', async () => {
    const repo = copyExample();
    expect((await runCli(['plan', '--detailed-exitcode'], { cwd: repo })).code).toBe(2);
    expect((await runCli(['apply'], { cwd: repo })).code).toBe(0);
    const after = await runCli(['plan', '--detailed-exitcode'], { cwd: repo });
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('No changes. The zones match the policy.');
  });

  it('markdown and json formats', async () => {
    const repo = copyExample();
    const md = await runCli(['plan', '--format', 'markdown'], { cwd: repo });
    expectGolden('cli/plan-example.md', md.stdout);
    const json = JSON.parse((await runCli(['plan', '--format', 'json'], { cwd: repo })).stdout);
    expect(json.summary).toEqual({ create: 1, update: 1, delete: 0, files: 0, zones: 1, rewritten: 0 });
    expect(json.changes.map((c: { action: string; name: string; tag: string }) => `${c.action} ${c.name} ${c.tag}`)).toEqual([
      'update example.org spf',
      'create _smtp._tls.example.org tls-rpt',
    ]);
    expect(json.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('colour only when asked: FORCE_COLOR on a pipe, never with NO_COLOR on a TTY', async () => {
    const repo = copyExample();
    expect((await runCli(['plan'], { cwd: repo })).stdout).not.toContain('\u001b[');
    expect((await runCli(['plan'], { cwd: repo, env: { FORCE_COLOR: '1' } })).stdout).toContain('\u001b[');
    expect((await runCli(['plan'], { cwd: repo, tty: true })).stdout).toContain('\u001b[');
    expect((await runCli(['plan'], { cwd: repo, tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\u001b[');
  });
});

describe('mailrec apply', () => {
  it('writes fragments that named-checkzone loads; a second apply is a no-op with identical bytes', async () => {
    const repo = copyExample();
    const first = await runCli(['apply'], { cwd: repo });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('wrote zones/example.org.mail.zone\n');
    const before = snapshotTree(repo);
    const second = await runCli(['apply'], { cwd: repo });
    expect(second).toEqual({ code: 0, stdout: 'No changes. Nothing to apply.\n', stderr: '' });
    expect(snapshotTree(repo)).toEqual(before);
    for (const zone of ['example.org', 'example.net']) {
      const result = checkZone(zone, join(repo, 'zones', `${zone}.zone`), { cwd: join(repo, 'zones') });
      expect(result.output).toContain('OK');
      expect(result.ok).toBe(true);
    }
    expect(readFileSync(join(repo, 'zones/example.org.mail.zone'), 'utf8')).toContain(
      'example.org. 3600 IN TXT "v=spf1 a mx a:relay-01.example.org a:submit-01.example.org ~all"',
    );
  });

  it('--bump-serial raises the SOA serial of the including zone file, once per real change', async () => {
    const repo = copyExample();
    const zoneFile = join(repo, 'zones/example.org.zone');
    const original = readFileSync(zoneFile, 'utf8');
    const run = await runCli(['apply', '--bump-serial'], { cwd: repo });
    expect(run.code).toBe(0);
    const match = /zones\/example\.org\.zone: SOA serial 2026112501 -> (\d{10})\n/.exec(run.stdout);
    expect(match).not.toBeNull();
    const serial = Number(match![1]);
    expect(serial).toBeGreaterThan(2026112501);
    expect(readFileSync(zoneFile, 'utf8')).toBe(original.replace('2026112501', String(serial)));
    expect(checkZone('example.org', zoneFile, { cwd: join(repo, 'zones') }).ok).toBe(true);
    // example.net's fragment did not change, so its serial stays.
    expect(readFileSync(join(repo, 'zones/example.net.zone'), 'utf8')).toContain(' 2026112501 ');
    const again = await runCli(['apply', '--bump-serial'], { cwd: repo });
    expect(again.stdout).toBe('No changes. Nothing to apply.\n');
    expect(readFileSync(zoneFile, 'utf8')).toContain(String(serial));
  });

  it('refuses a fragment edited by hand, and --force overwrites it', async () => {
    const repo = copyExample();
    const fragment = join(repo, 'zones/example.org.mail.zone');
    writeFileSync(fragment, `${readFileSync(fragment, 'utf8')}extra.example.org. 60 IN A 127.0.0.1\n`);
    const before = snapshotTree(repo);
    const refused = await runCli(['apply'], { cwd: repo });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error: zones/example.org.mail.zone was edited by hand since mailrec wrote it; nothing was written\n');
    expect(refused.stderr).toContain('hint: move the hand-made records into the policy, or pass --force to overwrite the file\n');
    expect(snapshotTree(repo)).toEqual(before);
    const plan = await runCli(['plan'], { cwd: repo });
    expect(plan.stdout).toContain('- extra.example.org A');
    expect(plan.stdout).toContain('edited by hand');
    expect((await runCli(['apply', '--force'], { cwd: repo })).code).toBe(0);
    expect(readFileSync(fragment, 'utf8')).not.toContain('extra.example.org');
  });

  it('--plan-file applies exactly a saved plan and refuses a stale or tampered one', async () => {
    const repo = copyExample();
    const saved = (await runCli(['plan', '--format', 'json'], { cwd: repo })).stdout;
    writeFileSync(join(repo, 'plan.json'), saved);
    const tampered = JSON.parse(saved);
    tampered.zones[1].records[0].ttl = 1;
    writeFileSync(join(repo, 'tampered.json'), JSON.stringify(tampered));
    const t = await runCli(['apply', '--plan-file', 'tampered.json'], { cwd: repo });
    expect(t.code).toBe(1);
    expect(t.stderr).toContain('was modified after it was made (checksum mismatch)');

    // Someone changes the fragment after the plan: the plan is stale.
    const fragment = join(repo, 'zones/example.org.mail.zone');
    const original = readFileSync(fragment, 'utf8');
    writeFileSync(fragment, original.replace('a:submit-01', 'a:submit-02'));
    const stale = await runCli(['apply', '--plan-file', 'plan.json'], { cwd: repo });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('error: zones/example.org.mail.zone changed since the plan was made; nothing was written\n');
    expect(readFileSync(fragment, 'utf8')).toContain('a:submit-02');

    writeFileSync(fragment, original);
    const ok = await runCli(['apply', '--plan-file', 'plan.json'], { cwd: repo });
    expect(ok.code).toBe(0);
    expect(readFileSync(fragment, 'utf8')).toContain('_smtp._tls.example.org. 3600 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@example.org"');
  });

  it('plan --plan-file renders a saved plan in any format, the same as plan made it, without reading the policy', async () => {
    const repo = copyExample();
    const plan = (format: string) => runCli(['plan', '--format', format], { cwd: repo });
    writeFileSync(join(repo, 'plan.json'), (await plan('json')).stdout);
    const markdown = (await plan('markdown')).stdout;
    const text = (await plan('text')).stdout;
    // The policy changes after the plan was saved: the saved plan is what is rendered.
    const policy = join(repo, 'policies/mail.yaml');
    writeFileSync(policy, readFileSync(policy, 'utf8').replace('      policy: none', '      policy: nope'));
    const rendered = await runCli(['plan', '--plan-file', 'plan.json', '--format', 'markdown', '--detailed-exitcode'], { cwd: repo });
    expect(rendered.stderr).toBe('');
    expect(rendered.code).toBe(2);
    expect(rendered.stdout).toBe(markdown);
    expect((await runCli(['plan', '--plan-file', 'plan.json'], { cwd: repo })).stdout).toBe(text);
    expect(JSON.parse((await runCli(['plan', '--plan-file', 'plan.json', '--format', 'json'], { cwd: repo })).stdout)).toEqual(JSON.parse(readFileSync(join(repo, 'plan.json'), 'utf8')));

    const mixed = await runCli(['plan', '--plan-file', 'plan.json', '--resolve', '--live'], { cwd: repo });
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toBe('error: --plan-file renders a saved plan as it is; it takes no --resolve, --live\n');
    const tampered = JSON.parse(readFileSync(join(repo, 'plan.json'), 'utf8'));
    tampered.changes[0].after = [];
    writeFileSync(join(repo, 'plan.json'), JSON.stringify(tampered));
    const refused = await runCli(['plan', '--plan-file', 'plan.json'], { cwd: repo });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('was modified after it was made (checksum mismatch)');
  });
});

describe('bad policies write nothing', () => {
  it('reports every problem with file:line:column and exit 1', async () => {
    const repo = copyExample();
    const file = join(repo, 'policies/mail.yaml');
    const text = readFileSync(file, 'utf8')
      .replace('      policy: none ', '      policy: nope ')
      .replace('      subdomain_policy: none', '      subdomian_policy: none');
    writeFileSync(file, text);
    const before = snapshotTree(repo);
    const run = await runCli(['apply'], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines.some((l) => /^policies\/mail\.yaml:\d+:\d+: .*nope/.test(l))).toBe(true);
    expect(lines.some((l) => /^policies\/mail\.yaml:\d+:\d+: .*subdomian_policy.*subdomain_policy/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe('error: 2 problems in the policy; nothing was written');
    expect(snapshotTree(repo)).toEqual(before);
  });

  it('a record that breaks the RFCs (11 SPF lookups) refuses the plan', async () => {
    const repo = copyExample();
    const file = join(repo, 'policies/mail.yaml');
    const hosts = Array.from({ length: 9 }, (_, i) => `      - host: h${i}.example.org\n`).join('');
    writeFileSync(file, readFileSync(file, 'utf8').replace('      - host: submit-01.example.org', `${hosts}      - host: submit-01.example.org`));
    const before = snapshotTree(repo);
    const run = await runCli(['apply'], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/spf\.too-many-lookups/);
    expect(run.stderr).toMatch(/13/);
    expect(snapshotTree(repo)).toEqual(before);
  });

  it.each([
    ['a quote and a directive in rua', 'dmarc-reports@example.org"\\n$INCLUDE /etc/passwd'],
    ['a semicolon in rua', 'a@example.org; p=none'],
    ['a newline in rua', 'a@example.org\\nevil.example.org. IN A 127.0.0.1'],
  ])('%s is refused with its position', async (_label, value) => {
    const repo = copyExample();
    const file = join(repo, 'policies/mail.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('rua: [dmarc-reports@example.org]', `rua: ["${value}"]`));
    const before = snapshotTree(repo);
    const run = await runCli(['apply'], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^policies\/mail\.yaml:\d+:\d+: /);
    expect(snapshotTree(repo)).toEqual(before);
  });
});
