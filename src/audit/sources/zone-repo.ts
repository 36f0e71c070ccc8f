// `audit --zones DIR`: a Resolver over the zone repo's own master files, answering for the zones they hold as their authoritative server would (RFC 1034 §4.3.2), and "unknown" for every other name.

import { statSync, type Dirent } from 'node:fs';
import { join, normalize } from 'node:path';
import type { Answer, Resolver } from '../../dns/resolver.js';
import { pushTo } from '../../base/multimap.js';
import { formatPosition, InputError, MailrecError, OutsideRepoError, RepoFileError, ZoneSyntaxError, type SourcePosition } from '../../base/errors.js';
import { clip } from '../../base/quote.js';
import { FILE_CAPS, RepoFiles } from '../../base/repo-files.js';
import { renderRR } from '../../dns-types/rdata.js';
import { isInZone, normalizeName, typeOf, type RR, type RRType } from '../../dns-types/rr.js';
import { classifyZoneFileName, ZONE_FILE_NAMES } from '../../zone/file-names.js';
import { parseWithImpliedOrigin } from '../../zone/implied-origin.js';
import { loadZoneFile } from '../../zone/load.js';
import type { ParsedRR } from '../../zone/reader.js';
import { compareText } from '../../base/finding.js';
import type { TypeResolver } from '../../dns/answers.js';

/** One zone as loaded from the repo: its apex and every record of its files. */
export interface LoadedZone {
  apex: string;
  records: RR[];
  /** The files the zone was read from (the zone file first, then what it includes), repo-relative. */
  files: string[];
  /** $INCLUDEs not read (outside the zone repo): every answer in the zone is then unknown, never absent nor complete. */
  unread?: Array<{ position: SourcePosition; path: string; reason: string }>;
}

/** What a lookup outside every loaded zone answers: unknown, never absent. */
export const OUTSIDE_REASON = 'outside the zone repo';

/** CNAME hops followed inside the repo, as the DNS client does (RFC 1034 §3.6.2). */
const MAX_CNAME_HOPS = 8;

interface ZoneIndex {
  apex: string;
  /** Why nothing can be told here (an $INCLUDE not read), or undefined. */
  unknownAbsence?: string;
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
  const unread = zone.unread?.[0];
  if (unread) index.unknownAbsence = `$INCLUDE ${clip(unread.path)} of ${apex} ${unread.reason}`;
  for (const rr of zone.records) {
    const name = normalizeName(rr.name);
    if (!isInZone(name, apex)) continue;
    pushTo(index.owners, name, rr);
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
    // A file of the zone was not read: any name, any RRset may hold more there. Unknown, not absent nor complete.
    if (zone.unknownAbsence !== undefined) return { status: 'error', reason: zone.unknownAbsence, cause: 'outside-zone-repo' };
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
  /** The zone repo's files (the CLI's, with its --allow-outside); default: a RepoFiles of `root`. */
  files?: RepoFiles;
  /** Zone apexes by absolute file path, from the policy's `zones:` (zone_file and fragment). */
  origins?: ReadonlyMap<string, string>;
}

/** A file under the directory that was not read as part of any zone, and why. */
export interface SkippedFile {
  file: string;
  reason: string;
}

export interface ZoneRepo {
  zones: LoadedZone[];
  /** Files not read, in name order, each with its reason. */
  skipped: SkippedFile[];
  /** What was ignored inside the files read, in plain words. */
  notes: string[];
}

/** A master file is text; one this large is not a zone a repo keeps (and is not read into memory). */
export const MAX_ZONE_FILE_BYTES = FILE_CAPS.zone;

/** A candidate file: its path, and the origin its name suggests. */
interface Candidate {
  file: string;
  nameOrigin: string;
  /** The name follows a zone-file pattern (*.zone, db.*, *.db), not merely an origin's shape. */
  zoneNamed: boolean;
}

/**
 * Every regular file under dir, sorted: those named as BIND users name zone files are
 * candidates, the rest skipped with the reason. Dot files and directories (.git) are
 * not looked at.
 */
async function listCandidates(files: RepoFiles, dir: string, skip: (file: string, reason: string) => void): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries: Dirent[];
    try {
      // Through the repo's checks: a directory that a link leads out of the repo is not walked.
      entries = files.list(d);
    } catch (error) {
      if (!(error instanceof RepoFileError)) throw error;
      if (d === dir) throw new InputError(`--zones: cannot read ${error.message}`, error.hint ?? 'pass the directory that holds the zone files, e.g. --zones zones');
      skip(d, error.reason);
      return;
    }
    for (const e of entries.sort((a, b) => compareText(a.name, b.name))) {
      if (e.name.startsWith('.')) continue;
      const path = join(d, e.name);
      if (e.isDirectory()) {
        await walk(path);
        continue;
      }
      // A link is followed to what it names, inside the repo; only a regular file is read.
      let real: string;
      try {
        real = files.locate(path);
      } catch (error) {
        if (!(error instanceof RepoFileError)) throw error;
        skip(path, error instanceof OutsideRepoError ? 'outside the zone repo (a symbolic link leads out)' : 'a link to nothing');
        continue;
      }
      const info = (() => {
        try {
          return statSync(real);
        } catch {
          return undefined;
        }
      })();
      if (!info?.isFile()) {
        if (!info?.isDirectory()) skip(path, info ? 'not a regular file' : 'a link to nothing');
        continue;
      }
      const name = classifyZoneFileName(e.name);
      if (name.kind === 'not-zone') skip(path, name.reason);
      else if (info.size > MAX_ZONE_FILE_BYTES) skip(path, `larger than ${MAX_ZONE_FILE_BYTES >> 20} MiB`);
      else out.push({ file: path, nameOrigin: name.origin, zoneNamed: name.pattern !== '<origin>' });
    }
  };
  await walk(dir);
  return out;
}

