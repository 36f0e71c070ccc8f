// TextChunks: the streamed plan's text kept in ~1 MiB UTF-8 buffers until it is written.

import { describe, expect, it } from 'vitest';
import { TextChunks } from '../../src/cli/io.js';

describe('TextChunks', () => {
  it('gives back every line, each ended by a newline, in order, across chunk boundaries and in any script', () => {
    const text = new TextChunks();
    const lines: string[] = [];
    for (let i = 0; i < 60_000; i++) lines.push(i % 7 === 0 ? `zone é${i}.example 😀` : `  + line ${i} ${'x'.repeat(i % 40)}`);
    lines.push('');
    for (const line of lines) text.add(line);
    const chunks = [...text.chunks()];
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.endsWith('\n')).toBe(true);
    expect(chunks.join('')).toBe(`${lines.join('\n')}\n`);
  });

  it('nothing added: nothing to write', () => {
    expect([...new TextChunks().chunks()]).toEqual([]);
  });
});
