// mailrec tlsrpt summary: RFC 8460 reports from the archive (over a time window) or from files:
// sessions succeeded and failed per policy, by result type and receiving MX.

import type { Command } from 'commander';
import { UsageError } from '../../base/errors.js';
import { readTlsFiles, readTlsReports, selectArchive } from '../../dmarc-reports/archive-select.js';
import { sinceWindow } from '../../dmarc-reports/window.js';
import { renderTlsJson, renderTlsMarkdown, renderTlsText, type TlsSummaryView } from '../../report/tlsrpt.js';
import { makeContext } from '../context.js';
import type { CliIO } from '../io.js';
import { loadPolicyIfAny, openArchiveFiles, WINDOW_HELP, windowOf, type ArchiveOptions } from '../reports-archive.js';

interface SummaryOptions extends ArchiveOptions {
  domain?: string;
}

const MAX_MESSAGE_BYTES = 64 << 20;

export function registerTlsRpt(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const tlsrpt = program.command('tlsrpt').description('SMTP TLS reports (RFC 8460)');
  tlsrpt
    .command('summary')
    .description('sessions succeeded and failed per policy, by result type and receiving MX, from the archive (default: the last 30 days) or from files')
    .argument('[reports...]', 'TLS report files or directories (.json, .json.gz, mail, mbox) instead of the archive')
    .option('--since <period>', WINDOW_HELP.since)
    .option('--between <dates...>', WINDOW_HELP.between)
    .option('--domain <domain>', 'only this policy domain (and those below it)')
    .option('--archive <dir>', WINDOW_HELP.archive)
    .action(async (reports: string[], _opts: SummaryOptions, command: Command) => {
      const opts = command.optsWithGlobals<SummaryOptions>();
      const ctx = makeContext(io, opts);
      const now = new Date();
      const window = windowOf(opts, now);
      let view: TlsSummaryView;
      if (reports.length > 0) {
        if (window) throw new UsageError('--since and --between read the archive; they do not go with report files', 'give files, or a time window, not both');
        const { files } = openArchiveFiles(ctx, opts, undefined);
        const read = await readTlsFiles(files, reports, MAX_MESSAGE_BYTES);
        view = { input: `${reports.length} path${reports.length === 1 ? '' : 's'} given`, summary: read.summary, errors: read.errors };
      } else {
        const policy = await loadPolicyIfAny(ctx, opts);
        const { files, dir } = openArchiveFiles(ctx, opts, policy);
        const w = window ?? sinceWindow('30d', now);
        const domain = opts.domain?.trim().toLowerCase().replace(/\.$/, '');
        const selection = selectArchive(files, dir, 'tlsrpt', w, domain);
        const read = readTlsReports(files, dir, selection.entries);
        view = { input: w.label, summary: read.summary, coverage: selection.coverage, errors: read.errors };
      }
      if (opts.domain !== undefined && reports.length > 0) {
        const d = opts.domain.trim().toLowerCase().replace(/\.$/, '');
        view.summary = { ...view.summary, policies: view.summary.policies.filter((p) => p.domain === d || p.domain.endsWith(`.${d}`)) };
      }
      io.stdout(ctx.format === 'json' ? renderTlsJson(view) : ctx.format === 'markdown' ? renderTlsMarkdown(view) : renderTlsText(view));
      for (const e of view.errors) io.stderr(`warning: ${e.file}: ${e.message}\n`);
      setExit(0);
    });
}
