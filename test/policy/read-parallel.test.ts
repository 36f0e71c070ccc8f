// The policy files read over worker threads (src/policy/read-parallel.ts) give what reading
// them one after another gives: the same policy, the same issues in the same order.

import { describe, expect, test } from 'vitest';
import { validatePolicyInParallel } from '../../src/policy/read-parallel.js';
import { validatePolicy, type PolicySource } from '../../src/policy/validate.js';

function domain(i: number): string[] {
  const d = `customer${i}.example`;
  return [
    `  ${d}:`,
    `    senders: [mx, { provider: google }, { ip4: 192.0.2.${i % 250} }]`,
    `    mx: [{ host: mx1.${d}, preference: 10 }]`,
    `    dmarc: { policy: reject, rua: [dmarc@${d}] }`,
    `    dkim: [{ selector: s1, key: keys/${d}.pub, state: active }]`,
  ];
}

/** `files` policy files of `per` domains each, the first with the defaults. */
function sources(files: number, per: number, edit: (file: number, lines: string[]) => string[] = (_, l) => l): PolicySource[] {
  return Array.from({ length: files }, (_, f) => {
    const ids = Array.from({ length: per }, (_, k) => f * per + k);
    const lines = [
      'version: 1',
      ...(f === 0 ? ['defaults: { ttl: 3600 }'] : []),
      'zones:',
      ...ids.map((i) => `  customer${i}.example: {}`),
      'domains:',
      ...ids.flatMap(domain),
    ];
    return { file: `policies/mail-${f}.yaml`, text: `${edit(f, lines).join('\n')}\n` };
  });
}

describe('reading policy files in worker threads', () => {
  test('the same policy and referenced files as reading them one after another', async () => {
    const input = sources(5, 40);
    const serial = validatePolicy(input);
    expect(serial.ok).toBe(true);
    const parallel = await validatePolicyInParallel(input, { jobs: 3, fromChars: 0, mainReads: false });
    expect(parallel).toEqual(serial);
    // Key order too: plan's checksum hashes the JSON of what is built from the policy.
    expect(JSON.stringify(parallel)).toBe(JSON.stringify(serial));
    if (parallel.ok) expect(parallel.policy.domains).toHaveLength(200);
  });

  test('the same issues in the same order: YAML errors, bad values, a domain declared in two files', async () => {
    const input = sources(4, 10, (f, lines) => {
      if (f === 1) return [...lines, '  customer0.example: { mx: [] }'];
      if (f === 2) return lines.map((l) => l.replace('preference: 10', 'preference: -1'));
      if (f === 3) return [...lines, '  bad: [unclosed'];
      return lines;
    });
    const serial = validatePolicy(input);
    expect(serial.ok).toBe(false);
    const parallel = await validatePolicyInParallel(input, { jobs: 2, fromChars: 0, mainReads: false });
    expect(parallel).toEqual(serial);
    const messages = parallel.ok ? [] : parallel.issues.map((i) => `${i.position.file} ${i.message}`);
    expect(messages.some((m) => m.startsWith('policies/mail-1.yaml domain customer0.example is declared twice'))).toBe(true);
    expect(messages.some((m) => m.startsWith('policies/mail-2.yaml'))).toBe(true);
    expect(messages.some((m) => m.startsWith('policies/mail-3.yaml YAML'))).toBe(true);
  });

  test('small policies are read on the main thread alone, with the same result', async () => {
    const input = sources(2, 3);
    expect(await validatePolicyInParallel(input)).toEqual(validatePolicy(input));
  });

  test('fewer files than the workers keep in flight: every reply is waited for', async () => {
    const input = sources(3, 20);
    expect(await validatePolicyInParallel(input, { jobs: 2, fromChars: 0, mainReads: false })).toEqual(validatePolicy(input));
  });

  test('the main thread and a worker together', async () => {
    const input = sources(6, 30);
    expect(await validatePolicyInParallel(input, { jobs: 2, fromChars: 0 })).toEqual(validatePolicy(input));
  });
});
