// A bounded MIME reader for report mail (RFC 2045-2047, RFC 2231 parameters):
// walks one message's multipart tree line by line and hands back the parts that
// can hold a report (RFC 7489 §7.2.1.1: gzip, zip or XML attachments), decoded.

import { formatBytes } from '../base/repo-files.js';
import { type ReadLimits } from './limits.js';
import { ReportFormatError } from '../base/errors.js';

export interface MailPart {
  filename?: string;
  contentType: string;
  data: Buffer;
}

interface Leaf {
  encoding: 'base64' | 'quoted-printable' | 'raw';
  take: boolean;
  contentType: string;
  filename?: string;
  chunks: Buffer[];
  size: number;
  carry: string;
}

const REPORT_TYPES = new Set([
  'application/gzip',
  'application/x-gzip',
  'application/zip',
  'application/x-zip',
  'application/x-zip-compressed',
  'application/xml',
  'text/xml',
  // RFC 8460 §5.3: TLS-RPT reports, taken for `reports fetch` (the DMARC reader skips them).
  'application/tlsrpt+gzip',
  'application/tlsrpt+json',
]);

/** A TLS-RPT report (RFC 8460 §5.3): its media type, or its file name (".json", ".json.gz"). */
export function isTlsRptPart(contentType: string, filename: string | undefined): boolean {
  return contentType.startsWith('application/tlsrpt+') || (filename !== undefined && /\.json(\.gz)?$/i.test(filename));
}

