// Export: the octoDNS YAML and DNSControl JavaScript parsed back (YAML with `yaml`, JS in node:vm with stub functions) hold exactly the records plan computes.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, test } from 'vitest';
import { isMap, parseDocument, parse, type Node } from 'yaml';
import { exportDnscontrol, renderDnscontrolZone } from '../../src/interop/export/dnscontrol.js';
import { compareNatural, exportOctodns, mergeOctodnsZone, renderOctodnsZone } from '../../src/interop/export/octodns.js';
import { loadPolicy } from '../../src/policy/load.js';
import { buildZoneRecords, type DesiredZone } from '../../src/build/zone-records.js';
import { renderRData } from '../../src/dns-types/rdata.js';
import { chunkTxt, txtText, typeOf, type RR } from '../../src/dns-types/rr.js';
import { copyExample, REPO_ROOT, runCli } from '../helpers/cli.js';
import { importZones } from './helpers.js';

const ESTATE = join(REPO_ROOT, 'test/fixtures/interop/estate/zones');

/** The hand-written estate as imported (raw: entries with odd splits, a CNAME, null MX, TTLs of two kinds). */
function estateZones(): DesiredZone[] {
  const com = readFileSync(join(ESTATE, 'example.com.zone'), 'utf8').replace('$INCLUDE lists.inc', readFileSync(join(ESTATE, 'lists.inc'), 'utf8'));
  const net = readFileSync(join(ESTATE, 'example.net.zone'), 'utf8');
  return importZones([
    { apex: 'example.com', text: com },
    { apex: 'example.net', text: net },
  ]).desired;
}

async function exampleZones(): Promise<DesiredZone[]> {
  const repo = copyExample();
  return buildZoneRecords(await loadPolicy([join(repo, 'policies')], { root: repo }));
}

/** Records compared as a receiver sees them: owner, type, TTL, and TXT as its text (octoDNS re-splits TXT). */
function receiverKeys(records: readonly RR[]): string[] {
  return records.map((rr) => `${rr.name} ${typeOf(rr)} ${rr.ttl} ${rr.type === 'TXT' ? JSON.stringify(txtText(rr)) : renderRData(rr)}`).sort();
}

/** Exact keys: TXT strings as split. */
function exactKeys(records: readonly RR[]): string[] {
  return records.map((rr) => `${rr.name} ${typeOf(rr)} ${rr.ttl} ${renderRData(rr)}`).sort();
}

function owner(label: string, zone: string): string {
  return label === '' || label === '@' ? zone : `${label}.${zone}`;
}

function unDot(name: string): string {
  return name === '.' ? '' : name.replace(/\.$/, '');
}

// ---------------------------------------------------------------------------------------- octoDNS

type OctoRecord = { ttl: number; type: string; value?: unknown; values?: unknown[] };

function fromOctodns(zone: string, text: string): RR[] {
  const data = parse(text) as Record<string, OctoRecord | OctoRecord[]>;
  const out: RR[] = [];
  for (const [label, entry] of Object.entries(data)) {
    for (const rec of Array.isArray(entry) ? entry : [entry]) {
      const values = rec.values ?? [rec.value];
      for (const v of values) {
        const base = { name: owner(label, zone), ttl: rec.ttl };
        const m = v as Record<string, number | string>;
        switch (rec.type) {
          case 'TXT':
            // octoDNS unescapes "\;" and splits the text into 255-octet strings.
            out.push({ ...base, type: 'TXT', strings: chunkTxt((v as string).replace(/\\;/g, ';')) });
            break;
          case 'MX':
            out.push({ ...base, type: 'MX', preference: m.preference as number, exchange: unDot(m.exchange as string) });
            break;
          case 'SRV':
            out.push({ ...base, type: 'SRV', priority: m.priority as number, weight: m.weight as number, port: m.port as number, target: unDot(m.target as string) });
            break;
          case 'TLSA':
            out.push({
              ...base,
              type: 'TLSA',
              usage: m.certificate_usage as number,
              selector: m.selector as number,
              matchingType: m.matching_type as number,
              certificate: (m.certificate_association_data as string).toUpperCase(),
            });
            break;
          case 'CNAME':
            out.push({ ...base, type: 'CNAME', target: unDot(v as string) });
            break;
          default:
            throw new Error(`unexpected type ${rec.type}`);
        }
      }
    }
  }
  return out;
}

