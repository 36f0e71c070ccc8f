// mailrec reports fetch: DMARC aggregate and TLS-RPT reports from the mailboxes of the policy's
// reports: section (or the ones the flags name) into the archive.

import type { Command } from 'commander';
import { UsageError } from '../../base/errors.js';
import type { ReportFiles } from '../../dmarc-reports/archive-files.js';
import { LOCK_FILE, pruneArchive } from '../../dmarc-reports/archive.js';
import { fetchReports, type FetchStep, type MessageSource } from '../../dmarc-reports/fetch.js';
import { imapSource } from '../../dmarc-reports/imap-source.js';
import { directorySource, maildirSource, mboxSource } from '../../dmarc-reports/local-sources.js';
import type { ImapMailbox, MailboxConfig, Policy } from '../../policy/model.js';
import { splitServer } from '../../policy/read-reports.js';
import { checkEnvName, checkServer } from '../../policy/values.js';
import { IMAP_PORT, IMAPS_PORT, POLICY_ENUMS } from '../../policy/vocabulary.js';
import { renderFetchSummary } from '../../report/reports-fetch.js';
import { makeContext, type Context } from '../context.js';
import type { CliIO } from '../io.js';
import { loadPolicyIfAny, openArchiveFiles, WINDOW_HELP, type ArchiveOptions } from '../reports-archive.js';

/**
 * Test seam: MAILREC_TEST_KILL_AT=<step>:<K> (file, message, indexed, committed, acted: see
 * FetchStep; K the ordinal in this run of the message the step concerns, the batch's last for
 * the batch steps) makes the fetch SIGKILL itself there, so that tests prove that a run killed
 * at any step and run again loses nothing and stores nothing twice.
 */
const KILL_AT_ENV = 'MAILREC_TEST_KILL_AT';

/** A message is held whole while it is read: a report mail is kilobytes to a few megabytes. */
const MAX_MESSAGE_BYTES = 64 << 20;
/** A password or CA file is small; anything larger is not what was meant. */
const MAX_SECRET_BYTES = 64 << 10;

