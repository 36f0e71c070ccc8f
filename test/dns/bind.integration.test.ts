// Against a real BIND 9: queries of every type, NXDOMAIN/NODATA, TCP fallback, CNAME chasing, RFC 2136 updates with TSIG, AXFR; all cross-checked with dig.

import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { axfr } from '../../src/dns/axfr.js';
import { createDnsClient, type DnsClient } from '../../src/dns/client.js';
import type { ServerAddress } from '../../src/dns/servers.js';
import type { Answer } from '../../src/dns/resolver.js';
import { TsigKey } from '../../src/dns/tsig-key.js';
import {
  addRR, deleteName, deleteRR, deleteRRset, nameInUse, nameNotInUse, rrsetExists, rrsetExistsValue, rrsetNotExists, sendUpdate,
} from '../../src/dns/update.js';
import { DnsError } from '../../src/base/errors.js';
import type { RR } from '../../src/dns-types/rr.js';
import { startBind, type BindServer } from '../helpers/bind.js';

const TLSA_HEX = 'd2abde240d7cd3ee6b4b28c54df034b97983a1d16e8a410e4561cb106618e971';
const BIG_TXT = Array.from({ length: 12 }, (_, i) => `big TXT "${String(i).padStart(2, '0')}${'x'.repeat(150)}"`);

const ZONE = `
@        SOA   ns1 hostmaster 2026112501 3600 600 86400 300
@        NS    ns1
ns1      A     127.0.0.1
ns1      AAAA  ::1
@        MX    10 mx1
@        MX    20 mx2
mx1      A     192.0.2.25
mx2      A     192.0.2.26
@        TXT   "v=spf1 mx -all"
@        TXT   "google-site-verification=foreign-token"
utf8     TXT   "h\\195\\169llo w\\195\\182rld"
split    TXT   "first part " "second part"
www      CNAME web
web      A     192.0.2.80
alias    CNAME www
ext      CNAME target.other.test.
dangling CNAME nothere
loop1    CNAME loop2
loop2    CNAME loop1
_submissions._tcp SRV 0 1 465 submit
submit   A     192.0.2.87
_25._tcp.mx1 TLSA 3 1 1 ${TLSA_HEX}
ptr      PTR   mx1.example.test.
${BIG_TXT.join('\n')}
`;

const OTHER = `
@        SOA   ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300
@        NS    ns1.example.test.
target   A     192.0.2.99
`;

const DYNAMIC = `
@        SOA   ns1.example.test. hostmaster 1 3600 600 86400 300
@        NS    ns1.example.test.
@        MX    10 mx1
@        TXT   "google-site-verification=foreign-token"
@        TXT   "v=spf1 -all"
mx1      A     192.0.2.25
`;

const BULK = [
  '@ SOA ns1.example.test. hostmaster 1 3600 600 86400 300',
  '@ NS ns1.example.test.',
  ...Array.from({ length: 3000 }, (_, i) => `r${i} TXT "record ${i} ${'y'.repeat(40)}"`),
].join('\n');

let bind: BindServer;
let server: ServerAddress;
let key: TsigKey;
let client: DnsClient;
/** Every message, error and result produced, checked for the secret at the end. */
const produced: string[] = [];

beforeAll(async () => {
  bind = await startBind({
    zones: [
      { name: 'example.test', text: ZONE },
      { name: 'other.test', text: OTHER },
      { name: 'dyn.test', text: DYNAMIC, dynamic: true },
      { name: 'bulk.test', text: BULK, allowTransfer: 'key' },
    ],
    tsig: { name: 'mailrec-key.', algorithm: 'hmac-sha256' },
  });
  server = { host: bind.address, port: bind.port };
  key = new TsigKey(bind.key.name, bind.key.algorithm, bind.key.secret);
  client = createDnsClient({ servers: [server], recursionDesired: false, timeoutMs: 2000 });
});

afterAll(async () => {
  await bind?.stop();
});

