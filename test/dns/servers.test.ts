// --resolver parsing and resolv.conf reading.

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatServer, loadResolvConf, parseResolvConf, parseServer } from '../../src/dns/servers.js';
import { InputError } from '../../src/base/errors.js';

describe('parseServer', () => {
  test.each([
    ['192.0.2.53', { host: '192.0.2.53', port: 53 }],
    ['192.0.2.53:5353', { host: '192.0.2.53', port: 5353 }],
    ['::1', { host: '::1', port: 53 }],
    ['2001:DB8::53', { host: '2001:db8::53', port: 53 }],
    ['[::1]', { host: '::1', port: 53 }],
    ['[::1]:5353', { host: '::1', port: 5353 }],
    ['[fe80::1%eth0]:53', { host: 'fe80::1%eth0', port: 53 }],
    [' 127.0.0.1:1053 ', { host: '127.0.0.1', port: 1053 }],
  ])('%s', (spec, expected) => {
    expect(parseServer(spec)).toEqual(expected);
  });

  test.each(['dns.example.org', '192.0.2.53:', '192.0.2.53:0', '192.0.2.53:70000', '[::1', '[::1]x', '[::1]:port', '', '300.1.1.1'])(
    'refuses %j with a usage error naming the flag',
    (spec) => {
      expect(() => parseServer(spec)).toThrow(InputError);
      expect(() => parseServer(spec)).toThrow(/^--resolver: /);
    },
  );

  test('formatServer brackets IPv6', () => {
    expect(formatServer({ host: '::1', port: 5353 })).toBe('[::1]:5353');
    expect(formatServer({ host: '192.0.2.1', port: 53 })).toBe('192.0.2.1:53');
  });
});

describe('resolv.conf', () => {
  test('nameservers, search, options; comments and junk skipped', () => {
    const conf = parseResolvConf(
      [
        '# generated',
        'nameserver 192.0.2.1',
        'nameserver 2001:db8::1 ; trailing comment',
        'nameserver not-an-ip',
        'nameserver fe80::1%eth0',
        'search Example.ORG corp.example.',
        'options timeout:3 attempts:4 rotate ndots:2',
        'sortlist 130.155.160.0/255.255.240.0',
      ].join('\n'),
    );
    expect(conf.servers).toEqual([
      { host: '192.0.2.1', port: 53 },
      { host: '2001:db8::1', port: 53 },
      { host: 'fe80::1%eth0', port: 53 },
    ]);
    expect(conf.search).toEqual(['example.org', 'corp.example']);
    expect(conf).toMatchObject({ timeoutMs: 3000, attempts: 4, rotate: true });
  });

  test('no nameserver means the local host (resolv.conf(5))', () => {
    expect(parseResolvConf('search example.org\n').servers).toEqual([{ host: '127.0.0.1', port: 53 }]);
  });

  test('read from a file; a missing file is the local host too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailrec-resolv-'));
    await writeFile(join(dir, 'resolv.conf'), 'nameserver 198.51.100.7\r\n');
    expect((await loadResolvConf(join(dir, 'resolv.conf'))).servers).toEqual([{ host: '198.51.100.7', port: 53 }]);
    expect((await loadResolvConf(join(dir, 'missing'))).servers).toEqual([{ host: '127.0.0.1', port: 53 }]);
  });
});