/** Split "type/sub; a=1; b="x;y"" into the value and lowercase-named parameters (RFC 2045 §5.1, RFC 2231 §3-4). */
export function parseHeaderValue(value: string): { value: string; params: Map<string, string> } {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '"') quoted = !quoted;
    if (c === '\\' && quoted && i + 1 < value.length) {
      current += value[++i];
      continue;
    }
    if (c === ';' && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  const params = new Map<string, string>();
  const continued = new Map<string, string[]>();
  for (const part of parts.slice(1)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    let name = part.slice(0, eq).trim().toLowerCase();
    let v = part.slice(eq + 1).trim().replace(/^"(.*)"$/s, '$1');
    // RFC 2231 §4: name*=charset'lang'percent-encoded; §3: name*0, name*1 ... continuations.
    const extended = name.endsWith('*');
    if (extended) {
      name = name.slice(0, -1);
      const m = /^([^']*)'[^']*'(.*)$/.exec(v);
      v = decodePercent(m ? m[2]! : v);
    }
    const cont = /^(.*)\*(\d+)$/.exec(name);
    if (cont) {
      const list = continued.get(cont[1]!) ?? [];
      list[Number(cont[2])] = v;
      continued.set(cont[1]!, list);
    } else params.set(name, v);
  }
  for (const [name, list] of continued) if (!params.has(name)) params.set(name, list.join(''));
  return { value: (parts[0] ?? '').trim().toLowerCase(), params };
}

function decodePercent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** An RFC 2047 encoded-word filename ("=?utf-8?B?...?="), decoded; other text unchanged. */
function decodeWords(text: string): string {
  return text.replace(/=\?([^?]+)\?([bqBQ])\?([^?]*)\?=/g, (_all, _charset: string, enc: string, data: string) =>
    enc.toLowerCase() === 'b' ? Buffer.from(data, 'base64').toString('utf8') : data.replace(/_/g, ' ').replace(/=([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
  );
}

/** Whether a part may carry a report: by media type or by file name. */
function isReportCandidate(contentType: string, filename: string | undefined): boolean {
  if (REPORT_TYPES.has(contentType)) return true;
  return filename !== undefined && /\.(xml|gz|gzip|zip|json)$/i.test(filename);
}

/**
 * One message, fed line by line. Finished report parts queue up in `parts` for the
 * caller to take after each line, so that at most one attachment is held at once.
 */
export class MimeMessageReader {
  readonly parts: MailPart[] = [];
  private mode: 'headers' | 'body' | 'skip' = 'headers';
  private headerLines: string[] = [];
  private headerBytes = 0;
  private readonly boundaries: string[] = [];
  private leaf?: Leaf;
  private leaves = 0;

  constructor(private readonly limits: ReadLimits) {}

  /** Feed one line (without its line break). Throws ReportFormatError when a bound is crossed. */
  line(line: string): void {
    if (this.boundaries.length > 0 && line.startsWith('--') && this.boundary(line)) return;
    if (this.mode === 'headers') {
      if (line === '') this.endHeaders();
      else {
        this.headerBytes += line.length + 2;
        if (this.headerBytes > this.limits.maxHeaderBytes) throw new ReportFormatError(`a MIME header block over ${formatBytes(this.limits.maxHeaderBytes)}`);
        this.headerLines.push(line);
      }
    } else if (this.mode === 'body' && this.leaf?.take) this.append(this.leaf, line);
  }

  /** The message ended: close the open part. */
  end(): void {
    if (this.mode === 'headers' && this.headerLines.length > 0) this.endHeaders();
    this.finishLeaf();
  }

  /** A boundary line of any open multipart (RFC 2046 §5.1.1); true when it was one. */
  private boundary(line: string): boolean {
    const trimmed = line.trimEnd();
    for (let i = this.boundaries.length - 1; i >= 0; i--) {
      const b = this.boundaries[i]!;
      if (trimmed === `--${b}--`) {
        this.finishLeaf();
        this.boundaries.length = i;
        this.mode = 'skip'; // the epilogue
        return true;
      }
      if (trimmed === `--${b}`) {
        this.finishLeaf();
        this.boundaries.length = i + 1;
        this.mode = 'headers';
        this.headerLines = [];
        this.headerBytes = 0;
        return true;
      }
    }
    return false;
  }

  private endHeaders(): void {
    const headers = new Map<string, string>();
    let last: string | undefined;
    for (const raw of this.headerLines) {
      // RFC 5322 §2.2.3: a line starting with white space continues the previous field.
      if (/^[ \t]/.test(raw) && last !== undefined) headers.set(last, `${headers.get(last)!} ${raw.trim()}`);
      else {
        const colon = raw.indexOf(':');
        if (colon <= 0) continue;
        last = raw.slice(0, colon).trim().toLowerCase();
        // The first occurrence of a field counts (a second Content-Type is malformed).
        if (!headers.has(last)) headers.set(last, raw.slice(colon + 1).trim());
        else last = undefined;
      }
    }
    this.headerLines = [];
    this.headerBytes = 0;
    const type = parseHeaderValue(headers.get('content-type') ?? 'text/plain');
    const boundary = type.params.get('boundary');
    if (type.value.startsWith('multipart/') && boundary) {
      if (this.boundaries.length >= this.limits.maxMimeDepth) throw new ReportFormatError(`MIME parts nested deeper than ${this.limits.maxMimeDepth}`);
      this.boundaries.push(boundary);
      this.mode = 'skip'; // the preamble, up to the first boundary
      return;
    }
    this.leaves++;
    if (this.leaves > this.limits.maxMimeParts) throw new ReportFormatError(`more than ${this.limits.maxMimeParts} MIME parts in one message`);
    const disposition = parseHeaderValue(headers.get('content-disposition') ?? '');
    const rawName = disposition.params.get('filename') ?? type.params.get('name');
    const filename = rawName === undefined ? undefined : decodeWords(rawName);
    const cte = (headers.get('content-transfer-encoding') ?? '7bit').trim().toLowerCase();
    this.leaf = {
      encoding: cte === 'base64' ? 'base64' : cte === 'quoted-printable' ? 'quoted-printable' : 'raw',
      take: isReportCandidate(type.value, filename),
      contentType: type.value,
      chunks: [],
      size: 0,
      carry: '',
      ...(filename !== undefined ? { filename } : {}),
    };
    this.mode = 'body';
  }

  private append(leaf: Leaf, line: string): void {
    let bytes: Buffer;
    if (leaf.encoding === 'base64') {
      // RFC 2045 §6.8: characters outside the alphabet are ignored; decode whole quanta only.
      const text = leaf.carry + line.replace(/[^A-Za-z0-9+/=]/g, '');
      const whole = text.length - (text.length % 4);
      leaf.carry = text.slice(whole);
      bytes = Buffer.from(text.slice(0, whole), 'base64');
    } else if (leaf.encoding === 'quoted-printable') {
      // RFC 2045 §6.7: "=" at the end is a soft line break; =XX an octet.
      const soft = line.endsWith('=');
      const body = (soft ? line.slice(0, -1) : line).replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
      bytes = Buffer.from(soft ? body : `${body}\r\n`, 'latin1');
    } else bytes = Buffer.from(`${line}\r\n`, 'latin1');
    leaf.size += bytes.length;
    if (leaf.size > this.limits.maxAttachmentBytes)
      throw new ReportFormatError(`attachment ${leaf.filename ?? ''} is larger than ${formatBytes(this.limits.maxAttachmentBytes)}`.replace('  ', ' '));
    if (bytes.length > 0) leaf.chunks.push(bytes);
  }

  private finishLeaf(): void {
    const leaf = this.leaf;
    this.leaf = undefined;
    if (!leaf?.take || leaf.size === 0) return;
    const part: MailPart = { contentType: leaf.contentType, data: Buffer.concat(leaf.chunks) };
    if (leaf.filename !== undefined) part.filename = leaf.filename;
    this.parts.push(part);
  }
}