function record(value: unknown): void {
  produced.push(typeof value === 'string' ? value : `${JSON.stringify(value)}\n${inspect(value, { depth: 8, showHidden: true })}`);
}

async function failure(promise: Promise<unknown>): Promise<DnsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DnsError);
  const e = error as DnsError;
  record(`${e.message}\n${e.hint ?? ''}\n${e.stack ?? ''}\n${inspect(e)}`);
  return e;
}

/** dig's short answer lines, for cross-checks. */
async function digShort(name: string, type: string, extra: string[] = []): Promise<string[]> {
  const out = await bind.dig(['+norec', '+short', ...extra, name, type]);
  record(out.stdout);
  // dig splits long TLSA hex into groups; join them back.
  const join = (line: string) => (type === 'TLSA' ? line.replace(/^(\d+ \d+ \d+ )(.*)$/, (_m, head: string, hex: string) => head + hex.replace(/ /g, '')) : line);
  return out.stdout.trim().split('\n').filter(Boolean).map(join).sort();
}

/** Render our records the way `dig +short` prints them. */
function short(rr: RR): string {
  const dot = (n: string) => `${n}.`;
  switch (rr.type) {
    case 'A':
    case 'AAAA':
      return rr.address;
    case 'CNAME':
      return dot(rr.target);
    case 'NS':
    case 'PTR':
      return dot(rr.host);
    case 'MX':
      return `${rr.preference} ${dot(rr.exchange)}`;
    case 'TXT':
      return rr.strings.map((s) => `"${s}"`).join(' ');
    case 'SRV':
      return `${rr.priority} ${rr.weight} ${rr.port} ${dot(rr.target)}`;
    case 'TLSA':
      return `${rr.usage} ${rr.selector} ${rr.matchingType} ${rr.certificate.toUpperCase()}`;
    case 'SOA':
      return `${dot(rr.mname)} ${dot(rr.rname)} ${rr.serial} ${rr.refresh} ${rr.retry} ${rr.expire} ${rr.minimum}`;
    case 'OTHER':
      return rr.text;
  }
}

async function ours(name: string, type: Parameters<DnsClient['resolve']>[1], fresh = false): Promise<RR[]> {
  const c = fresh ? createDnsClient({ servers: [server], recursionDesired: false, cache: false }) : client;
  const answer = await c.resolve(name, type);
  record(answer);
  return answer.status === 'ok' ? answer.records : [];
}

