import { describe, expect, it } from 'vitest';
import { jsonPieces } from '../../src/base/json-pieces.js';
import { writePieces } from '../../src/cli/io.js';

const whole = (object: Record<string, unknown>): string => [...jsonPieces(object)].join('');

describe('jsonPieces', () => {
  it('is JSON.stringify(object, null, 2), octet for octet, for the shapes a plan has', () => {
    const shapes: Array<Record<string, unknown>> = [
      {},
      { version: 1 },
      { version: 1, zones: [], changes: [{ a: [1, { b: 'x\ny "q" \\' }], c: undefined }], gone: undefined, f: () => 1, notices: [undefined, null, 'é\u2028'] },
      { nested: { deep: [[1, 2], { k: [] }], empty: {} }, list: [{ x: { y: [{ z: 1 }] } }, 2], last: 'end' },
      { onlyUndefined: undefined },
    ];
    for (const shape of shapes) expect(whole(shape)).toBe(JSON.stringify(shape, null, 2));
  });

  it('yields one piece per array item, so that no piece holds the whole array', () => {
    const pieces = [...jsonPieces({ zones: Array.from({ length: 1000 }, (_, i) => ({ zone: `z${i}.example` })) })];
    expect(pieces.length).toBeGreaterThan(1000);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(100);
  });
});

describe('writePieces', () => {
  it('writes the pieces joined and ended as one string would be, in writes of about 1 MiB', () => {
    const lines = Array.from({ length: 40_000 }, (_, i) => `line ${i} ${'x'.repeat(60)}`);
    const writes: string[] = [];
    writePieces({ stdout: (t) => writes.push(t) }, lines, '\n', '\n');
    expect(writes.join('')).toBe(`${lines.join('\n')}\n`);
    expect(writes.length).toBeGreaterThan(1);
    expect(writes.every((w) => w.length < (1 << 20) + 200)).toBe(true);
    const one: string[] = [];
    writePieces({ stdout: (t) => one.push(t) }, [], '\n');
    expect(one).toEqual(['\n']);
  });
});
