// Presentation form of RDATA (RFC 1035 §5.1, RFC 3597 §5): one render and one parse per type.

import { quoteDouble } from '../base/quote.js';
import { MailrecError, RecordError } from '../base/errors.js';
import { parseIPv4, parseIPv6, renderIPv6 } from './ip.js';
import { checkPresentationText, decodeEscapes, renderCharacterString, renderOctets } from './escape.js';
import { parseName, renderName, type NameMode } from './name.js';
import { parseRRType } from './rr-types.js';
import { parseEntries } from './tokenizer.js';
import { MAX_TTL, parseTtl } from './ttl.js';
import { TXT_STRING_MAX_OCTETS, typeOf, type RData, type RR } from './rr.js';

/** One rdata field as the tokenizer hands it over: escapes kept, quotes removed. */
export interface RDataToken {
  raw: string;
  quoted: boolean;
}

/** Rdata that does not parse; `tokenIndex` is the field at fault (undefined: missing fields). */
export class RDataSyntaxError extends RecordError {
  constructor(
    message: string,
    readonly tokenIndex?: number,
    hint?: string,
  ) {
    super(message, undefined, hint);
  }
}

export interface ParseRDataOptions {
  /** Origin for relative names in the rdata (model form: no trailing dot). */
  origin?: string;
}

export interface RenderOptions {
  /**
   * 'presentation' (default) accepts any name in the model's canonical escaped form, as the
   * reader produces it; 'strict' (the fragment writer's) refuses any name outside letters,
   * digits, "-", "_" and a leftmost "*". Both refuse a name that would break a line.
   */
  names?: NameMode;
}

const UINT8 = 0xff;
const UINT16 = 0xffff;
const UINT32 = 0xffffffff;

// ---------------------------------------------------------------------------------------
// render

/** The presentation form after the type, e.g. `10 mx-01.example.org.`. */
export function renderRData(rd: RData, options: RenderOptions = {}): string {
  const name = (value: string): string => renderName(value, options.names ?? 'presentation');
  switch (rd.type) {
    case 'A':
      if (!parseIPv4(rd.address)) throw new RecordError(`bad IPv4 address ${quoteDouble(rd.address)}`);
      return rd.address;
    case 'AAAA': {
      const octets = parseIPv6(rd.address);
      if (!octets) throw new RecordError(`bad IPv6 address ${quoteDouble(rd.address)}`);
      return renderIPv6(octets);
    }
    case 'CNAME':
      return name(rd.target);
    case 'NS':
    case 'PTR':
      return name(rd.host);
    case 'MX': // RFC 1035 §3.3.9
      return `${checkUint(rd.preference, UINT16, 'MX preference')} ${name(rd.exchange)}`;
    case 'TXT': // RFC 1035 §3.3.14: one or more character-strings
      if (rd.strings.length === 0) throw new RecordError('a TXT record needs at least one string');
      return rd.strings.map(renderCharacterString).join(' ');
    case 'SRV': // RFC 2782
      return [
        checkUint(rd.priority, UINT16, 'SRV priority'),
        checkUint(rd.weight, UINT16, 'SRV weight'),
        checkUint(rd.port, UINT16, 'SRV port'),
        name(rd.target),
      ].join(' ');
    case 'TLSA': // RFC 6698 §2.2: certificate association data as hex
      if (!/^([0-9a-fA-F]{2})+$/.test(rd.certificate)) {
        throw new RecordError(`TLSA certificate data ${quoteDouble(rd.certificate)} is not hex`);
      }
      return [
        checkUint(rd.usage, UINT8, 'TLSA usage'),
        checkUint(rd.selector, UINT8, 'TLSA selector'),
        checkUint(rd.matchingType, UINT8, 'TLSA matching type'),
        rd.certificate.toUpperCase(),
      ].join(' ');
    case 'SOA': // RFC 1035 §3.3.13
      return [
        name(rd.mname),
        name(rd.rname),
        checkUint(rd.serial, UINT32, 'SOA serial'),
        checkUint(rd.refresh, UINT32, 'SOA refresh'),
        checkUint(rd.retry, UINT32, 'SOA retry'),
        checkUint(rd.expire, UINT32, 'SOA expire'),
        checkUint(rd.minimum, UINT32, 'SOA minimum'),
      ].join(' ');
    case 'OTHER':
      checkMnemonic(rd.rrtype);
      checkPresentationText(rd.text);
      return rd.text;
  }
}

