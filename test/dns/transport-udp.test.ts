import { afterEach, describe, expect, test } from 'vitest';
import { buildQuery } from '../../src/dns/message.js';
import { createUdpTransport } from '../../src/dns/transport-udp.js';
import { aRecord, answer, startFake, type FakeServer } from './fake-server.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

async function fake(handler: Parameters<typeof startFake>[0]): Promise<FakeServer> {
  const s = await startFake(handler);
  servers.push(s);
  return s;
}

/** accept() as the client writes it: the right ID and question, else dropped. */
function acceptFor(id: number, name: string) {
  return (buf: Buffer): string | undefined => {
    if (buf.readUInt16BE(0) !== id) return undefined;
    const text = buf.toString('latin1');
    return text.includes(name.split('.')[0]!) ? `${name} answered` : undefined;
  };
}

describe('UDP transport: sockets shared by queries in flight together', () => {
  test('concurrent queries share a few sockets, each keeps its own ID and answer', async () => {
    const ports = new Set<number>();
    const s = await fake((q, reply, rinfo) => {
      ports.add(rinfo.port);
      setTimeout(() => reply(answer(q, [aRecord(q.name, '192.0.2.1')])), 5);
    });
    const udp = createUdpTransport({ maxQueriesPerSocket: 8 });
    const names = Array.from({ length: 40 }, (_, i) => `q${i}.example.test`);
    const results = await Promise.all(
      names.map((name, i) => udp.exchange({ server: s.server, message: buildQuery({ id: 1000 + i, name, type: 1 }), timeoutMs: 2000, accept: acceptFor(1000 + i, name) })),
    );
    expect(results).toEqual(names.map((n) => `${n} answered`));
    // 40 queries, at most 8 per socket: at least 5 ports, far fewer than 40.
    expect(ports.size).toBeGreaterThanOrEqual(5);
    expect(ports.size).toBeLessThanOrEqual(10);
  });

  test('one after the other: a fresh socket (and port) each time', async () => {
    const ports: number[] = [];
    const s = await fake((q, reply, rinfo) => {
      ports.push(rinfo.port);
      reply(answer(q, [aRecord(q.name, '192.0.2.1')]));
    });
    const udp = createUdpTransport();
    for (let i = 0; i < 5; i++) {
      const name = `seq${i}.example.test`;
      // A long timeout: the fake server shares this event loop, which a loaded machine stalls.
      await udp.exchange({ server: s.server, message: buildQuery({ id: i, name, type: 1 }), timeoutMs: 20_000, accept: acceptFor(i, name) });
    }
    expect(ports).toHaveLength(5);
    // A shared socket would show one port. The kernel picks each fresh socket's port at
    // random from some 28,000 and may pick an earlier one again (about once in 3,000 runs
    // of five), so one repeat is allowed.
    expect(new Set(ports).size).toBeGreaterThanOrEqual(4);
  });

  test('two queries in flight with the same ID on one socket: each gets its own answer', async () => {
    const s = await fake((q, reply) => {
      // Answer the second first.
      setTimeout(() => reply(answer(q, [aRecord(q.name, '192.0.2.1')])), q.name.startsWith('first') ? 30 : 5);
    });
    const udp = createUdpTransport();
    const [a, b] = await Promise.all(
      ['first.example.test', 'second.example.test'].map((name) =>
        udp.exchange({ server: s.server, message: buildQuery({ id: 7, name, type: 1 }), timeoutMs: 2000, accept: acceptFor(7, name) }),
      ),
    );
    expect([a, b]).toEqual(['first.example.test answered', 'second.example.test answered']);
  });

  test('a datagram no query waits for is dropped and reported', async () => {
    let drops = 0;
    const s = await fake((q, reply) => {
      reply(answer({ ...q, id: (q.id + 1) & 0xffff }, [aRecord(q.name, '6.6.6.6')]));
      setTimeout(() => reply(answer(q, [aRecord(q.name, '192.0.2.1')])), 20);
    });
    const udp = createUdpTransport({ onDrop: () => drops++ });
    const name = 'drop.example.test';
    expect(await udp.exchange({ server: s.server, message: buildQuery({ id: 99, name, type: 1 }), timeoutMs: 2000, accept: acceptFor(99, name) })).toBe(`${name} answered`);
    expect(drops).toBe(1);
  });

  test('a timeout ends only its own query', async () => {
    const s = await fake((q, reply) => {
      if (q.name.startsWith('answered')) reply(answer(q, [aRecord(q.name, '192.0.2.1')]));
    });
    const udp = createUdpTransport();
    const [silent, answered] = await Promise.allSettled([
      udp.exchange({ server: s.server, message: buildQuery({ id: 1, name: 'silent.example.test', type: 1 }), timeoutMs: 100, accept: acceptFor(1, 'silent.example.test') }),
      udp.exchange({ server: s.server, message: buildQuery({ id: 2, name: 'answered.example.test', type: 1 }), timeoutMs: 2000, accept: acceptFor(2, 'answered.example.test') }),
    ]);
    expect(silent.status).toBe('rejected');
    expect(answered).toEqual({ status: 'fulfilled', value: 'answered.example.test answered' });
  });
});
