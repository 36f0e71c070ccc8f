// The client against scripted servers: fallbacks, retries, CNAME chasing, cache, de-duplication, concurrency, stats.

import { afterEach, describe, expect, test } from 'vitest';
import { createDnsClient, retrySchedule } from '../../src/dns/client.js';
import { findAuthoritativeServers } from '../../src/dns/authoritative.js';
import { buildMessage, FLAG, type WireRR } from '../../src/dns/message.js';
import type { Answer, Resolver } from '../../src/dns/resolver.js';
import { parseServer } from '../../src/dns/servers.js';
import { CLASS, encodeName } from '../../src/dns/wire.js';
import { aRecord, answer, frame, startFake, type FakeServer } from './fake-server.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function fake(...args: Parameters<typeof startFake>): Promise<FakeServer> {
  const s = await startFake(...args);
  servers.push(s);
  return s;
}

const cname = (name: string, target: string, ttl = 300): WireRR => ({ name, type: 5, class: CLASS.IN, ttl, rdata: encodeName(target) });
const soa = (zone: string): WireRR => {
  const fixed = Buffer.alloc(20);
  fixed.writeUInt32BE(1, 0);
  fixed.writeUInt32BE(60, 16); // minimum
  return { name: zone, type: 6, class: CLASS.IN, ttl: 120, rdata: Buffer.concat([encodeName(`ns.${zone}`), encodeName(`h.${zone}`), fixed]) };
};
const txt = (name: string, text: string): WireRR => ({ name, type: 16, class: CLASS.IN, ttl: 300, rdata: Buffer.concat([Buffer.from([text.length]), Buffer.from(text)]) });

const addresses = (a: Answer) => (a.status === 'ok' ? a.records.map((r) => (r.type === 'A' ? `${r.name} ${r.address}` : r.type)) : a.status);

