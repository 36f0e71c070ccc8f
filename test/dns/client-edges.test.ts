// Edges of the DNS client's query path that a bulk audit never meets: no server at all, an
// unknown type, and the query IDs drawn from the CSPRNG in blocks.

import { describe, expect, test } from 'vitest';
import { createDnsClient } from '../../src/dns/client.js';
import { randomId } from '../../src/dns/message.js';

describe('the query path', () => {
  test('with no server to ask, every question fails at once and is not shared with the next', async () => {
    const client = createDnsClient({ servers: [] });
    await expect(client.query('a.example.test', 'A')).rejects.toThrow(/no DNS server to ask/);
    await expect(client.query('a.example.test', 'A')).rejects.toThrow(/no DNS server to ask/);
    expect(await client.resolve('a.example.test', 'A')).toMatchObject({ status: 'error', reason: expect.stringMatching(/no DNS server to ask/) });
    expect(client.stats().deduplicated).toBe(0);
    expect(client.stats().queriesSent).toBe(0);
  });

  test('an unknown type is a rejected promise, never a throw', async () => {
    const client = createDnsClient({ servers: [{ host: '127.0.0.1', port: 9 }] });
    let pending: Promise<unknown> | undefined;
    expect(() => (pending = client.query('a.example.test', 'NOSUCHTYPE'))).not.toThrow();
    await expect(pending).rejects.toThrow(/unknown RR type/);
  });

  test('query IDs are 16-bit and vary across the blocks drawn from the CSPRNG', () => {
    const ids = Array.from({ length: 5000 }, () => randomId());
    expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id <= 0xffff)).toBe(true);
    // 5,000 draws from 65,536 values: about 4,820 distinct expected; a stuck or repeating block gives far fewer.
    expect(new Set(ids).size).toBeGreaterThan(4500);
    expect(new Set(ids.slice(0, 1024)).size).toBeGreaterThan(900);
    expect(ids.slice(0, 1024)).not.toEqual(ids.slice(1024, 2048));
  });
});
