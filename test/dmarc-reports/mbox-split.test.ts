// The mbox splitter (RFC 4155): message starts and byte offsets whatever the chunk sizes, a
// "From " inside a body that is no separator, and a message over the cap passed over.

import { describe, expect, it } from 'vitest';
import { splitMbox } from '../../src/dmarc-reports/mbox-split.js';

const TEXT = [
  'From a@example.org Mon Dec  7 00:00:00 2026',
  'Subject: one',
  '',
  'a line of the body,',
  'From the body: not a separator (no blank line before it)',
  '',
  'From b@example.org Mon Dec  7 00:00:01 2026',
  'Subject: two',
  '',
  'body two',
  '',
  'From c@example.org Mon Dec  7 00:00:02 2026',
  'Subject: three',
  '',
  'x'.repeat(300),
  '',
].join('\n');

async function* chunks(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function split(size: number, max = 1 << 20, base = 0, data = Buffer.from(TEXT)) {
  const out: { offset: number; text?: string; size: number }[] = [];
  for await (const m of splitMbox(chunks(data.subarray(base), size), base, max)) out.push({ offset: m.offset, size: m.size, ...(m.data ? { text: m.data.toString() } : {}) });
  return out;
}

describe('splitMbox', () => {
  it.each([1, 3, 7, 64, 4096])('finds the same messages and offsets in chunks of %i bytes', async (size) => {
    const messages = await split(size);
    expect(messages.map((m) => m.offset)).toEqual([0, TEXT.indexOf('From b@'), TEXT.indexOf('From c@')]);
    expect(messages[0]!.text).toBe('Subject: one\n\na line of the body,\nFrom the body: not a separator (no blank line before it)\n\n');
    expect(messages[1]!.text).toBe('Subject: two\n\nbody two\n\n');
  });

  it('starts at an offset, and passes over a message larger than the cap with its size', async () => {
    const from = TEXT.indexOf('From b@');
    const messages = await split(5, 100, from);
    expect(messages.map((m) => [m.offset, m.text === undefined])).toEqual([
      [from, false],
      [TEXT.indexOf('From c@'), true],
    ]);
    expect(messages[1]!.size).toBe(Buffer.byteLength('Subject: three\n\n') + 301);
  });
});
