// Fragment writer: one deterministic, checksummed master-file fragment per zone.
//
// Layout: two header comment lines, then one record per line, `name. TTL IN TYPE rdata`,
// single-spaced, absolute names, in DNS canonical order. No directives: the fragment
// means the same whatever $ORIGIN or $TTL the including zone has set.

import { quoteDouble } from '../base/quote.js';
import { RecordError } from '../base/errors.js';
import { checkOwnedFile, renderOwnedFile, type OwnedFileState } from '../base/owned-file.js';
import { renderRData, renderRRLine } from '../dns-types/rdata.js';
import { isInZone, typeOf, type RR } from '../dns-types/rr.js';
import { rdataWireOctets, RDATA_MAX_OCTETS } from '../dns-types/wire-size.js';
import { checkHostnames } from './check-names.js';
import { compareNames, renderName } from '../dns-types/name.js';
import { typeNumberOf } from '../dns-types/rr-types.js';

/**
 * Written by `apply --bump-serial`: the SOA serial of the including zone file that publishes
 * these records. A zone file whose serial is lower was not bumped with its fragment (an apply
 * cut short), and plan says so. The first line of the body: covered by the checksum.
 */
const SERIAL_PREFIX = '; mailrec-serial: ';
const SERIAL_LINE = /^; mailrec-serial: (\d{1,10})$/;

export interface FragmentOptions {
  /** The zone file's SOA serial the fragment was written with (`apply --bump-serial`). */
  serial?: number;
  /** The ranges of each flattened SPF include, by domain: the fragment is their cache (FlattenNote). */
  flattened?: readonly FlattenNote[];
}

/**
 * One flattened include's ranges as the fragment keeps them, on a comment line
 * `; mailrec-flatten: <domain> include:<include> <range> ...` after the serial line:
 * plan without --resolve publishes them again, plan --resolve compares against them.
 * Comments, so BIND ignores them; covered by the checksum like every body line.
 */
export interface FlattenNote {
  domain: string;
  include: string;
  ranges: string[];
}

const FLATTEN_PREFIX = '; mailrec-flatten: ';
const FLATTEN_LINE = /^; mailrec-flatten: ([a-z0-9._-]+) include:([a-z0-9._-]+)((?: ip[46]:[0-9a-f.:/]+)*)$/i;

export type FragmentState = OwnedFileState;

interface Line {
  rr: RR;
  rdata: string;
  text: string;
}

/**
 * Render the fragment for `zone` holding `records`. The same records in any order give
 * byte-identical text. Refuses (RecordError) a record outside the zone, an SOA, a name or
 * value that cannot be written safely or that BIND's check-names refuses, mixed TTLs in one
 * RRset, and a CNAME beside other data.
 */
export function renderFragment(zone: string, records: readonly RR[], options: FragmentOptions = {}): string {
  const apex = renderName(zone, 'strict');
  const lines = records.map((rr): Line => {
    const { rdata, text } = renderRRLine(rr, { names: 'strict' });
    if (!isInZone(rr.name.toLowerCase(), zone.toLowerCase())) {
      throw new RecordError(`record ${quoteDouble(rr.name)} ${typeOf(rr)} is outside zone ${quoteDouble(zone)}`);
    }
    if (rr.type === 'SOA') {
      throw new RecordError(`a fragment cannot hold an SOA record (${quoteDouble(rr.name)}): the including zone has its own`);
    }
    checkHostnames(rr);
    // RFC 1035 §3.2.1: RDLENGTH is 16 bits; BIND refuses the whole zone over a longer record.
    if (rdataWireOctets(rr) > RDATA_MAX_OCTETS) {
      throw new RecordError(`${typeOf(rr)} record at ${quoteDouble(rr.name)} holds more than ${RDATA_MAX_OCTETS} octets of data`);
    }
    return { rr, rdata, text };
  });
  lines.sort(compareLines);
  const unique = lines.filter((line, index) => index === 0 || line.text !== lines[index - 1]!.text);
  checkRRsets(unique.map((line) => line.rr));

  const serial = options.serial === undefined ? '' : `${SERIAL_PREFIX}${options.serial}\n`;
  const notes = [...(options.flattened ?? [])]
    .sort((a, b) => compareNames(a.domain, b.domain) || compareText(a.include, b.include))
    .map((n) => `${FLATTEN_PREFIX}${n.domain} include:${n.include}${n.ranges.map((r) => ` ${r}`).join('')}\n`)
    .join('');
  const body = serial + notes + unique.map((line) => `${line.text}\n`).join('');
  return renderOwnedFile(';', `for ${apex} Do not edit: mailrec apply refuses to overwrite a changed file.`, body);
}

