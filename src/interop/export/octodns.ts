// Desired records -> one octoDNS zone YAML per zone (YamlProvider format: names relative, '' the apex, keys in octoDNS's natural order).

import { Document, parse } from 'yaml';
import { tagOf } from '../../mail/txt-tag.js';
import { type DesiredZone } from '../../build/zone-records.js';
import { compareKeys } from '../../dns-types/order.js';
import { txtText, type RR } from '../../dns-types/rr.js';
import { absolute, EXPORT_MARK, relativeName, rrsetsOf, type ExportFile } from './names.js';
import { ExportError } from '../../base/errors.js';

/**
 * octoDNS's natural sort key (natsort): text and numbers alternate, numbers compare by value.
 * YamlProvider refuses a file whose keys are out of this order (enforce_order, on by default).
 */
function naturalKey(text: string): (string | number)[] {
  const parts = text.split(/(\d+)/);
  return parts.map((p, i) => (i % 2 === 1 ? Number(p) : p));
}

export function compareNatural(a: string, b: string): number {
  return compareKeys(naturalKey(a), naturalKey(b));
}

/**
 * A TXT value as octoDNS holds it: the whole text (octoDNS splits it into 255-octet strings
 * itself), each ";" escaped as "\;" because octoDNS reads an unescaped one as a zone-file
 * comment start. octoDNS refuses non-ASCII text, and a backslash would be read as an escape.
 */
export function octodnsTxt(rr: RR & { type: 'TXT' }): string {
  const text = txtText(rr);
  if (/[^\x20-\x7e]/.test(text)) throw new ExportError(`${rr.name} TXT holds non-ASCII or control characters, which octoDNS refuses`);
  if (text.includes('\\')) throw new ExportError(`${rr.name} TXT holds a backslash, which octoDNS would read as an escape`);
  return text.replace(/;/g, '\\;');
}

type OctoValue = string | Record<string, string | number>;

function valueOf(rr: RR): OctoValue {
  switch (rr.type) {
    case 'TXT':
      return octodnsTxt(rr);
    case 'MX':
      return { exchange: absolute(rr.exchange), preference: rr.preference };
    case 'SRV':
      return { port: rr.port, priority: rr.priority, target: absolute(rr.target), weight: rr.weight };
    case 'TLSA':
      return {
        certificate_association_data: rr.certificate.toLowerCase(),
        certificate_usage: rr.usage,
        matching_type: rr.matchingType,
        selector: rr.selector,
      };
    case 'CNAME':
      return absolute(rr.target);
    default:
      throw new ExportError(`${rr.name} ${rr.type}: mailrec does not export this type`);
  }
}

/** Notes a reader of the YAML needs: TXT strings octoDNS will split its own way. */
function splitNotes(zone: DesiredZone): string[] {
  const notes: string[] = [];
  for (const rr of zone.records) {
    if (rr.type !== 'TXT' || rr.strings.length < 2) continue;
    const text = txtText(rr);
    const octo = text.match(/[\s\S]{1,255}/g) ?? [];
    if (octo.length !== rr.strings.length || octo.some((s, i) => s !== rr.strings[i])) {
      notes.push(`${rr.name} TXT: octoDNS splits the text into 255-octet strings, not where the policy's raw: entry splits it`);
    }
  }
  return notes;
}

type OctoRecord = Record<string, unknown> & { type: string; ttl?: number; value?: unknown; values?: unknown[] };

/** mailrec's RRsets of a zone as octoDNS records, by relative name. */
function octodnsRecords(zone: DesiredZone): Map<string, OctoRecord[]> {
  const byName = new Map<string, OctoRecord[]>();
  for (const set of rrsetsOf(zone)) {
    const name = relativeName(set.name, zone.zone);
    const values = set.records.map(valueOf);
    const record: OctoRecord = { ttl: set.ttl, type: set.type };
    if (values.length === 1) record.value = values[0];
    else record.values = values;
    byName.set(name, [...(byName.get(name) ?? []), record]);
  }
  return byName;
}