interface FetchOptions extends ArchiveOptions {
  imap?: string;
  tls?: string;
  user?: string;
  passwordFile?: string;
  passwordEnv?: string;
  folder?: string;
  after?: string;
  moveTo?: string;
  caFile?: string;
  maildir?: string;
  mbox?: string;
  dir?: string[];
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} ${value}: not one of ${allowed.join(', ')}`);
}

/** Mailboxes named on the command line; they replace the policy's. Their paths may lie outside the repo. */
function mailboxesFromFlags(opts: FetchOptions, files: ReportFiles): MailboxConfig[] | undefined {
  const position = { file: '(command line)', line: 1, column: 1 };
  const after = oneOf(opts.after, POLICY_ENUMS.mailbox_after, '--after') ?? 'leave';
  if (after === 'move' && opts.moveTo === undefined) throw new UsageError('--after move needs --move-to FOLDER');
  if (after !== 'move' && opts.moveTo !== undefined) throw new UsageError('--move-to needs --after move');
  const mailboxes: MailboxConfig[] = [];
  const local = (type: 'maildir' | 'mbox' | 'directory', path: string, allowAfter: boolean): void => {
    if (!allowAfter && after !== 'leave') throw new UsageError(`--after ${after} is not possible for --${type === 'directory' ? 'dir' : type}`, 'an mbox or a directory is only read');
    const m: MailboxConfig = { type, path: files.allow(path), after: allowAfter ? after : 'leave', position };
    if (allowAfter && opts.moveTo !== undefined) m.moveTo = opts.moveTo;
    mailboxes.push(m);
  };
  if (opts.maildir !== undefined) local('maildir', opts.maildir, true);
  if (opts.mbox !== undefined) local('mbox', opts.mbox, false);
  for (const d of opts.dir ?? []) local('directory', d, false);
  if (opts.imap !== undefined) {
    const server = checkServer(opts.imap);
    if (!server.ok) throw new UsageError(`--imap: ${server.message}`, 'e.g. --imap imap.example.org:993');
    const tls = oneOf(opts.tls, POLICY_ENUMS.mailbox_tls, '--tls') ?? 'implicit';
    if (opts.user === undefined) throw new UsageError('--imap needs --user NAME');
    if ((opts.passwordFile === undefined) === (opts.passwordEnv === undefined))
      throw new UsageError('--imap needs one of --password-file FILE or --password-env VARIABLE', 'the password is never given on the command line');
    const { host, port } = splitServer(server.value, tls === 'implicit' ? IMAPS_PORT : IMAP_PORT);
    const m: ImapMailbox = {
      type: 'imap',
      host,
      port,
      tls,
      user: opts.user,
      password: opts.passwordFile !== undefined ? { file: files.allow(opts.passwordFile) } : { env: opts.passwordEnv! },
      folder: opts.folder ?? 'INBOX',
      after,
      position,
    };
    if (opts.moveTo !== undefined) m.moveTo = opts.moveTo;
    if (opts.caFile !== undefined) m.caFile = files.allow(opts.caFile);
    mailboxes.push(m);
  } else if ([opts.tls, opts.user, opts.passwordFile, opts.passwordEnv, opts.folder, opts.caFile].some((v) => v !== undefined)) {
    throw new UsageError('--tls, --user, --password-file, --password-env, --folder and --ca-file go with --imap');
  }
  return mailboxes.length > 0 ? mailboxes : undefined;
}

/** The password from its file (first line) or variable; never printed, never logged. */
function readPassword(ctx: Context, files: ReportFiles, mailbox: ImapMailbox): string {
  if (mailbox.password.env !== undefined) {
    const env = checkEnvName(mailbox.password.env, 'password_env');
    if (!env.ok) throw new UsageError(env.message, env.hint);
    const value = ctx.io.env[env.value];
    if (value === undefined || value === '') throw new UsageError(`the password variable ${env.value} is not set`, 'export it before running mailrec (in CI: a masked secret variable)');
    return value;
  }
  const text = files.read(mailbox.password.file!, MAX_SECRET_BYTES).toString('utf8');
  const password = text.replace(/\r?\n$/, '');
  if (password === '' || /[\r\n]/.test(password)) throw new UsageError(`${files.show(mailbox.password.file!)} holds no password on one line`, 'put the password alone on the first line');
  return password;
}

function sourcesOf(ctx: Context, files: ReportFiles, mailboxes: readonly MailboxConfig[]): MessageSource[] {
  return mailboxes.map((m) => {
    switch (m.type) {
      case 'imap': {
        const caPem = m.caFile !== undefined ? files.read(m.caFile, MAX_SECRET_BYTES).toString('utf8') : undefined;
        const { password: _ref, position: _at, caFile: _ca, ...mailbox } = m;
        return imapSource({ mailbox, password: readPassword(ctx, files, m), maxMessageBytes: MAX_MESSAGE_BYTES, ...(caPem !== undefined ? { caPem } : {}) });
      }
      case 'maildir':
        return maildirSource(files, files.resolve(m.path), m.after, m.moveTo, MAX_MESSAGE_BYTES);
      case 'mbox':
        return mboxSource(files, files.resolve(m.path), MAX_MESSAGE_BYTES);
      case 'directory':
        return directorySource(files, files.resolve(m.path), MAX_MESSAGE_BYTES);
    }
  });
}

/** The test seam's parsed value: kill at this step of this message. */
function killAt(io: CliIO): ((step: FetchStep, message: number) => void) | undefined {
  const spec = io.env[KILL_AT_ENV];
  const m = spec === undefined ? undefined : /^(file|indexed|message|committed|acted):(\d+)$/.exec(spec);
  if (!m) return undefined;
  return (step, message) => {
    if (step === m[1] && message === Number(m[2])) process.kill(process.pid, 'SIGKILL');
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function registerReports(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const reports = program.command('reports').description('DMARC aggregate and TLS-RPT reports: collect them into the archive');
  reports
    .command('fetch')
    .description('collect DMARC aggregate and TLS-RPT reports from the mailboxes of the policy (or those named) into the archive, incrementally')
    .option('--imap <host[:port]>', 'an IMAP server instead of the policy\'s mailboxes (port 993, or 143 with --tls starttls)')
    .option('--tls <mode>', 'implicit (default) or starttls (required, never skipped)')
    .option('--user <name>', 'IMAP login name')
    .option('--password-file <file>', 'file holding the IMAP password (first line)')
    .option('--password-env <variable>', 'environment variable holding the IMAP password')
    .option('--folder <name>', 'IMAP folder the reports arrive in', undefined)
    .option('--after <action>', 'leave (default), seen (flag \\Seen) or move (to --move-to) each message whose reports are archived')
    .option('--move-to <folder>', 'folder for --after move')
    .option('--ca-file <file>', 'PEM CA that issued the IMAP server\'s certificate (a private CA)')
    .option('--maildir <dir>', 'a Maildir instead of the policy\'s mailboxes')
    .option('--mbox <file>', 'an mbox file instead of the policy\'s mailboxes (only read)')
    .option('--dir <dir>', 'a directory of report files and messages (repeatable; only read)', collect)
    .option('--archive <dir>', WINDOW_HELP.archive)
    .action(async (_opts: FetchOptions, command: Command) => {
      const opts = command.optsWithGlobals<FetchOptions>();
      const ctx = makeContext(io, opts);
      const policy: Policy | undefined = await loadPolicyIfAny(ctx, opts);
      const { files, dir } = openArchiveFiles(ctx, opts, policy);
      const fromFlags = mailboxesFromFlags(opts, files);
      const mailboxes = fromFlags ?? policy?.reports?.mailboxes ?? [];
      if (mailboxes.length === 0)
        throw new UsageError('no mailbox to fetch from', 'add reports: { mailbox: ... } to the policy, or pass --imap, --maildir, --mbox or --dir');
      const sources = sourcesOf(ctx, files, mailboxes);
      files.ensureDir(dir);
      const unlock = files.lock(`${dir}/${LOCK_FILE}`, { pid: process.pid, alive: isAlive });
      try {
        const hook = killAt(io);
        const summary = await fetchReports(files, dir, sources, {
          now: () => new Date(),
          ...(hook ? { onStep: hook } : {}),
          onProblem: (line) => io.stderr(`warning: ${line}\n`),
          ...(io.stderrIsTTY ? { onProgress: (n: number) => n % 100 === 0 && io.stderr(`\rfetched ${n} messages`) } : {}),
        });
        if (io.stderrIsTTY && summary.sources.some((s) => s.messages >= 100)) io.stderr('\n');
        const retention = policy?.reports?.retentionSeconds;
        const pruned = retention !== undefined ? pruneArchive(files, dir, Math.floor(Date.now() / 1000) - retention) : 0;
        io.stdout(renderFetchSummary(summary, ctx.format, { pruned, ...(retention !== undefined ? { retentionDays: Math.round(retention / 86_400) } : {}) }));
      } finally {
        unlock();
      }
      setExit(0);
    });
}

