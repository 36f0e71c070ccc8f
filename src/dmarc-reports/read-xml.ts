// The streaming aggregate-report parser: XML bytes in, one report's metadata and
// its merged rows out. SAX (saxes), so a report is never held as a document;
// any DOCTYPE is refused, so no entity is ever declared, let alone expanded.

import { TextDecoder } from 'node:util';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { Utf8Check } from './utf8-check.js';
import { type ReadLimits } from './limits.js';
import { ReportFormatError } from '../base/errors.js';
import {
  rowKey,
  type AlignmentMode,
  type DkimAuth,
  type Disposition,
  type PublishedPolicy,
  type ReportMeta,
  type ReportRow,
  type SpfAuth,
} from './report.js';

/** RFC 9990 §3 (the IANA-registered namespace of the aggregate report schema). */
export const DMARC_2_NAMESPACE = 'urn:ietf:params:xml:ns:dmarc-2.0';

export interface ParsedReport {
  /** org_name may be empty and report_id too: the reader names the receiver (see receiver.ts). */
  meta: ReportMeta;
  published: PublishedPolicy;
  /** Identical records merged (rowKey); memory grows with distinct rows only. */
  rows: Map<string, ReportRow>;
  messages: number;
  records: number;
  /** The XML as read, when the handler asked for it (ReportHandler.keepXml: the archive stores it). */
  xml?: Buffer;
  /** What was recovered or replaced while reading, one line each (without the file name). */
  warnings: string[];
}

interface RecordDraft {
  sourceIp?: string;
  count?: number;
  headerFrom?: string;
  envelopeFrom?: string;
  disposition?: Disposition;
  /** <policy_evaluated><dkim>/<spf>: the receiver's own DMARC verdict per mechanism. */
  evaluatedDkim?: 'pass' | 'fail';
  evaluatedSpf?: 'pass' | 'fail';
  reasons: string[];
  dkim: DkimAuth[];
  spf: SpfAuth[];
  dkimDraft?: Partial<DkimAuth>;
  spfDraft?: Partial<SpfAuth>;
}

interface PublishedDraft {
  domain?: string;
  p?: Disposition;
  sp?: Disposition;
  np?: Disposition;
  adkim?: AlignmentMode;
  aspf?: AlignmentMode;
  testing?: boolean;
  pct?: number;
}

const DISPOSITIONS = new Set<string>(['none', 'quarantine', 'reject']);

/**
 * A copy of a short string that does not point into the parser's chunk: V8 may
 * keep a substring as a slice of its parent, and a merged row that outlives its
 * report would then keep the whole decoded chunk alive.
 */
function detach(text: string): string {
  return text.length < 13 ? text : ` ${text}`.slice(1);
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return (colon < 0 ? name : name.slice(colon + 1)).toLowerCase();
}

/** Lowercase, no trailing dot; a domain longer than a DNS name can be is refused. */
function domainOf(value: string, field: string): string {
  const d = value.trim().toLowerCase().replace(/\.$/, '');
  if (d.length > 253) throw new ReportFormatError(`<${field}> is not a domain name (${d.length} characters)`);
  return d;
}

/**
 * Some receivers write "Quarantine", "reject " or (older Microsoft reports)
 * values outside the schema; anything unknown is reported as none.
 */
function dispositionOf(value: string): Disposition {
  const v = value.trim().toLowerCase();
  return DISPOSITIONS.has(v) ? (v as Disposition) : 'none';
}

function alignmentOf(value: string): AlignmentMode {
  return value.trim().toLowerCase().startsWith('s') ? 's' : 'r';
}

/** The text encoding from a BOM or the XML declaration (RFC 7303 §4.3, XML 1.0 §4.3.3). */
function detectEncoding(head: Buffer): { encoding: string; skip: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', skip: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', skip: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', skip: 2 };
  const decl = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head.toString('latin1'));
  return { encoding: decl?.[1]?.toLowerCase() ?? 'utf-8', skip: 0 };
}

