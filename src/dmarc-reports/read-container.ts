// Report containers: plain XML, gzip, zip (RFC 7489 §7.2.1.1) and mail (.eml,
// mbox) carrying those as attachments. Sniffs content rather than trusting names,
// streams every layer, and caps every decompression (size and ratio).

import { constants, createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { gunzipMembers } from './gzip-members.js';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { specialFile } from '../base/repo-files.js';
import { formatBytes } from '../base/repo-files.js';
import { InflateMeter, type ReadLimits } from './limits.js';
import { ReportFormatError } from '../base/errors.js';
import { readLines } from './read-lines.js';
import { isTlsRptPart, MimeMessageReader, type MailPart } from './read-mime.js';
import { ReportXmlParser, type ParsedReport } from './read-xml.js';

export type ContentKind = 'gzip' | 'zip' | 'xml' | 'mbox' | 'mail' | 'unknown';

/** O_NONBLOCK: opening a FIFO swapped in for a report returns at once instead of waiting for a writer. */
const READ_NONBLOCK = constants.O_RDONLY | constants.O_NONBLOCK;

/** Where reports go as they are read: `where` names the file and the part inside it. */
export interface ReportHandler {
  report(parsed: ParsedReport, where: string): void;
  error(where: string, message: string): void;
  /** Hand each report its XML bytes too (ParsedReport.xml), for the archive. */
  readonly keepXml?: boolean;
  /** Something recovered or ignored; the reports are still counted. */
  warn(where: string, message: string): void;
}

/** Compression layers in one another (gzip in gzip, zip in gzip, gzip in zip...). */
export const MAX_COMPRESSION_LAYERS = 4;

/** What the first bytes say the content is. */
export function sniffContent(head: Buffer): ContentKind {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) return 'zip';
  const text = head.toString('latin1').replace(/^\xef\xbb\xbf|^\xff\xfe|^\xfe\xff/, '');
  if (/^\s*</.test(text) || /^(\x00?\s)*\x00?</.test(text)) return 'xml';
  if (text.startsWith('From ')) return 'mbox';
  if (/^[!-9;-~]+:[ \t]?/.test(text)) return 'mail';
  return 'unknown';
}

export function messageOf(err: unknown): string {
  if (err instanceof ReportFormatError) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'Z_BUF_ERROR' || e?.code === 'Z_DATA_ERROR') return `corrupt or truncated gzip data (${e.message})`;
  if (e?.code === 'ERR_STREAM_PREMATURE_CLOSE') return 'truncated data';
  // yauzl's validateEntrySizes: the data outgrows (or falls short of) the size the headers declare.
  if (/bytes in the stream/.test(e?.message ?? '')) return `the zip entry's data does not match its declared size (${e.message}); refused (zip bomb?)`;
  return e?.message ?? String(err);
}

/** Parse one report from XML bytes; the byte count is capped here for plain XML. `keep`: also return the bytes. */
async function parseXml(chunks: AsyncIterable<Buffer> | Iterable<Buffer>, limits: ReadLimits, meter?: InflateMeter, keep = false): Promise<ParsedReport> {
  const parser = new ReportXmlParser(limits);
  const kept: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of chunks) {
    bytes += chunk.length;
    if (meter) meter.add(chunk.length);
    else if (bytes > limits.maxXmlBytes) throw new ReportFormatError(`XML larger than ${formatBytes(limits.maxXmlBytes)}`);
    parser.write(chunk);
    if (keep) kept.push(chunk);
  }
  const parsed = parser.end();
  if (keep) parsed.xml = Buffer.concat(kept);
  return parsed;
}

function nextEntry(zip: ZipFile): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: Entry) => {
      cleanup();
      resolve(entry);
    };
    const onEnd = () => {
      cleanup();
      resolve(undefined);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function openEntry(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream))));
}

/** Entry names that can hold a report: XML, or XML compressed once more. */
const REPORT_ENTRY = /\.(xml|gz|gzip|zip)$/i;

/** A zip entry's data, inflated through the meter (shared with the layers around it). */
async function readEntry(zip: ZipFile, entry: Entry, meter: InflateMeter): Promise<Buffer> {
  const stream = await openEntry(zip, entry);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      meter.add(chunk.length);
      chunks.push(chunk);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks);
}

/**
 * The report entries of a zip archive (APPNOTE 4.3): .xml, or a .gz/.zip holding one,
 * each checked against the caps before and while it inflates.
 */
