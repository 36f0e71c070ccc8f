// The plan benchmark: a generated zone repo of N domains, one zone each (an MSP's
// customers), every domain with senders, MX, a DKIM key file of its own, DMARC, SRV,
// MTA-STS and TLS-RPT. Times `computePlan` in-process (after `apply`, the case CI runs on
// every merge request: nothing to change) and the whole `mailrec plan` command.

import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeContext } from '../src/cli/context.js';
import type { CliIO } from '../src/cli/io.js';
import { computePlan } from '../src/cli/workflow.js';

const PROVIDERS = ['google', 'microsoft365', 'amazonses', 'sendgrid', 'mailchimp', 'postmark'];

function domainYaml(i: number): string {
  const d = `customer${String(i).padStart(5, '0')}.example`;
  const provider = PROVIDERS[i % PROVIDERS.length]!;
  return [
    `  ${d}:`,
    '    senders:',
    '      - mx',
    `      - provider: ${provider}`,
    `      - ip4: 192.0.2.${i % 250}`,
    '    mx:',
    `      - { host: mx1.${d}, preference: 10 }`,
    `      - { host: mx2.${d}, preference: 20 }`,
    '    dkim:',
    `      - { selector: s${i % 7}, key: keys/${d}.pub, state: active }`,
    '    dmarc:',
    `      policy: ${i % 3 === 0 ? 'none' : 'reject'}`,
    `      rua: [dmarc@${d}]`,
    '    srv:',
    `      - { service: submissions, target: mail.${d}, port: 465 }`,
    `    mta_sts: { mode: ${i % 2 === 0 ? 'enforce' : 'testing'}, max_age: 604800 }`,
    `    tls_rpt: { rua: [tlsrpt@${d}] }`,
    '',
  ].join('\n');
}

/** A zone repo of n one-domain zones under dir: policies/, zones/, keys/. */
export async function writePlanRepo(dir: string, n: number): Promise<void> {
  await mkdir(join(dir, 'policies'), { recursive: true });
  await mkdir(join(dir, 'zones'), { recursive: true });
  await mkdir(join(dir, 'keys'), { recursive: true });
  const zones: string[] = [];
  const domains: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = `customer${String(i).padStart(5, '0')}.example`;
    zones.push(`  ${d}:\n    fragment: zones/${d}.mail.zone\n    zone_file: zones/${d}.zone`);
    domains.push(domainYaml(i));
    // Ed25519 keys: one of its own per domain, made in microseconds (RFC 8463).
    const { publicKey } = generateKeyPairSync('ed25519');
    await writeFile(join(dir, 'keys', `${d}.pub`), publicKey.export({ type: 'spki', format: 'pem' }));
    await writeFile(
      join(dir, 'zones', `${d}.zone`),
      [
        `$ORIGIN ${d}.`,
        '$TTL 3600',
        `@ IN SOA ns1.example. hostmaster.example. 2026112501 7200 3600 1209600 3600`,
        '  IN NS ns1.example.',
        `mx1 IN A 192.0.2.${i % 250}`,
        `mx2 IN A 198.51.100.${i % 250}`,
        `mail IN A 203.0.113.${i % 250}`,
        `www IN A 203.0.113.${i % 250}`,
        `@ IN TXT "site-verification=${i}"`,
        `$INCLUDE ${d}.mail.zone`,
        '',
      ].join('\n'),
    );
  }
  const policy = ['version: 1', 'defaults:', '  ttl: 3600', '  spf: { all: softfail }', 'zones:', ...zones, 'domains:', ...domains].join('\n');
  await writeFile(join(dir, 'policies', 'mail.yaml'), `${policy}\n`);
}

const quietIO = (cwd: string): CliIO => ({ stdout: () => undefined, stderr: () => undefined, env: {}, cwd, stdoutIsTTY: false, stderrIsTTY: false });

/** computePlan on the repo, `runs` times; the times in ms and the number of changes. */
export async function timeComputePlan(dir: string, runs: number): Promise<{ ms: number[]; changes: number }> {
  const ms: number[] = [];
  let changes = 0;
  for (let i = 0; i < runs; i++) {
    const ctx = makeContext(quietIO(dir), {});
    const t0 = performance.now();
    const { plan } = await computePlan(ctx);
    ms.push(performance.now() - t0);
    changes = plan.changes.length;
  }
  return { ms, changes };
}