describe('queries', () => {
  const cases: Array<[string, Parameters<DnsClient['resolve']>[1], number]> = [
    ['ns1.example.test', 'A', 1],
    ['ns1.example.test', 'AAAA', 1],
    ['www.example.test', 'CNAME', 1],
    ['example.test', 'NS', 1],
    ['ptr.example.test', 'PTR', 1],
    ['example.test', 'MX', 2],
    ['example.test', 'TXT', 2],
    ['split.example.test', 'TXT', 1],
    ['_submissions._tcp.example.test', 'SRV', 1],
    ['_25._tcp.mx1.example.test', 'TLSA', 1],
    ['example.test', 'SOA', 1],
  ];
  for (const [name, type, count] of cases) {
    test(`${name} ${type}: ${count} record(s), as dig sees them`, async () => {
      const records = await ours(name, type);
      expect(records).toHaveLength(count);
      expect(records.every((r) => r.type === type && r.name === name)).toBe(true);
      expect(records.map(short).sort()).toEqual(await digShort(name, type));
    });
  }

  test('exact model values for the mail records', async () => {
    // Uncached: an answer cached by the tests above has its TTL counted down once a second has passed (a loaded machine).
    expect(await ours('example.test', 'MX', true)).toEqual(
      expect.arrayContaining([{ name: 'example.test', ttl: 300, type: 'MX', preference: 10, exchange: 'mx1.example.test' }]),
    );
    expect(await ours('_25._tcp.mx1.example.test', 'TLSA', true)).toEqual([
      { name: '_25._tcp.mx1.example.test', ttl: 300, type: 'TLSA', usage: 3, selector: 1, matchingType: 1, certificate: TLSA_HEX },
    ]);
    expect(await ours('split.example.test', 'TXT', true)).toEqual([{ name: 'split.example.test', ttl: 300, type: 'TXT', strings: ['first part ', 'second part'] }]);
    expect(await ours('utf8.example.test', 'TXT', true)).toEqual([{ name: 'utf8.example.test', ttl: 300, type: 'TXT', strings: ['héllo wörld'] }]);
  });

  test('NXDOMAIN vs NODATA, as dig reports them', async () => {
    expect(await client.resolve('nothere.example.test', 'A')).toEqual({ status: 'nxdomain', authenticated: false });
    expect(await client.resolve('web.example.test', 'TXT')).toEqual({ status: 'nodata', authenticated: false });
    expect((await bind.dig(['+norec', 'nothere.example.test', 'A'])).stdout).toMatch(/status: NXDOMAIN/);
    const nodata = (await bind.dig(['+norec', 'web.example.test', 'TXT'])).stdout;
    expect(nodata).toMatch(/status: NOERROR/);
    expect(nodata).toMatch(/ANSWER: 0/);
    // Out of every zone BIND serves: REFUSED, an error (never "missing").
    const refused = await client.resolve('example.invalid', 'A');
    expect(refused).toEqual({ status: 'error', reason: `REFUSED from 127.0.0.1:${bind.port} for example.invalid A` });
    record(refused);
  });

  test('a TXT RRset larger than 1232 octets: TC over UDP, then TCP; same records as dig +tcp', async () => {
    const c = createDnsClient({ servers: [server], recursionDesired: false });
    const result = await c.query('big.example.test', 'TXT');
    expect(result.transport).toBe('tcp');
    expect(result.response.raw.length).toBeGreaterThan(1232);
    expect(result.answers).toHaveLength(12);
    expect(c.stats()).toMatchObject({ udpQueries: 1, tcpQueries: 1, tcpFallbacks: 1 });
    expect(result.answers.map(short).sort()).toEqual(await digShort('big.example.test', 'TXT', ['+tcp']));
    // The UDP answer really was truncated at BIND's 1232-octet limit.
    expect((await bind.dig(['+norec', '+ignore', '+bufsize=1232', 'big.example.test', 'TXT'])).stdout).toMatch(/flags: qr aa tc/);
  });

  test('the raw response exposes rcode, AA/AD/TC and the authority section', async () => {
    const result = await client.query('nothere.example.test', 'A');
    expect(result).toMatchObject({ rcode: 'NXDOMAIN', flags: { aa: true, ad: false, tc: false }, answers: [], transport: 'udp' });
    expect(result.authorities.map((r) => r.type)).toEqual(['SOA']);
  });
});

describe('answers learnt from a negative answer', () => {
  test('equal what BIND answers when asked: every type after NXDOMAIN, CNAME after NODATA', async () => {
    const names = ['nothere.example.test', 'web.example.test', 'www.example.test', 'dangling.example.test', 'example.test', '_dmarc.example.test'];
    const types = ['TXT', 'CNAME', 'MX', 'A'] as const;
    for (const name of names) {
      for (const first of types) {
        const learning = createDnsClient({ servers: [server], recursionDesired: false });
        const asking = createDnsClient({ servers: [server], recursionDesired: false, cache: false });
        await learning.resolve(name, first);
        // BIND turns the order of an RRset from one answer to the next.
        const sorted = (a: Answer): Answer => (a.status === 'ok' ? { ...a, records: [...a.records].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))) } : a);
        for (const type of types) expect(sorted(await learning.resolve(name, type)), `${name} ${type} after ${first}`).toEqual(sorted(await asking.resolve(name, type)));
      }
    }
    // Some were learnt: a name that does not exist is asked about once.
    const learning = createDnsClient({ servers: [server], recursionDesired: false });
    for (const type of types) await learning.resolve('nothere.example.test', type);
    expect(learning.stats().queriesSent).toBe(1);
  });
});