describe('transport', () => {
  test('TC over UDP: asked again over TCP, the TCP answer used', async () => {
    const s = await fake(
      (q, reply) => reply(answer(q, [], { flags: FLAG.TC })),
      (q, socket) => {
        socket.write(frame(answer(q, [txt(q.name, 'over tcp')])));
      },
    );
    const client = createDnsClient({ servers: [s.server] });
    const result = await client.query('big.example.test', 'TXT');
    expect(result.transport).toBe('tcp');
    expect(result.answers).toEqual([{ name: 'big.example.test', ttl: 300, type: 'TXT', strings: ['over tcp'] }]);
    expect(client.stats()).toMatchObject({ queriesSent: 2, udpQueries: 1, tcpQueries: 1, tcpFallbacks: 1 });
  });

  test('IPv6: a server given as [::1]:PORT, over UDP and TCP', async () => {
    const s = await fake(
      (q, reply) => reply(answer(q, [], { flags: FLAG.TC })),
      (q, socket) => {
        socket.write(frame(answer(q, [aRecord(q.name, '192.0.2.6')])));
      },
      '::1',
    );
    const client = createDnsClient({ servers: [parseServer(`[::1]:${s.port}`)] });
    const result = await client.query('v6.example.test', 'A');
    expect(result).toMatchObject({ transport: 'tcp', server: { host: '::1', port: s.port } });
    expect(result.answers).toHaveLength(1);
  });

  test('a silent server: the next one in turn; each attempt times out on its own', async () => {
    const silent = await fake(() => undefined);
    const good = await fake((q, reply) => reply(answer(q, [aRecord(q.name, '192.0.2.2')])));
    const client = createDnsClient({ servers: [silent.server, good.server], timeoutMs: 300 });
    const started = Date.now();
    expect(addresses(await client.resolve('a.example.test', 'A'))).toEqual(['a.example.test 192.0.2.2']);
    // The first pass waits half the timeout.
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(client.stats().timeouts).toBe(1);
  });

  test('by default three tries, waiting timeout/2, timeout/2, timeout: an answer lost twice comes on the third; lost three times, an error', async () => {
    expect(retrySchedule(2000)).toEqual([1000, 1000, 2000]);
    expect(retrySchedule(2000, 2)).toEqual([2000, 2000]);
    // Drops the first two queries of each name, answers the third.
    const seen = new Map<string, number>();
    const lossy = await fake((q, reply) => {
      const n = (seen.get(q.name) ?? 0) + 1;
      seen.set(q.name, n);
      if (n >= 3 && !q.name.startsWith('never')) reply(answer(q, [aRecord(q.name, '192.0.2.4')]));
    });
    const client = createDnsClient({ servers: [lossy.server], timeoutMs: 200, cache: false });
    const started = Date.now();
    expect(addresses(await client.resolve('third.example.test', 'A'))).toEqual(['third.example.test 192.0.2.4']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(seen.get('third.example.test')).toBe(3);
    expect(await client.resolve('never.example.test', 'A')).toMatchObject({ status: 'error', reason: expect.stringMatching(/timeout after 200 ms/) });
    expect(seen.get('never.example.test')).toBe(3);
    expect(client.stats().timeouts).toBe(5);
    // attempts given (as resolv.conf's `options attempts:N` would): that many, each the whole timeout.
    const two = createDnsClient({ servers: [lossy.server], timeoutMs: 100, attempts: 2, cache: false });
    expect(await two.resolve('two.example.test', 'A')).toMatchObject({ status: 'error', reason: expect.stringMatching(/timeout after 100 ms/) });
    expect(seen.get('two.example.test')).toBe(2);
  });

  test('SERVFAIL and REFUSED: the next server; all failing: an error naming the rcode and server', async () => {
    const servfail = await fake((q, reply) => reply(answer(q, [], { rcode: 2 })));
    const refused = await fake((q, reply) => reply(answer(q, [], { rcode: 5 })));
    const good = await fake((q, reply) => reply(answer(q, [aRecord(q.name, '192.0.2.3')])));
    const ok = createDnsClient({ servers: [servfail.server, refused.server, good.server] });
    expect(addresses(await ok.resolve('a.example.test', 'A'))).toEqual(['a.example.test 192.0.2.3']);
    const bad = createDnsClient({ servers: [servfail.server, refused.server], attempts: 3 });
    const result = await bad.resolve('a.example.test', 'A');
    // REFUSED with RA clear: the server answers only for its own zones (told apart for the audit's note).
    expect(result).toEqual({ status: 'error', reason: `REFUSED from 127.0.0.1:${refused.port} for a.example.test A`, cause: 'not-recursive' });
    expect(bad.nonRecursiveServers()).toEqual([refused.server]);
    // A server that answered is not asked again in later passes.
    expect(servfail.queries.length + refused.queries.length).toBe(4);
    expect((await bad.query('a.example.test', 'A')).rcode).toBe('REFUSED');
  });

  test('REFUSED from a recursive resolver (RA set) is a plain failure, not an authoritative-only server', async () => {
    const policy = await fake((q, reply) => reply(answer(q, [], { rcode: 5, flags: FLAG.RA })));
    const client = createDnsClient({ servers: [policy.server], attempts: 1 });
    const result = await client.resolve('a.example.test', 'A');
    expect(result).toEqual({ status: 'error', reason: `REFUSED from 127.0.0.1:${policy.port} for a.example.test A` });
    expect(client.nonRecursiveServers()).toEqual([]);
  });

  test('a closed port: a network error, quickly', async () => {
    const s = await fake(() => undefined);
    const port = s.port;
    await s.close();
    servers.pop();
    const client = createDnsClient({ servers: [{ host: '127.0.0.1', port }], timeoutMs: 3000, attempts: 1 });
    const started = Date.now();
    const result = await client.resolve('a.example.test', 'A');
    expect(result.status === 'error' && result.reason).toMatch(/ECONNREFUSED|timeout/);
    expect(Date.now() - started).toBeLessThan(3500);
  });

  test('FORMERR to EDNS without an OPT: asked again without EDNS (RFC 6891 §7)', async () => {
    const s = await fake((q, reply) => {
      if (q.scan.additionals.length > 0) reply(answer(q, [], { rcode: 1 }));
      else reply(answer(q, [aRecord(q.name, '192.0.2.9')]));
    });
    const client = createDnsClient({ servers: [s.server] });
    expect(addresses(await client.resolve('old.example.test', 'A'))).toEqual(['old.example.test 192.0.2.9']);
    expect(s.queries.map((q) => q.scan.additionals.length)).toEqual([1, 0]);
  });

  test('the AD bit is exposed as authenticated; the DO bit is sent on request', async () => {
    const s = await fake((q, reply) => reply(answer(q, [aRecord(q.name, '192.0.2.1')], { flags: q.name.startsWith('signed') ? FLAG.AD : 0 })));
    const client = createDnsClient({ servers: [s.server], dnssecOk: true });
    expect(await client.resolve('signed.example.test', 'A')).toMatchObject({ status: 'ok', authenticated: true });
    expect(await client.resolve('plain.example.test', 'A')).toMatchObject({ status: 'ok', authenticated: false });
    expect(s.queries[0]!.raw.readUInt32BE(s.queries[0]!.raw.length - 6) & 0x8000).toBe(0x8000);
  });
});

describe('answers', () => {
  test('NXDOMAIN, NODATA and error are three different things', async () => {
    const s = await fake((q, reply) => {
      if (q.name.startsWith('nx')) reply(answer(q, [], { rcode: 3, authorities: [soa('example.test')] }));
      else if (q.name.startsWith('nodata')) reply(answer(q, [], { authorities: [soa('example.test')] }));
      else reply(answer(q, [], { rcode: 2 }));
    });
    const client = createDnsClient({ servers: [s.server], attempts: 1 });
    expect(await client.resolve('nx.example.test', 'A')).toEqual({ status: 'nxdomain', authenticated: false });
    expect(await client.resolve('nodata.example.test', 'A')).toEqual({ status: 'nodata', authenticated: false });
    expect(await client.resolve('broken.example.test', 'A')).toMatchObject({ status: 'error', reason: expect.stringMatching(/^SERVFAIL from /) });
  });

  test('a referral (NS in authority, no SOA, AA clear) is an error, not NODATA', async () => {
    const ns: WireRR = { name: 'child.example.test', type: 2, class: CLASS.IN, ttl: 300, rdata: encodeName('ns.child.example.test') };
    const s = await fake((q, reply) => reply(buildMessage({ id: q.id, flags: FLAG.QR, questions: [{ name: q.name, type: q.type, class: 1 }], authorities: [ns] })));
    const client = createDnsClient({ servers: [s.server], recursionDesired: false });
    expect(await client.resolve('www.child.example.test', 'A')).toEqual({
      status: 'error', reason: `referral from 127.0.0.1:${s.port} for www.child.example.test A: not authoritative`,
    });
  });

  test('records off the CNAME chain are ignored', async () => {
    const s = await fake((q, reply) => reply(answer(q, [aRecord('evil.example.test', '6.6.6.6'), cname(q.name, 'b.example.test'), aRecord('b.example.test', '192.0.2.1')])));
    const client = createDnsClient({ servers: [s.server] });
    expect(addresses(await client.resolve('a.example.test', 'A'))).toEqual(['b.example.test 192.0.2.1']);
  });

  test('a CNAME pointing out of the answer: asked again for the target', async () => {
    const s = await fake((q, reply) => {
      if (q.name === 'a.example.test') reply(answer(q, [cname(q.name, 'b.other.test')]));
      else if (q.name === 'b.other.test') reply(answer(q, [cname(q.name, 'c.third.test')]));
      else reply(answer(q, [aRecord(q.name, '192.0.2.4')]));
    });
    const client = createDnsClient({ servers: [s.server] });
    expect(addresses(await client.resolve('a.example.test', 'A'))).toEqual(['c.third.test 192.0.2.4']);
    expect(s.queries.map((q) => q.name)).toEqual(['a.example.test', 'b.other.test', 'c.third.test']);
    // Asking for the CNAME itself does not chase it.
    const direct = await client.resolve('a.example.test', 'CNAME');
    expect(direct.status === 'ok' && direct.records[0]).toMatchObject({ type: 'CNAME', target: 'b.other.test' });
  });

  test('CNAME loops, in one answer or across queries, and over-long chains are errors', async () => {
    const s = await fake((q, reply) => {
      if (q.name === 'loop.example.test') reply(answer(q, [cname(q.name, 'pool.example.test'), cname('pool.example.test', q.name)]));
      else if (q.name.startsWith('hop')) {
        const n = Number(q.name.slice(3).split('.')[0]);
        reply(answer(q, [cname(q.name, `hop${n + 1}.example.test`)]));
      } else if (q.name === 'x.example.test') reply(answer(q, [cname(q.name, 'y.example.test')]));
      else if (q.name === 'y.example.test') reply(answer(q, [cname(q.name, 'x.example.test')]));
    });
    const client = createDnsClient({ servers: [s.server] });
    expect(await client.resolve('loop.example.test', 'A')).toEqual({ status: 'error', reason: 'CNAME loop at loop.example.test resolving loop.example.test' });
    expect(await client.resolve('x.example.test', 'A')).toEqual({ status: 'error', reason: 'CNAME loop at x.example.test resolving x.example.test' });
    expect(await client.resolve('hop0.example.test', 'A')).toEqual({ status: 'error', reason: 'CNAME chain from hop0.example.test longer than 8' });
    expect(s.queries.filter((q) => q.name.startsWith('hop')).length).toBeLessThanOrEqual(9);
  });

  test('NXDOMAIN at the end of a chain is NXDOMAIN for the question (RFC 6604)', async () => {
    const s = await fake((q, reply) => reply(answer(q, [cname(q.name, 'gone.example.test')], { rcode: 3, authorities: [soa('example.test')] })));
    const client = createDnsClient({ servers: [s.server] });
    expect(await client.resolve('alias.example.test', 'TXT')).toEqual({ status: 'nxdomain', authenticated: false });
  });
});

describe('cache, de-duplication, concurrency', () => {
  test('cache hits until the TTL runs out, on the injected clock', async () => {
    let now = 0;
    const s = await fake((q, reply) => reply(answer(q, [aRecord(q.name, '192.0.2.1', 60)])));
    const client = createDnsClient({ servers: [s.server], now: () => now });
    await client.resolve('a.example.test', 'A');
    now = 30_000;
    expect(addresses(await client.resolve('A.Example.Test.', 'A'))).toEqual(['a.example.test 192.0.2.1']);
    const cached = await client.resolve('a.example.test', 'A');
    expect(cached.status === 'ok' && cached.records[0]!.ttl).toBe(30);
    now = 60_000;
    await client.resolve('a.example.test', 'A');
    expect(s.queries).toHaveLength(2);
    expect(client.stats()).toMatchObject({ cacheHits: 2, cacheMisses: 2, queriesSent: 2 });
  });

  test('negative answers are cached for the SOA minimum; errors are not cached', async () => {
    let now = 0;
    const s = await fake((q, reply) => {
      if (q.name.startsWith('nx')) reply(answer(q, [], { rcode: 3, authorities: [soa('example.test')] }));
      else reply(answer(q, [], { rcode: 2 }));
    });
    const client = createDnsClient({ servers: [s.server], now: () => now, attempts: 1 });
    await client.resolve('nx.example.test', 'A');
    await client.resolve('nx.example.test', 'A');
    await client.resolve('fail.example.test', 'A');
    await client.resolve('fail.example.test', 'A');
    expect(s.queries.map((q) => q.name)).toEqual(['nx.example.test', 'fail.example.test', 'fail.example.test']);
    now = 61_000;
    await client.resolve('nx.example.test', 'A');
    expect(s.queries).toHaveLength(4);
  });

  test('identical questions in flight are asked once', async () => {
    const s = await fake((q, reply) => {
      setTimeout(() => reply(answer(q, [aRecord(q.name, '192.0.2.1')])), 50);
    });
    const client = createDnsClient({ servers: [s.server], cache: false });
    const results = await Promise.all([
      ...Array.from({ length: 10 }, () => client.resolve('a.example.test', 'A')),
      ...Array.from({ length: 5 }, () => client.query('a.example.test', 'A')),
    ]);
    expect(results).toHaveLength(15);
    expect(s.queries).toHaveLength(1);
    expect(client.stats().deduplicated).toBe(14);
  });

  test('no more than `concurrency` exchanges in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const s = await fake((q, reply) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        reply(answer(q, [aRecord(q.name, '192.0.2.1')]));
      }, 10);
    });
    const client = createDnsClient({ servers: [s.server], concurrency: 4 });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => client.resolve(`h${i}.example.test`, 'A')));
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    expect(peak).toBeLessThanOrEqual(4);
    expect(client.stats().peakInFlight).toBe(4);
    expect(client.stats().queriesSent).toBe(40);
  });

  test('an invalid name is an error answer, not a throw', async () => {
    const client = createDnsClient({ servers: [{ host: '127.0.0.1', port: 9 }] });
    expect(await client.resolve(`${'a'.repeat(64)}.example.test`, 'A')).toMatchObject({ status: 'error', reason: expect.stringMatching(/label over 63/) });
  });
});

