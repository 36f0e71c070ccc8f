// Bounds on what a report file may make the reader do: a hostile or broken file
// hits one of these and is skipped with an error, never exhausting memory.

import { ReportFormatError } from '../base/errors.js';
import { formatBytes } from '../base/repo-files.js';

export interface ReadLimits {
  /** Decompressed XML of one report. Real reports are kilobytes to a few megabytes. */
  maxXmlBytes: number;
  /** Decompressed / compressed size, checked once output passes ratioFloorBytes (zip and gzip bombs). */
  maxRatio: number;
  ratioFloorBytes: number;
  /** One attachment of a message, as decoded (it is held in memory to be unzipped). */
  maxAttachmentBytes: number;
  /** Entries looked at in one zip archive. */
  maxZipEntries: number;
  /** <record> elements in one report. */
  maxRecords: number;
  /** <count> of one row; more messages than this from one IP in a day is not a report. */
  maxRowCount: number;
  /** <dkim>/<spf> results in one record. */
  maxAuthResults: number;
  /** Element nesting in the XML. */
  maxDepth: number;
  /** Characters of one text node (no report field needs more). */
  maxTextChars: number;
  /** One line of a message (base64 lines are 76 octets, RFC 2045 §6.8). */
  maxLineBytes: number;
  /** The header block of one MIME entity. */
  maxHeaderBytes: number;
  /** MIME multipart nesting. */
  maxMimeDepth: number;
  /** Leaf parts of one message. */
  maxMimeParts: number;
}

export const DEFAULT_LIMITS: ReadLimits = {
  maxXmlBytes: 64 << 20,
  maxRatio: 200,
  ratioFloorBytes: 1 << 20,
  maxAttachmentBytes: 32 << 20,
  maxZipEntries: 16,
  maxRecords: 1_000_000,
  maxRowCount: 1_000_000_000,
  maxAuthResults: 64,
  maxDepth: 32,
  maxTextChars: 64 << 10,
  maxLineBytes: 1 << 20,
  maxHeaderBytes: 256 << 10,
  maxMimeDepth: 8,
  maxMimeParts: 256,
};


/** Counts decompressed bytes against the absolute cap and the ratio to the compressed size. */
export class InflateMeter {
  private out = 0;
  constructor(
    private readonly limits: ReadLimits,
    private readonly compressedBytes: number,
    private readonly what: string,
  ) {}

  add(bytes: number): void {
    this.out += bytes;
    if (this.out > this.limits.maxXmlBytes)
      throw new ReportFormatError(`${this.what} decompresses to more than ${formatBytes(this.limits.maxXmlBytes)}; refused (decompression bomb?)`);
    if (this.out > this.limits.ratioFloorBytes && this.out > this.compressedBytes * this.limits.maxRatio)
      throw new ReportFormatError(`${this.what} decompresses more than ${this.limits.maxRatio} times its size; refused (decompression bomb?)`);
  }
}

