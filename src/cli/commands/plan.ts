// mailrec plan: what would change, record by record, with the risk explained.

import type { Command } from 'commander';
import { RecordError } from '../../errors.js';
import { hasChanges, type Plan } from '../../plan/plan.js';
import { renderPlanMarkdown } from '../../report/plan-markdown.js';
import { summarizePlan } from '../../report/plan-summary.js';
import { renderNotice, renderPlanText } from '../../report/plan-text.js';
import { makeContext, type Context, type GlobalOptions } from '../context.js';
import { colourEnabled, styleFor, type CliIO } from '../io.js';
import { computeFilePlan } from '../workflow.js';

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

interface PlanOptions extends GlobalOptions {
  detailedExitcode?: boolean;
}

export function registerPlan(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('plan')
    .description('show what apply would change, record by record, with the risk explained')
    .option('--detailed-exitcode', 'exit 2 when there are changes, 0 when none')
    .action(async (_opts: PlanOptions, command: Command) => {
      const opts = command.optsWithGlobals<PlanOptions>();
      const ctx = makeContext(io, opts);
      const { plan } = await computeFilePlan(ctx);
      refuseBrokenPlan(ctx, plan);
      io.stdout(renderPlan(ctx, plan));
      setExit(opts.detailedExitcode && hasChanges(plan) ? 2 : 0);
    });
}