/** Feed bytes with write(), then end() for the report (or a ReportFormatError). */
export class ReportXmlParser {
  private readonly sax = new SaxesParser<{ xmlns: false; position: false }>({ xmlns: false, position: false });
  private decoder?: TextDecoder;
  private head: Buffer[] = [];
  private headBytes = 0;
  private readonly stack: string[] = [];
  private text = '';
  /** Where <feedback> opened: 0 as the root, deeper inside a wrapper element. */
  private feedbackDepth?: number;
  private feedbackClosed = false;
  /** The root element when it is not <feedback> (seen: an unterminated <xs:schema> around it). */
  private wrapper?: string;
  /** The first XML error after </feedback> closed: the report is whole, the rest is ignored. */
  private errorAfterReport?: string;
  private readonly utf8 = new Utf8Check();
  private checkUtf8 = false;
  private readonly warnings: string[] = [];
  private schema: ReportMeta['schema'] = '7489';
  private readonly meta: Partial<ReportMeta> = {};
  private readonly published: PublishedDraft = {};
  private publishedFinal?: PublishedPolicy;
  private record?: RecordDraft;
  private readonly rows = new Map<string, ReportRow>();
  private messages = 0;
  private records = 0;

  constructor(private readonly limits: ReadLimits) {
    const fail = (message: string): never => {
      throw new ReportFormatError(message);
    };
    this.sax.on('error', (err) => {
      const message = err.message.replace(/^.*?:\d+:\d+: /, '');
      // After </feedback> the report is complete: what follows (an unclosed wrapper, stray
      // text) is reported as a warning and ignored, as lenient readers do.
      if (this.feedbackClosed) {
        this.errorAfterReport ??= message;
        return;
      }
      fail(`malformed XML: ${message}`);
    });
    // XML 1.0 §2.8: a DOCTYPE can declare entities whose expansion is exponential
    // ("billion laughs"); reports never need one, so any DOCTYPE ends the report.
    this.sax.on('doctype', () => fail('the XML has a DOCTYPE declaration; refused (DMARC reports have none, and entities are never expanded)'));
    this.sax.on('opentag', (tag) => this.open(tag));
    this.sax.on('text', (t) => this.addText(t));
    this.sax.on('cdata', (t) => this.addText(t));
    this.sax.on('closetag', () => this.close());
  }