describe('CNAME chasing', () => {
  test('a chain inside the zone, answered at once: alias -> www -> web', async () => {
    const c = createDnsClient({ servers: [server], recursionDesired: false });
    expect(await c.resolve('alias.example.test', 'A')).toEqual({
      status: 'ok', authenticated: false, records: [{ name: 'web.example.test', ttl: 300, type: 'A', address: '192.0.2.80' }],
    });
    expect(c.stats().queriesSent).toBe(1);
  });

  test('a CNAME into another zone: asked again', async () => {
    const c = createDnsClient({ servers: [server], recursionDesired: false });
    const answer = await c.resolve('ext.example.test', 'A');
    expect(answer).toMatchObject({ status: 'ok', records: [{ name: 'target.other.test', address: '192.0.2.99' }] });
    expect(c.stats().queriesSent).toBe(2);
  });

  test('a dangling CNAME is NXDOMAIN; a CNAME loop is an error', async () => {
    expect(await client.resolve('dangling.example.test', 'A')).toEqual({ status: 'nxdomain', authenticated: false });
    // BIND itself gives up on the loop ("query iterations limit reached") with SERVFAIL;
    // loops inside one answer and across queries are covered in client.test.ts.
    const loop = await client.resolve('loop1.example.test', 'A');
    expect(loop).toEqual({ status: 'error', reason: `SERVFAIL from 127.0.0.1:${bind.port} for loop1.example.test A` });
  });
});

