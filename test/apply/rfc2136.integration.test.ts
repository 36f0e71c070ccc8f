// mailrec apply by RFC 2136 against a real BIND started by the test: create,
// change and delete exactly the planned records, TSIG-signed; refuse a wrong
// key, an unsigned update and a concurrent change, leaving the zone as it was.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyExample, runCli, snapshotTree, type CliRun } from '../helpers/cli.js';
import { nsupdate, startBind, type BindServer } from '../helpers/bind.js';

const ZONE = `
@        3600 IN SOA ns1.example.org. hostmaster.example.org. 1 7200 3600 1209600 300
@        3600 IN NS  ns1.example.org.
@        3600 IN TXT "google-site-verification=keep-me"
@        3600 IN TXT "v=spf1 -all"
@        3600 IN MX  5 old-mx.example.org.
ns1      3600 IN A   127.0.0.53
mx-01    3600 IN A   127.0.0.25
lists    3600 IN A   127.0.0.29
_smtp._tls 3600 IN TXT "v=TLSRPTv1; rua=mailto:old@example.org"
`;

let bind: BindServer;
const runs: CliRun[] = [];

async function cli(repo: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const run = await runCli(args, { cwd: repo, env });
  runs.push(run);
  return run;
}

async function dig(name: string, type: string): Promise<string[]> {
  const out = await bind.dig(['+short', '+norec', name, type]);
  expect(out.code).toBe(0);
  return out.stdout.trim().split('\n').filter(Boolean).sort();
}

/** The example repo, with example.org managed by updates to the test server. */
function repoWithTarget(keyYaml: string): string {
  const repo = copyExample();
  const policy = join(repo, 'policies/mail.yaml');
  writeFileSync(
    policy,
    `${readFileSync(policy, 'utf8')}
targets:
  - type: rfc2136
    server: 127.0.0.1:${bind.port}
    zones: [example.org]
${keyYaml}`,
  );
  return repo;
}

function keyYaml(secretFile: string): string {
  return `    key: { name: ${bind.key.name}, algorithm: ${bind.key.algorithm}, secret_file: ${secretFile} }\n`;
}

beforeAll(async () => {
  bind = await startBind({ zones: [{ name: 'example.org', text: ZONE, dynamic: true }] });
});

afterAll(async () => {
  // No secret in anything mailrec printed, nor in BIND's log.
  const everything = runs.map((r) => r.stdout + r.stderr).join('\n') + bind?.logs();
  expect(everything).not.toContain(bind.key.secret);
  await bind?.stop();
});