/** octoDNS's SortEnforcingLoader refuses any mapping whose keys are not in natural order. */
function expectNaturalOrder(node: Node | null | undefined, path = ''): void {
  if (!node) return;
  if (isMap(node)) {
    const keys = node.items.map((p) => String((p.key as { value: unknown }).value));
    expect([...keys].sort(compareNatural), `keys at ${path || '/'}`).toEqual(keys);
    for (const p of node.items) expectNaturalOrder(p.value as Node, `${path}/${String((p.key as { value: unknown }).value)}`);
  } else if ('items' in node && Array.isArray((node as { items: unknown }).items)) {
    for (const item of (node as { items: Node[] }).items) expectNaturalOrder(item, `${path}[]`);
  }
}

describe('octoDNS', () => {
  test.each([
    ['the bundled example', exampleZones],
    ['the imported hand-written estate', async () => estateZones()],
  ])('%s: the YAML parsed back holds exactly the records plan computes', async (_label, zonesOf) => {
    const zones = await zonesOf();
    const files = exportOctodns(zones, ['policies/']);
    expect(files.map((f) => f.path)).toEqual(zones.map((z) => `${z.zone}.yaml`));
    for (const [i, zone] of zones.entries()) {
      const text = files[i]!.content;
      expect(receiverKeys(fromOctodns(zone.zone, text))).toEqual(receiverKeys(zone.records));
      expectNaturalOrder(parseDocument(text).contents as Node);
      // octoDNS refuses an unescaped ";" after a word character (its _unescaped_semicolon_re).
      expect(text.split('\n').filter((l) => !l.startsWith('#')).join('\n')).not.toMatch(/\w;/);
    }
  });

  test('shape of a zone: apex as "", value or values, MX/SRV/TLSA fields, null MX and SRV "."', () => {
    const zone: DesiredZone = {
      zone: 'example.com',
      files: [],
      notices: [],
      records: [
        { name: 'example.com', ttl: 300, type: 'MX', preference: 0, exchange: '' },
        { name: 'example.com', ttl: 300, type: 'TXT', strings: ['v=spf1 -all'] },
        { name: '_dmarc.example.com', ttl: 300, type: 'TXT', strings: ['v=DMARC1; p=reject'] },
        { name: '_pop3._tcp.example.com', ttl: 300, type: 'SRV', priority: 0, weight: 0, port: 0, target: '' },
        { name: '_25._tcp.mx.example.com', ttl: 300, type: 'TLSA', usage: 3, selector: 1, matchingType: 1, certificate: 'AB'.repeat(32) },
      ],
    };
    expect(renderOctodnsZone(zone, ['p.yaml']).split('\n').slice(3).join('\n')).toBe(
      [
        '"":',
        '  - ttl: 300',
        '    type: MX',
        '    value:',
        '      exchange: .',
        '      preference: 0',
        '  - ttl: 300',
        '    type: TXT',
        '    value: v=spf1 -all',
        '_25._tcp.mx:',
        '  ttl: 300',
        '  type: TLSA',
        '  value:',
        `    certificate_association_data: ${'ab'.repeat(32)}`,
        '    certificate_usage: 3',
        '    matching_type: 1',
        '    selector: 1',
        '_dmarc:',
        '  ttl: 300',
        '  type: TXT',
        '  value: v=DMARC1\\; p=reject',
        '_pop3._tcp:',
        '  ttl: 300',
        '  type: SRV',
        '  value:',
        '    port: 0',
        '    priority: 0',
        '    target: .',
        '    weight: 0',
        '',
      ].join('\n'),
    );
  });

  test('natural order as octoDNS sorts keys (numbers by value)', () => {
    expect(['a10', '_dmarc', '2024b._domainkey', '', 'a9', '_25._tcp.mx1', '2024._domainkey.lists'].sort(compareNatural)).toEqual([
      '',
      '2024._domainkey.lists',
      '2024b._domainkey',
      '_25._tcp.mx1',
      '_dmarc',
      'a9',
      'a10',
    ]);
  });

  test('--octodns-merge: your zone file with mailrec\'s records in, by the ownership model', () => {
    const zone: DesiredZone = {
      zone: 'example.com',
      files: [],
      notices: [],
      records: [
        { name: 'example.com', ttl: 3600, type: 'MX', preference: 10, exchange: 'mx1.example.com' },
        { name: 'example.com', ttl: 3600, type: 'TXT', strings: ['v=spf1 mx -all'] },
        { name: '_dmarc.example.com', ttl: 3600, type: 'TXT', strings: ['v=DMARC1; p=reject'] },
      ],
    };
    const yours = [
      '# my zone',
      "'':",
      '  - type: A',
      '    value: 192.0.2.10',
      '  - type: MX',
      '    value: { exchange: old-mx.example.com., preference: 5 }',
      '  - type: TXT',
      '    ttl: 300',
      '    values:',
      '      - google-site-verification=abc',
      '      - v=spf1 a -all',
      '_dmarc:',
      '  type: TXT',
      '  value: v=DMARC1\\; p=none',
      'www:',
      '  type: CNAME',
      '  value: example.com.',
      '',
    ].join('\n');
    const merged = parse(mergeOctodnsZone(zone, yours, 'config/example.com.yaml', ['p.yaml']));
    expect(merged).toEqual({
      '': [
        { type: 'A', value: '192.0.2.10' },
        { ttl: 3600, type: 'MX', value: { exchange: 'mx1.example.com.', preference: 10 } },
        // The site verification stays; the old SPF goes; the RRset takes mailrec's TTL.
        { ttl: 3600, type: 'TXT', values: ['google-site-verification=abc', 'v=spf1 mx -all'] },
      ],
      _dmarc: { ttl: 3600, type: 'TXT', value: 'v=DMARC1\\; p=reject' },
      www: { type: 'CNAME', value: 'example.com.' },
    });
    expect(() => mergeOctodnsZone(zone, "_dmarc:\n  type: CNAME\n  value: x.example.net.\n", 'f.yaml', ['p'])).toThrow(/CNAME beside other records/);
  });

  test('a raw: entry split otherwise is noted in the file: octoDNS splits at 255 octets', () => {
    const text = exportOctodns(estateZones(), ['p'])[0]!.content;
    expect(text).toContain('# marketing.example.com TXT: octoDNS splits the text into 255-octet strings');
  });
});

