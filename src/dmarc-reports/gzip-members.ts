// gzip data as receivers send it (RFC 1952): one member or several in a row, each checked
// against its CRC-32 and size, and whatever follows the last member (one large gateway
// sends a CRLF after it) ignored: whitespace quietly, anything else with a warning.
// Inflating goes through the caller's meter, so a bomb stops at the same limits however
// deep it is nested.

import { createInflateRaw, crc32 } from 'node:zlib';
import { ReportFormatError } from '../base/errors.js';

/** Counts inflated bytes against the limits; throws when one is passed. */
export interface InflateBudget {
  add(bytes: number): void;
}

export interface GunzipResult {
  /** The members' data, in order. */
  data: Buffer;
  members: number;
  /** Bytes after the last member that are not a gzip member: whitespace, or not. */
  trailing: { bytes: number; whitespace: boolean };
}

const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;

function isGzipMagic(data: Buffer, at: number): boolean {
  return data[at] === 0x1f && data[at + 1] === 0x8b;
}

/** The offset of a member's deflate data: past the fixed header and the optional fields (RFC 1952 §2.3.1). */
function headerEnd(data: Buffer, start: number): number {
  const truncated = (): never => {
    throw new ReportFormatError('corrupt or truncated gzip data (the header is cut short)');
  };
  if (data.length < start + 10) truncated();
  if (data[start + 2] !== 8) throw new ReportFormatError(`corrupt gzip data (compression method ${data[start + 2]}, not deflate)`);
  const flags = data[start + 3]!;
  let at = start + 10;
  if (flags & FEXTRA) {
    if (data.length < at + 2) truncated();
    at += 2 + data.readUInt16LE(at);
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    const zero = data.indexOf(0, at);
    if (zero < 0) truncated();
    at = zero + 1;
  }
  if (flags & FHCRC) at += 2;
  if (at > data.length) truncated();
  return at;
}

/** One raw deflate stream from `data`, inflated through the budget; how many input bytes it used. */
function inflateMember(data: Buffer, budget: InflateBudget): Promise<{ output: Buffer; consumed: number }> {
  return new Promise((resolve, reject) => {
    const inflate = createInflateRaw();
    const chunks: Buffer[] = [];
    let failed = false;
    inflate.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        budget.add(chunk.length);
        chunks.push(chunk);
      } catch (error) {
        failed = true;
        inflate.destroy();
        reject(error);
      }
    });
    inflate.on('error', (error) => {
      if (!failed) reject(error);
      failed = true;
    });
    // The raw stream stops at the end of the deflate data; bytesWritten is what it used.
    inflate.on('end', () => {
      if (!failed) resolve({ output: Buffer.concat(chunks), consumed: inflate.bytesWritten });
    });
    inflate.end(data);
  });
}

/** Every member of gzip data, verified, and what follows them. */
export async function gunzipMembers(data: Buffer, budget: InflateBudget): Promise<GunzipResult> {
  const out: Buffer[] = [];
  let at = 0;
  let members = 0;
  while (at < data.length && isGzipMagic(data, at)) {
    const body = headerEnd(data, at);
    const { output, consumed } = await inflateMember(data.subarray(body), budget);
    const trailer = body + consumed;
    if (data.length < trailer + 8) throw new ReportFormatError('corrupt or truncated gzip data (no CRC-32 and size after the data)');
    // RFC 1952 §2.3.1: CRC-32 of the data, then its size modulo 2^32.
    if (data.readUInt32LE(trailer) !== crc32(output) >>> 0 || data.readUInt32LE(trailer + 4) !== output.length % 2 ** 32) {
      throw new ReportFormatError('corrupt gzip data (the CRC-32 or the size does not match the data)');
    }
    out.push(output);
    members++;
    at = trailer + 8;
  }
  if (members === 0) throw new ReportFormatError('not gzip data');
  const rest = data.subarray(at);
  const whitespace = /^[ \t\r\n]*$/.test(rest.toString('latin1'));
  return { data: Buffer.concat(out), members, trailing: { bytes: rest.length, whitespace } };
}