describe('RFC 2136 updates, TSIG-signed', () => {
  const spf: RR = { name: 'dyn.test', ttl: 300, type: 'TXT', strings: ['v=spf1 -all'] };
  const newSpf: RR = { name: 'dyn.test', ttl: 300, type: 'TXT', strings: ['v=spf1 mx ip4:192.0.2.0/24 -all'] };
  const foreign = '"google-site-verification=foreign-token"';

  test('replace one TXT at the apex; the foreign TXT survives', async () => {
    const result = await sendUpdate({
      server, zone: 'dyn.test', key,
      prerequisites: rrsetExistsValue([spf, { ...spf, strings: ['google-site-verification=foreign-token'] }]),
      updates: [deleteRR(spf), addRR(newSpf)],
    });
    record(result);
    expect(result).toEqual({ status: 'ok' });
    const txt = await ours('dyn.test', 'TXT', true);
    expect(txt.map(short).sort()).toEqual([foreign, '"v=spf1 mx ip4:192.0.2.0/24 -all"']);
    expect(await digShort('dyn.test', 'TXT')).toEqual(txt.map(short).sort());
  });

  test('delete a single TXT: only that record goes', async () => {
    expect(await sendUpdate({ server, zone: 'dyn.test', key, updates: [deleteRR(newSpf)] })).toEqual({ status: 'ok' });
    expect(await digShort('dyn.test', 'TXT')).toEqual([foreign]);
    expect((await ours('dyn.test', 'TXT', true)).map(short)).toEqual([foreign]);
  });

  test('add records of every mail type; read back equal to what was sent', async () => {
    const records: RR[] = [
      { name: 'dyn.test', ttl: 600, type: 'MX', preference: 20, exchange: 'mx2.dyn.test' },
      { name: '_submissions._tcp.dyn.test', ttl: 600, type: 'SRV', priority: 0, weight: 1, port: 465, target: 'submit.dyn.test' },
      { name: '_25._tcp.mx1.dyn.test', ttl: 600, type: 'TLSA', usage: 3, selector: 1, matchingType: 1, certificate: TLSA_HEX },
      { name: '_dmarc.dyn.test', ttl: 600, type: 'TXT', strings: ['v=DMARC1; p=none; rua=mailto:postmaster@dyn.test'] },
      { name: 'k1._domainkey.dyn.test', ttl: 600, type: 'TXT', strings: ['v=DKIM1; k=rsa; p=' + 'A'.repeat(200), 'B'.repeat(150)] },
      { name: 'mx2.dyn.test', ttl: 600, type: 'AAAA', address: '2001:db8::25' },
      { name: 'alias.dyn.test', ttl: 600, type: 'CNAME', target: 'mx1.dyn.test' },
    ];
    expect(await sendUpdate({ server, zone: 'dyn.test', key, updates: records.map(addRR) })).toEqual({ status: 'ok' });
    for (const rr of records) {
      const back = (await ours(rr.name, rr.type as Exclude<RR['type'], 'OTHER'>, true)).filter((r) => r.type === rr.type && short(r) === short(rr));
      expect(back).toEqual([rr]);
      expect(await digShort(rr.name, rr.type)).toContain(short(rr));
    }
  });

  test('deleteRRset MX removes the whole RRset', async () => {
    expect(await sendUpdate({ server, zone: 'dyn.test', key, updates: [deleteRRset('dyn.test', 'MX')] })).toEqual({ status: 'ok' });
    expect(await createDnsClient({ servers: [server], recursionDesired: false }).resolve('dyn.test', 'MX')).toEqual({ status: 'nodata', authenticated: false });
    expect(await digShort('dyn.test', 'MX')).toEqual([]);
  });

  test('failed prerequisites are results, and nothing of the update is applied', async () => {
    const canary = addRR({ name: 'canary.dyn.test', ttl: 60, type: 'A', address: '192.0.2.1' });
    const cases: Array<[string, ReturnType<typeof rrsetExists>[], string]> = [
      ['rrsetExists on a missing RRset', [rrsetExists('dyn.test', 'MX')], 'NXRRSET'],
      ['rrsetNotExists on a present RRset', [rrsetNotExists('dyn.test', 'TXT')], 'YXRRSET'],
      ['rrsetExistsValue with other values', rrsetExistsValue([spf]), 'NXRRSET'],
      ['nameInUse on a free name', [nameInUse('free.dyn.test')], 'NXDOMAIN'],
      ['nameNotInUse on a used name', [nameNotInUse('mx1.dyn.test')], 'YXDOMAIN'],
    ];
    for (const [, prerequisites, rcode] of cases) {
      const result = await sendUpdate({ server, zone: 'dyn.test', key, prerequisites, updates: [canary] });
      record(result);
      expect(result).toEqual({ status: 'prerequisite-failed', rcode });
    }
    expect(await digShort('canary.dyn.test', 'A')).toEqual([]);
    // And prerequisites that hold let the update through.
    const ok = await sendUpdate({
      server, zone: 'dyn.test', key,
      prerequisites: [rrsetExists('dyn.test', 'TXT'), rrsetNotExists('dyn.test', 'MX'), nameInUse('mx1.dyn.test'), nameNotInUse('canary.dyn.test')],
      updates: [canary],
    });
    expect(ok).toEqual({ status: 'ok' });
    expect(await digShort('canary.dyn.test', 'A')).toEqual(['192.0.2.1']);
    expect(await sendUpdate({ server, zone: 'dyn.test', key, updates: [deleteName('canary.dyn.test')] })).toEqual({ status: 'ok' });
    expect(await digShort('canary.dyn.test', 'A')).toEqual([]);
  });

  test('wrong secret: NOTAUTH with BADSIG, naming server and key, never the secret', async () => {
    const wrong = new TsigKey(bind.key.name, bind.key.algorithm, Buffer.alloc(32, 0x5a));
    const error = await failure(sendUpdate({ server, zone: 'dyn.test', key: wrong, updates: [deleteRRset('dyn.test', 'TXT')] }));
    expect(error.message).toBe(`DNS update of dyn.test at 127.0.0.1:${bind.port} failed: NOTAUTH (TSIG BADSIG) with TSIG key mailrec-key`);
    expect(error.message).not.toContain(bind.key.secret);
    const badsig = /request has invalid signature: TSIG mailrec-key: tsig verify failure \(BADSIG\)/;
    expect(await bind.waitForLog(badsig)).toMatch(badsig);
    expect(await digShort('dyn.test', 'TXT')).toEqual([foreign]);
  });

  test('unknown key name, or the right name with another algorithm: NOTAUTH with BADKEY', async () => {
    const unknown = new TsigKey('nobody', 'hmac-sha256', bind.key.secret);
    expect((await failure(sendUpdate({ server, zone: 'dyn.test', key: unknown, updates: [deleteRRset('dyn.test', 'TXT')] }))).message).toMatch(
      /failed: NOTAUTH \(TSIG BADKEY\) with TSIG key nobody$/,
    );
    const otherAlgorithm = new TsigKey(bind.key.name, 'hmac-sha512', bind.key.secret);
    expect((await failure(sendUpdate({ server, zone: 'dyn.test', key: otherAlgorithm, updates: [deleteRRset('dyn.test', 'TXT')] }))).message).toMatch(
      /failed: NOTAUTH \(TSIG BADKEY\) with TSIG key mailrec-key$/,
    );
  });

  test('unsigned: REFUSED', async () => {
    const error = await failure(sendUpdate({ server, zone: 'dyn.test', updates: [deleteRRset('dyn.test', 'TXT')] }));
    expect(error.message).toBe(`DNS update of dyn.test at 127.0.0.1:${bind.port} failed: REFUSED without a TSIG key`);
    expect(error.hint).toMatch(/allow-update/);
  });

  test('a name outside the zone: NOTZONE', async () => {
    const error = await failure(sendUpdate({ server, zone: 'dyn.test', key, updates: [addRR({ name: 'www.example.test', ttl: 60, type: 'A', address: '192.0.2.1' })] }));
    expect(error.message).toBe(`DNS update of dyn.test at 127.0.0.1:${bind.port} failed: NOTZONE with TSIG key mailrec-key`);
  });

  test('an update to a zone without allow-update: REFUSED even when signed', async () => {
    const error = await failure(sendUpdate({ server, zone: 'example.test', key, updates: [deleteRRset('example.test', 'TXT')] }));
    expect(error.message).toMatch(/failed: REFUSED with TSIG key mailrec-key$/);
    expect(error.hint).toMatch(/accepted the key but refused the change/);
  });

  test('BIND refuses an MX whose in-zone target has no address (check-integrity)', async () => {
    const mx: RR = { name: 'dyn.test', ttl: 60, type: 'MX', preference: 5, exchange: 'noaddr.dyn.test' };
    const error = await failure(sendUpdate({ server, zone: 'dyn.test', key, updates: [addRR(mx)] }));
    expect(error.message).toMatch(/failed: REFUSED with TSIG key mailrec-key$/);
    expect(await bind.waitForLog(/'noaddr\.dyn\.test' has no address records/)).toMatch(/has no address records/);
  });
});