async function readZip(zip: ZipFile, where: string, limits: ReadLimits, handler: ReportHandler, meter: InflateMeter, layer: number): Promise<number> {
  let reports = 0;
  let entries = 0;
  let reportEntries = 0;
  try {
    // The central directory's count comes first: an archive over the cap is refused whole.
    if (zip.entryCount > limits.maxZipEntries) throw new ReportFormatError(`${zip.entryCount} entries in the zip archive, more than ${limits.maxZipEntries}`);
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      if (++entries > limits.maxZipEntries) throw new ReportFormatError(`more than ${limits.maxZipEntries} entries in the zip archive`);
      if (entry.fileName.endsWith('/') || !REPORT_ENTRY.test(entry.fileName)) continue;
      reportEntries++;
      const label = `${where}: ${entry.fileName}`;
      try {
        if (entry.uncompressedSize > limits.maxXmlBytes)
          throw new ReportFormatError(`the zip entry claims ${formatBytes(entry.uncompressedSize)}, over ${formatBytes(limits.maxXmlBytes)}; refused (zip bomb?)`);
        if (entry.uncompressedSize > limits.ratioFloorBytes && entry.uncompressedSize > entry.compressedSize * limits.maxRatio)
          throw new ReportFormatError(`the zip entry inflates ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))} times; refused (zip bomb?)`);
        // yauzl's validateEntrySizes also fails an entry whose data outgrows its declared size.
        const data = await readEntry(zip, entry, meter);
        reports += await readLayer(data, label, limits, handler, meter, layer + 1);
      } catch (err) {
        handler.error(label, messageOf(err));
      }
    }
  } finally {
    zip.close();
  }
  if (reportEntries === 0) throw new ReportFormatError('the zip archive holds no .xml report');
  return reports;
}

/**
 * Decompressed data read as what it is: XML, or gzip/zip once more (receivers and the
 * gateways between them nest them), every layer inflating through one meter, so that the
 * caps hold for the total expanded size.
 */
async function readLayer(data: Buffer, where: string, limits: ReadLimits, handler: ReportHandler, meter: InflateMeter, layer: number): Promise<number> {
  const kind = sniffContent(data.subarray(0, 64));
  if ((kind === 'gzip' || kind === 'zip') && layer >= MAX_COMPRESSION_LAYERS) {
    throw new ReportFormatError(`compressed more than ${MAX_COMPRESSION_LAYERS} times over; refused`);
  }
  switch (kind) {
    case 'xml':
      const parsed = await parseXml([data], limits);
      if (handler.keepXml) parsed.xml = data;
      handler.report(parsed, where);
      return 1;
    case 'gzip': {
      const gunzipped = await gunzipMembers(data, meter);
      // RFC 1952 members end with their size; a gateway's CRLF after the last is no harm.
      if (!gunzipped.trailing.whitespace) handler.warn(where, `${formatBytes(gunzipped.trailing.bytes)} of data after the gzip data ignored`);
      return readLayer(gunzipped.data, where, limits, handler, meter, layer + 1);
    }
    case 'zip':
      return readZip(await openZipBuffer(data), where, limits, handler, meter, layer);
    default:
      throw new ReportFormatError(layer === 0 ? 'not a DMARC report: neither XML, gzip nor zip' : 'the compressed data holds neither XML, gzip nor zip');
  }
}

const ZIP_OPTIONS = { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false } as const;

function openZipBuffer(buffer: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) => yauzl.fromBuffer(buffer, ZIP_OPTIONS, (err, zip) => (err ? reject(err) : resolve(zip))));
}

/**
 * Reports in a decoded attachment: gzip, zip or XML. Returns how many were read,
 * or undefined when the content is none of these (not a report attachment).
 */
export async function readBufferReports(data: Buffer, where: string, limits: ReadLimits, handler: ReportHandler): Promise<number | undefined> {
  const kind = sniffContent(data.subarray(0, 64));
  if (kind !== 'gzip' && kind !== 'zip' && kind !== 'xml') return undefined;
  try {
    if (kind === 'xml' && data.length > limits.maxXmlBytes) throw new ReportFormatError(`XML larger than ${formatBytes(limits.maxXmlBytes)}`);
    return await readLayer(data, where, limits, handler, new InflateMeter(limits, data.length, 'the compressed data'), 0);
  } catch (err) {
    handler.error(where, messageOf(err));
    return 0;
  }
}