  write(chunk: Buffer): void {
    if (this.decoder) {
      if (this.checkUtf8) this.utf8.feed(chunk);
      this.sax.write(this.decoder.decode(chunk, { stream: true }));
      return;
    }
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes >= 512) this.startDecoding();
  }

  end(): ParsedReport {
    if (!this.decoder) this.startDecoding();
    this.sax.write(this.decoder!.decode());
    this.sax.close();
    if (this.feedbackDepth === undefined) {
      if (this.wrapper !== undefined) throw new ReportFormatError(`not a DMARC aggregate report (root element <${this.wrapper}>, no <feedback> in it)`);
      throw new ReportFormatError('empty document: no <feedback> element');
    }
    if (!this.feedbackClosed) throw new ReportFormatError('malformed XML: the <feedback> element is not closed (truncated report?)');
    if (this.wrapper !== undefined) {
      this.warnings.push(
        this.errorAfterReport !== undefined
          ? `the report is wrapped in <${this.wrapper}>, which is not closed: the <feedback> element inside was read`
          : `the report is wrapped in <${this.wrapper}>: the <feedback> element inside was read`,
      );
    } else if (this.errorAfterReport !== undefined) {
      this.warnings.push(`data after </feedback> ignored (${this.errorAfterReport})`);
    }
    if (this.checkUtf8) {
      this.utf8.end();
      if (this.utf8.invalid > 0) {
        const n = this.utf8.invalid;
        this.warnings.push(`line ${this.utf8.firstLine}: invalid UTF-8 (${n} byte sequence${n === 1 ? '' : 's'} read as U+FFFD); every record was counted`);
      }
    }
    const published = this.finishPublished();
    return {
      meta: { ...this.meta, orgName: this.meta.orgName ?? '', reportId: this.meta.reportId ?? '', schema: this.schema },
      published,
      rows: this.rows,
      messages: this.messages,
      records: this.records,
      warnings: this.warnings,
    };
  }

  private startDecoding(): void {
    const head = Buffer.concat(this.head);
    this.head = [];
    const { encoding, skip } = detectEncoding(head);
    try {
      this.decoder = new TextDecoder(encoding);
    } catch {
      throw new ReportFormatError(`unsupported XML encoding "${encoding}"`);
    }
    // Declared (or defaulted) UTF-8 that is not: decoded with replacement, and said.
    this.checkUtf8 = this.decoder.encoding === 'utf-8';
    const body = head.subarray(skip);
    if (this.checkUtf8) this.utf8.feed(body);
    this.sax.write(this.decoder.decode(body, { stream: true }));
  }

  private addText(t: string): void {
    if (this.feedbackDepth === undefined || this.feedbackClosed || this.stack.length <= this.feedbackDepth) return;
    if (this.text.length + t.length > this.limits.maxTextChars)
      throw new ReportFormatError(`<${this.stack[this.stack.length - 1]}> holds more than ${this.limits.maxTextChars} characters`);
    this.text += t;
  }

  private open(tag: SaxesTagPlain): void {
    const name = localName(tag.name);
    const parent = this.stack[this.stack.length - 1];
    if (this.stack.length >= this.limits.maxDepth) throw new ReportFormatError(`elements nested deeper than ${this.limits.maxDepth}`);
    if (this.feedbackDepth === undefined) {
      if (name === 'feedback') {
        this.feedbackDepth = this.stack.length;
        for (const [attr, value] of Object.entries(tag.attributes)) {
          if ((attr === 'xmlns' || attr.startsWith('xmlns:')) && String(value).trim() === DMARC_2_NAMESPACE) this.schema = '9990';
        }
      } else if (parent === undefined) {
        // Not <feedback> at the root: look for it inside (a wrapper some receivers leave around it).
        this.wrapper = tag.name;
      }
    } else if (this.feedbackClosed && name === 'feedback') {
      throw new ReportFormatError('more than one <feedback> element in one document');
    }
    if (name === 'record' && parent === 'feedback') {
      this.records++;
      if (this.records > this.limits.maxRecords) throw new ReportFormatError(`more than ${this.limits.maxRecords} records in one report`);
      this.record = { reasons: [], dkim: [], spf: [] };
    } else if (this.record && parent === 'auth_results') {
      if (this.record.dkim.length + this.record.spf.length >= this.limits.maxAuthResults)
        throw new ReportFormatError(`more than ${this.limits.maxAuthResults} auth results in one record`);
      if (name === 'dkim') this.record.dkimDraft = {};
      if (name === 'spf') this.record.spfDraft = {};
    }
    this.stack.push(name);
    this.text = '';
  }

  private close(): void {
    const name = this.stack[this.stack.length - 1] ?? '';
    const parent = this.stack[this.stack.length - 2] ?? '';
    const value = detach(this.text.trim());
    this.text = '';
    const inReport = this.feedbackDepth !== undefined && !this.feedbackClosed && this.stack.length > this.feedbackDepth;
    if (!inReport) {
      this.stack.pop();
      return;
    }
    if (this.stack.length === this.feedbackDepth! + 1) {
      this.feedbackClosed = true;
      this.stack.pop();
      return;
    }
    if (this.stack.includes('report_metadata')) this.closeMeta(name, value);
    else if (parent === 'policy_published') this.closePublished(name, value);
    else if (this.record) this.closeRecord(name, parent, value);
    this.stack.pop();
  }

  private closeMeta(name: string, value: string): void {
    switch (name) {
      case 'org_name':
        this.meta.orgName = value;
        break;
      case 'report_id':
        this.meta.reportId = value;
        break;
      case 'email':
        this.meta.email = value;
        break;
      case 'extra_contact_info':
        if (value !== '') this.meta.extraContactInfo = value;
        break;
      case 'begin':
      case 'end':
        if (/^\d{1,12}$/.test(value)) this.meta[name] = Number(value);
        break;
    }
  }

  private closePublished(name: string, value: string): void {
    const p = this.published;
    switch (name) {
      case 'domain':
        p.domain = domainOf(value, 'policy_published><domain');
        break;
      case 'p':
      case 'sp':
      case 'np':
        if (value !== '') p[name] = dispositionOf(value);
        break;
      case 'adkim':
      case 'aspf':
        if (value !== '') p[name] = alignmentOf(value);
        break;
      case 'testing':
      case 't':
        p.testing = /^(y|yes|true|1)$/i.test(value);
        break;
      case 'pct':
        if (/^\d{1,3}$/.test(value)) p.pct = Number(value);
        break;
    }
  }

  private finishPublished(): PublishedPolicy {
    if (this.publishedFinal) return this.publishedFinal;
    const d = this.published;
    if (!d.domain) throw new ReportFormatError('no <policy_published><domain>');
    const out: PublishedPolicy = { domain: d.domain, p: d.p ?? 'none', adkim: d.adkim ?? 'r', aspf: d.aspf ?? 'r', testing: d.testing ?? false };
    if (d.sp) out.sp = d.sp;
    if (d.np) out.np = d.np;
    if (d.pct !== undefined) out.pct = d.pct;
    this.publishedFinal = out;
    return out;
  }

  private closeRecord(name: string, parent: string, value: string): void {
    const r = this.record!;
    const inAuth = this.stack.includes('auth_results');
    if (inAuth && parent === 'dkim' && r.dkimDraft) {
      if (name === 'domain') r.dkimDraft.domain = domainOf(value, 'dkim><domain');
      else if (name === 'selector') r.dkimDraft.selector = value.toLowerCase();
      else if (name === 'result') r.dkimDraft.result = value.toLowerCase();
      return;
    }
    if (inAuth && parent === 'spf' && r.spfDraft) {
      if (name === 'domain') r.spfDraft.domain = domainOf(value, 'spf><domain');
      else if (name === 'scope') r.spfDraft.scope = value.toLowerCase();
      else if (name === 'result') r.spfDraft.result = value.toLowerCase();
      return;
    }
    if (parent === 'auth_results' && name === 'dkim' && r.dkimDraft) {
      r.dkim.push({ domain: r.dkimDraft.domain ?? '', result: r.dkimDraft.result ?? 'none', ...(r.dkimDraft.selector ? { selector: r.dkimDraft.selector } : {}) });
      delete r.dkimDraft;
      return;
    }
    if (parent === 'auth_results' && name === 'spf' && r.spfDraft) {
      // "hardfail" appears in a few receivers' reports for RFC 7208's fail.
      const result = r.spfDraft.result === 'hardfail' ? 'fail' : (r.spfDraft.result ?? 'none');
      r.spf.push({ domain: r.spfDraft.domain ?? '', result, ...(r.spfDraft.scope ? { scope: r.spfDraft.scope } : {}) });
      delete r.spfDraft;
      return;
    }
    switch (name) {
      case 'source_ip':
        if (value.length > 64 || value === '') throw new ReportFormatError(`<source_ip> "${value.slice(0, 40)}" is not an address`);
        r.sourceIp = value.toLowerCase();
        break;
      case 'count':
        if (!/^\d{1,10}$/.test(value) || Number(value) > this.limits.maxRowCount)
          throw new ReportFormatError(`<count> "${value.slice(0, 20)}" is not a message count (at most ${this.limits.maxRowCount})`);
        r.count = Number(value);
        break;
      case 'disposition':
        if (parent === 'policy_evaluated') r.disposition = dispositionOf(value);
        break;
      case 'dkim':
      case 'spf':
        // <policy_evaluated><dkim>pass</dkim>: the receiver's DMARC result for the mechanism.
        if (parent === 'policy_evaluated') {
          const verdict = /^pass$/i.test(value) ? 'pass' : /^fail$/i.test(value) ? 'fail' : undefined;
          if (verdict && name === 'dkim') r.evaluatedDkim = verdict;
          if (verdict && name === 'spf') r.evaluatedSpf = verdict;
        }
        break;
      case 'type':
        if (parent === 'reason' && value !== '') r.reasons.push(value.toLowerCase());
        break;
      case 'header_from':
        r.headerFrom = domainOf(value, 'header_from');
        break;
      case 'envelope_from':
        if (value !== '') r.envelopeFrom = domainOf(value, 'envelope_from');
        break;
      case 'record':
        this.finishRecord(r);
        break;
    }
  }

  private finishRecord(r: RecordDraft): void {
    this.record = undefined;
    if (r.sourceIp === undefined) throw new ReportFormatError(`record ${this.records} has no <source_ip>`);
    if (r.count === undefined) throw new ReportFormatError(`record ${this.records} has no <count>`);
    const published = this.finishPublished();
    const row: Omit<ReportRow, 'count'> = {
      sourceIp: r.sourceIp,
      // header_from is mandatory; a record without one is about the policy domain.
      headerFrom: r.headerFrom ?? published.domain,
      disposition: r.disposition ?? 'none',
      reasons: [...new Set(r.reasons)].sort(),
      dkim: r.dkim,
      spf: r.spf,
      published,
    };
    if (r.envelopeFrom !== undefined) row.envelopeFrom = r.envelopeFrom;
    if (r.evaluatedDkim !== undefined || r.evaluatedSpf !== undefined) {
      row.evaluated = { ...(r.evaluatedDkim ? { dkim: r.evaluatedDkim } : {}), ...(r.evaluatedSpf ? { spf: r.evaluatedSpf } : {}) };
    }
    this.messages += r.count;
    if (r.count === 0) return;
    const key = rowKey(row);
    const seen = this.rows.get(key);
    if (seen) seen.count += r.count;
    else this.rows.set(key, { ...row, count: r.count });
  }
}