describe('zone transfer', () => {
  test('a 3000-record zone over several TSIG-signed messages, as dig sees it', async () => {
    const records = await axfr(server, 'bulk.test', { key });
    expect(records).toHaveLength(3002);
    expect(records[0]).toMatchObject({ type: 'SOA', name: 'bulk.test' });
    expect(records.filter((r) => r.type === 'TXT')).toHaveLength(3000);
    const log = await bind.waitForLog(/transfer of 'bulk\.test\/IN': AXFR ended/);
    const messages = Number(/transfer of 'bulk\.test\/IN': AXFR ended: (\d+) messages/.exec(log)?.[1]);
    expect(messages).toBeGreaterThan(1);
    const dig = await bind.dig(['-y', `${bind.key.algorithm}:${bind.key.name}:${bind.key.secret}`, 'bulk.test', 'AXFR']);
    expect(dig.stdout).toMatch(/XFR size: 3003 records/);
  });

  test('the same transfer without the key: REFUSED', async () => {
    const error = await failure(axfr(server, 'bulk.test'));
    expect(error.message).toBe(`zone transfer of bulk.test from 127.0.0.1:${bind.port} failed: the server answered REFUSED`);
  });

  test('with a wrong secret: NOTAUTH, the key named, the secret not', async () => {
    const wrong = new TsigKey(bind.key.name, bind.key.algorithm, Buffer.alloc(32, 1));
    const error = await failure(axfr(server, 'bulk.test', { key: wrong }));
    expect(error.message).toMatch(/failed: the server answered NOTAUTH \(TSIG key mailrec-key\)$/);
  });
});

