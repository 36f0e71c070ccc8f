// mailrec export: the records plan computes, as octoDNS zone YAML or DNSControl JavaScript, one file per zone.

import path from 'node:path';
import type { Command } from 'commander';
import { writeFilesAtomically } from '../../apply/atomic-write.js';
import { MailrecError, UsageError } from '../../base/errors.js';
import { exportDnscontrol } from '../../interop/export/dnscontrol.js';
import { EXPORT_MARK, type ExportFile } from '../../interop/export/names.js';
import { ExportError } from '../../base/errors.js';
import { exportOctodns } from '../../interop/export/octodns.js';
import { loadPolicy } from '../../policy/load.js';
import { buildZoneRecords } from '../../build/zone-records.js';
import { readSpfInputs } from '../workflow.js';
import { renderNotice } from '../../report/plan-text.js';
import { clip } from '../../base/quote.js';
import { makeContext, type GlobalOptions } from '../context.js';
import { colourEnabled, styleFor, type CliIO } from '../io.js';

interface ExportOptions extends GlobalOptions {
  to?: string;
  out?: string;
  octodnsMerge?: string;
  dnscontrolExtend?: boolean;
  dnscontrolRegistrar: string;
  dnscontrolProvider: string;
  force?: boolean;
}

const TOOLS = ['octodns', 'dnscontrol'] as const;

export function registerExport(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('export')
    .description('write the records plan computes as octoDNS zone YAML or DNSControl JavaScript, one file per zone')
    .requiredOption('--to <tool>', `target tool: ${TOOLS.join(' or ')}`)
    .requiredOption('--out <dir>', 'directory for the files (created if missing)')
    .option('--octodns-merge <dir>', 'octoDNS: merge into your zone files <dir>/<zone>.yaml (mailrec owns its tagged TXT values and its MX/SRV/TLSA RRsets)')
    .option('--dnscontrol-extend', 'DNSControl: D_EXTEND() into the D() of your dnsconfig.js instead of a D() of its own')
    .option('--dnscontrol-registrar <var>', 'DNSControl: the registrar variable of the D()', 'REG_NONE')
    .option('--dnscontrol-provider <var>', 'DNSControl: the DNS provider variable of the D()', 'DSP_MAILREC')
    .option('--force', 'overwrite files in the directory that mailrec did not write')
    .action(async (_opts: ExportOptions, command: Command) => {
      const opts = command.optsWithGlobals<ExportOptions>();
      const ctx = makeContext(io, opts);
      const tool = opts.to?.toLowerCase();
      if (!tool || !(TOOLS as readonly string[]).includes(tool)) throw new UsageError(`unknown export target '${opts.to}'`, `use --to ${TOOLS.join('|')}`);
      const policy = await loadPolicy(ctx.policyPaths, { root: ctx.root, files: ctx.files });
      // Own host addresses and flattened ranges from the zone repo, as plan reads them.
      const desired = buildZoneRecords(policy, (await readSpfInputs(ctx, policy)).inputs);
      const errors = desired.flatMap((z) => z.notices).filter((n) => n.severity === 'error');
      if (errors.length > 0) {
        const style = styleFor(colourEnabled(io.env, io.stderrIsTTY));
        for (const notice of errors) io.stderr(`${renderNotice(notice, style)}\n`);
        throw new MailrecError(`the policy asks for records that would break the RFCs; nothing was exported`, 'fix the policy at the places above');
      }
      const sources = policy.files;
      // Named on the command line: a directory outside the repo is the user's say-so.
      const outDir = ctx.files.allowNamed(opts.out!);
      const merge = new Map<string, { file: string; text: string }>();
      if (opts.octodnsMerge !== undefined) {
        if (tool !== 'octodns') throw new UsageError('--octodns-merge goes with --to octodns');
        const mergeDir = ctx.files.allowNamed(opts.octodnsMerge);
        if (mergeDir === outDir) throw new UsageError('--octodns-merge and --out name the same directory', 'write the merged zone files elsewhere: your files stay yours');
        for (const zone of desired) {
          const file = path.join(mergeDir, `${zone.zone}.yaml`);
          const text = ctx.files.readOptional(file, 'export');
          if (text !== undefined) merge.set(zone.zone, { file: ctx.files.show(file), text });
        }
      }
      let files: ExportFile[];
      try {
        files =
          tool === 'octodns'
            ? exportOctodns(desired, sources, { merge })
            : exportDnscontrol(desired, sources, {
                extend: Boolean(opts.dnscontrolExtend),
                registrar: opts.dnscontrolRegistrar,
                provider: opts.dnscontrolProvider,
              });
      } catch (error) {
        if (error instanceof ExportError) throw new MailrecError(`cannot export to ${tool}: ${error.message}`);
        if (error instanceof Error && error.name === 'YAMLParseError') throw new MailrecError(`cannot read the zone file to merge: ${clip(error.message.split('\n')[0]!)}`);
        throw error;
      }

      const writes: { file: string; content: string }[] = [];
      const written: string[] = [];
      const unchanged: string[] = [];
      const foreign: string[] = [];
      for (const file of files) {
        const abs = path.join(outDir, file.path);
        const shown = ctx.files.show(abs);
        const existing = ctx.files.readOptional(abs, 'export');
        if (existing === file.content) {
          unchanged.push(shown);
          continue;
        }
        // Never overwrite a file mailrec did not write (the user's own zone YAML or dnsconfig.js).
        if (existing !== undefined && !existing.slice(0, 200).includes(EXPORT_MARK) && !opts.force) foreign.push(shown);
        writes.push({ file: abs, content: file.content });
        written.push(shown);
      }
      if (foreign.length > 0) {
        throw new MailrecError(`${foreign.join(', ')} ${foreign.length === 1 ? 'exists and was' : 'exist and were'} not written by mailrec export; nothing was written`, 'export into a directory of its own, or pass --force');
      }
      writeFilesAtomically(ctx.files, writes);
      const generated = desired.flatMap((z) => z.files.map((f) => f.path));
      if (ctx.format === 'json') {
        io.stdout(`${JSON.stringify({ to: tool, written, unchanged, notServed: generated }, null, 2)}\n`);
      } else {
        for (const file of written) io.stdout(`wrote ${file}\n`);
        for (const file of unchanged) io.stdout(`unchanged ${file}\n`);
        for (const file of generated) io.stdout(`note: ${file} is not part of the export: mailrec apply writes it; serve it from the MTA-STS web server\n`);
      }
      setExit(0);
    });
}
