// Messages of an mbox (RFC 4155) with their byte offsets, so that a later run can resume
// where this one stopped: a message starts after a "From " line that follows a blank line
// (or opens the file). Each message is held whole up to a cap, larger ones are passed over.

export interface MboxMessage {
  /** Offset of its "From " line. */
  offset: number;
  /** Its bytes after the "From " line; undefined when over the cap. */
  data?: Buffer;
  size: number;
}

interface ByteLine {
  bytes: Buffer;
  /** A piece of a line longer than the piece size; only the first piece can be a "From " line. */
  continued: boolean;
}

const PIECE = 1 << 20;

/** Lines with their "\n", as views into the chunks where possible; very long lines in pieces. */
async function* byteLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<ByteLine> {
  let carry: Buffer[] = [];
  let carried = 0;
  let continued = false;
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) {
        const rest = chunk.subarray(start);
        carry.push(rest);
        carried += rest.length;
        if (carried >= PIECE) {
          yield { bytes: Buffer.concat(carry), continued };
          carry = [];
          carried = 0;
          continued = true;
        }
        break;
      }
      const piece = chunk.subarray(start, nl + 1);
      yield { bytes: carried > 0 ? Buffer.concat([...carry, piece]) : piece, continued };
      carry = [];
      carried = 0;
      continued = false;
      start = nl + 1;
    }
  }
  if (carried > 0) yield { bytes: Buffer.concat(carry), continued };
}

const FROM = Buffer.from('From ', 'latin1');

function isBlank(line: Buffer): boolean {
  return line.length === 1 || (line.length === 2 && line[0] === 0x0d);
}

/** The messages from `base` (the offset the chunks start at, a "From " line or 0) to the end. */
export async function* splitMbox(chunks: AsyncIterable<Buffer>, base: number, maxMessageBytes: number): AsyncGenerator<MboxMessage> {
  let offset = base;
  let previousBlank = true;
  let current: { offset: number; parts: Buffer[]; size: number } | undefined;
  const finish = (): MboxMessage | undefined => {
    if (!current) return undefined;
    const message: MboxMessage = { offset: current.offset, size: current.size };
    if (current.size <= maxMessageBytes) message.data = Buffer.concat(current.parts);
    return message;
  };
  for await (const line of byteLines(chunks)) {
    if (!line.continued && previousBlank && line.bytes.subarray(0, 5).equals(FROM)) {
      const done = finish();
      if (done) yield done;
      current = { offset, parts: [], size: 0 };
    } else if (current) {
      current.size += line.bytes.length;
      // A copy: the line may be a view into a chunk the stream reuses.
      if (current.size <= maxMessageBytes) current.parts.push(Buffer.from(line.bytes));
      else current.parts = [];
    }
    previousBlank = !line.continued && isBlank(line.bytes);
    offset += line.bytes.length;
  }
  const done = finish();
  if (done) yield done;
}
