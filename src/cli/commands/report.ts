// mailrec report html: a static site from the audit history (audit --history DIR) and, when
// given, the report archive: the estate page and one page per domain, written under --out.
// The shell only: the history store reads the runs, the report archive's readers the reports,
// report/html renders, apply/site-files writes.

import type { Command } from 'commander';
import { readRun, listRuns } from '../../audit/history/store.js';
import { MailrecError, UsageError } from '../../base/errors.js';
import { SiteWriter } from '../../apply/site-files.js';
import { readReportSeries, type ReportSeries } from '../../dmarc-reports/daily-series.js';
import { SiteHistory } from '../../report/html/site-model.js';
import { renderSite } from '../../report/html/site.js';
import { DOMAIN_PAGE_NAME, DOMAIN_PAGES_DIR } from '../../report/html/file-names.js';
import { makeContext } from '../context.js';
import type { CliIO } from '../io.js';
import { openArchiveFiles, WINDOW_HELP, windowOf, type ArchiveOptions } from '../reports-archive.js';
import { sinceWindow } from '../../dmarc-reports/window.js';

interface HtmlOptions extends ArchiveOptions {
  history?: string;
  reports?: string;
  out?: string;
}

export function registerReport(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const report = program.command('report').description('reports for people to read');
  report
    .command('html')
    .description('a static site (no server, no network at view time) from the audit history and the report archive: the estate, one page per domain, trends')
    .requiredOption('--history <dir>', 'the audit history (mailrec audit --history DIR): one audit-<time>.json.gz per run')
    .option('--reports <dir>', 'the report archive (mailrec reports fetch): DMARC sources, aligned share, next policy step, TLS-RPT per MX')
    .option('--since <period>', `with --reports: ${WINDOW_HELP.since} (default 30d)`)
    .option('--between <dates...>', `with --reports: ${WINDOW_HELP.between}`)
    .requiredOption('--out <dir>', 'where the site goes (created; nothing is written outside it or through a link)')
    .action(async (_opts: HtmlOptions, command: Command) => {
      const opts = command.optsWithGlobals<HtmlOptions>();
      const ctx = makeContext(io, opts);
      const now = ctx.now();
      const window = windowOf(opts, now);
      if (window && opts.reports === undefined) throw new UsageError('--since and --between choose the reports shown', 'add --reports ARCHIVE');

      // Named on the command line: the history may lie outside the zone repo (a CI cache).
      const historyDir = ctx.files.allowNamed(opts.history!);
      const runs = listRuns(ctx.files, historyDir);
      if (runs.length === 0) throw new UsageError(`${opts.history}: no audit runs (audit-<time>.json.gz)`, 'store runs with mailrec audit --history DIR');
      const history = new SiteHistory();
      let skipped = 0;
      runs.forEach((run, i) => {
        if (io.stderrIsTTY && runs.length >= 10) io.stderr(`\rreading runs: ${i + 1}/${runs.length}${i + 1 === runs.length ? '\n' : ''}`);
        let part;
        try {
          part = readRun(ctx.files, run.file);
        } catch (error) {
          // One broken run (a cache cut short) leaves a gap in the trend, not a site unbuilt.
          if (!(error instanceof MailrecError)) throw error;
          io.stderr(`warning: ${run.name}: ${error.message}; left out\n`);
          skipped++;
          return;
        }
        history.add({ time: run.time.toISOString() }, part);
      });
      if (history.runs.length === 0) throw new UsageError(`${opts.history}: none of the ${runs.length} runs could be read`);

      let series: ReportSeries | undefined;
      if (opts.reports !== undefined) {
        const { files, dir } = openArchiveFiles(ctx, { ...opts, archive: opts.reports }, undefined);
        series = await readReportSeries(files, dir, window ?? sinceWindow('30d', now));
        for (const e of series.errors.slice(0, 20)) io.stderr(`warning: ${e.file}: ${e.message}\n`);
        if (series.errors.length > 20) io.stderr(`warning: ${series.errors.length - 20} more report files could not be read\n`);
      }

      const writer = new SiteWriter(ctx.files.allowNamed(opts.out!));
      for (const file of renderSite(history, series)) writer.write(file.path, file.content);
      // Pages of domains gone from the newest run would linger unlinked on a published site.
      const stale = writer.removeStale(DOMAIN_PAGES_DIR, DOMAIN_PAGE_NAME);
      const summary = { out: opts.out!, pages: writer.written, stalePagesRemoved: stale, runs: history.runs.length, skippedRuns: skipped, domains: history.current.length, dmarcReports: series?.dmarcReports ?? 0, tlsReports: series?.tlsReports ?? 0 };
      if (ctx.format === 'json') io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
      else io.stdout(`wrote ${summary.pages} pages to ${summary.out} (${summary.domains} domains, ${summary.runs} runs${skipped > 0 ? `, ${skipped} unreadable left out` : ''}${series ? `, ${summary.dmarcReports} DMARC and ${summary.tlsReports} TLS reports` : ''})${stale > 0 ? `; removed ${stale} page${stale === 1 ? '' : 's'} of domains no longer audited` : ''}\n`);
      setExit(0);
    });
}
