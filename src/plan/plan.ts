// assemblePlan: desired zones (from the policy) against current zone state
// (fragments on disk or live DNS) -> a Plan. Pure; plans are data with a checksum.

import { createHash } from 'node:crypto';
import type { DesiredZone, GeneratedFile } from '../build/zone-records.js';
import { makeNotice, type Notice } from '../build/notice.js';
import type { RR } from '../dns-types/rr.js';
import { renderFragment } from '../zone/writer.js';
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
  for (const want of desired) {
    notices.push(...want.notices);
    const have = current.find((c) => c.zone === want.zone);
    if (!have) throw new Error(`no current state for zone ${want.zone}`);
    const scope: OwnershipScope = have.source === 'fragment' ? 'all' : 'declared';
    const zoneChanges = diffRecords(want.zone, want.records, have.records, scope, claimed?.get(want.zone));
    changes.push(...zoneChanges.map((c) => ({ ...c, risks: assessRisks(c) })));
    notices.push(...checkForeignConflicts(want.zone, want.records, have.foreign ?? []));
    const after = have.source === 'fragment' ? digestText(renderFragment(want.zone, want.records)) : digestText('');
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
    zones.push(zonePlan);
    files.push(...diffFiles(want.files, currentFiles));
  }
  files.push(...diffFiles(extra.files ?? [], currentFiles, extra.fileStates));
  notices.push(...(extra.notices ?? []));
  const body = { version: PLAN_VERSION as typeof PLAN_VERSION, zones, changes, files, notices };
  return { ...body, checksum: digestText(JSON.stringify(body)) };
}

function diffFiles(wanted: GeneratedFile[], currentFiles: Map<string, string | undefined>, states?: ReadonlyMap<string, 'edited' | 'foreign'>): FileChange[] {
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
  for (const rr of foreign) {
    const clash = desired.find((d) => d.name === rr.name && d.type === rr.type && sameOwnedKind(d, rr));
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

function sameOwnedKind(a: RR, b: RR): boolean {
  const ka = ownershipKey(a);
  return ka !== undefined && ka === ownershipKey(b);
}

/** True when applying the plan would change anything. */
export function hasChanges(plan: Plan): boolean {
  return plan.changes.length > 0 || plan.files.length > 0 || plan.zones.some((z) => z.write);
}

/** Recompute a plan's checksum: a plan file edited after plan no longer matches. */
export function checkPlanChecksum(plan: Plan): boolean {
  const body = { version: plan.version, zones: plan.zones, changes: plan.changes, files: plan.files, notices: plan.notices };
  return digestText(JSON.stringify(body)) === plan.checksum;
}
