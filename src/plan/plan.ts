// assemblePlan: desired zones (from the policy) against current zone state
// (fragments on disk or live DNS) -> a Plan. Pure; plans are data with a checksum.

import { createHash } from 'node:crypto';
import type { SourcePosition } from '../base/errors.js';
import { pushTo } from '../base/multimap.js';
import { clip } from '../base/quote.js';
import type { DesiredZone, GeneratedFile } from '../build/zone-records.js';
import { makeNotice, type Notice } from '../build/notice.js';
import { txtRecord, txtText, typeOf, type RR } from '../dns-types/rr.js';
import { isChainLink } from '../mail/spf/flatten.js';
import { tagOf } from '../mail/txt-tag.js';
import { renderFragment, type FlattenNote, type FragmentOptions } from '../zone/writer.js';
import { diffRecords, type Change, type OwnershipScope } from './diff.js';
import { ownershipKey } from './ownership.js';
import { assessRisks, type Risk } from './risk.js';

export const PLAN_VERSION = 1;

/** What the plan saw of one zone, and where it reads and writes it. */
export interface ZoneState {
  zone: string;
  source: 'fragment' | 'live';
  /** Fragment path (relative to the repo root) for a file-managed zone. */
  fragment?: string;
  /** For fragments: intact (generated, unedited), edited (by hand), foreign (no header), absent. */
  status: 'intact' | 'edited' | 'foreign' | 'absent' | 'live';
  /** sha256 of what was read (file bytes, or the canonical live RRsets); "absent" when nothing. */
  digest: string;
  records: RR[];
  /** The zone file that $INCLUDEs the fragment, when the policy names it. */
  zoneFile?: string;
  /** Records outside mailrec's fragment, from the zone file that includes it. */
  foreign?: RR[];
  /** The serial the fragment says it was written with (`; mailrec-serial:`, apply --bump-serial). */
  fragmentSerial?: number;
  /** The flattened SPF includes' ranges the fragment keeps (`; mailrec-flatten:`). */
  flattened?: FlattenNote[];
  /** The zone file's SOA serial. */
  zoneSerial?: number;
  /** $INCLUDEs of the zone file that were not read (outside the zone repo): their records are unknown. */
  unread?: Array<{ position: SourcePosition; path: string; reason: string }>;
}

export interface PlannedChange extends Change {
  risks: Risk[];
}

export interface ZonePlan {
  zone: string;
  source: 'fragment' | 'live';
  fragment?: string;
  zoneFile?: string;
  status: ZoneState['status'];
  /** Digest of the current state the plan was computed against. */
  before: string;
  /** Digest of the fragment apply will write (fragment zones). */
  after: string;
  /** True when apply has something to do for this zone. */
  write: boolean;
  /** The complete desired record set: apply needs the plan and nothing else. */
  records: RR[];
  /** Live zones: every RRset read from the server, foreign records included; the update's prerequisites pin them. */
  observed?: RR[];
  /** The `; mailrec-serial:` line the fragment keeps (apply renders `after` with it). */
  fragmentSerial?: number;
  /** The flattened SPF includes' ranges the fragment keeps (apply renders `after` with them). */
  flattened?: FlattenNote[];
  /** The zone file's SOA serial is lower than the one its fragment was written for: apply --bump-serial raises it. */
  serialBehind?: { zoneSerial: number; fragmentSerial: number };
}

export interface FileChange {
  path: string;
  action: 'create' | 'update';
  before: string;
  after: string;
  content: string;
  /** An owned file (signer config) edited by hand, or not written by mailrec: apply refuses it without --force. */
  status?: 'edited' | 'foreign';
}

export interface Plan {
  version: typeof PLAN_VERSION;
  zones: ZonePlan[];
  changes: PlannedChange[];
  files: FileChange[];
  notices: Notice[];
  checksum: string;
}

