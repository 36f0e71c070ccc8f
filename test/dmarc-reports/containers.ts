// Test helpers that wrap report XML the way receivers send it: gzip, zip
// (a minimal APPNOTE writer: stored or deflated entries), and mail with a
// base64 attachment, alone (.eml) or several in an mbox (RFC 4155).

import { crc32, deflateRawSync, gzipSync } from 'node:zlib';

export function gzip(text: string | Buffer): Buffer {
  return gzipSync(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
}

export interface ZipEntry {
  name: string;
  data: Buffer | string;
  /** Lie about the uncompressed size in the headers (a crafted bomb). */
  declaredSize?: number;
}

/** A zip archive with deflated entries. */
export function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
    const compressed = deflateRawSync(data);
    const name = Buffer.from(entry.name, 'utf8');
    const crc = crc32(data) >>> 0;
    const size = entry.declaredSize ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, compressed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const centralDir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralDir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralDir, end]);
}

function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

export interface Attachment {
  filename: string;
  contentType: string;
  data: Buffer;
}

/** A report mail as receivers send it: a text part and the report as a base64 attachment. */
export function mail(subject: string, attachments: Attachment[], boundary = `----=_Part_${subject.length}_report`): string {
  const lines = [
    'Return-Path: <noreply-dmarc@receiver.test>',
    'From: DMARC reports <noreply-dmarc@receiver.test>',
    'To: dmarc-reports@example.org',
    `Subject: ${subject}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed;`,
    `\tboundary="${boundary}"`,
    '',
    'This is a multi-part message in MIME format.',
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    'Content-Transfer-Encoding: 7bit',
    '',
    'This is an aggregate report.',
    'From now on, lines like this one are body text.',
    '',
  ];
  for (const a of attachments) {
    lines.push(
      `--${boundary}`,
      `Content-Type: ${a.contentType}; name="${a.filename}"`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; filename="${a.filename}"`,
      '',
      base64Lines(a.data),
      '',
    );
  }
  lines.push(`--${boundary}--`, '');
  return lines.join('\r\n');
}

/** An mbox (RFC 4155 mboxo): each message after a "From " line, a blank line between. */
export function mbox(messages: string[]): string {
  return messages.map((m, i) => `From noreply-dmarc@receiver.test Mon May  4 0${i}:00:00 2026\n${m.replace(/\r\n/g, '\n')}\n`).join('\n');
}