/** One master-file line (without newline): `name. TTL IN TYPE rdata`. */
export function renderRR(rr: RR, options: RenderOptions = {}): string {
  return renderRRLine(rr, options).text;
}

/** renderRR's line with its rdata (renderRData's), each rendered once: the fragment writer sorts by both. */
export function renderRRLine(rr: RR, options: RenderOptions = {}): { rdata: string; text: string } {
  const owner = renderName(rr.name, options.names ?? 'presentation');
  const ttl = checkUint(rr.ttl, MAX_TTL, 'TTL (RFC 2181 §8)');
  const rdata = renderRData(rr, options);
  return { rdata, text: `${owner} ${ttl} IN ${typeOf(rr)} ${rdata}` };
}

function checkUint(value: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RecordError(`${what} ${value} is not an integer from 0 to ${max}`);
  }
  return value;
}

function checkMnemonic(rrtype: string): void {
  if (!/^[A-Z][A-Z0-9-]*$/.test(rrtype)) {
    throw new RecordError(`RR type ${quoteDouble(rrtype)} is not a type mnemonic`);
  }
}

// ---------------------------------------------------------------------------------------
// parse

/**
 * Parse the fields after the type. `type` is a mnemonic or "TYPEnnn"; tokens are master-file
 * tokens (a plain string counts as an unquoted token, escapes and all). Accepts the
 * RFC 3597 generic form `\# <length> <hex>` for every type. Types the model does not hold
 * become OTHER with their fields re-joined by single spaces.
 */
export function parseRData(
  type: string,
  tokens: readonly (RDataToken | string)[],
  options: ParseRDataOptions = {},
): RData {
  const rrtype = parseRRType(type);
  if (!rrtype) throw new RDataSyntaxError(`unknown RR type ${quoteDouble(type)}`);
  const fields = tokens.map((token) => (typeof token === 'string' ? { raw: token, quoted: false } : token));
  const first = fields[0];
  if (first && !first.quoted && first.raw === '\\#') {
    const octets = parseGenericRData(fields);
    if (MODELLED.has(rrtype.mnemonic)) return decodeWireRData(rrtype.mnemonic, octets);
    const hex = octets.toString('hex').toUpperCase();
    return { type: 'OTHER', rrtype: rrtype.mnemonic, text: hex === '' ? '\\# 0' : `\\# ${octets.length} ${hex}` };
  }
  const reader = new FieldReader(rrtype.mnemonic, fields, options.origin);
  return reader.parse();
}

/** Tokenize then parse presentation rdata, e.g. `parseRDataText('MX', '10 mx.example.org.')`. */
export function parseRDataText(type: string, text: string, options: ParseRDataOptions = {}): RData {
  const entries = parseEntries(text, '<rdata>');
  if (entries.length > 1) throw new RDataSyntaxError('rdata spans more than one line');
  return parseRData(type, entries[0]?.tokens ?? [], options);
}

/**
 * Presentation rdata given as one value (a policy's `raw:`), read the way the zone reader
 * reads it and refused unless nothing is lost: no ";" (a master-file comment would silently
 * drop the rest: "10 mx.example.net;.evil" is "10 mx.example.net"), no parentheses, one line,
 * and the record rendered back must parse to the same record.
 */
export function parseRDataRoundTrip(type: string, text: string, options: ParseRDataOptions = {}): RData {
  checkOneValue(text);
  const rd = parseRDataText(type, text, options);
  const rendered = renderRData(rd);
  let again: RData | undefined;
  try {
    again = parseRDataText(type, rendered, options);
  } catch {
    again = undefined;
  }
  if (again === undefined || JSON.stringify(again) !== JSON.stringify(rd)) {
    throw new RDataSyntaxError(`does not read back as the same record (it would be written as ${quoteDouble(rendered)})`);
  }
  return rd;
}