// ---------------------------------------------------------------------------------------- DNSControl

interface DomainCall {
  fn: 'D' | 'D_EXTEND';
  name: string;
  registrar?: unknown;
  provider?: unknown;
  records: RR[];
}

/** Evaluate the JavaScript with stub DNSControl functions that collect what they are given. */
function fromDnscontrol(js: string): DomainCall[] {
  const domains: DomainCall[] = [];
  const ttlOf = (mods: unknown[]): number => (mods.find((m) => typeof m === 'object' && m !== null && 'ttl' in m) as { ttl: number }).ttl;
  const rec = (type: string, build: (args: unknown[]) => Record<string, unknown>) => (label: string, ...args: unknown[]) => ({
    label,
    type,
    ttl: ttlOf(args),
    ...build(args),
  });
  const sandbox = {
    REG_NONE: 'REG_NONE',
    DSP_MAILREC: 'DSP_MAILREC',
    REG_X: 'REG_X',
    DSP_X: 'DSP_X',
    DnsProvider: (p: unknown) => ({ dnsProvider: p }),
    TTL: (ttl: number) => ({ ttl }),
    TXT: rec('TXT', ([contents]) => ({ strings: Array.isArray(contents) ? contents : chunkTxt(contents as string) })),
    MX: rec('MX', ([preference, exchange]) => ({ preference, exchange: unDot(exchange as string) })),
    SRV: rec('SRV', ([priority, weight, port, target]) => ({ priority, weight, port, target: unDot(target as string) })),
    TLSA: rec('TLSA', ([usage, selector, matchingType, certificate]) => ({ usage, selector, matchingType, certificate: (certificate as string).toUpperCase() })),
    CNAME: rec('CNAME', ([target]) => ({ target: unDot(target as string) })),
    D: (name: string, registrar: unknown, provider: unknown, ...records: Record<string, unknown>[]) =>
      domains.push({ fn: 'D', name, registrar, provider, records: records.map((r) => toRR(name, r)) }),
    D_EXTEND: (name: string, ...records: Record<string, unknown>[]) => domains.push({ fn: 'D_EXTEND', name, records: records.map((r) => toRR(name, r)) }),
  };
  runInNewContext(js, sandbox);
  return domains;
}

