// Command-line wiring only: parse flags, call the core, pick a renderer, set the
// exit code. Known errors print one line and a hint; unknown ones are bugs.

import { Command, CommanderError } from 'commander';
import { describeFsError } from '../base/fs-errors.js';
import { MailrecError, PolicyError, formatPosition } from '../base/errors.js';
import { registerApply } from './commands/apply.js';
import { registerAudit } from './commands/audit.js';
import { registerExport } from './commands/export.js';
import { registerDmarc } from './commands/dmarc.js';
import { registerDkim } from './commands/dkim.js';
import { registerImport } from './commands/import.js';
import { registerInit } from './commands/init.js';
import { registerPlan } from './commands/plan.js';
import { registerReport } from './commands/report.js';
import { registerReports } from './commands/reports.js';
import { registerSchema } from './commands/schema.js';
import { registerSpf } from './commands/spf.js';
import { registerTlsRpt } from './commands/tlsrpt.js';
import { colourEnabled, processIO, styleFor, type CliIO } from './io.js';
import { packageVersion } from './package-info.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command('mailrec')
    .description('Mail-authentication DNS records as code: plan, apply, audit.')
    .version(packageVersion())
    .option('-C, --chdir <dir>', 'the zone repo root (paths in the policy are relative to it)')
    .option('-p, --policy <path>', 'policy file or directory (repeatable; default: policies/)', collect)
    .option('--allow-outside <path>', 'let links and $INCLUDEs in the zone repo reach this file or directory outside it (repeatable)', collect)
    .option('-f, --format <format>', 'output format: text, json or markdown (audit also: sarif, junit)', 'text')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run mailrec --help for usage)');
  registerPlan(program, io, setExit);
  registerApply(program, io, setExit);
  registerSchema(program, io, setExit);
  registerInit(program, io, setExit);
  registerAudit(program, io, setExit);
  registerSpf(program, io, setExit);
  registerImport(program, io, setExit);
  registerExport(program, io, setExit);
  registerDmarc(program, io, setExit);
  registerReports(program, io, setExit);
  registerReport(program, io, setExit);
  registerTlsRpt(program, io, setExit);
  registerDkim(program, io, setExit);
  return program;
}

/** Runs the CLI and returns the exit code; never calls process.exit. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  const style = styleFor(colourEnabled(io.env, io.stderrIsTTY));
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version "fail" with exit code 0; usage errors were printed by commander.
      return err.exitCode === 0 ? 0 : 1;
    }
    if (err instanceof PolicyError) {
      for (const issue of err.issues) {
        io.stderr(`${style('error', `${formatPosition(issue.position)}: ${issue.message}`)}${issue.hint ? ` (${issue.hint})` : ''}\n`);
      }
      io.stderr(`${style('error', 'error:')} ${err.issues.length} problem${err.issues.length === 1 ? '' : 's'} in the policy; nothing was written\n`);
      return err.exitCode;
    }
    if (err instanceof MailrecError) {
      io.stderr(`${style('error', 'error:')} ${err.message}\n`);
      if (err.hint) io.stderr(`hint: ${err.hint}\n`);
      return err.exitCode;
    }
    // A file-system error core code did not name (it should have): still one line, never a stack.
    const fsError = err as NodeJS.ErrnoException;
    if (typeof fsError?.code === 'string' && typeof fsError.syscall === 'string') {
      io.stderr(`${style('error', 'error:')} ${fsError.path ?? fsError.syscall}: ${describeFsError(fsError)}\n`);
      return 1;
    }
    const e = err as Error;
    io.stderr(`${style('error', 'internal error (this is a bug in mailrec, please report it):')}\n${e?.stack ?? String(err)}\n`);
    return 1;
  }
}
