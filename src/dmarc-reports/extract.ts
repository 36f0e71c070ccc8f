// The reports in one message or file, for the archive: the message's MIME tree walked with the
// reader's bounded MIME reader, each DMARC attachment read (xml, gz, zip, nested) by the same
// reader `dmarc simulate` uses, asked to hand back the XML too; each TLS-RPT attachment (RFC 8460
// §5.3) decoded and parsed. Nothing here writes: the reports go to the sink as they are read.

import { Readable } from 'node:stream';
import { ReportFormatError } from '../base/errors.js';
import { formatBytes } from '../base/repo-files.js';
import { type ReadLimits } from './limits.js';
import { messageOf, readBufferReports, sniffContent, type ReportHandler } from './read-container.js';
import { readLines } from './read-lines.js';
import { isTlsRptPart, MimeMessageReader, type MailPart } from './read-mime.js';
import type { ParsedReport } from './read-xml.js';
import { decodeTlsAttachment, parseTlsReport, type TlsReport } from './tls-rpt.js';

export type ExtractedReport =
  | { kind: 'dmarc'; where: string; xml: Buffer; parsed: ParsedReport }
  | { kind: 'tlsrpt'; where: string; json: Buffer; report: TlsReport };

export interface ExtractSink {
  report(report: ExtractedReport): void;
  error(where: string, message: string): void;
  /** Something the reader recovered or ignored; the report is still stored. */
  warn?(where: string, message: string): void;
}

export interface Extracted {
  reports: number;
  errors: number;
}

/** Text from a message (a file name, a content type) fit for one line of output: no control characters, clipped. */
export function clipText(text: string, max = 80): string {
  const clean = text.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

async function* once(data: Buffer): AsyncGenerator<Buffer> {
  yield data;
}

/** A TLS-RPT attachment: by its media type or name, or by JSON content where neither says. */
function isTlsRpt(part: MailPart): boolean {
  if (isTlsRptPart(part.contentType, part.filename)) return true;
  return sniffContent(part.data.subarray(0, 64)) === 'unknown' && /^\s*\{/.test(part.data.subarray(0, 64).toString('latin1'));
}

function readTls(data: Buffer, where: string, limits: ReadLimits, sink: ExtractSink): number {
  try {
    const json = decodeTlsAttachment(data, limits);
    sink.report({ kind: 'tlsrpt', where, json, report: parseTlsReport(json, limits) });
    return 1;
  } catch (err) {
    sink.error(where, messageOf(err));
    return 0;
  }
}

/**
 * One decoded attachment (or a report file's bytes): TLS-RPT JSON, or whatever the DMARC
 * reader reads. Undefined when it is neither (not a report).
 */
export async function extractAttachment(part: MailPart, where: string, limits: ReadLimits, sink: ExtractSink): Promise<Extracted | undefined> {
  if (isTlsRpt(part)) {
    const n = readTls(part.data, where, limits, sink);
    return { reports: n, errors: 1 - n };
  }
  let errors = 0;
  const handler: ReportHandler = {
    keepXml: true,
    report(parsed, at) {
      sink.report({ kind: 'dmarc', where: at, xml: parsed.xml ?? Buffer.alloc(0), parsed });
    },
    error(at, message) {
      errors++;
      sink.error(at, message);
    },
    warn(at, message) {
      sink.warn?.(at, message);
    },
  };
  const n = await readBufferReports(part.data, where, limits, handler);
  return n === undefined ? undefined : { reports: n, errors };
}

/** Every report attached to one message (RFC 5322 with MIME, RFC 2045-2049). */
export async function extractMessage(message: Buffer, where: string, limits: ReadLimits, sink: ExtractSink): Promise<Extracted> {
  const reader = new MimeMessageReader(limits);
  const out: Extracted = { reports: 0, errors: 0 };
  const take = async (): Promise<void> => {
    while (reader.parts.length > 0) {
      const part = reader.parts.shift()!;
      const found = await extractAttachment(part, `${where}: ${clipText(part.filename ?? part.contentType)}`, limits, sink);
      if (found) {
        out.reports += found.reports;
        out.errors += found.errors;
      }
    }
  };
  try {
    for await (const line of readLines(Readable.from(once(message)), limits.maxLineBytes)) {
      if (typeof line !== 'string') throw new ReportFormatError(`a line of ${formatBytes(line.tooLong)}, over ${formatBytes(limits.maxLineBytes)}`);
      reader.line(line);
      if (reader.parts.length > 0) await take();
    }
    reader.end();
    await take();
  } catch (err) {
    out.errors++;
    sink.error(where, `${messageOf(err)}; message skipped`);
  }
  return out;
}