function toRR(zone: string, r: Record<string, unknown>): RR {
  const { label, ...rest } = r;
  return { ...rest, name: owner(label as string, zone) } as RR;
}

describe('DNSControl', () => {
  test.each([
    ['the bundled example', exampleZones],
    ['the imported hand-written estate', async () => estateZones()],
  ])('%s: the JavaScript evaluated with stub functions holds exactly the records plan computes, TXT splits included', async (_label, zonesOf) => {
    const zones = await zonesOf();
    const files = exportDnscontrol(zones, ['policies/']);
    for (const [i, zone] of zones.entries()) {
      const [domain, ...more] = fromDnscontrol(files[i]!.content);
      expect(more).toEqual([]);
      expect(domain).toMatchObject({ fn: 'D', name: zone.zone, registrar: 'REG_NONE', provider: { dnsProvider: 'DSP_MAILREC' } });
      expect(exactKeys(domain!.records)).toEqual(exactKeys(zone.records));
    }
  });

  test('--dnscontrol-extend writes D_EXTEND; registrar and provider variables can be named', () => {
    const [zone] = estateZones();
    const extended = fromDnscontrol(renderDnscontrolZone(zone!, ['p'], { extend: true }));
    expect(extended.map((d) => `${d.fn} ${d.name}`)).toEqual(['D_EXTEND example.com']);
    expect(exactKeys(extended[0]!.records)).toEqual(exactKeys(zone!.records));
    const named = fromDnscontrol(renderDnscontrolZone(zone!, ['p'], { registrar: 'REG_X', provider: 'DSP_X' }));
    expect(named[0]).toMatchObject({ registrar: 'REG_X', provider: { dnsProvider: 'DSP_X' } });
    expect(() => renderDnscontrolZone(zone!, ['p'], { provider: 'x); evil(' })).toThrow(/not a JavaScript variable name/);
  });

  test('calls as DNSControl expects them: "@", relative labels, absolute targets, JSON-escaped strings', () => {
    const js = renderDnscontrolZone(
      {
        zone: 'example.com',
        files: [],
        notices: [],
        records: [
          { name: 'example.com', ttl: 300, type: 'MX', preference: 0, exchange: '' },
          { name: 'example.com', ttl: 300, type: 'TXT', strings: ['v=spf1 exists:%{i}._spf.example.com "quoted" \\ -all'] },
          { name: 's1._domainkey.example.com', ttl: 300, type: 'TXT', strings: ['v=DKIM1; p=', 'ABC'] },
          { name: '_submissions._tcp.example.com', ttl: 300, type: 'SRV', priority: 0, weight: 1, port: 465, target: 'smtp.example.com' },
        ],
      },
      ['p'],
    );
    expect(js).toContain('  MX("@", 0, ".", TTL(300)),\n');
    expect(js).toContain('  TXT("@", "v=spf1 exists:%{i}._spf.example.com \\"quoted\\" \\\\ -all", TTL(300)),\n');
    expect(js).toContain('  TXT("s1._domainkey", ["v=DKIM1; p=", "ABC"], TTL(300)),\n');
    expect(js).toContain('  SRV("_submissions._tcp", 0, 1, 465, "smtp.example.com.", TTL(300))\n);\n');
  });
});