/** Refuse what a master file reads as syntax around a record: comments, parentheses, line breaks. */
function checkOneValue(text: string): void {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') {
      i += 1;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    else if (ch === '\n' || ch === '\r') throw new RDataSyntaxError('the value spans more than one line', undefined, 'give the record on one line');
    else if (!quoted && ch === ';') {
      throw new RDataSyntaxError(`";" at column ${i + 1} starts a zone-file comment: everything after it would be dropped`, undefined, 'write a literal ";" as \\059, or inside a quoted string');
    } else if (!quoted && (ch === '(' || ch === ')')) {
      throw new RDataSyntaxError(`"${ch}" at column ${i + 1} is zone-file syntax (a record across lines)`, undefined, 'write the record on one line without parentheses');
    }
  }
}

const MODELLED = new Set(['A', 'AAAA', 'CNAME', 'NS', 'PTR', 'MX', 'TXT', 'SRV', 'TLSA', 'SOA']);

/** Reads typed fields in order; every failure names the field's index. */
class FieldReader {
  private index = 0;

  constructor(
    private readonly type: string,
    private readonly fields: readonly RDataToken[],
    private readonly origin: string | undefined,
  ) {}

  parse(): RData {
    const rd = this.parseFields();
    if (this.index < this.fields.length) {
      throw new RDataSyntaxError(`too many fields for ${this.type}`, this.index);
    }
    return rd;
  }

  private parseFields(): RData {
    switch (this.type) {
      case 'A':
        return { type: 'A', address: this.field('IPv4 address', (raw) => this.ipv4(raw)) };
      case 'AAAA':
        return { type: 'AAAA', address: this.field('IPv6 address', (raw) => this.ipv6(raw)) };
      case 'CNAME':
        return { type: 'CNAME', target: this.name('target') };
      case 'NS':
        return { type: 'NS', host: this.name('host') };
      case 'PTR':
        return { type: 'PTR', host: this.name('host') };
      case 'MX':
        return { type: 'MX', preference: this.uint('preference', UINT16), exchange: this.name('exchange') };
      case 'TXT':
        return this.txt();
      case 'SRV':
        return {
          type: 'SRV',
          priority: this.uint('priority', UINT16),
          weight: this.uint('weight', UINT16),
          port: this.uint('port', UINT16),
          target: this.name('target'),
        };
      case 'TLSA':
        return {
          type: 'TLSA',
          usage: this.uint('usage', UINT8),
          selector: this.uint('selector', UINT8),
          matchingType: this.uint('matching type', UINT8),
          certificate: this.hexRest('certificate association data'),
        };
      case 'SOA':
        return {
          type: 'SOA',
          mname: this.name('mname'),
          rname: this.name('rname'),
          serial: this.uint('serial', UINT32),
          // BIND accepts TTL units in the SOA timers.
          refresh: this.field('refresh', (raw) => parseTtl(raw, UINT32)),
          retry: this.field('retry', (raw) => parseTtl(raw, UINT32)),
          expire: this.field('expire', (raw) => parseTtl(raw, UINT32)),
          minimum: this.field('minimum', (raw) => parseTtl(raw, UINT32)),
        };
      default:
        return this.other();
    }
  }

  private field<T>(what: string, parse: (raw: string, token: RDataToken) => T): T {
    const token = this.fields[this.index];
    if (!token) throw new RDataSyntaxError(`${this.type} rdata is missing its ${what}`);
    try {
      return parse(token.raw, token);
    } catch (error) {
      if (error instanceof RDataSyntaxError) throw error;
      const message = error instanceof MailrecError ? error.message : String(error);
      const hint = error instanceof MailrecError ? error.hint : undefined;
      throw new RDataSyntaxError(`${this.type} ${what}: ${message}`, this.index, hint);
    } finally {
      this.index += 1;
    }
  }

