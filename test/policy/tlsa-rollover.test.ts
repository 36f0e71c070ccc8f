// TLSA rollover from the policy: the next ACME key exists only as a private key file; the
// loader keeps only its public part and the builder publishes it beside the current one.

import { execSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PolicyError } from '../../src/base/errors.js';
import { assessRisks } from '../../src/plan/risk.js';
import { loadPolicy } from '../../src/policy/load.js';
import { buildTlsa } from '../../src/build/tlsa.js';

let root = '';
const sh = (cmd: string): string => execSync(cmd, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const sha256Of = (derCmd: string): string => sh(`${derCmd} | sha256sum`).split(' ')[0]!;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailrec-rollover-'));
  await mkdir(join(root, 'keys'));
  await mkdir(join(root, 'certs'));
  await mkdir(join(root, 'policies'));
  sh(`openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout keys/current.key -out certs/mx-01.pem -subj /CN=mx-01.example.org -days 30 2>/dev/null`);
  // The next key, made ahead of the ACME renewal (certbot --reuse-key / --new-key style).
  sh('openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out keys/next.pem 2>/dev/null');
  sh('openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out keys/next-rsa.pem 2>/dev/null');
  sh('openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes-128-cbc -pass pass:x -out keys/encrypted.pem 2>/dev/null');
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

const policy = (tlsa: string): string =>
  `version: 1\ndomains:\n  example.org:\n    mx:\n      - { host: mx-01.example.org, preference: 10 }\n    tlsa:\n${tlsa}`;

describe('TLSA for a key that exists only as a private key file', () => {
  test.each([['keys/next.pem'], ['keys/next-rsa.pem']])('%s: selector 1 gives the SHA-256 of its public part, as openssl computes it; no private material kept', async (keyPath) => {
    await writeFile(
      join(root, 'policies', 'mail.yaml'),
      policy(`      - { port: 25, host: mx-01.example.org, cert: certs/mx-01.pem }\n      - { port: 25, host: mx-01.example.org, pubkey: ${keyPath}, selector: 1 }\n`),
    );
    const loaded = await loadPolicy(['policies'], { root });
    const domain = loaded.domains[0]!;
    const json = JSON.stringify(loaded);
    const privateText = await readFile(join(root, keyPath), 'utf8');
    expect(json).not.toContain('PRIVATE KEY');
    expect(json).not.toContain(privateText.split('\n')[1]!);
    const built = buildTlsa(domain);
    expect(built.notices).toEqual([]);
    const values = built.records.map((r) => (r.type === 'TLSA' ? `${r.usage} ${r.selector} ${r.matchingType} ${r.certificate}` : ''));
    const current = sha256Of('openssl x509 -in certs/mx-01.pem -pubkey -noout | openssl pkey -pubin -outform der');
    const next = sha256Of(`openssl pkey -in ${keyPath} -pubout -outform der`);
    expect(values.sort()).toEqual([`3 1 1 ${current}`, `3 1 1 ${next}`].sort());
    expect(JSON.stringify(built)).not.toContain(privateText.split('\n')[1]!);
  });

  test('an encrypted private key is refused with a hint, and its text is not echoed', async () => {
    await writeFile(join(root, 'policies', 'mail.yaml'), policy('      - { port: 25, host: mx-01.example.org, pubkey: keys/encrypted.pem }\n'));
    const error = await loadPolicy(['policies'], { root }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PolicyError);
    const issues = (error as PolicyError).issues;
    expect(issues.map((i) => i.message)).toEqual(['keys/encrypted.pem is an encrypted private key']);
    expect(issues[0]?.hint).toContain('openssl pkey -in key.pem -pubout');
  });

  test('the two rollover steps in the plan: publish next, then retire old', async () => {
    await writeFile(join(root, 'policies', 'mail.yaml'), policy('      - { port: 25, host: mx-01.example.org, cert: certs/mx-01.pem }\n'));
    const one = buildTlsa((await loadPolicy(['policies'], { root })).domains[0]!).records;
    await writeFile(
      join(root, 'policies', 'mail.yaml'),
      policy('      - { port: 25, host: mx-01.example.org, cert: certs/mx-01.pem }\n      - { port: 25, host: mx-01.example.org, pubkey: keys/next.pem }\n'),
    );
    const two = buildTlsa((await loadPolicy(['policies'], { root })).domains[0]!).records;
    await writeFile(join(root, 'policies', 'mail.yaml'), policy('      - { port: 25, host: mx-01.example.org, pubkey: keys/next.pem }\n'));
    const after = buildTlsa((await loadPolicy(['policies'], { root })).domains[0]!).records;
    const change = (before: typeof one, afterSet: typeof one) =>
      assessRisks({ action: 'update', zone: 'example.org', name: '_25._tcp.mx-01.example.org', type: 'TLSA', before, after: afterSet }).map((r) => `${r.level}: ${r.message}`);
    expect(change(one, two)).toEqual(['low: publish next: wait two TTLs before switching the certificate (2 × 3600 s)']);
    expect(change(two, after)[0]).toMatch(/^medium: retire old: make sure the server already serves the new key/);
    expect(change(one, after)[0]).toMatch(/^high: no overlap: DANE senders defer mail until caches expire/);
  });
});
