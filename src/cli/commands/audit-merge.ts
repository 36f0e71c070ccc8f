// mailrec audit merge FILE...: the json/NDJSON outputs of sharded audit jobs into one
// report and one exit code (0 pass, 2 threshold breached, 1 outputs that do not merge).

import type { Command } from 'commander';
import { mergeAuditParts, mergedRun, parseAuditOutput, type AuditPart } from '../../audit/merge.js';
import { renderComparisonLine, renderDomainJsonLine, renderMergedJson } from '../../report/audit-json.js';
import { mergeComparisons } from '../../audit/history/compare.js';
import type { Policy } from '../../policy/model.js';
import { addHistoryFlags, compareWith, notifyNew, planHistory, storeRun, type HistoryFlags } from '../history.js';
import { RepoFileError, UsageError } from '../../base/errors.js';
import { loadPolicy } from '../../policy/load.js';
import { summarizeAudit } from '../../audit/summary.js';
import { renderAuditSummaryLine } from '../../report/audit-json.js';
import { makeContext, type GlobalOptions } from '../context.js';
import type { CliIO } from '../io.js';
import { AUDIT_FORMATS, renderAudit } from './audit-render.js';
import { packageVersion } from '../package-info.js';
import { parseFailOn, parseInteger } from '../parse.js';

interface MergeOptions extends GlobalOptions, HistoryFlags {
  failUnder?: string;
  allowUnknown?: boolean;
  failOn?: string;
}

export function registerAuditMerge(audit: Command, io: CliIO, setExit: (code: number) => void): void {
  const merge = audit
    .command('merge')
    .description('merge the json outputs of sharded audit runs (--shard K/N) into one report and one exit code')
    .argument('<files...>', 'outputs of `mailrec audit --format json` (documents or NDJSON), one per shard')
    .option('--fail-under <score>', 'exit 2 when a domain scores under this (0-100); default: the shards\' own')
    .option('--allow-unknown', 'with --fail-under: compare the score, not the worst case; default: the shards\' own')
    .option('--fail-on <severity>', 'exit 2 on a finding of this severity or worse: error or warning; default: the shards\' own');
  addHistoryFlags(merge).action(async (files: string[], _opts: MergeOptions, command: Command) => {
      // --fail-under/--fail-on may be taken by `audit` itself (they are its options too).
      const opts = command.optsWithGlobals<MergeOptions>();
      const ctx = makeContext(io, opts, AUDIT_FORMATS);
      const failUnder = parseInteger(opts.failUnder, '--fail-under', 0, 100);
      const failOn = parseFailOn(opts.failOn, '--fail-on');
      const history = planHistory(ctx, opts);
      if (history.dir !== undefined && !history.previous) io.stderr(`note: no earlier run in ${opts.history}: nothing to compare with; this run is stored as the first\n`);

      const parts: AuditPart[] = [];
      const problems: string[] = [];
      for (const file of files) {
        let text: string;
        try {
          text = ctx.files.read(ctx.files.allowNamed(file), 'audit-output');
        } catch (error) {
          if (!(error instanceof RepoFileError)) throw error;
          problems.push(`cannot read ${file}: ${error.reason}`);
          continue;
        }
        const parsed = parseAuditOutput(text, file);
        if (parsed.ok) parts.push(parsed.part);
        else problems.push(parsed.message);
      }
      if (problems.length === 0) {
        const merged = mergeAuditParts(parts);
        if (merged.ok) {
          const thresholds = { ...(failUnder !== undefined ? { failUnder } : {}), ...(opts.allowUnknown ? { allowUnknown: true } : {}), ...(failOn ? { failOn } : {}) };
          const run = mergedRun(merged.merged, thresholds, packageVersion());
          // Compared here when asked; else the parts' own comparisons, joined, when every part has one.
          const comparison =
            compareWith(history, { domains: merged.merged.domains }) ??
            (parts.every((p) => p.comparison) ? mergeComparisons(parts.map((p) => p.comparison!)) : undefined);
          if (comparison) run.comparison = comparison;
          if (history.failOnNew) run.failOnNew = history.failOnNew;
          // In the zone repo, the policy gives SARIF its locations (the line that declared
          // each record), as it does for the audit itself.
          let policy: Policy | undefined;
          if ((opts.policy?.length ?? 0) > 0 || ctx.policyPaths.every((p) => ctx.files.exists(p))) {
            policy = await loadPolicy(ctx.policyPaths, { root: ctx.root, files: ctx.files });
            const names = new Set(merged.merged.domains.map((d) => d.domain));
            run.policies = new Map(policy.domains.filter((d) => names.has(d.name)).map((d) => [d.name, d]));
          }
          const summary = summarizeAudit(run);
          const json = renderMergedJson(merged.merged, run);
          if (ctx.format === 'json') io.stdout(json);
          else if (ctx.format === ('ndjson' as string)) {
            // The domains exactly as the shards wrote them.
            for (const d of merged.merged.domains) io.stdout(renderDomainJsonLine(d));
            if (comparison) io.stdout(renderComparisonLine(comparison));
            io.stdout(renderAuditSummaryLine(summary, { source: run.source }));
          } else io.stdout(renderAudit(ctx.format, run, io));
          storeRun(ctx, history, json);
          if (!summary.passed && ctx.format !== 'text') for (const failure of summary.failures) io.stderr(`failed: ${failure}\n`);
          await notifyNew(ctx, history, comparison, policy);
          setExit(summary.passed ? 0 : 2);
          return;
        }
        problems.push(...merged.problems);
      }
      for (const p of problems.slice(0, -1)) io.stderr(`error: ${p}\n`);
      throw new UsageError(problems.at(-1)!, 'merge the outputs of one sharded run: every shard K/N of the same list once (mailrec audit --shard K/N --format json)');
    });
}
