// The record model: one member per RR type, with the RFCs' field names.
//
// Names are absolute, lowercase and written without the trailing dot
// ("mx-01.example.org"); the root is "". This is dns-packet's convention, so
// wire and presentation code share one form. TXT strings are kept as the
// character-strings of the record (each at most 255 octets once UTF-8
// encoded): chunking is part of the record, not of its rendering.

export type RData =
  | { type: 'A'; address: string }
  | { type: 'AAAA'; address: string }
  | { type: 'CNAME'; target: string }
  | { type: 'NS'; host: string }
  | { type: 'PTR'; host: string }
  | { type: 'MX'; preference: number; exchange: string }
  | { type: 'TXT'; strings: string[] }
  | { type: 'SRV'; priority: number; weight: number; port: number; target: string }
  | { type: 'TLSA'; usage: number; selector: number; matchingType: number; certificate: string }
  | {
      type: 'SOA';
      mname: string;
      rname: string;
      serial: number;
      refresh: number;
      retry: number;
      expire: number;
      minimum: number;
    }
  // Any other type, kept in presentation form so that a reader never drops it.
  | { type: 'OTHER'; rrtype: string; text: string };

export type RRType = Exclude<RData['type'], 'OTHER'>;

export type RR = { name: string; ttl: number } & RData;

/** The RR type as a DNS mnemonic ("TXT", "TYPE99" or "SPF" for OTHER). */
export function typeOf(rr: RData): string {
  return rr.type === 'OTHER' ? rr.rrtype : rr.type;
}

/** Lowercase, strip one trailing dot. Does not validate. */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** True when `name` equals `zone` or lies beneath it. */
export function isInZone(name: string, zone: string): boolean {
  if (zone === '') return true;
  return name === zone || name.endsWith(`.${zone}`);
}

/**
 * The longest apex that holds the name (isInZone: the name itself or a suffix after a
 * dot), found by looking its suffixes up in a set: linear in the name, not in the zones.
 */
export function longestZone(name: string, apexes: ReadonlySet<string>): string | undefined {
  if (apexes.has(name)) return name;
  for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
    const suffix = name.slice(dot + 1);
    if (apexes.has(suffix)) return suffix;
  }
  return apexes.has('') ? '' : undefined;
}

/** The TXT record's text as a receiver sees it: its strings concatenated (RFC 7208 §3.3). */
export function txtText(rr: { strings: string[] }): string {
  return rr.strings.join('');
}

export const TXT_STRING_MAX_OCTETS = 255;

/**
 * Split text into character-strings of at most 255 octets (RFC 1035 §3.3),
 * never inside a UTF-8 sequence.
 */
export function chunkTxt(text: string, max = TXT_STRING_MAX_OCTETS): string[] {
  if (text === '') return [''];
  // Slices of the text, not strings grown a character at a time: those were chains of
  // concatenations (a node per character) that the plan kept for every TXT record.
  const out: string[] = [];
  let start = 0;
  let octets = 0;
  for (let i = 0; i < text.length; ) {
    const code = text.codePointAt(i)!;
    // UTF-8 octets of the code point; a lone surrogate is written as U+FFFD, 3 octets, as Buffer.byteLength counts it.
    const n = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (octets + n > max) {
      out.push(text.slice(start, i));
      start = i;
      octets = 0;
    }
    octets += n;
    i += code > 0xffff ? 2 : 1;
  }
  out.push(text.slice(start));
  return out;
}

/** A TXT RR whose text is chunked at 255 octets. */
export function txtRecord(name: string, ttl: number, text: string): RR {
  return { name, ttl, type: 'TXT', strings: chunkTxt(text) };
}
