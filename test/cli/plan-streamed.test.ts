// `plan` in text renders zone by zone (streamPlan, docs/performance.md "Plan streamed"): its
// output must be the text of the whole plan that --format json gives, in every case where the
// zone-by-zone path could differ: a domain of one policy file whose records land in a zone of
// another file, a record one domain asks for in another domain's zone (DMARC report
// authorization), own hosts by address read from another zone's files, fragments beside full
// zone files, hand-edited fragments, and refusals.

import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasChanges, type Plan } from '../../src/plan/plan.js';
import { renderPlanText } from '../../src/report/plan-text.js';
import { copyExample, runCli } from '../helpers/cli.js';

/** The streamed text against the whole plan (the --format json path) rendered as text. */
async function expectSameAsWholePlan(repo: string): Promise<string> {
  const json = await runCli(['plan', '--format', 'json'], { cwd: repo });
  expect(json.stderr).toBe('');
  const whole = JSON.parse(json.stdout) as Plan;
  const streamed = await runCli(['plan', '--detailed-exitcode'], { cwd: repo });
  expect(streamed.stderr).toBe('');
  expect(streamed.stdout).toBe(renderPlanText(whole));
  expect(streamed.code).toBe(hasChanges(whole) ? 2 : 0);
  return streamed.stdout;
}

/** A second policy file: a zone of its own, and domains whose records land in the first file's zones and in each other's. */
function addSecondPolicyFile(repo: string): void {
  writeFileSync(
    join(repo, 'policies', 'zz-shop.yaml'),
    [
      'version: 1',
      'zones:',
      '  example.com:',
      '    fragment: zones/example.com.mail.zone',
      'domains:',
      '  shop.example.org:            # in example.org, a zone of the other file',
      '    spf: { own_hosts: addresses }',
      '    senders:',
      '      - host: relay-01.example.org',
      '    mx:',
      '      - { host: mx-01.example.org, preference: 10 }',
      '    dmarc:',
      '      policy: none',
      '      rua: [dmarc@example.com]   # another zone: its authorization record goes to example.com',
      '  example.com:',
      '    senders: [mx]',
      '    mx:',
      '      - { host: mx-01.example.org, preference: 10 }',
      '    dmarc: { policy: reject, rua: [dmarc@example.org] }',
      '',
    ].join('\n'),
  );
}

describe('plan streamed zone by zone', () => {
  it('prints the whole plan text for the bundled example, before and after apply, and with a fragment edited by hand', async () => {
    const repo = copyExample();
    expect(await expectSameAsWholePlan(repo)).toContain('zone example.org');
    expect((await runCli(['apply'], { cwd: repo })).code).toBe(0);
    expect(await expectSameAsWholePlan(repo)).toContain('No changes. The zones match the policy.');
    appendFileSync(join(repo, 'zones', 'example.net.mail.zone'), '; a note by hand\n');
    expect(await expectSameAsWholePlan(repo)).toContain('edited by hand');
  });

  it('is the same when records cross policy files and zones, with fragments beside full zone files', async () => {
    const repo = copyExample();
    addSecondPolicyFile(repo);
    // A record of the zone file outside the fragment, at a name the policy also uses.
    appendFileSync(join(repo, 'zones', 'example.org.zone'), 'shop IN TXT "site-verification=1"\n');
    const text = await expectSameAsWholePlan(repo);
    expect(text).toContain('zone example.com (zones/example.com.mail.zone, new file)');
    expect(text).toMatch(/\+ shop\.example\.org TXT\n\s+\+ 3600 "v=spf1 ip4:127\.0\.0\.27/);
    expect(text).toContain('shop.example.org._report._dmarc.example.com TXT');
    expect(text).toContain('example.com._report._dmarc.example.org TXT');
    expect((await runCli(['apply'], { cwd: repo })).code).toBe(0);
    expect(await expectSameAsWholePlan(repo)).toContain('No changes. The zones match the policy.');
  });

  it('refuses a broken policy with the same messages and nothing on stdout', async () => {
    const repo = copyExample();
    addSecondPolicyFile(repo);
    // The zone file of the first file's zone already publishes SPF where the second file's domain wants it: an error of that zone.
    appendFileSync(join(repo, 'zones', 'example.org.zone'), 'shop IN TXT "v=spf1 -all"\n');
    const streamed = await runCli(['plan'], { cwd: repo });
    const whole = await runCli(['plan', '--format', 'json'], { cwd: repo });
    expect(streamed.code).not.toBe(0);
    expect(streamed.stdout).toBe('');
    expect(streamed.stderr).toContain('error zone.conflict: the zone file of example.org already has a TXT record at shop.example.org');
    expect(streamed).toEqual({ ...whole, stdout: '' });
  });
});
