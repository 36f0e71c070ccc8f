// Lines from a byte stream, for the message reader: split on LF, CR stripped,
// each line capped so that a file without line breaks cannot fill memory.

import type { Readable } from 'node:stream';

/** A line as latin1 text (so that Buffer.from(line, 'latin1') gives back its bytes), or a marker for one over the cap. */
export type Line = string | { tooLong: number };

export async function* readLines(stream: Readable | AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<Line> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false;
  let skipped = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      if (skipping) skipped += piece.length;
      else if (pendingBytes + piece.length > maxLineBytes) {
        skipping = true;
        skipped = pendingBytes + piece.length;
        pending = [];
        pendingBytes = 0;
      } else if (piece.length > 0) {
        pending.push(piece);
        pendingBytes += piece.length;
      }
      if (nl < 0) break;
      if (skipping) yield { tooLong: skipped };
      else yield lineText(pending);
      pending = [];
      pendingBytes = 0;
      skipping = false;
      skipped = 0;
      start = nl + 1;
    }
  }
  if (skipping) yield { tooLong: skipped };
  else if (pendingBytes > 0) yield lineText(pending);
}

function lineText(parts: Buffer[]): string {
  const text = (parts.length === 1 ? parts[0]! : Buffer.concat(parts)).toString('latin1');
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