export function digestText(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

export interface AssembleInput {
  desired: DesiredZone[];
  current: ZoneState[];
  /** Ownership keys claimed per zone on live servers (claims.ts). */
  claimed?: Map<string, ReadonlySet<string>>;
  /** Current content of generated files (MTA-STS policies), by path; undefined = absent. */
  currentFiles: Map<string, string | undefined>;
  /** Files that belong to no zone (the signer configs), and notices about them and the whole policy. */
  files?: GeneratedFile[];
  notices?: Notice[];
  /** Owned files found edited by hand or foreign (see FileChange.status). */
  fileStates?: ReadonlyMap<string, 'edited' | 'foreign'>;
}

export function assemblePlan({ desired, current, currentFiles, claimed, ...extra }: AssembleInput): Plan {
  const zones: ZonePlan[] = [];
  const changes: PlannedChange[] = [];
  const notices: Notice[] = [];
  const files: FileChange[] = [];
  // A map, not a find per zone: that was quadratic in the number of zones.
  const currentByZone = new Map(current.map((c) => [c.zone, c]));
  for (const want of desired) {
    const have = currentByZone.get(want.zone);
    if (!have) throw new Error(`no current state for zone ${want.zone}`);
    const part = planZone(want, have, currentFiles, claimed?.get(want.zone));
    zones.push(part.zone);
    for (const c of part.changes) changes.push(c);
    for (const n of part.notices) notices.push(n);
    for (const f of part.files) files.push(f);
  }
  files.push(...diffFiles(extra.files ?? [], currentFiles, extra.fileStates));
  notices.push(...(extra.notices ?? []));
  const body = { version: PLAN_VERSION as typeof PLAN_VERSION, zones, changes, files, notices };
  return { ...body, checksum: planChecksum(body) };
}

/** One zone's part of a plan: its entry, its changes, and the notices and files it adds, in plan order. */
export interface ZonePart {
  zone: ZonePlan;
  changes: PlannedChange[];
  notices: Notice[];
  files: FileChange[];
}

/**
 * A zone's part of the plan from its desired records and its current state, alone: the plan
 * is these parts in zone order, then the files and notices of the whole policy (assemblePlan;
 * plan streams them one zone at a time, docs/performance.md).
 */
export function planZone(want: DesiredZone, have: ZoneState, currentFiles: ReadonlyMap<string, string | undefined>, claimed?: ReadonlySet<string>): ZonePart {
  const notices: Notice[] = [...want.notices];
  const scope: OwnershipScope = have.source === 'fragment' ? 'all' : 'declared';
  const zoneChanges = diffRecords(want.zone, want.records, have.records, scope, claimed);
  let chains: { desired: Map<string, RR[]>; current: Map<string, RR[]> } | undefined;
  const changes = zoneChanges.map((c) => {
    if (c.type !== 'TXT' || c.tag !== 'spf') return { ...c, risks: assessRisks(c) };
    chains ??= { desired: spfRecordsByChain(want.records), current: spfRecordsByChain(have.records) };
    return { ...c, risks: assessRisks(spfChainView(c, chains.desired, chains.current)) };
  });
  notices.push(...checkForeignConflicts(want.zone, want.records, have.foreign ?? []));
  notices.push(...checkZoneFile(have));
  const options = fragmentOptions(have.fragmentSerial, want.flattened);
  const after = have.source === 'fragment' ? digestText(renderFragment(want.zone, want.records, options)) : digestText('');
  const zonePlan: ZonePlan = {
    zone: want.zone,
    source: have.source,
    status: have.status,
    before: have.digest,
    after,
    write: have.source === 'fragment' ? after !== have.digest : zoneChanges.length > 0,
    records: want.records,
  };
  if (have.fragment !== undefined) zonePlan.fragment = have.fragment;
  if (have.zoneFile !== undefined) zonePlan.zoneFile = have.zoneFile;
  if (have.source === 'live') zonePlan.observed = have.records;
  if (have.fragmentSerial !== undefined) zonePlan.fragmentSerial = have.fragmentSerial;
  if (have.source === 'fragment' && want.flattened && want.flattened.length > 0) zonePlan.flattened = want.flattened;
  const behind = serialBehind(have);
  if (behind) zonePlan.serialBehind = behind;
  return { zone: zonePlan, changes, notices, files: diffFiles(want.files, currentFiles) };
}

/** The parts of a plan its checksum covers. */
export type PlanBody = Pick<Plan, 'version' | 'zones' | 'changes' | 'files' | 'notices'>;

/**
 * sha256 of JSON.stringify(body), computed piece by piece: the same octets, without the one
 * string of every zone's records (hundreds of MB at 100,000 zones). A key whose value is
 * undefined is left out, as JSON.stringify does (a plan file read back may lack one).
 */
export function planChecksum(body: PlanBody): string {
  const hash = createHash('sha256');
  let pending = '{';
  let first = true;
  const put = (text: string): void => {
    pending += text;
    if (pending.length > 1 << 20) {
      hash.update(pending, 'utf8');
      pending = '';
    }
  };
  for (const key of ['version', 'zones', 'changes', 'files', 'notices'] as const) {
    const value: unknown = body[key];
    if (value === undefined) continue;
    put(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    if (!Array.isArray(value)) {
      put(JSON.stringify(value));
      continue;
    }
    put('[');
    // In an array, undefined (and functions) become null, as JSON.stringify writes them.
    value.forEach((item: unknown, i) => put(`${i === 0 ? '' : ','}${JSON.stringify(item) ?? 'null'}`));
    put(']');
  }
  hash.update(`${pending}}`, 'utf8');
  return `sha256:${hash.digest('hex')}`;
}

/**
 * An SPF change seen with its chain (RFC 7208 §3.4 split, `_spf<n>.<domain>` links): the
 * terms of the record and all its links before and after, so that a range moved between
 * links is no risk and a range gone from the whole chain is. A link's own change is
 * judged on its domain's record.
 */
function spfChainView(change: Change, desired: ReadonlyMap<string, RR[]>, current: ReadonlyMap<string, RR[]>): Change {
  if (change.type !== 'TXT' || change.tag !== 'spf') return change;
  const link = CHAIN_LINK.exec(change.name);
  const root = link ? link[1]! : change.name;
  const chain = (byChain: ReadonlyMap<string, RR[]>): RR[] => byChain.get(root) ?? [];
  const joined = (records: RR[]): RR[] => {
    if (records.length === 0) return [];
    const terms = records.flatMap((rr) => txtText(rr as RR & { type: 'TXT' }).split(' ').slice(1)).filter((t) => !/^include:_spf[1-9][0-9]*\./i.test(t));
    return [txtRecord(root, records[0]!.ttl, ['v=spf1', ...terms].join(' '))];
  };
  const before = chain(current);
  const after = chain(desired);
  if (before.length <= 1 && after.length <= 1 && !link) return change;
  if (link) {
    // The domain's own record changes too: its change carries the chain's risks, once.
    const text = (records: RR[]) => records.filter((rr) => rr.name === root).map((rr) => txtText(rr as RR & { type: 'TXT' })).join('\n');
    if (text(before) !== text(after)) return { ...change, action: 'update', before: [], after: [] };
    return { ...change, action: 'update', name: root, before: joined(before), after: joined(after) };
  }
  return { ...change, before: joined(before), after: joined(after) };
}

/** `_spf<n>.<domain>`: a chain link's name, and the domain whose record it continues. */
const CHAIN_LINK = /^_spf[1-9][0-9]*\.(.+)$/;

/**
 * A zone's SPF records by the chain they belong to: the domain's own record and its
 * `_spf<n>` links (isChainLink), in zone order. Made once per zone: filtering every record
 * per SPF change made a zone of N such domains take N² steps.
 */
function spfRecordsByChain(records: readonly RR[]): Map<string, RR[]> {
  const out = new Map<string, RR[]>();
  for (const rr of records) {
    if (rr.type !== 'TXT' || tagOf(rr.name, txtText(rr)) !== 'spf') continue;
    pushTo(out, rr.name, rr);
    const link = CHAIN_LINK.exec(rr.name);
    if (link && isChainLink(rr.name, link[1]!)) pushTo(out, link[1]!, rr);
  }
  return out;
}

/** How a fragment is rendered: its serial line and its flattened ranges (plan and apply render it alike). */
export function fragmentOptions(serial: number | undefined, flattened: readonly FlattenNote[] | undefined): FragmentOptions {
  return { ...(serial === undefined ? {} : { serial }), ...(flattened && flattened.length > 0 ? { flattened } : {}) };
}

export function diffFiles(wanted: GeneratedFile[], currentFiles: ReadonlyMap<string, string | undefined>, states?: ReadonlyMap<string, 'edited' | 'foreign'>): FileChange[] {
  const out: FileChange[] = [];
  for (const file of wanted) {
    const existing = currentFiles.get(file.path);
    if (existing === file.content) continue;
    const status = existing === undefined ? undefined : states?.get(file.path);
    out.push({
      path: file.path,
      action: existing === undefined ? 'create' : 'update',
      before: existing === undefined ? 'absent' : digestText(existing),
      after: digestText(file.content),
      content: file.content,
      ...(status ? { status } : {}),
    });
  }
  return out;
}

/**
 * A zone file that includes the fragment may still hold its own SPF or DMARC
 * outside it: two SPF records are a permerror (RFC 7208 §4.5), so say so.
 */
function checkForeignConflicts(zone: string, desired: RR[], foreign: RR[]): Notice[] {
  const notices: Notice[] = [];
  const seen = new Set<string>();
  // RFC 2181 §10.1: a name with a CNAME holds nothing else, wherever in the zone the other data is.
  const foreignTypes = new Map<string, Set<string>>();
  for (const rr of foreign) foreignTypes.set(rr.name, (foreignTypes.get(rr.name) ?? new Set()).add(typeOf(rr)));
  for (const rr of desired) {
    const there = foreignTypes.get(rr.name);
    if (!there) continue;
    const clash = rr.type === 'CNAME' ? [...there] : there.has('CNAME') ? ['CNAME'] : [];
    if (clash.length === 0 || seen.has(`${rr.name} CNAME`)) continue;
    seen.add(`${rr.name} CNAME`);
    notices.push(
      makeNotice(
        'dns.cname-and-other-data',
        rr.name,
        rr.type === 'CNAME'
          ? `the policy puts a CNAME at ${rr.name}, where the zone file of ${zone} already has ${[...there].sort().join(', ')}: a name with a CNAME holds nothing else, and BIND refuses the zone`
          : `the policy puts ${typeOf(rr)} at ${rr.name}, where the zone file of ${zone} has a CNAME: a name with a CNAME holds nothing else, and BIND refuses the zone`,
      ),
    );
  }
  // The desired records by name and type, made once: a find per foreign record was N².
  const desiredAt = new Map<string, RR[]>();
  for (const d of desired) pushTo(desiredAt, `${d.name} ${d.type}`, d);
  for (const rr of foreign) {
    const clash = desiredAt.get(`${rr.name} ${rr.type}`)?.find((d) => sameOwnedKind(d, rr));
    if (!clash) continue;
    const key = `${rr.name} ${rr.type}`;
    if (seen.has(key)) continue;
    seen.add(key);
    notices.push(
      makeNotice('zone.conflict', rr.name, `the zone file of ${zone} already has a ${rr.type} record at ${rr.name} outside mailrec's fragment; remove it from the zone file so that only the fragment's record is published`),
    );
  }
  return notices;
}

/**
 * What plan can tell about the zone file itself: $INCLUDEs it did not read (their records are
 * unknown, so conflicts with them cannot be checked), and a serial behind its fragment.
 */
function checkZoneFile(have: ZoneState): Notice[] {
  const notices: Notice[] = [];
  for (const unread of have.unread ?? []) {
    notices.push(
      makeNotice('zone.include-not-read', have.zone, `$INCLUDE ${clip(unread.path)} ${unread.reason}: what it holds is unknown to plan (pass --allow-outside to read it)`, unread.position),
    );
  }
  const behind = serialBehind(have);
  if (behind) {
    notices.push(
      makeNotice(
        'zone.serial-behind',
        have.zone,
        `${have.zoneFile}: SOA serial ${behind.zoneSerial} is behind its fragment ${have.fragment} (written for serial ${behind.fragmentSerial}): secondaries keep the old records; run mailrec apply --bump-serial`,
      ),
    );
  }
  return notices;
}

/** The zone file's serial when it is lower than the one its fragment was written for (an apply cut short). */
function serialBehind(have: ZoneState): ZonePlan['serialBehind'] {
  const { fragmentSerial, zoneSerial } = have;
  return fragmentSerial !== undefined && zoneSerial !== undefined && zoneSerial < fragmentSerial ? { zoneSerial, fragmentSerial } : undefined;
}

function sameOwnedKind(a: RR, b: RR): boolean {
  const ka = ownershipKey(a);
  return ka !== undefined && ka === ownershipKey(b);
}

/** True when applying the plan would change anything. */
export function hasChanges(plan: Pick<Plan, 'changes' | 'files' | 'zones'>): boolean {
  return plan.changes.length > 0 || plan.files.length > 0 || plan.zones.some(zoneHasChanges);
}

/** True when apply has something to do for the zone itself (besides its record changes). */
export function zoneHasChanges(zone: ZonePlan): boolean {
  return zone.write || zone.serialBehind !== undefined;
}

/** Recompute a plan's checksum: a plan file edited after plan no longer matches. */
export function checkPlanChecksum(plan: Plan): boolean {
  const body = { version: plan.version, zones: plan.zones, changes: plan.changes, files: plan.files, notices: plan.notices };
  return planChecksum(body) === plan.checksum;
}
