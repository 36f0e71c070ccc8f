// Applies a plan's live zones by RFC 2136 dynamic update: one UPDATE per zone,
// whose prerequisites pin every RRset the plan saw, so that a change made by
// someone else between plan and apply makes the server refuse the whole message.

import { StalePlanError } from '../base/errors.js';
import type { WireRR } from '../dns/message.js';
import type { UpdateRequest, UpdateResult } from '../dns/update.js';
import { addRR, deleteRR, deleteRRset, rrsetExistsValue, rrsetNotExists } from '../dns/update.js';
import type { Plan, PlannedChange, ZonePlan } from '../plan/plan.js';
import { typeOf } from '../dns-types/rr.js';

export interface CompiledUpdate {
  prerequisites: WireRR[];
  updates: WireRR[];
}

/** Pure: the prerequisites and updates for one zone's changes. */
export function compileUpdate(zone: ZonePlan, changes: PlannedChange[]): CompiledUpdate {
  const observed = zone.observed ?? [];
  const touched = new Map<string, { name: string; type: string }>();
  for (const c of changes) touched.set(`${c.name} ${c.type}`, { name: c.name, type: c.type });
  const prerequisites: WireRR[] = [];
  for (const { name, type } of touched.values()) {
    // RFC 2136 §2.4.2/§2.4.3: the RRset exactly as the plan saw it (foreign TXT included), or absent.
    const rrset = observed.filter((rr) => rr.name === name && typeOf(rr) === type);
    if (rrset.length === 0) prerequisites.push(rrsetNotExists(name, type));
    else prerequisites.push(...rrsetExistsValue(rrset));
  }
  const deletions: WireRR[] = [];
  const additions: WireRR[] = [];
  for (const c of changes) {
    if (c.type === 'TXT') {
      // Shared TXT RRsets: remove our records one by one (§2.5.4), never the RRset.
      for (const rr of c.before) deletions.push(deleteRR(rr));
    } else if (c.before.length > 0) {
      // MX, SRV, TLSA: mailrec owns the whole RRset at the name (§2.5.2).
      deletions.push(deleteRRset(c.name, c.type));
    }
    for (const rr of c.after) additions.push(addRR(rr));
  }
  return { prerequisites, updates: [...deletions, ...additions] };
}

export interface ZoneTarget {
  request: Omit<UpdateRequest, 'zone' | 'prerequisites' | 'updates'>;
}

export interface ApplyUpdatesResult {
  updated: string[];
}

/**
 * Sends each live zone's update in turn. A failed prerequisite stops the run
 * with nothing applied to that zone; zones already updated are named.
 */
export async function applyPlanByUpdate(
  plan: Plan,
  targets: ReadonlyMap<string, ZoneTarget>,
  send: (request: UpdateRequest) => Promise<UpdateResult>,
): Promise<ApplyUpdatesResult> {
  const updated: string[] = [];
  for (const zone of plan.zones) {
    if (zone.source !== 'live') continue;
    const changes = plan.changes.filter((c) => c.zone === zone.zone);
    if (changes.length === 0) continue;
    const target = targets.get(zone.zone);
    if (!target) throw new StalePlanError(`the plan updates ${zone.zone}, but no rfc2136 target in the policy manages it`);
    const { prerequisites, updates } = compileUpdate(zone, changes);
    const result = await send({ ...target.request, zone: zone.zone, prerequisites, updates });
    if (result.status === 'prerequisite-failed') {
      const done = updated.length > 0 ? ` (already updated: ${updated.join(', ')})` : '';
      throw new StalePlanError(
        `the zone ${zone.zone} changed since the plan (${result.rcode}); nothing was applied to it${done}`,
        'run mailrec plan again',
      );
    }
    updated.push(zone.zone);
  }
  return { updated };
}
