// `audit --zones DIR` reads zone files by the names BIND users give them (issue 11): *.zone,
// db.*, *.db, <origin>, <origin>.; the origin from $ORIGIN, then the SOA, then the file
// name; the header says which zone came from which file and which files were skipped and
// why; two files holding one zone are refused. Each zone fixture is first loaded by
// named-checkzone, with the origin a server's zone statement would give it.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadZoneRepo } from '../../src/audit/sources/zone-repo.js';
import { classifyZoneFileName } from '../../src/zone/file-names.js';
import { checkZone } from '../helpers/bind-tools.js';
import { runCli } from '../helpers/cli.js';

const SOA = 'SOA ns1.example. hostmaster.example. 1 3600 600 86400 300';

/** file name -> [the zone a named.conf would give it, text]. */
const ZONES: Record<string, [string, string]> = {
  // db.<origin>: relative names, no $ORIGIN: the origin is the file name's.
  'db.example.com': ['example.com', `$TTL 300\n@ ${SOA}\n@ NS ns1.example.\n@ MX 10 mx1\nmx1 A 127.0.0.25\n@ TXT "v=spf1 mx -all"\n`],
  // <origin>.db with its own $ORIGIN.
  'example.net.db': ['example.net', `$ORIGIN example.net.\n$TTL 300\n@ ${SOA}\n@ NS ns1.example.\n@ TXT "v=spf1 -all"\n`],
  // <origin>: an absolute SOA owner, relative names after it.
  'example.org': ['example.org', `$TTL 300\nexample.org. ${SOA}\n@ NS ns1.example.\n_dmarc TXT "v=DMARC1; p=reject"\n`],
  // <origin>. (a trailing dot, as some tools name them).
  'example.info.': ['example.info', `$TTL 300\n@ ${SOA}\n@ NS ns1.example.\n@ A 127.0.0.80\n`],
  // $ORIGIN wins over a file name that says another origin.
  'sub/misnamed.zone': ['example.biz', `$ORIGIN example.biz.\n$TTL 300\n@ ${SOA}\n@ NS ns1.example.\n@ TXT "v=spf1 -all"\n`],
  // A single-label origin, as mail servers' integration tests use.
  'db.example': ['example', `$TTL 300\n@ ${SOA}\n@ NS ns1.example.\nns1 A 127.0.0.53\n`],
};

/** Files that are not zones, and the reason each is skipped. */
const OTHERS: Record<string, [string, string]> = {
  'README.md': ['# The zones of example.com\n\nEdit with care.\n', 'does not parse as a master file (line 1)'],
  'db.example.com.jnl': ['\u0000\u0001binary journal', 'a BIND journal, not a master file'],
  'Kexample.com.+013+12345.key': ['example.com. IN DNSKEY 257 3 13 AAAA\n', 'a DNSSEC key file, not a zone'],
  'named.conf.local': ['zone "example.com" { type primary; file "db.example.com"; };\n', 'does not parse as a master file (line 1)'],
  'notes@2026.txt': ['x\n', 'not a zone file name (read: *.zone, db.*, *.db or the origin)'],
  'empty.zone': ['; nothing yet\n', 'holds no records'],
};

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

describe('BIND loads each fixture with the origin its zone statement gives it', () => {
  it.each(Object.entries(ZONES))('%s as %s', (file, [origin, text]) => {
    const dir = mkdtempSync(join(tmpdir(), 'mailrec-bindname-'));
    write(dir, { [file]: text });
    const result = checkZone(origin, join(dir, file));
    expect(result.output).toMatch(/OK/);
    expect(result.ok).toBe(true);
  });
});

describe('file names', () => {
  it.each([
    ['example.com.zone', '*.zone', 'example.com'],
    ['db.example.com', 'db.*', 'example.com'],
    ['example.com.db', '*.db', 'example.com'],
    ['example.com', '<origin>', 'example.com'],
    ['example.com.', '<origin>', 'example.com'],
    ['Example.COM.zone', '*.zone', 'example.com'],
  ])('%s: %s, origin %s', (name, pattern, origin) => {
    expect(classifyZoneFileName(name)).toEqual({ kind: 'zone', pattern, origin });
  });

  it.each(['example.com.zone.jnl', 'db.example.com.jnl', 'example.com.signed', 'managed-keys.bind.mkeys', 'notes@2026.txt', 'a b.zone'])('%s is not read', (name) => {
    expect(classifyZoneFileName(name).kind).toBe('not-zone');
  });
});

