// TSIG keys: BIND key files as tsig-keygen writes them, bare secrets, environment variables; the secret never shows.

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, test } from 'vitest';
import { loadTsigKey, parseTsigKeyText, TsigKey, type TsigKeySpec } from '../../src/dns/tsig-key.js';
import { DnsError } from '../../src/base/errors.js';
import { findTool } from '../helpers/bind.js';

const SECRET = 'jUipdAc2giLjRY9AMmvE80GVYjIJOvRFdZEbmRjkUgY=';

async function tempFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mailrec-key-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** A key file read as the CLI reads it (the CLI reads through RepoFiles; the parsing is the same). */
async function fromFile(spec: Omit<TsigKeySpec, 'env'> & { file: string }): Promise<TsigKey> {
  return parseTsigKeyText(await readFile(spec.file, 'utf8'), spec, `TSIG key file ${spec.file}`);
}

function everyRendering(value: unknown): string {
  return [String(value), JSON.stringify(value), inspect(value), inspect(value, { showHidden: true, depth: 5 }), `${JSON.stringify({ ...(value as object) })}`].join('\n');
}

describe('reading keys', () => {
  test('the output of tsig-keygen, for each algorithm', async () => {
    for (const algorithm of ['hmac-sha256', 'hmac-sha512', 'hmac-sha1']) {
      const text = execFileSync(findTool('tsig-keygen'), ['-a', algorithm, 'mailrec.'], { encoding: 'utf8' });
      const key = await fromFile({ file: await tempFile('k.key', text) });
      expect(key.toJSON()).toEqual({ name: 'mailrec', algorithm });
    }
  });

  test('a named key among several, comments, and "//" inside the secret', () => {
    const text = [
      '// keys for the lab',
      'key "other" { algorithm hmac-sha512; secret "b3RoZXI="; };',
      '/* the one */ key "mailrec." {',
      '  algorithm hmac-sha256; # default',
      '  secret "ab//cd+/ef==";',
      '};',
    ].join('\n');
    const key = parseTsigKeyText(text, { name: 'MAILREC' }, 'test');
    expect(key.toJSON()).toEqual({ name: 'mailrec', algorithm: 'hmac-sha256' });
    expect(key.mac([Buffer.from('x')])).toEqual(new TsigKey('mailrec', 'hmac-sha256', Buffer.from('ab//cd+/ef==', 'base64')).mac([Buffer.from('x')]));
    expect(() => parseTsigKeyText(text, {}, 'keys.conf')).toThrow('keys.conf: 2 keys, name one');
    expect(() => parseTsigKeyText(text, { name: 'nope' }, 'keys.conf')).toThrow('keys.conf: no key named "nope"');
    expect(() => parseTsigKeyText(text, { name: 'other', algorithm: 'hmac-sha256' }, 'keys.conf')).toThrow(/is hmac-sha512, not hmac-sha256/);
  });

  test('a file holding just the base64 secret, with the name and algorithm from the policy', async () => {
    const key = await fromFile({ name: 'mailrec.', algorithm: 'hmac-sha512', file: await tempFile('tsig.secret', `${SECRET}\n`) });
    expect(key.toJSON()).toEqual({ name: 'mailrec', algorithm: 'hmac-sha512' });
    expect(key.macLength).toBe(64);
  });

  test('an environment variable', async () => {
    const key = await loadTsigKey({ name: 'mailrec', env: 'MAILREC_TSIG' }, { MAILREC_TSIG: SECRET });
    expect(key.algorithm).toBe('hmac-sha256');
    await expect(loadTsigKey({ name: 'mailrec', env: 'MAILREC_TSIG' }, {})).rejects.toThrow('environment variable MAILREC_TSIG is not set');
  });

  test('errors name the source, never the secret', async () => {
    const broken = `${SECRET.slice(0, 20)}!!${SECRET.slice(22)}`;
    const badSecret = await tempFile('bad.secret', broken);
    const md5 = await tempFile('bad.key', `key "k" { algorithm hmac-md5; secret "${SECRET}"; };`);
    const noName = await tempFile('noname.secret', SECRET);
    const cases: Array<() => Promise<unknown>> = [
      () => fromFile({ name: 'k', file: badSecret }),
      () => loadTsigKey({ name: 'k', env: 'S' }, { S: broken }),
      () => fromFile({ file: md5 }),
      () => fromFile({ file: noName }),
      () => loadTsigKey({ name: 'k' }),
    ];
    for (const attempt of cases) {
      const error = await attempt().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(DnsError);
      const text = `${(error as Error).message} ${(error as DnsError).hint ?? ''} ${inspect(error)}`;
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(broken);
      expect(text).not.toContain(SECRET.slice(0, 12));
    }
  });
});

describe('the secret never leaves the object', () => {
  test('toString, JSON, inspect, spread', () => {
    const key = new TsigKey('mailrec.', 'hmac-sha256', SECRET);
    const shown = everyRendering(key);
    expect(shown).toContain('mailrec');
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain(Buffer.from(SECRET, 'base64').toString('hex'));
    expect(String(key)).toBe('TsigKey(mailrec, hmac-sha256)');
    expect(JSON.stringify({ key })).toBe('{"key":{"name":"mailrec","algorithm":"hmac-sha256"}}');
    expect(Object.keys(key)).toEqual(['name', 'algorithm']);
  });
});
