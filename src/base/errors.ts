// The few errors mailrec expects, one hierarchy under MailrecError. Each knows its exit
// code and an optional hint; the CLI prints them as one line (plus the hint) and never a
// stack trace. Core code throws these; only src/cli decides what they mean for the process.

export interface SourcePosition {
  file: string;
  line: number; // 1-based
  column: number; // 1-based
}

export function formatPosition(pos: SourcePosition): string {
  return `${pos.file}:${pos.line}:${pos.column}`;
}

export class MailrecError extends Error {
  readonly exitCode: number = 1;
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A value mailrec was given that it cannot use: an address, a server, a directory, a
 * proposed record. The message names the value (and the flag it came with, when known).
 */
export class InputError extends MailrecError {}

/** Bad command-line use found by the CLI itself: a missing argument, conflicting flags. */
export class UsageError extends InputError {}

/** One problem found in a policy file. */
export interface PolicyIssue {
  position: SourcePosition;
  /** Dotted path in the document, e.g. "domains.example.org.dmarc.policy". */
  path: string;
  message: string;
  hint?: string;
}

/** A policy that does not validate: every issue found, not just the first. */
export class PolicyError extends MailrecError {
  constructor(readonly issues: PolicyIssue[]) {
    super(
      issues.length === 1
        ? `${formatPosition(issues[0]!.position)}: ${issues[0]!.message}`
        : `${issues.length} problems in the policy`,
    );
  }
}

/** A master file mailrec cannot read: carries the file, line and column. */
export class ZoneSyntaxError extends MailrecError {
  constructor(
    message: string,
    readonly position: SourcePosition,
    hint?: string,
  ) {
    super(`${formatPosition(position)}: ${message}`, hint);
  }
}

/** A record the policy asks for that the RFCs forbid (e.g. SPF over 10 lookups). */
export class RecordError extends MailrecError {
  constructor(
    message: string,
    readonly position?: SourcePosition,
    hint?: string,
  ) {
    super(position ? `${formatPosition(position)}: ${message}` : message, hint);
  }
}

/** The world changed between plan and apply; nothing was applied. */
export class StalePlanError extends MailrecError {}

/** A DNS exchange that failed (timeout, refused, bad TSIG). Never carries a secret. */
export class DnsError extends MailrecError {}

/**
 * A file mailrec cannot or may not read or write: missing, a directory or another special
 * file, too large, outside the zone repo, not writable. One line naming the file and the cause.
 */
export class RepoFileError extends MailrecError {
  constructor(
    /** The file as the user knows it: repo-relative, or as given on the command line. */
    readonly file: string,
    /** Why, in a few words: "no such file or directory", "is a FIFO, not a regular file". */
    readonly reason: string,
    hint?: string,
  ) {
    super(`${file}: ${reason}`, hint);
  }
}

/** A path whose real location lies outside the zone repo, not allowed on the command line. */
export class OutsideRepoError extends RepoFileError {}

/** A mailbox that cannot be read: connection, TLS trust, folder. Never carries a password. */
export class MailboxError extends MailrecError {}

/** The IMAP server refused the user name or password (RFC 5530 AUTHENTICATIONFAILED). */
export class MailboxAuthError extends MailboxError {}

/**
 * A failure the server says is temporary (RFC 5530 UNAVAILABLE, INUSE) or a timeout: the
 * same run later may succeed. Exit 75, EX_TEMPFAIL of sysexits(3), so a scheduler can retry.
 */
export class TemporaryError extends MailboxError {
  override readonly exitCode: number = 75;
}

/** What `export` cannot write for the target tool (a record type, a character it refuses). */
export class ExportError extends MailrecError {}

/** A DMARC or TLS-RPT report (or its container) that is refused: the message says why. */
export class ReportFormatError extends MailrecError {}