/** Keys of every mapping in octoDNS's natural order (its YamlProvider refuses any other). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareNatural)) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

function renderZoneFile(byName: Map<string, OctoRecord[]>, header: string[]): string {
  const data: Record<string, unknown> = {};
  for (const name of [...byName.keys()].sort(compareNatural)) {
    const records = byName.get(name)!.sort((a, b) => compareNatural(a.type, b.type));
    data[name] = records.length === 1 ? records[0] : records;
  }
  const doc = new Document(sortKeys(data));
  doc.commentBefore = header.map((line) => ` ${line}`).join('\n');
  return doc.toString({ lineWidth: 0 });
}

/** The zone file octoDNS's YamlProvider reads for `zone` (named "<zone>.yaml" in its directory). */
export function renderOctodnsZone(zone: DesiredZone, sources: readonly string[]): string {
  return renderZoneFile(octodnsRecords(zone), [
    `${EXPORT_MARK} from ${sources.join(', ')}: the mail records of zone ${zone.zone}. Do not edit: run mailrec export again.`,
    'octoDNS YamlProvider format. Every record here is one mailrec owns (docs/interop.md says how to merge it with your zone).',
    ...splitNotes(zone),
  ]);
}

/** The text of an octoDNS TXT value, its "\;" escapes undone. */
function unescapeTxt(value: unknown): string {
  return String(value).replace(/\\;/g, ';');
}

/**
 * Your octoDNS zone file with mailrec's records merged in, by mailrec's ownership model
 * (DESIGN.md "Ownership"): at a name where mailrec publishes MX, SRV, TLSA or CNAME it owns the
 * whole RRset; at a name where it publishes TXT it owns only the values carrying its tags
 * (v=spf1, v=DMARC1, v=DKIM1, v=STSv1, v=TLSRPTv1), and keeps your other values (a site
 * verification at the apex) in the same RRset, at mailrec's TTL. Everything else is yours, as written.
 */
export function mergeOctodnsZone(zone: DesiredZone, yourText: string, yourFile: string, sources: readonly string[]): string {
  const yours = (parse(yourText) ?? {}) as Record<string, OctoRecord | OctoRecord[]>;
  if (typeof yours !== 'object' || Array.isArray(yours)) throw new ExportError(`${yourFile} is not an octoDNS zone file (a map of names)`);
  const ours = octodnsRecords(zone);
  const merged = new Map<string, OctoRecord[]>();
  const names = new Set([...Object.keys(yours), ...ours.keys()]);
  for (const name of names) {
    const theirs = yours[name] === undefined ? [] : Array.isArray(yours[name]) ? (yours[name] as OctoRecord[]) : [yours[name] as OctoRecord];
    const mine = ours.get(name) ?? [];
    const out: OctoRecord[] = [];
    for (const record of theirs) {
      if (typeof record?.type !== 'string') throw new ExportError(`${yourFile}: the record at '${name}' has no type`);
      const our = mine.find((m) => m.type === record.type);
      if (!our) {
        out.push(record);
        continue;
      }
      if (record.type !== 'TXT') {
        out.push(our); // a whole RRset mailrec owns: ours replaces it
        continue;
      }
      const owner = name === '' ? zone.zone : `${name}.${zone.zone}`;
      const values = record.values ?? [record.value];
      const foreign = values.filter((v) => tagOf(owner, unescapeTxt(v)) === undefined);
      const ourValues = our.values ?? [our.value];
      const all = [...foreign, ...ourValues];
      const { value: _v, values: _vs, ...rest } = our;
      out.push(all.length === 1 ? { ...rest, value: all[0] } : { ...rest, values: all });
    }
    for (const record of mine) if (!theirs.some((t) => t.type === record.type)) out.push(record);
    if (out.some((r) => r.type === 'CNAME') && out.length > 1) {
      throw new ExportError(`'${name}' in ${yourFile} would hold a CNAME beside other records (RFC 2181 §10.1)`);
    }
    if (out.length > 0) merged.set(name, out);
  }
  return renderZoneFile(merged, [
    `${EXPORT_MARK}: ${yourFile} with the mail records of zone ${zone.zone} from ${sources.join(', ')} merged in. Do not edit: edit ${yourFile} and run mailrec export again.`,
    ...splitNotes(zone),
  ]);
}

export interface OctodnsOptions {
  /** Your zone files by zone apex ("<zone>.yaml" as YamlProvider names them): merged with mailrec's records. */
  merge?: ReadonlyMap<string, { file: string; text: string }>;
}

export function exportOctodns(zones: readonly DesiredZone[], sources: readonly string[], options: OctodnsOptions = {}): ExportFile[] {
  // YamlProvider looks for "<zone name with its trailing dot>yaml", i.e. "example.org.yaml".
  return zones.map((zone) => {
    const yours = options.merge?.get(zone.zone);
    const content = yours ? mergeOctodnsZone(zone, yours.text, yours.file, sources) : renderOctodnsZone(zone, sources);
    return { path: `${zone.zone}.yaml`, content };
  });
}