/**
 * 'intact' when the text is a mailrec fragment as written, 'edited' when it carries the
 * mailrec header but any byte changed since, 'foreign' when it has no mailrec header.
 */
export function checkFragment(text: string): FragmentState {
  return checkOwnedFile(';', text);
}

/** The serial a fragment was written with (`; mailrec-serial: N`, third line), if any. */
export function readFragmentSerial(text: string): number | undefined {
  const lines = text.split('\n', 3);
  const match = SERIAL_LINE.exec(lines[2] ?? '');
  // RFC 1035 §3.3.13: a serial is an unsigned 32-bit number.
  return match && Number(match[1]) <= 0xffffffff ? Number(match[1]) : undefined;
}

/** The flattened includes a fragment keeps (FlattenNote), in file order; lines that do not parse are left out. */
export function readFlattenNotes(text: string): FlattenNote[] {
  const out: FlattenNote[] = [];
  for (const line of text.split('\n')) {
    const m = FLATTEN_LINE.exec(line);
    if (!m) continue;
    out.push({ domain: m[1]!.toLowerCase(), include: m[2]!.toLowerCase(), ranges: m[3]!.split(' ').filter((r) => r !== '') });
  }
  return out;
}

/** Owner in canonical order (RFC 4034 §6.1), then type number, then rdata text, then the line. */
function compareLines(a: Line, b: Line): number {
  return (
    compareNames(a.rr.name, b.rr.name) ||
    compareTypes(typeOf(a.rr), typeOf(b.rr)) ||
    compareText(a.rdata, b.rdata) ||
    compareText(a.text, b.text)
  );
}

function compareTypes(a: string, b: string): number {
  return (typeNumberOf(a) ?? 0x10000) - (typeNumberOf(b) ?? 0x10000) || compareText(a, b);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** RFC 2181 §5.2: one TTL per RRset; RFC 2181 §10.1: a CNAME stands alone at its name. */
function checkRRsets(sorted: readonly RR[]): void {
  const ttls = new Map<string, number>();
  const typesAt = new Map<string, Set<string>>();
  for (const rr of sorted) {
    const type = typeOf(rr);
    const name = rr.name.toLowerCase();
    const key = `${name} ${type}`;
    const ttl = ttls.get(key);
    if (ttl !== undefined && ttl !== rr.ttl) {
      throw new RecordError(
        `${type} records at ${quoteDouble(rr.name)} have different TTLs (${ttl} and ${rr.ttl})`,
        undefined,
        'give every record of an RRset the same TTL (RFC 2181 §5.2)',
      );
    }
    ttls.set(key, rr.ttl);
    const types = typesAt.get(name) ?? new Set<string>();
    types.add(type);
    typesAt.set(name, types);
    if (type === 'CNAME' && ttl !== undefined) {
      throw new RecordError(
        `${quoteDouble(rr.name)} holds more than one CNAME`,
        undefined,
        'a name has at most one CNAME (RFC 2181 §10.1)',
      );
    }
    if (types.has('CNAME') && types.size > 1) {
      throw new RecordError(
        `${quoteDouble(rr.name)} holds a CNAME and other data`,
        undefined,
        'a name with a CNAME holds nothing else (RFC 2181 §10.1)',
      );
    }
  }
}