  private uint(what: string, max: number): number {
    return this.field(what, (raw) => {
      if (!/^\d+$/.test(raw) || Number(raw) > max) {
        throw new RecordError(`${quoteDouble(raw)} is not an integer from 0 to ${max}`);
      }
      return Number(raw);
    });
  }

  private name(what: string): string {
    return this.field(what, (raw) => parseName(raw, this.origin));
  }

  private ipv4(raw: string): string {
    const octets = parseIPv4(raw);
    if (!octets) throw new RecordError(`bad dotted quad ${quoteDouble(raw)}`);
    return octets.join('.');
  }

  private ipv6(raw: string): string {
    const octets = parseIPv6(raw);
    if (!octets) throw new RecordError(`bad IPv6 address ${quoteDouble(raw)}`);
    return renderIPv6(octets);
  }

  private hexRest(what: string): string {
    if (this.index >= this.fields.length) throw new RDataSyntaxError(`${this.type} rdata is missing its ${what}`);
    let hex = '';
    while (this.index < this.fields.length) {
      hex += this.field(what, (raw, token) => {
        if (token.quoted || !/^[0-9a-fA-F]+$/.test(raw)) throw new RecordError(`${quoteDouble(raw)} is not hex`);
        return raw;
      });
    }
    if (hex.length % 2 !== 0) {
      throw new RDataSyntaxError(`${this.type} ${what} has an odd number of hex digits`, this.fields.length - 1);
    }
    return hex.toUpperCase();
  }

  /** RFC 1035 §3.3.14: one or more character-strings, quoted or not. */
  private txt(): RData {
    if (this.fields.length === 0) throw new RDataSyntaxError('TXT rdata needs at least one character-string');
    const octets: Buffer[] = [];
    while (this.index < this.fields.length) {
      octets.push(
        this.field('character-string', (raw) => {
          const value = decodeEscapes(raw);
          if (value.length > TXT_STRING_MAX_OCTETS) {
            throw new RecordError(
              `${value.length} octets; a character-string holds at most ${TXT_STRING_MAX_OCTETS} (RFC 1035 §3.3)`,
            );
          }
          return value;
        }),
      );
    }
    return txtFromOctets(octets);
  }

  /** A type mailrec does not model: fields kept, quoted ones re-escaped canonically. */
  private other(): RData {
    if (this.fields.length === 0) throw new RDataSyntaxError(`${this.type} rdata is empty`);
    const parts: string[] = [];
    while (this.index < this.fields.length) {
      parts.push(this.field('field', (raw, token) => (token.quoted ? renderOctets(decodeEscapes(raw)) : raw)));
    }
    return { type: 'OTHER', rrtype: this.type, text: parts.join(' ') };
  }
}

/**
 * A TXT record from its character-strings. Text that is not UTF-8 cannot be a model string:
 * such a record is kept, escaped, as OTHER so that nothing read is ever lost or altered.
 */
