// The BIND harness's reload(): named logs "reloading zones succeeded" before the changed zones
// are loaded again, so reload() must wait for each changed zone's own "loaded serial" line.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBind, type BindServer } from '../helpers/bind.js';

const work = mkdtempSync(join(tmpdir(), 'mailrec-harness-bind-'));
const include = join(work, 'big.zone');

/** A zone large enough that named takes a while to load it again: the race is then certain. */
function bigZone(marker: string): string {
  const lines = [`marker IN TXT "${marker}"`];
  for (let i = 0; i < 40_000; i++) lines.push(`h${i} IN A 127.0.${(i >> 8) & 255}.${i & 255}`);
  return `${lines.join('\n')}\n`;
}

let bind: BindServer;
beforeAll(async () => {
  writeFileSync(include, bigZone('v0'));
  bind = await startBind({
    zones: [
      { name: 'big.test', text: ['@ IN SOA ns hostmaster 1 3600 600 86400 60', '@ IN NS ns', 'ns IN A 127.0.0.1', `$INCLUDE ${include}`].join('\n') },
      { name: 'other.test', text: ['@ IN SOA ns hostmaster 1 3600 600 86400 60', '@ IN NS ns', 'ns IN A 127.0.0.1'].join('\n') },
    ],
  });
}, 60_000);
afterAll(async () => {
  await bind?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('startBind().reload()', () => {
  it('returns once the zone whose $INCLUDEd file changed is served again', async () => {
    for (const marker of ['v1', 'v2', 'v3']) {
      writeFileSync(include, bigZone(marker));
      await bind.reload();
      const out = await bind.dig(['+short', '+norec', 'marker.big.test', 'TXT']);
      expect(out.stdout.trim()).toBe(`"${marker}"`);
    }
  }, 60_000);

  it('returns at once when no zone changed', async () => {
    const started = Date.now();
    await bind.reload();
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 20_000);
});
