// mailrec plan: what would change, record by record, with the risk explained.

import path from 'node:path';
import type { Command } from 'commander';
import { summarizeDmarcImpact, withDmarcImpact } from '../../dmarc-reports/impact.js';
import { RecordError } from '../../base/errors.js';
import { hasChanges, type Plan } from '../../plan/plan.js';
import { renderPlanMarkdown } from '../../report/plan-markdown.js';
import { summarizePlan } from '../../report/plan-summary.js';
import { renderNotice, renderPlanText } from '../../report/plan-text.js';
import { makeContext, type Context, type GlobalOptions } from '../context.js';
import { colourEnabled, styleFor, type CliIO } from '../io.js';
import { parseServer } from '../../dns/servers.js';
import { computePlan } from '../workflow.js';

export function renderPlan(ctx: Context, plan: Plan): string {
  switch (ctx.format) {
    case 'json':
      return `${JSON.stringify({ ...plan, summary: summarizePlan(plan) }, null, 2)}\n`;
    case 'markdown':
      return renderPlanMarkdown(plan);
    default:
      return renderPlanText(plan, styleFor(colourEnabled(ctx.io.env, ctx.io.stdoutIsTTY)));
  }
}

/** A plan with error notices must not be applied: print them and refuse. */
export function refuseBrokenPlan(ctx: Context, plan: Plan): void {
  const errors = plan.notices.filter((n) => n.severity === 'error');
  if (errors.length === 0) return;
  const style = styleFor(colourEnabled(ctx.io.env, ctx.io.stderrIsTTY));
  for (const notice of errors) ctx.io.stderr(`${renderNotice(notice, style)}\n`);
  throw new RecordError(
    `the policy asks for ${errors.length === 1 ? 'a record' : `${errors.length} records`} that would break the RFCs; nothing was planned`,
    undefined,
    'fix the policy at the places above',
  );
}

interface PlanCommandOptions extends GlobalOptions {
  detailedExitcode?: boolean;
  resolve?: boolean;
  live?: boolean;
  resolver?: string[];
  reports?: string;
}

export function resolverServers(specs: string[] | undefined) {
  return specs && specs.length > 0 ? specs.map((s) => parseServer(s)) : undefined;
}

export function registerPlan(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('plan')
    .description('show what apply would change, record by record, with the risk explained')
    .option('--detailed-exitcode', 'exit 2 when there are changes, 0 when none')
    .option('--resolve', 'fetch SPF include trees and count DNS lookups exactly (needs DNS)')
    .option('--live', 'compare with what DNS publishes (via --resolver) instead of the fragments on disk; zones with an rfc2136 target are always read from their primary')
    .option('--resolver <host[:port]>', 'DNS server for --resolve (repeatable; default /etc/resolv.conf)', (v: string, p: string[] = []) => [...p, v])
    .option('--reports <dir>', 'DMARC aggregate reports: add their simulated impact to the risk note of each DMARC change')
    .action(async (_opts: PlanCommandOptions, command: Command) => {
      const opts = command.optsWithGlobals<PlanCommandOptions>();
      const ctx = makeContext(io, opts);
      const servers = resolverServers(opts.resolver);
      const run = await computePlan(ctx, { resolve: Boolean(opts.resolve), live: Boolean(opts.live), ...(servers ? { resolvers: servers } : {}) });
      const plan = opts.reports ? withDmarcImpact(run.plan, await summarizeDmarcImpact(path.resolve(ctx.root, opts.reports), run.policy)) : run.plan;
      refuseBrokenPlan(ctx, plan);
      io.stdout(renderPlan(ctx, plan));
      setExit(opts.detailedExitcode && hasChanges(plan) ? 2 : 0);
    });
}