interface ParsedFile {
  file: string;
  records: ParsedRR[];
  includes: string[];
  unread: NonNullable<LoadedZone['unread']>;
}

/**
 * Read one file and what it includes, with the origin a server would give it: the policy's
 * when it names the file; else the file's own `$ORIGIN`, its absolute SOA owner, or the
 * origin its file name says, in that order (implied-origin.ts).
 */
function parseFile(files: RepoFiles, candidate: Candidate, text: string, texts: Map<string, string>, configured: string | undefined): ParsedFile {
  const { file } = candidate;
  const attempt = (origin: string | undefined): ParsedFile => {
    const includes: string[] = [];
    // An included file need not be a zone file by its name: it is read (through the repo's checks) when it is none of them.
    const parsed = loadZoneFile(files, file, {
      text,
      substitute: (path) => texts.get(normalize(path)),
      onInclude: (path) => includes.push(normalize(path)),
      ...(origin !== undefined ? { origin } : {}),
    });
    return { file, records: parsed.records, includes, unread: parsed.unread };
  };
  if (configured !== undefined) return attempt(configured);
  return parseWithImpliedOrigin(attempt, candidate.nameOrigin);
}

/** Why a candidate could not be read, in one line, quoting only a file named as a zone file. */
function parseFailure(candidate: Candidate, error: unknown, show: (file: string) => string): string {
  if (error instanceof ZoneSyntaxError) {
    const where = `line ${error.position.line}`;
    if (!candidate.zoneNamed) return `does not parse as a master file (${where})`;
    const text = error.message.slice(formatPosition(error.position).length + 2);
    return `does not parse as a master file: ${formatPosition({ ...error.position, file: show(error.position.file) })}: ${text}`;
  }
  if (error instanceof MailrecError) return error.message;
  return `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
}

/**
 * Load every zone file under dir with the zone reader, $INCLUDEs followed, by the names
 * BIND users give them (`*.zone`, `db.*`, `*.db`, `<origin>`, `<origin>.`). A file that
 * another includes is read as part of it, not alone. A file with an SOA record is a zone,
 * whose apex is the policy's for that file, else the SOA owner; two files holding one zone
 * are refused. A file without one (a fragment nobody includes) lends its records to the
 * loaded zone that contains them, or forms the zone the policy names for it when no file
 * holds that zone. Every other file is listed with the reason it was skipped.
 */
export async function loadZoneRepo(dir: string, options: ZoneRepoOptions = {}): Promise<ZoneRepo> {
  const repo = options.files ?? new RepoFiles(options.root ?? dir);
  // Named on the command line: a directory outside the repo is the user's say-so.
  const absDir = repo.allowNamed(dir);
  const show = (file: string): string => repo.show(file);
  const skipped: SkippedFile[] = [];
  const skip = (file: string, reason: string): void => {
    skipped.push({ file: show(file), reason });
  };
  const listed = await listCandidates(repo, absDir, skip);
  const texts = new Map<string, string>();
  const candidates: Candidate[] = [];
  for (const c of listed) {
    try {
      texts.set(normalize(c.file), repo.read(c.file, 'zone'));
      candidates.push(c);
    } catch (error) {
      if (!(error instanceof RepoFileError)) throw error;
      skip(c.file, error.reason);
    }
  }
  const parsed: ParsedFile[] = [];
  for (const c of candidates) {
    try {
      const p = parseFile(repo, c, texts.get(normalize(c.file))!, texts, options.origins?.get(c.file));
      if (p.records.length === 0 && p.includes.length === 0) skip(c.file, 'holds no records');
      else parsed.push(p);
    } catch (error) {
      skip(c.file, parseFailure(c, error, show));
    }
  }
  const included = new Set(parsed.flatMap((p) => p.includes));
  const tops = parsed.filter((p) => !included.has(normalize(p.file)));
  if (tops.length === 0) {
    const first = skipped[0];
    throw new InputError(
      `--zones: no zone file could be read in ${dir}${first ? ` (${first.file}: ${first.reason}${skipped.length > 1 ? `; ${skipped.length - 1} more skipped` : ''})` : ''}`,
      `pass the directory that holds the zone files (read: ${ZONE_FILE_NAMES})`,
    );
  }

  const notes: string[] = [];
  const byApex = new Map<string, { records: RR[]; files: string[]; owner: string; unread: ParsedFile['unread'] }>();
  const noteUnread = (p: ParsedFile, apex: string): void => {
    for (const u of p.unread) notes.push(`${formatPosition(u.position)}: $INCLUDE ${clip(u.path)} ${u.reason}; every name of ${apex} is unknown, not missing (pass --allow-outside to read it)`);
  };
  const configuredApex = (p: ParsedFile): string | undefined => {
    const o = options.origins?.get(p.file);
    return o === undefined ? undefined : normalizeName(o);
  };
  const addZone = (p: ParsedFile, apex: string): void => {
    const other = byApex.get(apex);
    // BIND loads one file per zone: a second file for the same origin is a mistake to fix, not to guess.
    if (other) {
      throw new InputError(
        `--zones: ${other.owner} and ${show(p.file)} both hold the zone ${apex}`,
        'keep one file per zone under the directory: move the other one out (or $INCLUDE one from the other)',
      );
    }
    const zone = { records: [] as RR[], files: [show(p.file), ...p.includes.map(show)], owner: show(p.file), unread: [...p.unread] };
    noteUnread(p, apex);
    let outside = 0;
    for (const rr of p.records) {
      // A server ignores out-of-zone data in a zone file (BIND: "ignoring out-of-zone data").
      if (isInZone(normalizeName(rr.name), apex)) zone.records.push(stripPosition(rr));
      else outside++;
    }
    if (outside > 0) notes.push(`${show(p.file)}: ${outside} record(s) outside the zone ${apex} ignored`);
    byApex.set(apex, zone);
  };
  const soaOf = (p: ParsedFile) => p.records.find((rr) => rr.type === 'SOA');
  for (const p of tops) {
    const soa = soaOf(p);
    if (soa) addZone(p, configuredApex(p) ?? normalizeName(soa.name));
  }
  const orphans: ParsedFile[] = [];
  for (const p of tops) {
    if (soaOf(p)) continue;
    const apex = configuredApex(p);
    // A fragment the policy names, for a zone no file holds (a zone updated over RFC 2136).
    if (apex !== undefined && !byApex.has(apex)) addZone(p, apex);
    else orphans.push(p);
  }
  const apexes = [...byApex.keys()].sort((a, b) => b.length - a.length);
  for (const p of orphans) {
    let placed = 0;
    for (const rr of p.records) {
      const apex = apexes.find((a) => isInZone(normalizeName(rr.name), a));
      if (apex === undefined) continue;
      const zone = byApex.get(apex)!;
      zone.records.push(stripPosition(rr));
      if (!zone.files.includes(show(p.file))) {
        zone.files.push(show(p.file), ...p.includes.map(show));
        zone.unread.push(...p.unread);
        noteUnread(p, apex);
      }
      placed++;
    }
    if (placed === 0) skip(p.file, 'no SOA, and none of its records is in a loaded zone');
    else if (placed < p.records.length) {
      notes.push(`${show(p.file)}: no SOA and no zone in the policy; ${p.records.length - placed} record(s) in no loaded zone ignored`);
    }
  }
  const zones = [...byApex].map(([apex, z]) => ({ apex, records: dedupe(z.records), files: [...new Set(z.files)], ...(z.unread.length > 0 ? { unread: z.unread } : {}) }));
  zones.sort((a, b) => compareText(a.apex, b.apex));
  skipped.sort((a, b) => compareText(a.file, b.file));
  return { zones, skipped, notes };
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
