// mailrec apply: write the zone fragments (or apply a saved plan exactly).

import type { Command } from 'commander';
import { prepareFileWrites } from '../../apply/fragments.js';
import { hasChanges } from '../../plan/plan.js';
import { readPlanFile } from '../plan-file.js';
import { makeContext, type GlobalOptions } from '../context.js';
import type { CliIO } from '../io.js';
import { applyLiveZones, computePlan } from '../workflow.js';
import { loadPolicy } from '../../policy/load.js';
import { refuseBrokenPlan, writePlan } from './plan.js';

interface ApplyOptions extends GlobalOptions {
  planFile?: string;
  force?: boolean;
  bumpSerial?: boolean;
  allowLargeTxt?: boolean;
}

/**
 * Test seam: MAILREC_TEST_KILL_AT=<step> (e.g. "rename:1") makes apply SIGKILL itself at that
 * step of the atomic write, so that tests prove recovery at every step without timing.
 */
export const KILL_AT_ENV = 'MAILREC_TEST_KILL_AT';

export function registerApply(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('apply')
    .description('write the zone fragments the plan shows')
    .option('--plan-file <file>', 'apply exactly this saved plan (from plan --format json); refuse it if stale')
    .option('--force', 'overwrite fragments edited by hand since the last apply')
    .option('--bump-serial', 'also bump the SOA serial (YYYYMMDDnn) of each zone file whose fragment changes')
    .option('--allow-large-txt', 'publish TXT records that do not fit a 1232-octet UDP answer (resolvers must retry over TCP)')
    .action(async (_opts: ApplyOptions, command: Command) => {
      const opts = command.optsWithGlobals<ApplyOptions>();
      const ctx = makeContext(io, opts);
      const policy = await loadPolicy(ctx.policyPaths, { root: ctx.root, files: ctx.files });
      const plan = opts.planFile ? readPlanFile(ctx.files, opts.planFile) : (await computePlan(ctx, { policy, allowLargeTxt: Boolean(opts.allowLargeTxt) })).plan;
      refuseBrokenPlan(ctx, plan);
      if (!hasChanges(plan)) {
        io.stdout(ctx.format === 'json' ? `${JSON.stringify({ applied: false, written: [] })}\n` : 'No changes. Nothing to apply.\n');
        setExit(0);
        return;
      }
      if (ctx.format === 'text') writePlan(ctx, plan);
      // Files are checked and staged first, so that a refusal (hand edit, stale plan) stops the
      // run before any server is touched; they are written once the updates went through.
      const killAt = io.env[KILL_AT_ENV];
      const result = await prepareFileWrites(plan, {
        files: ctx.files,
        force: Boolean(opts.force),
        ...(opts.bumpSerial ? { bumpSerial: { now: new Date() } } : {}),
        ...(killAt ? { write: { onStep: (step: string) => void (step === killAt && process.kill(process.pid, 'SIGKILL')) } } : {}),
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