describe('mailrec export', () => {
  test('writes one file per zone, leaves identical files alone, refuses to overwrite files it did not write', async () => {
    const repo = copyExample();
    const first = await runCli(['export', '--to', 'octodns', '--out', 'octodns'], { cwd: repo });
    expect(first.stderr).toBe('');
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toBe(
      [
        'wrote octodns/example.net.yaml',
        'wrote octodns/example.org.yaml',
        'note: mta-sts/example.org/.well-known/mta-sts.txt is not part of the export: mailrec apply writes it; serve it from the MTA-STS web server',
        '',
      ].join('\n'),
    );
    const again = await runCli(['export', '--to', 'octodns', '--out', 'octodns'], { cwd: repo });
    expect(again.stdout).toContain('unchanged octodns/example.org.yaml\n');

    mkdirSync(join(repo, 'mine'));
    writeFileSync(join(repo, 'mine/example.org.js'), 'D("example.org", REG_NONE);\n');
    const refused = await runCli(['export', '--to', 'dnscontrol', '--out', 'mine'], { cwd: repo });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('mine/example.org.js exists and was not written by mailrec export; nothing was written');
    expect(readFileSync(join(repo, 'mine/example.org.js'), 'utf8')).toBe('D("example.org", REG_NONE);\n');
    expect((await runCli(['export', '--to', 'dnscontrol', '--out', 'mine', '--force'], { cwd: repo })).code).toBe(0);

    const json = await runCli(['-f', 'json', 'export', '--to', 'dnscontrol', '--out', 'dnscontrol', '--dnscontrol-extend'], { cwd: repo });
    expect(JSON.parse(json.stdout)).toMatchObject({ to: 'dnscontrol', written: ['dnscontrol/example.net.js', 'dnscontrol/example.org.js'] });
    expect(readFileSync(join(repo, 'dnscontrol/example.org.js'), 'utf8')).toContain('D_EXTEND("example.org",\n');
  });

  test('--octodns-merge reads <dir>/<zone>.yaml and never writes there', async () => {
    const repo = copyExample();
    mkdirSync(join(repo, 'config'));
    writeFileSync(join(repo, 'config/example.org.yaml'), "'':\n  type: A\n  value: 192.0.2.10\n");
    const run = await runCli(['export', '--to', 'octodns', '--octodns-merge', 'config', '--out', 'build'], { cwd: repo });
    expect(run.code).toBe(0);
    const merged = parse(readFileSync(join(repo, 'build/example.org.yaml'), 'utf8'));
    expect(merged[''][0]).toEqual({ type: 'A', value: '192.0.2.10' });
    expect(readFileSync(join(repo, 'build/example.org.yaml'), 'utf8')).toContain('config/example.org.yaml with the mail records of zone example.org');
    expect(readFileSync(join(repo, 'config/example.org.yaml'), 'utf8')).toBe("'':\n  type: A\n  value: 192.0.2.10\n");
    const same = await runCli(['export', '--to', 'octodns', '--octodns-merge', 'config', '--out', 'config'], { cwd: repo });
    expect(same.stderr).toContain('--octodns-merge and --out name the same directory');
  });

  test('an unknown target is a usage error', async () => {
    const repo = copyExample();
    const run = await runCli(['export', '--to', 'terraform', '--out', 'x'], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("unknown export target 'terraform'");
  });
});
