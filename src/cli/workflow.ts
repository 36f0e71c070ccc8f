// The shell around the pure core for plan and apply: load the policy, build the
// desired records, read the current state, assemble the plan.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadPolicy } from '../policy/load.js';
import type { Policy } from '../policy/model.js';
import { buildZoneRecords } from '../records/build.js';
import { assemblePlan, type Plan } from '../plan/plan.js';
import { readFragmentState } from '../zone/state.js';
import type { Context } from './context.js';

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export interface PlanRun {
  policy: Policy;
  plan: Plan;
}

export async function computeFilePlan(ctx: Context): Promise<PlanRun> {
  const policy = await loadPolicy(ctx.policyPaths, { root: ctx.root });
  const desired = buildZoneRecords(policy);
  const current = await Promise.all(policy.zones.map((zone) => readFragmentState(ctx.root, zone)));
  const currentFiles = new Map<string, string | undefined>();
  for (const zone of desired)
    for (const file of zone.files) currentFiles.set(file.path, await readOptional(path.resolve(ctx.root, file.path)));
  return { policy, plan: assemblePlan({ desired, current, currentFiles }) };
}