describe('what a negative answer says of other questions about the name', () => {
  const server = () =>
    fake((q, reply) => {
      if (q.name.startsWith('nx')) reply(answer(q, [], { rcode: 3, authorities: [soa('example.test')] }));
      else if (q.name.startsWith('alias') && q.type !== 5) reply(answer(q, [cname(q.name, 'gone.example.test')], { rcode: 3, authorities: [soa('example.test')] }));
      else if (q.name.startsWith('alias')) reply(answer(q, [cname(q.name, 'gone.example.test')]));
      else if (q.name.startsWith('both') && q.type === 16) reply(answer(q, [txt(q.name, 'beside a CNAME')]));
      else if (q.name.startsWith('both') && q.type === 5) reply(answer(q, [cname(q.name, 'elsewhere.example.test')]));
      else reply(answer(q, [], { authorities: [soa('example.test')] }));
    });

  test('NXDOMAIN for one type is NXDOMAIN for every type; NODATA without a CNAME is no CNAME', async () => {
    const s = await server();
    const client = createDnsClient({ servers: [s.server] });
    expect(await client.resolve('nx.example.test', 'TXT')).toEqual({ status: 'nxdomain', authenticated: false });
    expect(await client.resolve('nx.example.test', 'CNAME')).toEqual({ status: 'nxdomain', authenticated: false });
    expect(await client.resolve('nx.example.test', 'MX')).toEqual({ status: 'nxdomain', authenticated: false });
    expect(await client.resolve('empty.example.test', 'TXT')).toEqual({ status: 'nodata', authenticated: false });
    expect(await client.resolve('empty.example.test', 'CNAME')).toEqual({ status: 'nodata', authenticated: false });
    expect(s.queries.map((q) => `${q.name} ${q.type}`)).toEqual(['nx.example.test 16', 'empty.example.test 16']);
    // NODATA says nothing of other types than CNAME.
    expect(await client.resolve('empty.example.test', 'MX')).toEqual({ status: 'nodata', authenticated: false });
    expect(s.queries).toHaveLength(3);
  });

  test('an answer with records, or one through a CNAME, says nothing: the CNAME question is asked', async () => {
    const s = await server();
    const client = createDnsClient({ servers: [s.server] });
    // A name that wrongly holds a CNAME beside its TXT (what audit/checks/cname.ts finds).
    expect((await client.resolve('both.example.test', 'TXT')).status).toBe('ok');
    const both = await client.resolve('both.example.test', 'CNAME');
    expect(both.status === 'ok' && both.records[0]).toMatchObject({ type: 'CNAME', target: 'elsewhere.example.test' });
    // NXDOMAIN at the end of a chain speaks of the target, not of the name (RFC 6604).
    expect(await client.resolve('alias.example.test', 'TXT')).toEqual({ status: 'nxdomain', authenticated: false });
    const alias = await client.resolve('alias.example.test', 'CNAME');
    expect(alias.status === 'ok' && alias.records[0]).toMatchObject({ type: 'CNAME', target: 'gone.example.test' });
    expect((await client.resolve('alias.example.test', 'A')).status).toBe('nxdomain');
    expect(s.queries.map((q) => `${q.name} ${q.type}`)).toEqual([
      'both.example.test 16', 'both.example.test 5', 'alias.example.test 16', 'alias.example.test 5', 'alias.example.test 1',
    ]);
  });

  test('a CNAME question waits for a question of another type about the name in flight', async () => {
    const s = await server();
    const client = createDnsClient({ servers: [s.server] });
    const [txtAnswer, cnameAnswer] = await Promise.all([client.resolve('nx2.example.test', 'TXT'), client.resolve('nx2.example.test', 'CNAME')]);
    expect(txtAnswer).toEqual({ status: 'nxdomain', authenticated: false });
    expect(cnameAnswer).toEqual({ status: 'nxdomain', authenticated: false });
    expect(s.queries).toHaveLength(1);
  });

  test('without a cache every question is asked', async () => {
    const s = await server();
    const client = createDnsClient({ servers: [s.server], cache: false });
    await client.resolve('nx.example.test', 'TXT');
    expect(await client.resolve('nx.example.test', 'CNAME')).toEqual({ status: 'nxdomain', authenticated: false });
    expect(s.queries).toHaveLength(2);
  });
});