describe('loading a directory of BIND-named zone files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mailrec-bindnames-'));
    write(dir, Object.fromEntries(Object.entries(ZONES).map(([f, [, t]]) => [f, t])));
    write(dir, Object.fromEntries(Object.entries(OTHERS).map(([f, [t]]) => [f, t])));
    write(dir, { '.git/HEAD': 'ref: refs/heads/main\n' });
  });

  it('reads every zone, with the origin from $ORIGIN, then the SOA, then the file name', async () => {
    const repo = await loadZoneRepo(dir);
    expect(repo.zones.map((z) => [z.apex, z.files])).toEqual([
      ['example', ['db.example']],
      ['example.biz', ['sub/misnamed.zone']],
      ['example.com', ['db.example.com']],
      ['example.info', ['example.info.']],
      ['example.net', ['example.net.db']],
      ['example.org', ['example.org']],
    ]);
    // Relative names took the origin that was chosen.
    const com = repo.zones.find((z) => z.apex === 'example.com')!;
    expect(com.records.map((r) => r.name)).toContain('mx1.example.com');
    const org = repo.zones.find((z) => z.apex === 'example.org')!;
    expect(org.records.map((r) => r.name)).toContain('_dmarc.example.org');
  });

  it('skips every other file with its reason, and never looks into dot directories', async () => {
    const repo = await loadZoneRepo(dir);
    expect(repo.skipped).toEqual(
      Object.entries(OTHERS)
        .map(([file, [, reason]]) => ({ file, reason }))
        .sort((a, b) => (a.file < b.file ? -1 : 1)),
    );
  });

  it('refuses two files holding one zone, naming both', async () => {
    const twice = mkdtempSync(join(tmpdir(), 'mailrec-twice-'));
    write(twice, { 'db.example.com': ZONES['db.example.com']![1], 'example.com.zone': `$ORIGIN example.com.\n$TTL 300\n@ ${SOA}\n@ NS ns1.example.\n` });
    await expect(loadZoneRepo(twice)).rejects.toThrow('--zones: db.example.com and example.com.zone both hold the zone example.com');
  });

  it('the text header says which zone came from which file and what was skipped (the first few; -v all)', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mailrec-zonesdir-'));
    const zones = join(cwd, 'zones');
    write(zones, Object.fromEntries(Object.entries(ZONES).map(([f, [, t]]) => [f, t])));
    write(zones, Object.fromEntries(Object.entries(OTHERS).map(([f, [t]]) => [f, t])));
    const run = await runCli(['audit', '--zones', 'zones', 'example.com'], { cwd });
    expect(run.code).toBe(0);
    const header = run.stdout.split('\n\n')[0]!.split('\n');
    expect(header).toEqual([
      'mailrec audit: zone files in zones (6 zones: example, example.biz, example.com, example.info, example.net, example.org)',
      '  zone example: zones/db.example',
      '  zone example.biz: zones/sub/misnamed.zone',
      '  zone example.com: zones/db.example.com',
      '  zone example.info: zones/example.info.',
      '  zone example.net: zones/example.net.db',
      '  zone example.org: zones/example.org',
      '  skipped zones/Kexample.com.+013+12345.key: a DNSSEC key file, not a zone',
      '  skipped zones/README.md: does not parse as a master file (line 1)',
      '  skipped zones/db.example.com.jnl: a BIND journal, not a master file',
      '  skipped zones/empty.zone: holds no records',
      '  skipped zones/named.conf.local: does not parse as a master file (line 1)',
      '  skipped 1 more file(s) (-v lists them)',
    ]);
    const verbose = await runCli(['audit', '--zones', 'zones', '-v', 'example.com'], { cwd });
    expect(verbose.stdout).toContain('  skipped zones/notes@2026.txt: not a zone file name (read: *.zone, db.*, *.db or the origin)');
    expect(verbose.stdout).not.toContain('more file(s)');
    // The JSON source lists them all.
    const json = JSON.parse((await runCli(['audit', '--zones', 'zones', '--format', 'json', 'example.com'], { cwd })).stdout) as {
      source: { zones: { apex: string; files: string[] }[]; skipped: { file: string; reason: string }[] };
    };
    expect(json.source.zones).toContainEqual({ apex: 'example.com', files: ['zones/db.example.com'] });
    expect(json.source.skipped).toHaveLength(Object.keys(OTHERS).length);
  });
});
