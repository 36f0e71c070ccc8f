// mailrec import --live against a BIND 9 started here, serving the hand-written estate: the same records as the zone-file import, and an empty plan.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { createDnsClient } from '../../src/dns/client.js';
import { importEstate } from '../../src/interop/import/estate.js';
import { liveZones, readLiveEstate } from '../../src/interop/import/live.js';
import { startBind, type BindServer } from '../helpers/bind.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { importZones, recordKeys } from './helpers.js';

const ESTATE = join(REPO_ROOT, 'test/fixtures/interop/estate/zones');
/** example.com with lists.inc inlined: BIND's $INCLUDE would look for the file in its own directory. */
const EXAMPLE_COM = readFileSync(join(ESTATE, 'example.com.zone'), 'utf8').replace('$INCLUDE lists.inc', readFileSync(join(ESTATE, 'lists.inc'), 'utf8'));
const EXAMPLE_NET = readFileSync(join(ESTATE, 'example.net.zone'), 'utf8');

const DOMAINS = ['example.com', 'lists.example.com', 'marketing.example.com', 'bulk.example.com', 'relay.example.com', 'big.example.com', 'parked.example.com', 'example.net'];
const SELECTORS = ['2025a', '2024b', 'legacy', 'ed', 'test', 'weak', 'old', 'selector1', '2024', 'nosuchselector'];

let bind: BindServer;

beforeAll(async () => {
  bind = await startBind({ zones: [{ name: 'example.com', text: EXAMPLE_COM }, { name: 'example.net', text: EXAMPLE_NET }] });
});

afterAll(async () => {
  await bind?.stop();
});

describe('import --live', () => {
  test('reads the records the zone files hold, except the one DNS cannot list', async () => {
    const client = createDnsClient({ servers: [{ host: '127.0.0.1', port: bind.port }], recursionDesired: false, cache: false });
    const zones = await readLiveEstate({ domains: DOMAINS, selectors: SELECTORS }, client);
    expect(zones.map((z) => z.apex)).toEqual(['example.com', 'example.net']);
    const live = importEstate({ zones, files: new Map(), options: { policyFile: 'policies/imported.yaml', sources: ['live'] } });
    const fromFiles = importZones(
      [
        { apex: 'example.com', text: EXAMPLE_COM },
        { apex: 'example.net', text: EXAMPLE_NET },
      ],
    );
    // "<customer>._report._dmarc.example.com" is named after a domain no record points to: a live import cannot find it.
    const listable = fromFiles.records.filter((rr) => !rr.name.startsWith('customer.example._report'));
    expect(recordKeys(live.records)).toEqual(recordKeys(listable));
    expect(live.changes).toEqual([]);
    expect(recordKeys(live.desired.flatMap((z) => z.records))).toEqual(recordKeys(live.records));
  });

  test('the CLI writes policy, keys and fragments; plan against them is empty', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'mailrec-live-'));
    const run = await runCli(['import', '--live', ...DOMAINS, '--selector', ...SELECTORS, '--resolver', `127.0.0.1:${bind.port}`], { cwd: repo });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Imported 35 mail records of 2 zones (8 domains)');
    expect(run.stdout).toContain('mailrec plan -p policies/imported.yaml: no changes.');
    const policy = parse(readFileSync(join(repo, 'policies/imported.yaml'), 'utf8'));
    expect(policy.domains['example.com'].raw.find((r: { name: string }) => r.name === 'selector1._domainkey')).toEqual({
      name: 'selector1._domainkey',
      type: 'CNAME',
      value: 'selector1-example-com._domainkey.examplecom.onmicrosoft.com.',
    });
    const plan = await runCli(['-p', 'policies/imported.yaml', 'plan', '--detailed-exitcode'], { cwd: repo });
    expect(plan.code).toBe(0);
  });

  test('a server that does not answer is an error, not a partial import', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'mailrec-live-'));
    const run = await runCli(['import', '--live', 'example.org', '--resolver', '127.0.0.1:9'], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error: cannot read .* (MX|TXT|CNAME|SRV): /);
  });

  test('zones: the outermost domains, or --zone', () => {
    expect(liveZones({ domains: ['a.example.com', 'example.com', 'example.net'], selectors: [] })).toEqual(['example.com', 'example.net']);
    expect(liveZones({ domains: ['a.example.com'], selectors: [], zones: ['example.com'] })).toEqual(['example.com']);
  });
});
