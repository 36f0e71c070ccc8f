// mailrec plan: what would change, record by record, with the risk explained.

import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { readTlsReports, selectArchive } from '../../dmarc-reports/archive-select.js';
import { INDEX_FILE } from '../../dmarc-reports/archive.js';
import { summarizeDmarcImpact, withDmarcImpact, withExtraRisks } from '../../dmarc-reports/impact.js';
import { tlsRisks } from '../../dmarc-reports/tls-impact.js';
import { sinceWindow } from '../../dmarc-reports/window.js';
import { mtaStsPolicyPath } from '../../mail/mta-sts/record.js';
import path from 'node:path';
import { RecordError, UsageError } from '../../base/errors.js';
import { readPlanFile } from '../plan-file.js';
import { hasChanges, type Plan } from '../../plan/plan.js';
import { loadPolicy } from '../../policy/load.js';
import type { Policy } from '../../policy/model.js';
import { renderPlanMarkdown } from '../../report/plan-markdown.js';
import { addSummary, emptySummary, summarizePlan } from '../../report/plan-summary.js';
import { planTailLines, planTextLines, renderNotice } from '../../report/plan-text.js';
import { jsonPieces } from '../../base/json-pieces.js';
import { makeContext, type Context } from '../context.js';
import { openArchiveFiles, WINDOW_HELP, windowOf, type ArchiveOptions } from '../reports-archive.js';
import { colourEnabled, styleFor, TextChunks, writePieces, type CliIO } from '../io.js';
import { parseServer } from '../../dns/servers.js';
import { canStreamPlan, computePlan, streamPlan, type StreamOptions } from '../workflow.js';
import { parseInteger } from '../parse.js';

/** Writes the plan in ctx.format to stdout, piece by piece: a 100,000-zone plan's text is never held whole. */
export function writePlan(ctx: Context, plan: Plan): void {
  switch (ctx.format) {
    case 'json':
      writePieces(ctx.io, jsonPieces({ ...plan, summary: summarizePlan(plan) }), '\n');
      return;
    case 'markdown':
      ctx.io.stdout(renderPlanMarkdown(plan));
      return;
    default:
      writePieces(ctx.io, planTextLines(plan, styleFor(colourEnabled(ctx.io.env, ctx.io.stdoutIsTTY))), '\n', '\n');
  }
}

/**
 * The text plan streamed zone by zone (streamPlan): the same text as writePlan's, with no plan
 * held whole. The zones' text waits until the plan is known to have no error (refuseBrokenPlan
 * prints nothing on stdout). True when applying it would change anything.
 */
async function writeStreamedPlan(ctx: Context, policy: Policy, options: StreamOptions): Promise<boolean> {
  const colour = colourEnabled(ctx.io.env, ctx.io.stdoutIsTTY);
  const summary = emptySummary();
  const text = new TextChunks();
  let zoneWork = false;
  const tail = await streamPlan(ctx, policy, { ...options, colour }, (zone) => {
    addSummary(summary, zone.summary);
    zoneWork ||= zone.write;
    text.add(zone.text);
  });
  summary.files = tail.files.length;
  refuseBrokenPlan(ctx, tail);
  for (const line of planTailLines(tail, summary, styleFor(colour))) text.add(line);
  for (const chunk of text.chunks()) ctx.io.stdout(chunk);
  return zoneWork || summary.create + summary.update + summary.delete > 0 || tail.files.length > 0;
}

/** A plan with error notices must not be applied: print them and refuse. */
export function refuseBrokenPlan(ctx: Context, plan: Pick<Plan, 'notices'>): void {
  const errors = plan.notices.filter((n) => n.severity === 'error');
  if (errors.length === 0) return;
  const style = styleFor(colourEnabled(ctx.io.env, ctx.io.stderrIsTTY));
  for (const notice of errors) ctx.io.stderr(`${renderNotice(notice, style)}\n`);
  // Over the SPF lookup limit, the ways out come with the refusal.
  for (const notice of plan.notices.filter((n) => n.code === 'spf.remedy')) ctx.io.stderr(`${renderNotice(notice, style)}\n`);
  throw new RecordError(
    `the policy asks for ${errors.length === 1 ? 'a record' : `${errors.length} records`} that would break the RFCs; nothing was planned`,
    undefined,
    'fix the policy at the places above',
  );
}

