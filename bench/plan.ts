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

/**
 * How a domain's sender list and MTA-STS settings are written: each its own (the default);
 * shared blocks written out in full ('expanded'); or the same blocks as YAML aliases of the
 * first domain in the file that has them ('aliases': two aliases a domain).
 */
export type SharedBlocks = 'own' | 'expanded' | 'aliases';

function domainYaml(i: number, shared: SharedBlocks = 'own', anchored: Set<string> = new Set()): string {
  const d = `customer${String(i).padStart(5, '0')}.example`;
  const provider = PROVIDERS[i % PROVIDERS.length]!;
  const mode = i % 2 === 0 ? 'enforce' : 'testing';
  // Anchors are per document: the first domain of a file with a block anchors it.
  const block = (name: string, text: string): string => {
    if (shared !== 'aliases') return ` ${text}`;
    if (anchored.has(name)) return ` *${name}`;
    anchored.add(name);
    return ` &${name} ${text}`;
  };
  const senders =
    shared === 'own'
      ? ['    senders:', '      - mx', `      - provider: ${provider}`, `      - ip4: 192.0.2.${i % 250}`]
      : [`    senders:${block(`s_${provider}`, `[mx, { provider: ${provider} }]`)}`];
  return [
    `  ${d}:`,
    ...senders,
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
    `    mta_sts:${block(`m_${mode}`, `{ mode: ${mode}, max_age: 604800 }`)}`,
    `    tls_rpt: { rua: [tlsrpt@${d}] }`,
    '',
  ].join('\n');
}

export interface PlanRepoOptions {
  /** Domains per policy file (a policy file is capped at 16 MiB: 100,000 domains need several). Default: one file. */
  perFile?: number;
  shared?: SharedBlocks;
}

/** A zone repo of n one-domain zones under dir: policies/, zones/, keys/. */
export async function writePlanRepo(dir: string, n: number, options: PlanRepoOptions = {}): Promise<void> {
  await mkdir(join(dir, 'policies'), { recursive: true });
  await mkdir(join(dir, 'zones'), { recursive: true });
  await mkdir(join(dir, 'keys'), { recursive: true });
  const perFile = options.perFile ?? n;
  let zones: string[] = [];
  let domains: string[] = [];
  let anchored = new Set<string>();
  const files: string[] = [];
  const writePolicy = async (): Promise<void> => {
    const first = files.length === 0;
    const name = perFile >= n ? 'mail.yaml' : `mail-${String(files.length).padStart(3, '0')}.yaml`;
    const policy = ['version: 1', ...(first ? ['defaults:', '  ttl: 3600', '  spf: { all: softfail }'] : []), 'zones:', ...zones, 'domains:', ...domains].join('\n');
    await writeFile(join(dir, 'policies', name), `${policy}\n`);
    files.push(name);
    zones = [];
    domains = [];
    anchored = new Set();
  };
  for (let i = 0; i < n; i++) {
    const d = `customer${String(i).padStart(5, '0')}.example`;
    zones.push(`  ${d}:\n    fragment: zones/${d}.mail.zone\n    zone_file: zones/${d}.zone`);
    domains.push(domainYaml(i, options.shared, anchored));
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
    if (domains.length === perFile) await writePolicy();
  }
  if (domains.length > 0 || files.length === 0) await writePolicy();
}

/**
 * A zone repo of one zone, example.edu, with n subdomains (a university's departments):
 * senders, one MX, a shared DKIM key, DMARC each, and the zone file's own hosts. What grows
 * here is the work inside one zone: the diff, the risks of n SPF changes, the zone file's
 * records against the fragment's.
 */
export async function writeOneZoneRepo(dir: string, n: number): Promise<void> {
  for (const sub of ['policies', 'zones', 'keys']) await mkdir(join(dir, sub), { recursive: true });
  const { publicKey } = generateKeyPairSync('ed25519');
  await writeFile(join(dir, 'keys', 'departments.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  const policy = ['version: 1', 'defaults:', '  ttl: 3600', '  spf: { all: softfail }', 'zones:', '  example.edu:', '    fragment: zones/example.edu.mail.zone', '    zone_file: zones/example.edu.zone', 'domains:'];
  const zone = ['$ORIGIN example.edu.', '$TTL 3600', '@ IN SOA ns1.example.edu. hostmaster.example.edu. 2026120701 7200 3600 1209600 3600', '  IN NS ns1.example.edu.', 'ns1 IN A 192.0.2.53'];
  for (let i = 0; i < n; i++) {
    const d = `dept${i}.example.edu`;
    policy.push(
      `  ${d}:`,
      `    senders: [mx, { ip4: 192.0.2.${i % 250} }]`,
      `    mx: [{ host: mx1.${d}, preference: 10 }]`,
      '    dkim: [{ selector: s1, key: keys/departments.pub, state: active }]',
      '    dmarc: { policy: none, rua: [dmarc@example.edu] }',
    );
    zone.push(`mx1.dept${i} IN A 192.0.2.${i % 250}`, `www.dept${i} IN A 203.0.113.${i % 250}`);
  }
  zone.push('$INCLUDE example.edu.mail.zone', '');
  await writeFile(join(dir, 'policies', 'mail.yaml'), `${policy.join('\n')}\n`);
  await writeFile(join(dir, 'zones', 'example.edu.zone'), zone.join('\n'));
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
