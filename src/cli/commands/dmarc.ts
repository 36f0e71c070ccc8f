// mailrec dmarc simulate: replay aggregate reports under a proposed DMARC record.

import type { Command } from 'commander';
import { analyzeReports } from '../../dmarc-reports/analyze.js';
import { createDnsClient } from '../../dns/client.js';
import { UsageError } from '../../base/errors.js';
import { loadPolicy } from '../../policy/load.js';
import type { Policy } from '../../policy/model.js';
import { renderDmarcJson } from '../../report/dmarc-json.js';
import { renderDmarcMarkdown } from '../../report/dmarc-markdown.js';
import { renderDmarcText } from '../../report/dmarc-text.js';
import { selectArchive, type ArchiveSelection } from '../../dmarc-reports/archive-select.js';
import { makeContext } from '../context.js';
import { colourEnabled, styleFor, type CliIO } from '../io.js';
import { openArchiveFiles, WINDOW_HELP, windowOf, type ArchiveOptions } from '../reports-archive.js';

interface SimulateOptions extends ArchiveOptions {
  domain?: string;
  record?: string;
  resolve?: boolean;
  top?: string;
  trustReceiver?: boolean;
}

export function registerDmarc(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const dmarc = program.command('dmarc').description('DMARC aggregate reports');
  dmarc
    .command('simulate')
    .description('replay DMARC aggregate reports (XML, .gz, .zip, .eml, mbox) under a proposed record: what would be quarantined or rejected, by source')
    .argument('[reports...]', 'report files or directories (read recursively); none with --since or --between, which read the archive')
    .option('--domain <domain>', 'only mail from this domain and its subdomains (with --record: the domain the record is for)')
    .option('--record <text>', 'the proposed record, e.g. "v=DMARC1; p=reject" (default: what the policy publishes)')
    .option('--resolve', 'ask DNS: reverse names of sources, non-existent subdomains (np=), the policy\'s SPF includes')
    .option('--top <n>', 'sources to show with their fixes (0: all)', '20')
    .option('--since <period>', WINDOW_HELP.since)
    .option('--between <dates...>', WINDOW_HELP.between)
    .option('--archive <dir>', WINDOW_HELP.archive)
    .option('--trust-receiver', "take DKIM and SPF results from the receivers' own verdicts (policy_evaluated) instead of recomputing them")
    .action(async (reports: string[], _opts: SimulateOptions, command: Command) => {
      const opts = command.optsWithGlobals<SimulateOptions>();
      const ctx = makeContext(io, opts);
      const window = windowOf(opts, new Date());
      if (window && reports.length > 0) throw new UsageError('--since and --between read the archive; they do not go with report files', 'give files, or a time window, not both');
      if (!window && reports.length === 0) throw new UsageError('no reports to read', 'give report files or directories, or read the archive with --since 30d or --between A B');
      const top = Number(opts.top ?? '20');
      if (!Number.isInteger(top) || top < 0) throw new UsageError(`--top ${opts.top}: not a number of sources`, 'e.g. --top 50, or --top 0 for all');
      // The policy is needed for the proposed record, and for the fixes when --record is given.
      let policy: Policy | undefined;
      const explicitPolicy = (opts.policy ?? []).length > 0;
      if (opts.record === undefined || explicitPolicy || ctx.policyPaths.every((p) => ctx.files.exists(p)))
        policy = await loadPolicy(ctx.policyPaths, { root: ctx.root, files: ctx.files });
      const progress = io.stderrIsTTY
        ? (done: number, total: number) => {
            if (total >= 100 && (done % 100 === 0 || done === total)) io.stderr(`\rreading reports: ${done}/${total}${done === total ? '\n' : ''}`);
          }
        : undefined;
      let selection: ArchiveSelection | undefined;
      if (window) {
        const { files, dir } = openArchiveFiles(ctx, opts, policy);
        selection = selectArchive(files, dir, 'dmarc', window, opts.domain?.trim().toLowerCase().replace(/\.$/, ''));
      }
      const analysis = await analyzeReports({
        // Named on the command line; a report linked out of the repo from there is not read.
        paths: selection ? selection.paths : reports.map((r) => ctx.files.allowNamed(r)),
        ...(selection ? {} : { allow: (real: string) => ctx.files.isAllowed(real) }),
        base: ctx.root,
        ...(policy ? { policy } : {}),
        ...(opts.record !== undefined ? { record: opts.record } : {}),
        ...(opts.domain !== undefined ? { domain: opts.domain } : {}),
        ...(opts.resolve ? { resolver: createDnsClient() } : {}),
        top,
        ...(opts.trustReceiver ? { trustReceiver: true } : {}),
        ...(progress ? { onFile: progress } : {}),
      });
      if (selection) analysis.coverage = selection.coverage;
      if (ctx.format === 'json') io.stdout(renderDmarcJson(analysis));
      else if (ctx.format === 'markdown') io.stdout(renderDmarcMarkdown(analysis));
      else io.stdout(renderDmarcText(analysis, styleFor(colourEnabled(io.env, io.stdoutIsTTY))));
      // Reports that could not be read are named on stdout too; on stderr, one line each.
      for (const e of analysis.input.errors) io.stderr(`warning: ${e.file}: ${e.message}\n`);
      for (const w of analysis.input.warnings) io.stderr(`warning: ${w.file}: ${w.message}\n`);
      setExit(0);
    });
}
