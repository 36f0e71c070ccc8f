// `audit --zones DIR`: a Resolver over the zone repo's own master files, answering for the zones they hold as their authoritative server would (RFC 1034 §4.3.2), and "unknown" for every other name.

import { readFileSync, type Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, normalize, relative, resolve, sep } from 'node:path';
import type { Answer, Resolver } from '../../dns/resolver.js';
import { UsageError, ZoneSyntaxError } from '../../errors.js';
import { renderRR } from '../../records/rdata.js';
import { isInZone, normalizeName, typeOf, type RR, type RRType } from '../../records/rr.js';
import { parseZoneText, type ParsedRR } from '../../zone/reader.js';
import type { TypeResolver } from '../evidence.js';

/** One zone as loaded from the repo: its apex and every record of its files. */
export interface LoadedZone {
  apex: string;
  records: RR[];
  /** The files the zone was read from (the zone file first, then what it includes), repo-relative. */
  files: string[];
}

/** What a lookup outside every loaded zone answers: unknown, never absent. */
export const OUTSIDE_REASON = 'outside the zone repo';

/** CNAME hops followed inside the repo, as the DNS client does (RFC 1034 §3.6.2). */
const MAX_CNAME_HOPS = 8;

interface ZoneIndex {
  apex: string;
  /** Owner name -> its records. */
  owners: Map<string, RR[]>;
  /** Every name that exists: owners and their ancestors down to the apex (empty non-terminals, RFC 8020). */
  existing: Set<string>;
  /** Names below the apex with NS records: the zone's delegations (RFC 1034 §4.2.1). */
  cuts: Set<string>;
}

function parentOf(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1);
}

function indexZone(zone: LoadedZone): ZoneIndex {
  const apex = normalizeName(zone.apex);
  const index: ZoneIndex = { apex, owners: new Map(), existing: new Set([apex]), cuts: new Set() };
  for (const rr of zone.records) {
    const name = normalizeName(rr.name);
    if (!isInZone(name, apex)) continue;
    const list = index.owners.get(name);
    if (list) list.push(rr);
    else index.owners.set(name, [rr]);
    if (rr.type === 'NS' && name !== apex) index.cuts.add(name);
    for (let n = name; n !== apex && !index.existing.has(n); n = parentOf(n)) index.existing.add(n);
  }
  return index;
}

/**
 * The zone repo as a Resolver. Inside a loaded zone a name answers ok, NXDOMAIN or NODATA
 * exactly as an authoritative server would: CNAMEs followed (RFC 1034 §3.6.2), empty
 * non-terminals NODATA (RFC 8020 §2), wildcards synthesized (RFC 4592 §3.3.1). A name in
 * no loaded zone, or below a delegation to servers the repo does not hold, answers
 * `{ status: 'error', reason: 'outside the zone repo' }`: the audit calls it unknown, not
 * missing. Nothing is DNSSEC-validated offline, so `authenticated` is always false.
 */
