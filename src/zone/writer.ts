// Fragment writer: one deterministic, checksummed master-file fragment per zone.
//
// Layout: two header comment lines, then one record per line, `name. TTL IN TYPE rdata`,
// single-spaced, absolute names, in DNS canonical order. No directives: the fragment
// means the same whatever $ORIGIN or $TTL the including zone has set.

import { RecordError } from '../base/errors.js';
import { checkOwnedFile, renderOwnedFile, type OwnedFileState } from '../base/owned-file.js';
import { renderRData, renderRR } from '../dns-types/rdata.js';
import { isInZone, typeOf, type RR } from '../dns-types/rr.js';
import { checkHostnames } from './check-names.js';
import { compareNames, renderName } from '../dns-types/name.js';
import { typeNumberOf } from '../dns-types/rr-types.js';

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
export function renderFragment(zone: string, records: readonly RR[]): string {
  const apex = renderName(zone, 'strict');
  const lines = records.map((rr): Line => {
    const text = renderRR(rr, { names: 'strict' });
    if (!isInZone(rr.name.toLowerCase(), zone.toLowerCase())) {
      throw new RecordError(`record ${JSON.stringify(rr.name)} ${typeOf(rr)} is outside zone ${JSON.stringify(zone)}`);
    }
    if (rr.type === 'SOA') {
      throw new RecordError(`a fragment cannot hold an SOA record (${JSON.stringify(rr.name)}): the including zone has its own`);
    }
    checkHostnames(rr);
    return { rr, rdata: renderRData(rr, { names: 'strict' }), text };
  });
  lines.sort(compareLines);
  const unique = lines.filter((line, index) => index === 0 || line.text !== lines[index - 1]!.text);
  checkRRsets(unique.map((line) => line.rr));

  const body = unique.map((line) => `${line.text}\n`).join('');
  return renderOwnedFile(';', `for ${apex} Do not edit: mailrec apply refuses to overwrite a changed file.`, body);
}

/**
 * 'intact' when the text is a mailrec fragment as written, 'edited' when it carries the
 * mailrec header but any byte changed since, 'foreign' when it has no mailrec header.
 */
export function checkFragment(text: string): FragmentState {
  return checkOwnedFile(';', text);
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
        `${type} records at ${JSON.stringify(rr.name)} have different TTLs (${ttl} and ${rr.ttl})`,
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
        `${JSON.stringify(rr.name)} holds more than one CNAME`,
        undefined,
        'a name has at most one CNAME (RFC 2181 §10.1)',
      );
    }
    if (types.has('CNAME') && types.size > 1) {
      throw new RecordError(
        `${JSON.stringify(rr.name)} holds a CNAME and other data`,
        undefined,
        'a name with a CNAME holds nothing else (RFC 2181 §10.1)',
      );
    }
  }
}