function txtFromOctets(octets: readonly Buffer[]): RData {
  const strings = octets.map(decodeUtf8);
  if (strings.every((value): value is string => value !== undefined)) return { type: 'TXT', strings };
  return { type: 'OTHER', rrtype: 'TXT', text: octets.map(renderOctets).join(' ') };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(octets: Uint8Array): string | undefined {
  try {
    return UTF8.decode(octets);
  } catch {
    return undefined;
  }
}

/** RFC 3597 §5: `\# <rdlength> <hex...>`, the hex possibly split into several fields. */
function parseGenericRData(fields: readonly RDataToken[]): Buffer {
  const length = fields[1];
  if (!length || !/^\d+$/.test(length.raw) || Number(length.raw) > UINT16) {
    throw new RDataSyntaxError('"\\#" must be followed by the rdata length in octets', 1);
  }
  const hexFields = fields.slice(2);
  const bad = hexFields.findIndex((field) => field.quoted || !/^[0-9a-fA-F]+$/.test(field.raw));
  if (bad >= 0) throw new RDataSyntaxError('generic rdata must be hex', bad + 2);
  const hex = hexFields.map((field) => field.raw).join('');
  if (hex.length % 2 !== 0 || hex.length / 2 !== Number(length.raw)) {
    throw new RDataSyntaxError(
      `generic rdata holds ${hex.length / 2} octets but its length says ${length.raw} (RFC 3597 §5)`,
      1,
    );
  }
  return Buffer.from(hex, 'hex');
}

/** Decode the wire form of a modelled type (RFC 1035 §3.3, §4.1.4 without compression). */
function decodeWireRData(type: string, octets: Buffer): RData {
  let offset = 0;
  const need = (count: number): void => {
    if (offset + count > octets.length) throw new RDataSyntaxError(`generic ${type} rdata is too short`, 2);
  };
  const u8 = (): number => (need(1), octets.readUInt8((offset += 1) - 1));
  const u16 = (): number => (need(2), octets.readUInt16BE((offset += 2) - 2));
  const u32 = (): number => (need(4), octets.readUInt32BE((offset += 4) - 4));
  const name = (): string => {
    const labels: string[] = [];
    for (;;) {
      const length = u8();
      if (length === 0) break;
      if (length > 63) throw new RDataSyntaxError(`generic ${type} rdata holds a compressed or bad name`, 2);
      need(length);
      labels.push(renderLabelText(octets.subarray(offset, (offset += length))));
    }
    return labels.length === 0 ? '' : parseName(`${labels.join('.')}.`);
  };
  let rd: RData;
  switch (type) {
    case 'A':
      need(4);
      rd = { type: 'A', address: [...octets.subarray(0, (offset = 4))].join('.') };
      break;
    case 'AAAA':
      need(16);
      rd = { type: 'AAAA', address: renderIPv6([...octets.subarray(0, (offset = 16))]) };
      break;
    case 'CNAME':
      rd = { type: 'CNAME', target: name() };
      break;
    case 'NS':
      rd = { type: 'NS', host: name() };
      break;
    case 'PTR':
      rd = { type: 'PTR', host: name() };
      break;
    case 'MX':
      rd = { type: 'MX', preference: u16(), exchange: name() };
      break;
    case 'SRV':
      rd = { type: 'SRV', priority: u16(), weight: u16(), port: u16(), target: name() };
      break;
    case 'TLSA': {
      const usage = u8();
      const selector = u8();
      const matchingType = u8();
      const data = octets.subarray(offset);
      offset = octets.length;
      if (data.length === 0) throw new RDataSyntaxError('generic TLSA rdata has no certificate data', 2);
      rd = { type: 'TLSA', usage, selector, matchingType, certificate: data.toString('hex').toUpperCase() };
      break;
    }
    case 'SOA':
      rd = {
        type: 'SOA',
        mname: name(),
        rname: name(),
        serial: u32(),
        refresh: u32(),
        retry: u32(),
        expire: u32(),
        minimum: u32(),
      };
      break;
    case 'TXT': {
      const octetStrings: Buffer[] = [];
      while (offset < octets.length) {
        const length = u8();
        need(length);
        octetStrings.push(octets.subarray(offset, (offset += length)));
      }
      if (octetStrings.length === 0) throw new RDataSyntaxError('generic TXT rdata is empty', 2);
      rd = txtFromOctets(octetStrings);
      break;
    }
    default:
      throw new RDataSyntaxError(`no wire decoder for ${type}`);
  }
  if (offset !== octets.length) throw new RDataSyntaxError(`generic ${type} rdata is too long`, 2);
  return rd;
}

/** A wire label as presentation text ("\DDD" for every octet that is not a letter or digit). */
function renderLabelText(label: Uint8Array): string {
  return [...label]
    .map((octet) =>
      /[A-Za-z0-9_-]/.test(String.fromCharCode(octet)) ? String.fromCharCode(octet) : `\\${String(octet).padStart(3, '0')}`,
    )
    .join('');
}