export function createZoneRepoResolver(zones: readonly LoadedZone[]): Resolver & TypeResolver {
  const indexes = zones.map(indexZone).sort((a, b) => b.apex.length - a.apex.length);

  function zoneOf(name: string): ZoneIndex | undefined {
    return indexes.find((z) => isInZone(name, z.apex));
  }

  function lookup(qname: string, type: string, hops: number): Answer {
    const zone = zoneOf(qname);
    if (!zone) return { status: 'error', reason: OUTSIDE_REASON, cause: 'outside-zone-repo' };
    for (let n = qname; n !== zone.apex && n !== ''; n = parentOf(n)) {
      // A delegated name is answered by the child zone's servers, which the repo lacks.
      if (zone.cuts.has(n)) return { status: 'error', reason: `${OUTSIDE_REASON} (${n} is delegated away from ${zone.apex})`, cause: 'outside-zone-repo' };
    }
    let owner = qname;
    let records = zone.owners.get(qname);
    if (!records) {
      if (zone.existing.has(qname)) return { status: 'nodata', authenticated: false };
      // RFC 4592 §3.3.1: the closest encloser's "*" child answers for a name that does not exist.
      let encloser = parentOf(qname);
      while (!zone.existing.has(encloser) && encloser !== zone.apex && encloser !== '') encloser = parentOf(encloser);
      const wildcard = zone.owners.get(encloser === '' ? '*' : `*.${encloser}`);
      if (!wildcard) return { status: 'nxdomain', authenticated: false };
      records = wildcard.map((rr) => ({ ...rr, name: qname }));
      owner = qname;
    }
    const matching = records.filter((rr) => typeOf(rr) === type);
    if (matching.length > 0) return { status: 'ok', records: matching.map((rr) => asOnTheWire({ ...rr, name: owner })), authenticated: false };
    const cname = records.find((rr) => rr.type === 'CNAME');
    if (cname && cname.type === 'CNAME' && type !== 'CNAME') {
      if (hops >= MAX_CNAME_HOPS) return { status: 'error', reason: `CNAME chain from ${qname} longer than ${MAX_CNAME_HOPS}` };
      // Like the DNS client: the answer holds the records of the chain's last name.
      return lookup(cname.target, type, hops + 1);
    }
    return { status: 'nodata', authenticated: false };
  }

  const answer = (name: string, type: string): Promise<Answer> => Promise.resolve(lookup(normalizeName(name), type.toUpperCase(), 0));
  return {
    resolve: (name: string, type: RRType) => answer(name, type),
    // Type 99 (SPF) and other types the model keeps as OTHER, e.g. "SPF".
    resolveType: (name: string, type: string) => answer(name, type),
  };
}

/** A record as the DNS client decodes it from a response: TLSA data in lowercase hex. */
function asOnTheWire(rr: RR): RR {
  return rr.type === 'TLSA' ? { ...rr, certificate: rr.certificate.toLowerCase() } : rr;
}

// ---------------------------------------------------------------------------------------
// loading (IO)

export interface ZoneRepoOptions {
  /** The repo root, for the file names in notes and errors. Default: the directory itself. */
  root?: string;
  /** Zone apexes by absolute file path, from the policy's `zones:` (zone_file and fragment). */
  origins?: ReadonlyMap<string, string>;
}

export interface ZoneRepo {
  zones: LoadedZone[];
  /** What was skipped, in plain words. */
  notes: string[];
}

/** Every `*.zone` file under dir, sorted, as absolute paths. */
async function listZoneFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (error) {
      if (d === dir) throw new UsageError(`--zones: cannot read ${dir}: ${(error as Error).message}`, 'pass the directory that holds the zone files, e.g. --zones zones');
      throw error;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(d, e.name);
      if (e.isDirectory()) await walk(path);
      else if ((e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.zone')) out.push(path);
    }
  };
  await walk(dir);
  return out;
}

/** "example.org.zone", "db.example.org" -> "example.org": the origin a file's name suggests. */
function originFromFileName(file: string): string {
  return basename(file).replace(/\.zone$/, '').replace(/^db\./, '');
}

interface ParsedFile {
  file: string;
  records: ParsedRR[];
  includes: string[];
  origin: string | undefined;
}

/**
 * Read one file and what it includes. The origin is the configured one, or none (the file
 * sets $ORIGIN or writes absolute names); a file with relative names and neither gets the
 * origin its file name suggests, as a server's zone statement would give it.
 */
function parseFile(file: string, text: string, texts: Map<string, string>, configured: string | undefined): ParsedFile {
  const attempt = (origin: string | undefined): ParsedFile => {
    const includes: string[] = [];
    // An included file need not be a *.zone file: read it when it is not one of them.
    const readInclude = (path: string): string => {
      includes.push(normalize(path));
      return texts.get(normalize(path)) ?? readFileSync(path, 'utf8');
    };
    const parsed = parseZoneText(text, { file, readInclude, ...(origin !== undefined ? { origin } : {}) });
    return { file, records: parsed.records, includes, origin };
  };
  if (configured !== undefined) return attempt(configured);
  try {
    return attempt(undefined);
  } catch (error) {
    if (error instanceof ZoneSyntaxError && /needs an origin|no origin set/.test(error.message)) return attempt(originFromFileName(file));
    throw error;
  }
}