describe('findAuthoritativeServers', () => {
  const fakeResolver = (zone: Record<string, Answer>): Resolver => ({
    resolve: async (name, type) => zone[`${name} ${type}`] ?? { status: 'nxdomain', authenticated: false },
  });

  test('NS, then A and AAAA of each host; IPv4 first, no duplicates', async () => {
    const resolver = fakeResolver({
      'example.org NS': { status: 'ok', authenticated: false, records: [
        { name: 'example.org', ttl: 1, type: 'NS', host: 'ns2.example.net' },
        { name: 'example.org', ttl: 1, type: 'NS', host: 'ns1.example.org' },
      ] },
      'ns1.example.org A': { status: 'ok', authenticated: false, records: [{ name: 'ns1.example.org', ttl: 1, type: 'A', address: '192.0.2.53' }] },
      'ns1.example.org AAAA': { status: 'ok', authenticated: false, records: [{ name: 'ns1.example.org', ttl: 1, type: 'AAAA', address: '2001:DB8::53' }] },
      'ns2.example.net A': { status: 'ok', authenticated: false, records: [{ name: 'ns2.example.net', ttl: 1, type: 'A', address: '192.0.2.53' }] },
      'ns2.example.net AAAA': { status: 'nodata', authenticated: false },
    });
    expect(await findAuthoritativeServers('Example.org.', resolver)).toEqual([
      { host: '192.0.2.53', port: 53 },
      { host: '2001:db8::53', port: 53 },
    ]);
  });

  test('no NS, or no address: a DnsError naming the zone', async () => {
    await expect(findAuthoritativeServers('example.org', fakeResolver({}))).rejects.toThrow('cannot find the name servers of example.org: NXDOMAIN');
    const noAddress = fakeResolver({ 'example.org NS': { status: 'ok', authenticated: false, records: [{ name: 'example.org', ttl: 1, type: 'NS', host: 'ns.example.org' }] } });
    await expect(findAuthoritativeServers('example.org', noAddress)).rejects.toThrow('no address for any name server of example.org (ns.example.org)');
  });
});