interface PlanCommandOptions extends ArchiveOptions {
  detailedExitcode?: boolean;
  resolve?: boolean;
  live?: boolean;
  resolver?: string[];
  reports?: string | true;
  allowLargeTxt?: boolean;
  planFile?: string;
  jobs?: string;
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
    .option('--reports [dir]', 'add what the reports say to the risk notes: DMARC changes get the simulated impact, MTA-STS enforce and TLSA changes the TLS-RPT failures; without DIR (or with --since, --between) the archive over a window (default 30d), with DIR the report files in it')
    .option('--since <period>', WINDOW_HELP.since)
    .option('--between <dates...>', WINDOW_HELP.between)
    .option('--archive <dir>', WINDOW_HELP.archive)
    .option('--allow-large-txt', 'publish TXT records that do not fit a 1232-octet UDP answer (resolvers must retry over TCP)')
    .option('--jobs <n>', 'threads that parse the policy files and that read, diff and render the zones of a text plan (zones: default one per core from 20,000, else 1)')
    .option('--plan-file <file>', 'render this saved plan (from plan --format json) in --format, as it is: nothing is read from the policy or DNS')
    .action(async (_opts: PlanCommandOptions, command: Command) => {
      const opts = command.optsWithGlobals<PlanCommandOptions>();
      const ctx = makeContext(io, opts);
      if (opts.planFile !== undefined) {
        // The markdown of a reviewed plan must be that plan's: a second --resolve could differ.
        const computing = (['resolve', 'live', 'reports', 'since', 'between', 'archive', 'allowLargeTxt', 'jobs'] as const).filter((o) => opts[o] !== undefined && opts[o] !== false);
        if (computing.length > 0)
          throw new UsageError(`--plan-file renders a saved plan as it is; it takes no ${computing.map((o) => `--${o.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`);
        const saved = readPlanFile(ctx.files, opts.planFile);
        writePlan(ctx, saved);
        setExit(opts.detailedExitcode && hasChanges(saved) ? 2 : 0);
        return;
      }
      const servers = resolverServers(opts.resolver);
      const jobs = parseInteger(opts.jobs, '--jobs', 1, 256);
      const threads = jobs === undefined ? {} : { jobs };
      const policy = await loadPolicy(ctx.policyPaths, { root: ctx.root, files: ctx.files, ...threads });
      const options = { resolve: Boolean(opts.resolve), live: Boolean(opts.live), allowLargeTxt: Boolean(opts.allowLargeTxt) };
      if (ctx.format === 'text' && opts.reports === undefined && !windowOf(opts, new Date()) && canStreamPlan(policy, options)) {
        setExit((await writeStreamedPlan(ctx, policy, { allowLargeTxt: options.allowLargeTxt, ...threads })) && opts.detailedExitcode ? 2 : 0);
        return;
      }
      const run = await computePlan(ctx, { policy, resolve: Boolean(opts.resolve), live: Boolean(opts.live), allowLargeTxt: Boolean(opts.allowLargeTxt), ...(servers ? { resolvers: servers } : {}) });
      const plan = await withReports(ctx, opts, run);
      refuseBrokenPlan(ctx, plan);
      writePlan(ctx, plan);
      setExit(opts.detailedExitcode && hasChanges(plan) ? 2 : 0);
    });
}

/**
 * plan --reports: report files in DIR (DMARC only, as before), or the archive over a window:
 * DMARC impact and TLS-RPT failures, each with what the window's reports cover.
 */
async function withReports(ctx: Context, opts: PlanCommandOptions, run: { plan: Plan; policy: Policy }): Promise<Plan> {
  const now = new Date();
  const window = windowOf(opts, now);
  if (opts.reports === undefined && !window) return run.plan;
  // Named on the command line; a report linked out of the repo from there is not read.
  const dir = typeof opts.reports === 'string' ? ctx.files.allowNamed(opts.reports) : undefined;
  const allow = (real: string) => ctx.files.isAllowed(real);
  if (dir !== undefined && !window && !existsSync(path.join(dir, INDEX_FILE))) return withDmarcImpact(run.plan, await summarizeDmarcImpact([dir], run.policy, { allow }));
  const { files, dir: archive } = openArchiveFiles(ctx, dir !== undefined ? { ...opts, archive: dir } : opts, run.policy);
  const w = window ?? sinceWindow('30d', now);
  const dmarc = selectArchive(files, archive, 'dmarc', w);
  let plan = withDmarcImpact(run.plan, await summarizeDmarcImpact(dmarc.paths, run.policy, { coverage: dmarc.coverage }));
  const tls = selectArchive(files, archive, 'tlsrpt', w);
  const { summary } = readTlsReports(files, archive, tls.entries);
  const currentModes = new Map<string, string | undefined>();
  for (const d of run.policy.domains) {
    if (!d.mtaSts) continue;
    const text = ctx.files.readOptional(mtaStsPolicyPath(d.name), 'generated');
    currentModes.set(d.name, text === undefined ? undefined : /^mode:\s*([a-z]+)\s*$/m.exec(text)?.[1]);
  }
  const input = { summary, window: w.label, coverage: tls.coverage, policy: run.policy, currentModes };
  const base = plan;
  plan = withExtraRisks(base, (change) => tlsRisks(base, change, input));
  return plan;
}