/**
 * Load every `*.zone` file under dir with the zone reader, $INCLUDEs followed. A file that
 * another includes is read as part of it, not alone. Each remaining file is a zone whose
 * apex is the policy's for that file (zone_file or fragment), else its SOA owner; a file with
 * neither (a fragment nobody includes) lends its records to the loaded zone that contains them.
 */
export async function loadZoneRepo(dir: string, options: ZoneRepoOptions = {}): Promise<ZoneRepo> {
  const absDir = resolve(dir);
  const root = resolve(options.root ?? absDir);
  const show = (file: string): string => {
    const rel = relative(root, file);
    return rel.startsWith('..') ? file : rel.split(sep).join('/');
  };
  const files = await listZoneFiles(absDir);
  if (files.length === 0) throw new UsageError(`--zones: no *.zone files in ${dir}`, 'pass the directory that holds the zone files');
  const texts = new Map<string, string>();
  for (const file of files) texts.set(normalize(file), await readFile(file, 'utf8'));
  const parsed = files.map((file) => parseFile(file, texts.get(normalize(file))!, texts, options.origins?.get(file)));
  const included = new Set(parsed.flatMap((p) => p.includes));
  const notes: string[] = [];
  const byApex = new Map<string, { records: RR[]; files: string[] }>();
  const orphans: ParsedFile[] = [];
  for (const p of parsed) {
    if (included.has(normalize(p.file))) continue;
    const soa = p.records.find((rr) => rr.type === 'SOA');
    const apex = options.origins?.get(p.file) !== undefined ? normalizeName(options.origins.get(p.file)!) : soa ? normalizeName(soa.name) : undefined;
    if (apex === undefined) {
      orphans.push(p);
      continue;
    }
    const zone = byApex.get(apex) ?? { records: [], files: [] };
    zone.files.push(show(p.file), ...p.includes.map(show));
    let outside = 0;
    for (const rr of p.records) {
      // A server ignores out-of-zone data in a zone file (BIND: "ignoring out-of-zone data").
      if (isInZone(normalizeName(rr.name), apex)) zone.records.push(stripPosition(rr));
      else outside++;
    }
    if (outside > 0) notes.push(`${show(p.file)}: ${outside} record(s) outside the zone ${apex} ignored`);
    byApex.set(apex, zone);
  }
  const apexes = [...byApex.keys()].sort((a, b) => b.length - a.length);
  for (const p of orphans) {
    let placed = 0;
    for (const rr of p.records) {
      const apex = apexes.find((a) => isInZone(normalizeName(rr.name), a));
      if (apex === undefined) continue;
      const zone = byApex.get(apex)!;
      zone.records.push(stripPosition(rr));
      if (!zone.files.includes(show(p.file))) zone.files.push(show(p.file));
      placed++;
    }
    if (placed < p.records.length) {
      notes.push(`${show(p.file)}: no SOA and no zone in the policy; ${p.records.length - placed} record(s) in no loaded zone ignored`);
    }
  }
  const zones = [...byApex].map(([apex, z]) => ({ apex, records: dedupe(z.records), files: [...new Set(z.files)] }));
  zones.sort((a, b) => (a.apex < b.apex ? -1 : a.apex > b.apex ? 1 : 0));
  return { zones, notes };
}

function stripPosition(rr: ParsedRR): RR {
  const { position: _position, ...record } = rr;
  return record as RR;
}

/** A record written twice (a zone file and a fragment both hold it) is one record. */
function dedupe(records: RR[]): RR[] {
  const seen = new Set<string>();
  return records.filter((rr) => {
    const key = renderRR(rr);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