/** An .eml file (one message) or an mbox (RFC 4155: messages after "From " lines). */
async function readMail(file: string, where: string, mbox: boolean, limits: ReadLimits, handler: ReportHandler): Promise<void> {
  let reader = new MimeMessageReader(limits);
  let number = 0;
  let failed = false;
  let found = 0;
  let errors = 0;
  const label = () => (mbox ? `${where} (message ${number})` : where);
  const take = async (parts: MailPart[]) => {
    while (parts.length > 0) {
      const part = parts.shift()!;
      if (isTlsRptPart(part.contentType, part.filename)) continue;
      const n = await readBufferReports(part.data, `${label()}: ${part.filename ?? part.contentType}`, limits, handler);
      if (n !== undefined) found++;
    }
  };
  const finish = async () => {
    if (!failed) {
      try {
        reader.end();
      } catch (err) {
        errors++;
        handler.error(label(), messageOf(err));
      }
      await take(reader.parts);
    }
  };
  let previousBlank = true;
  let started = !mbox;
  if (!mbox) number = 1;
  for await (const line of readLines(createReadStream(file), limits.maxLineBytes)) {
    if (typeof line !== 'string') {
      if (!failed) errors++;
      if (!failed) handler.error(label(), `a line of ${formatBytes(line.tooLong)}, over ${formatBytes(limits.maxLineBytes)}; message skipped`);
      failed = true;
      previousBlank = false;
      continue;
    }
    if (mbox && previousBlank && line.startsWith('From ')) {
      if (started) await finish();
      started = true;
      number++;
      reader = new MimeMessageReader(limits);
      failed = false;
      previousBlank = false;
      continue;
    }
    previousBlank = line === '';
    if (failed || !started) continue;
    try {
      reader.line(line);
    } catch (err) {
      errors++;
      handler.error(label(), messageOf(err));
      failed = true;
      continue;
    }
    if (reader.parts.length > 0) await take(reader.parts);
  }
  if (started) await finish();
  if (found === 0 && errors === 0)
    throw new ReportFormatError(mbox ? `no DMARC report attached to any of ${number} messages` : 'no DMARC report attached to the message');
}

/** Every report in one file, whatever its container. Errors go to the handler, one per failing report. */
export async function readFileReports(file: string, where: string, limits: ReadLimits, handler: ReportHandler): Promise<void> {
  try {
    const fd = await open(file, READ_NONBLOCK);
    let head: Buffer;
    let size: number;
    try {
      const stats = await fd.stat();
      if (!stats.isFile()) throw new ReportFormatError(`${specialFile(stats)}; skipped`);
      size = stats.size;
      const buf = Buffer.alloc(64);
      const { bytesRead } = await fd.read(buf, 0, 64, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fd.close();
    }
    if (size === 0) throw new ReportFormatError('empty file');
    switch (sniffContent(head)) {
      case 'gzip':
      case 'zip': {
        // Held whole to be unpacked, as an attachment is: bounded by the same cap.
        if (size > limits.maxAttachmentBytes) throw new ReportFormatError(`compressed file larger than ${formatBytes(limits.maxAttachmentBytes)}`);
        const data = await readFile(file);
        await readLayer(data, where, limits, handler, new InflateMeter(limits, data.length, 'the compressed data'), 0);
        return;
      }
      case 'xml':
        if (size > limits.maxXmlBytes) throw new ReportFormatError(`XML larger than ${formatBytes(limits.maxXmlBytes)}`);
        handler.report(await parseXml(createReadStream(file), limits, undefined, handler.keepXml), where);
        return;
      case 'mbox':
        await readMail(file, where, true, limits, handler);
        return;
      case 'mail':
        await readMail(file, where, false, limits, handler);
        return;
      default:
        throw new ReportFormatError('not a DMARC report: neither XML, gzip, zip nor a mail message');
    }
  } catch (err) {
    handler.error(where, messageOf(err));
  }
}

/** The kind of a file from its first bytes (for directory walks that skip what is not a report). */
export async function sniffFile(file: string): Promise<ContentKind> {
  const fd = await open(file, READ_NONBLOCK);
  try {
    if (!(await fd.stat()).isFile()) return 'unknown';
    const buf = Buffer.alloc(64);
    const { bytesRead } = await fd.read(buf, 0, 64, 0);
    return sniffContent(buf.subarray(0, bytesRead));
  } finally {
    await fd.close();
  }
}
