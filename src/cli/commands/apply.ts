// mailrec apply: write the zone fragments (or apply a saved plan exactly).

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { prepareFileWrites } from '../../apply/fragments.js';
import { MailrecError, StalePlanError } from '../../base/errors.js';
import { checkPlanChecksum, hasChanges, PLAN_VERSION, type Plan } from '../../plan/plan.js';
import { makeContext, type GlobalOptions } from '../context.js';
import type { CliIO } from '../io.js';
import { applyLiveZones, computePlan } from '../workflow.js';
import { loadPolicy } from '../../policy/load.js';
import { refuseBrokenPlan, renderPlan } from './plan.js';

interface ApplyOptions extends GlobalOptions {
  planFile?: string;
  force?: boolean;
  bumpSerial?: boolean;
}

async function readPlanFile(file: string): Promise<Plan> {
  let plan: Plan;
  try {
    plan = JSON.parse(await readFile(file, 'utf8')) as Plan;
  } catch (err) {
    throw new MailrecError(`cannot read plan file ${file}: ${(err as Error).message}`, 'write one with mailrec plan --format json > plan.json');
  }
  if (plan?.version !== PLAN_VERSION || !Array.isArray(plan.zones))
    throw new MailrecError(`${file} is not a mailrec plan (version ${PLAN_VERSION})`);
  if (!checkPlanChecksum(plan))
    throw new StalePlanError(`${file} was modified after it was made (checksum mismatch); nothing was written`, 'run mailrec plan again');
  return plan;
}

export function registerApply(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('apply')
    .description('write the zone fragments the plan shows')
    .option('--plan-file <file>', 'apply exactly this saved plan (from plan --format json); refuse it if stale')
    .option('--force', 'overwrite fragments edited by hand since the last apply')
    .option('--bump-serial', 'also bump the SOA serial (YYYYMMDDnn) of each zone file whose fragment changes')
    .action(async (_opts: ApplyOptions, command: Command) => {
      const opts = command.optsWithGlobals<ApplyOptions>();
      const ctx = makeContext(io, opts);
      const policy = await loadPolicy(ctx.policyPaths, { root: ctx.root });
      const plan = opts.planFile ? await readPlanFile(path.resolve(ctx.root, opts.planFile)) : (await computePlan(ctx, { policy })).plan;
      refuseBrokenPlan(ctx, plan);
      if (!hasChanges(plan)) {
        io.stdout(ctx.format === 'json' ? `${JSON.stringify({ applied: false, written: [] })}\n` : 'No changes. Nothing to apply.\n');
        setExit(0);
        return;
      }
      if (ctx.format === 'text') io.stdout(renderPlan(ctx, plan));
      // Files are checked and staged first, so that a refusal (hand edit, stale plan) stops the
      // run before any server is touched; they are written once the updates went through.
      const result = await prepareFileWrites(plan, {
        root: ctx.root,
        force: Boolean(opts.force),
        ...(opts.bumpSerial ? { bumpSerial: { now: new Date() } } : {}),
      });
      const updated = plan.zones.some((z) => z.source === 'live')
        ? await applyLiveZones(ctx, policy, plan)
        : [];
      await result.commit();
      if (ctx.format === 'json')
        io.stdout(`${JSON.stringify({ applied: true, checksum: plan.checksum, written: result.written, serials: result.serials, updated })}\n`);
      else {
        for (const file of result.written) io.stdout(`wrote ${file}\n`);
        for (const zone of updated) io.stdout(`updated ${zone} by RFC 2136\n`);
        for (const s of result.serials) io.stdout(`${s.zoneFile}: SOA serial ${s.from} -> ${s.to}\n`);
      }
      setExit(0);
    });
}