describe('apply by RFC 2136 against BIND', () => {
  it('plans against the server, applies, and a second run is a no-op; foreign TXT survives', async () => {
    const repo = repoWithTarget(keyYaml('keys/tsig.secret'));
    writeFileSync(join(repo, 'keys/tsig.secret'), `${bind.key.secret}\n`);

    const plan = await cli(repo, ['plan', '--detailed-exitcode']);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('zone example.org (live)');
    expect(plan.stdout).toContain('  ~ example.org TXT\n      - 3600 "v=spf1 -all"\n');
    expect(plan.stdout).toContain('  ~ example.org MX\n      - 3600 5 old-mx.example.org.\n      + 3600 10 mx-01.example.org.\n');
    expect(plan.stdout).not.toContain('google-site-verification');

    const apply = await cli(repo, ['apply']);
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain('updated example.org by RFC 2136\n');

    expect(await dig('example.org', 'TXT')).toEqual([
      '"google-site-verification=keep-me"',
      '"v=spf1 a mx a:relay-01.example.org a:submit-01.example.org ~all"',
    ]);
    expect(await dig('example.org', 'MX')).toEqual(['10 mx-01.example.org.']);
    expect(await dig('_dmarc.example.org', 'TXT')).toEqual(['"v=DMARC1; p=none; sp=none; rua=mailto:dmarc-reports@example.org"']);
    expect(await dig('_smtp._tls.example.org', 'TXT')).toEqual(['"v=TLSRPTv1; rua=mailto:tlsrpt@example.org"']);
    expect(await dig('_submissions._tcp.example.org', 'SRV')).toEqual(['0 1 465 submit-01.example.org.']);
    expect((await dig('2026a._domainkey.example.org', 'TXT'))[0]).toMatch(/^"v=DKIM1; k=rsa; p=MIIB/);
    expect(bind.logs()).toMatch(/signer "mailrec-test" approved/);

    const again = await cli(repo, ['plan', '--detailed-exitcode']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('zone example.org (live): no changes');
    expect((await cli(repo, ['apply'])).stdout).toBe('No changes. Nothing to apply.\n');

    // Removing tls_rpt from the policy deletes the record where mailrec claims it.
    const policy = join(repo, 'policies/mail.yaml');
    writeFileSync(policy, readFileSync(policy, 'utf8').replace('    tls_rpt: { rua: [tlsrpt@example.org] }\n', ''));
    const removal = await cli(repo, ['plan']);
    expect(removal.stdout).toContain('  - _smtp._tls.example.org TXT\n');
    expect((await cli(repo, ['apply'])).code).toBe(0);
    expect(await dig('_smtp._tls.example.org', 'TXT')).toEqual([]);
    expect(await dig('example.org', 'TXT')).toContain('"google-site-verification=keep-me"');
  });

  it('a wrong secret is NOTAUTH/BADSIG, one line, the zone unchanged', async () => {
    const repo = repoWithTarget(keyYaml('keys/tsig.secret'));
    writeFileSync(join(repo, 'keys/tsig.secret'), `${Buffer.alloc(32, 7).toString('base64')}\n`);
    const policy = join(repo, 'policies/mail.yaml');
    // example.net stays file-managed and has a change too: its fragment must not be written either.
    writeFileSync(
      policy,
      readFileSync(policy, 'utf8').replace('policy: none ', 'policy: quarantine ').replace('  example.net:                  # a parked domain that never sends mail\n    mail: none\n', '  example.net:\n    mail: none\n    ttl: 600\n'),
    );
    expect(readFileSync(policy, 'utf8')).toContain('    ttl: 600\n');
    const before = await dig('_dmarc.example.org', 'TXT');
    const files = snapshotTree(repo);
    expect((await cli(repo, ['plan'])).stdout).toContain('zone example.net (zones/example.net.mail.zone)\n');
    const run = await cli(repo, ['apply']);
    expect(run.code).toBe(1);
    expect(snapshotTree(repo)).toEqual(files);
    const errorLine = run.stderr.split('\n').find((l) => l.startsWith('error: '));
    expect(errorLine).toMatch(/NOTAUTH/);
    expect(errorLine).toMatch(/BADSIG/);
    expect(errorLine).toContain(bind.key.name);
    expect(run.stderr).not.toContain(Buffer.alloc(32, 7).toString('base64'));
    expect(await dig('_dmarc.example.org', 'TXT')).toEqual(before);
  });

  it('an unsigned update is REFUSED, the zone unchanged', async () => {
    const repo = repoWithTarget('');
    const policy = join(repo, 'policies/mail.yaml');
    writeFileSync(policy, readFileSync(policy, 'utf8').replace('policy: none ', 'policy: quarantine '));
    const before = await dig('_dmarc.example.org', 'TXT');
    const run = await cli(repo, ['apply']);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')[run.stderr.split('\n').findIndex((l) => l.startsWith('error: '))]).toMatch(/REFUSED/);
    expect(await dig('_dmarc.example.org', 'TXT')).toEqual(before);
  });

  it('a change made between plan and apply makes the server refuse; nothing is applied', async () => {
    const repo = repoWithTarget(keyYaml('keys/tsig.secret'));
    writeFileSync(join(repo, 'keys/tsig.secret'), `${bind.key.secret}\n`);
    const policy = join(repo, 'policies/mail.yaml');
    writeFileSync(
      policy,
      readFileSync(policy, 'utf8').replace('policy: none ', 'policy: quarantine ').replace('{ mode: testing, max_age: 86400 }', '{ mode: enforce, max_age: 86400 }'),
    );
    const saved = await cli(repo, ['plan', '--format', 'json']);
    writeFileSync(join(repo, 'plan.json'), saved.stdout);
    const mtaStsBefore = await dig('_mta-sts.example.org', 'TXT');

    // Someone else edits the DMARC record in the meantime.
    const edit = await nsupdate(
      ['-y', `${bind.key.algorithm}:${bind.key.name}:${bind.key.secret}`],
      `server 127.0.0.1 ${bind.port}\nzone example.org\nupdate delete _dmarc.example.org TXT\nupdate add _dmarc.example.org 300 TXT "v=DMARC1; p=reject"\nsend\n`,
    );
    expect(edit.code).toBe(0);

    const run = await cli(repo, ['apply', '--plan-file', 'plan.json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: the zone example\.org changed since the plan \((NXRRSET|YXRRSET)\); nothing was applied to it\n/);
    expect(run.stderr).toContain('hint: run mailrec plan again');
    expect(await dig('_dmarc.example.org', 'TXT')).toEqual(['"v=DMARC1; p=reject"']);
    expect(await dig('_mta-sts.example.org', 'TXT')).toEqual(mtaStsBefore);
  });
});

describe('plan --live on a file-managed zone', () => {
  it('diffs the policy against what DNS publishes; apply refuses such a plan without a target', async () => {
    const repo = copyExample();
    const policy = join(repo, 'policies/mail.yaml');
    // Only example.org: the test server is authoritative for nothing else.
    const text = readFileSync(policy, 'utf8')
      .replace(/  example\.net:\n    fragment: zones\/example\.net\.mail\.zone\n    zone_file: zones\/example\.net\.zone\n/, '')
      .replace(/\n  example\.net: +# a parked domain that never sends mail\n    mail: none\n/, '\n');
    expect(text).not.toContain('example.net');
    writeFileSync(policy, text);

    // DNS holds a DMARC record that neither the policy nor the fragment on disk has.
    const edit = await nsupdate(
      ['-y', `${bind.key.algorithm}:${bind.key.name}:${bind.key.secret}`],
      `server 127.0.0.1 ${bind.port}\nzone example.org\nupdate delete _dmarc.example.org TXT\nupdate add _dmarc.example.org 3600 TXT "v=DMARC1; p=quarantine"\nsend\n`,
    );
    expect(edit.code).toBe(0);
    const plan = await cli(repo, ['plan', '--live', '--resolver', `127.0.0.1:${bind.port}`, '--format', 'json']);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    const parsed = JSON.parse(plan.stdout) as { zones: Array<{ zone: string; source: string }>; changes: Array<{ name: string; tag?: string; before: Array<{ strings?: string[] }> }> };
    expect(parsed.zones.map((z) => `${z.zone} ${z.source}`)).toEqual(['example.org live']);
    const dmarc = parsed.changes.find((c) => c.tag === 'dmarc' && c.name === '_dmarc.example.org');
    // The "before" side is the server's record, not the fragment's.
    expect(dmarc?.before.map((rr) => rr.strings?.join(''))).toEqual(['v=DMARC1; p=quarantine']);
    expect(parsed.changes.some((c) => c.tag === 'tls-rpt')).toBe(true);

    writeFileSync(join(repo, 'live.json'), plan.stdout);
    const apply = await cli(repo, ['apply', '--plan-file', 'live.json']);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('no rfc2136 target in the policy manages it');
  });
});