describe('other algorithms and DNSSEC', () => {
  for (const algorithm of ['hmac-sha512', 'hmac-sha1']) {
    test(`${algorithm}: BIND accepts our signature and we verify BIND's`, async () => {
      const b = await startBind({ zones: [{ name: 'dyn.test', text: DYNAMIC, dynamic: true }], tsig: { name: 'alt-key', algorithm } });
      try {
        const k = new TsigKey(b.key.name, b.key.algorithm, b.key.secret);
        const s = { host: b.address, port: b.port };
        const rr: RR = { name: 'dyn.test', ttl: 60, type: 'TXT', strings: [`v=spf1 ${algorithm} -all`] };
        expect(await sendUpdate({ server: s, zone: 'dyn.test', key: k, updates: [addRR(rr)] })).toEqual({ status: 'ok' });
        expect((await axfr(s, 'dyn.test', { key: k })).some((r) => r.type === 'TXT' && r.strings[0] === rr.strings[0])).toBe(true);
        record(b.logs());
        expect(b.logs()).not.toContain(b.key.secret);
      } finally {
        await b.stop();
      }
    });
  }

  test('a signed zone: DNSKEY and RRSIGs with the DO bit, records added by update signed too', async () => {
    const b = await startBind({ zones: [{ name: 'dyn.test', text: DYNAMIC, dynamic: true }], dnssec: true });
    try {
      const s = { host: b.address, port: b.port };
      const c = createDnsClient({ servers: [s], recursionDesired: false, dnssecOk: true });
      const dnskey = await c.query('dyn.test', 'DNSKEY');
      expect(dnskey.answers.some((r) => r.type === 'OTHER' && r.rrtype === 'DNSKEY')).toBe(true);
      const k = new TsigKey(b.key.name, b.key.algorithm, b.key.secret);
      await sendUpdate({ server: s, zone: 'dyn.test', key: k, updates: [addRR({ name: '_dmarc.dyn.test', ttl: 60, type: 'TXT', strings: ['v=DMARC1; p=reject'] })] });
      let signed = false;
      for (let i = 0; i < 40 && !signed; i++) {
        const r = await c.query('_dmarc.dyn.test', 'TXT');
        signed = r.answers.some((a) => a.type === 'OTHER' && a.rrtype === 'RRSIG');
        if (!signed) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(signed).toBe(true);
      // An authoritative server does not validate: AD stays clear.
      expect((await c.resolve('_dmarc.dyn.test', 'TXT')).status === 'ok').toBe(true);
      expect(await c.resolve('_dmarc.dyn.test', 'TXT')).toMatchObject({ authenticated: false });
    } finally {
      await b.stop();
    }
  });
});

describe('the secret stays secret', () => {
  test('no message, error, result or BIND log line contains it', () => {
    const secret = bind.key.secret;
    const forms = [secret, secret.replace(/=+$/, ''), Buffer.from(secret, 'base64').toString('hex'), String(key), JSON.stringify(key)];
    const everything = [...produced, bind.logs(), String(key), JSON.stringify({ key }), inspect(key, { showHidden: true })].join('\n');
    expect(produced.length).toBeGreaterThan(30);
    for (const form of forms.slice(0, 3)) expect(everything).not.toContain(form);
    expect(forms[3]).toBe('TsigKey(mailrec-key, hmac-sha256)');
  });
});
