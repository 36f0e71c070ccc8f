// The one door to the zone repo: every read and write of a repo file goes through here.
//
// The zone repo is untrusted input (CI runs plan on merge requests and posts the output;
// docs/security.md). So a path is followed to its real location and refused when that lies
// outside the repo root, unless the user allowed it on the command line; only regular files
// are read (a FIFO, a device, a directory or a socket is refused without blocking); every
// read stops at a size cap; and a file whose head looks like a secret is never read as one
// of mailrec's own formats, so that no parse error can quote it.

import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  statSync,
  type Dirent,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import { OutsideRepoError, RepoFileError } from './errors.js';
import { describeFsError } from './fs-errors.js';
import { secretShape, SNIFF_BYTES } from './secret-shapes.js';

export type RepoFileKind =
  | 'policy'
  | 'zone'
  | 'fragment'
  | 'key'
  | 'certificate'
  | 'mta-sts'
  | 'generated'
  | 'tsig-secret'
  | 'plan'
  | 'domain-list'
  | 'journal'
  | 'staged'
  | 'export'
  | 'gitignore'
  | 'audit-output'
  | 'audit-history';

const KiB = 1024;
const MiB = 1024 * KiB;

/** The largest file of each kind mailrec reads (README "Limits", docs/security.md). */
export const FILE_CAPS: Readonly<Record<RepoFileKind, number>> = {
  policy: 16 * MiB,
  /** A zone file, or one file it $INCLUDEs. */
  zone: 64 * MiB,
  fragment: 64 * MiB,
  key: 1 * MiB,
  certificate: 1 * MiB,
  /** As the MTA-STS probe caps a fetched policy: a policy is a few hundred octets. */
  'mta-sts': 64 * KiB,
  /** What plan writes besides fragments: MTA-STS policies, signer configs (a KeyTable for every domain). */
  generated: 4 * MiB,
  'tsig-secret': 64 * KiB,
  plan: 256 * MiB,
  'domain-list': 16 * MiB,
  journal: 16 * MiB,
  /** A file an interrupted apply staged: at most what apply writes (a zone file, a fragment). */
  staged: 64 * MiB,
  /** octoDNS YAML or DNSControl JavaScript that export writes or merges into. */
  export: 16 * MiB,
  gitignore: 1 * MiB,
  'audit-output': 1024 * MiB,
  /** One gzip-compressed run of `audit --history` (what it inflates to is capped by the reader). */
  'audit-history': 256 * MiB,
};

/** A zone file and every file it $INCLUDEs, together. */
export const ZONE_TOTAL_CAP = 256 * MiB;

/** Kinds that are mailrec's own formats: parsed, so a message may quote them (clipped). */
const OWN_FORMATS: ReadonlySet<RepoFileKind> = new Set(['policy', 'zone', 'fragment', 'mta-sts', 'generated', 'plan', 'domain-list', 'journal', 'export', 'audit-output']);

const WHAT: Readonly<Record<RepoFileKind, string>> = {
  policy: 'a policy file',
  zone: 'a zone file',
  fragment: 'a zone fragment',
  key: 'a key file',
  certificate: 'a certificate file',
  'mta-sts': 'an MTA-STS policy file',
  generated: 'a file mailrec generates',
  'tsig-secret': 'a TSIG key file',
  plan: 'a plan file',
  'domain-list': 'a list of domains',
  journal: "mailrec's apply journal",
  staged: 'a file staged by apply',
  export: 'an exported zone file',
  gitignore: 'a .gitignore file',
  'audit-output': "mailrec audit's JSON output",
  'audit-history': "a run in mailrec audit's history",
};

/** What is left to read for one zone and its includes. */
export interface ReadBudget {
  left: number;
}

/** "is a FIFO, not a regular file", or undefined for a regular file. */
export function specialFile(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  const what = stats.isDirectory()
    ? 'a directory'
    : stats.isFIFO()
      ? 'a FIFO'
      : stats.isCharacterDevice()
        ? 'a character device'
        : stats.isBlockDevice()
          ? 'a block device'
          : stats.isSocket()
            ? 'a socket'
            : stats.isSymbolicLink()
              ? 'a symbolic link'
              : 'a special file';
  return `is ${what}, not a regular file`;
}

/** True when `inner` is `outer` or lies beneath it (both absolute and normalised). */
export function within(outer: string, inner: string): boolean {
  if (inner === outer) return true;
  const rel = path.relative(outer, inner);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

function realpath(p: string): string {
  return realpathSync.native(p);
}

/** How many directories' real paths a RepoFiles keeps at most (realDir). */
export const REAL_DIRS_KEPT = 4096;

/** How far RepoFiles' walk down a directory path got (walkDir). */
interface DirWalk {
  /** The real path of the directory, or, when the walk stopped, of the deepest level that resolves. */
  real: string;
  /** The error of the first level that does not resolve (other than by being missing). */
  stop?: unknown;
  /** The first level that does not exist (lstat said ENOENT), so nothing beneath it does. */
  missing?: string;
}

export interface RepoFilesOptions {
  /** `--allow-outside PATH`: files or directories outside the repo the user allows. */
  allowOutside?: readonly string[];
}

/** The zone repo's files, through the checks above. Synchronous: repo files are small and many. */
export class RepoFiles {
  /** The root as given, absolute. */
  readonly root: string;
  /** The root with every link resolved. */
  readonly realRoot: string;
  private readonly allowed: string[] = [];
  /** Real paths of directories seen (realDir), by absolute path; emptied when full (a directory per domain, as MTA-STS policies are kept, would grow it with the estate). */
  private readonly realDirs = new Map<string, string>();

  constructor(root: string, options: RepoFilesOptions = {}) {
    this.root = path.resolve(root);
    try {
      this.realRoot = realpath(this.root);
      if (!statSync(this.realRoot).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    } catch (error) {
      throw new RepoFileError(root, `cannot use it as the zone repo: ${describeFsError(error)}`, 'pass the zone repo with --chdir DIR');
    }
    this.realDirs.set(this.root, this.realRoot);
    for (const p of options.allowOutside ?? []) this.allowed.push(this.realOrResolved(path.resolve(this.root, p)));
  }

  /**
   * What makes the same RepoFiles in a worker thread: the root and every path allowed so far
   * (--allow-outside, and paths named on the command line), as real paths.
   */
  settings(): { root: string; allowOutside: string[] } {
    return { root: this.root, allowOutside: [...this.allowed] };
  }

  /** The absolute path of `p` (relative to the root). */
  resolve(p: string): string {
    return path.resolve(this.root, p);
  }

  /** A file's name in messages: relative to the root with "/", or absolute when outside it. */
  show(p: string): string {
    const abs = this.resolve(p);
    return within(this.root, abs) && abs !== this.root ? path.relative(this.root, abs).split(path.sep).join('/') : abs;
  }

  /**
   * A path the user named on the command line (--policy, --zones, --zone-file...). Naming a
   * path outside the repo is the user's say-so, so it is allowed (with what lies beneath
   * it); a path inside the repo is not, so a link there still may not lead out.
   */
  allowNamed(p: string): string {
    const abs = this.resolve(p);
    if (!within(this.root, abs)) this.allowed.push(this.realOrResolved(abs));
    return abs;
  }

  /** True when a real path may be read or written: inside the repo, or allowed. */
  isAllowed(real: string): boolean {
    // A real path is absolute and normalised: beneath the root when it starts with it.
    if (real.startsWith(this.realRoot) && real.charAt(this.realRoot.length) === path.sep) return true;
    return within(this.realRoot, real) || this.allowed.some((a) => within(a, real));
  }

  /** The real path of `p`, refused when it leads outside the repo. */
  locate(p: string): string {
    const abs = this.resolve(p);
    return this.locateFound(abs, this.lstatOrRefuse(abs)).real;
  }

  /** The file's text; refused when missing, outside, special, over the cap, or shaped like a secret. */
  read(p: string, kind: RepoFileKind, budget?: ReadBudget): string {
    const abs = this.resolve(p);
    return this.readFound(abs, this.lstatOrRefuse(abs), kind, budget);
  }

  /** The file's bytes (a compressed file); refused as read refuses. The caller sniffs what it decodes. */
  readBytes(p: string, kind: RepoFileKind): Buffer {
    const abs = this.resolve(p);
    const found = this.locateFound(abs, this.lstatOrRefuse(abs));
    return this.readCapped(found.real, abs, kind, undefined, found.stats);
  }

  /** As read, but undefined when the file does not exist (a fragment before the first apply). */
  readOptional(p: string, kind: RepoFileKind, budget?: ReadBudget): string | undefined {
    const abs = this.resolve(p);
    const found = this.lstatOrAncestor(abs);
    if (found.stats === undefined) {
      // Absent, but where? A missing file behind a directory link that leads out is refused like a present one.
      this.checkInside(abs, found.ancestor);
      return undefined;
    }
    return this.readFound(abs, found.stats, kind, budget);
  }

  /**
   * The lstat of `abs`, or, when nothing is there, the real path of its nearest existing
   * directory (no error is made: an absent fragment is common). Its directories are walked
   * first, top-down: a level that is missing answers for the file too, so a generated file in a
   * directory not made yet (mta-sts/<domain>/.well-known/ before apply) costs one lstat, not
   * one per level. Nothing missing is remembered: apply may make it before the next call.
   */
  private lstatOrAncestor(abs: string): { stats: Stats; ancestor?: undefined } | { stats?: undefined; ancestor: string } {
    const dir = this.walkDir(path.dirname(abs));
    if (dir.missing !== undefined) return { ancestor: dir.real };
    let stats: Stats | undefined;
    try {
      stats = lstatSync(abs, { throwIfNoEntry: false });
    } catch (error) {
      throw new RepoFileError(this.show(abs), describeFsError(error));
    }
    // When the walk stopped at a level that does not resolve (a dangling link) and `abs` is absent, the level above decides.
    return stats === undefined ? { ancestor: dir.real } : { stats };
  }

  private lstatOrRefuse(abs: string): Stats {
    try {
      return lstatSync(abs);
    } catch (error) {
      throw new RepoFileError(this.show(abs), describeFsError(error));
    }
  }

  private readFound(abs: string, stats: Stats, kind: RepoFileKind, budget?: ReadBudget): string {
    const found = this.locateFound(abs, stats);
    const bytes = this.readCapped(found.real, abs, kind, budget, found.stats);
    const text = bytes.toString('utf8');
    if (OWN_FORMATS.has(kind)) {
      const shape = secretShape(bytes.subarray(0, SNIFF_BYTES).toString('latin1'));
      if (shape !== undefined) {
        throw new RepoFileError(this.show(abs), `looks like ${shape}, not ${WHAT[kind]}; not read, and nothing of it is shown`, 'check the path: mailrec never quotes a file that may hold secrets');
      }
    }
    return text;
  }

  /**
   * The real path of `abs`, whose lstat is `stats`, refused outside the repo. A link takes
   * the whole realpath; anything else is its real directory joined with its name, and keeps
   * its lstat (the file itself, so readCapped need not ask again).
   */
  private locateFound(abs: string, stats: Stats): { real: string; stats?: Stats } {
    const dir = path.dirname(abs);
    let found: { real: string; stats?: Stats };
    try {
      found = stats.isSymbolicLink() || dir === abs ? { real: realpath(abs) } : { real: path.join(this.realDir(dir), path.basename(abs)), stats };
    } catch (error) {
      throw new RepoFileError(this.show(abs), describeFsError(error));
    }
    this.checkInside(abs, found.real);
    return found;
  }

  /**
   * The real path of the existing directory `dir`, one lstat per level not seen before (walkDir).
   * Throws the file system's error when a level is missing or does not resolve.
   */
  private realDir(dir: string): string {
    const walked = this.walkDir(dir);
    if (walked.stop !== undefined) throw walked.stop;
    if (walked.missing !== undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, lstat '${walked.missing}'`), { code: 'ENOENT' });
    return walked.real;
  }

  /**
   * Walk `dir` top-down from its deepest level whose real path is known: a level that is not a
   * link is its parent's real path joined with its name (one lstat); a link takes realpath.
   * Each level found is remembered for this RepoFiles (one command): a plan reads thousands of
   * files in a few directories, and realpath(3) walks every component of every path each time.
   * Stops at the first level that is missing or does not resolve (a dangling link, a loop, no
   * permission), with that error and the real path of the level above: nothing beneath such a
   * level exists or resolves either, so that is the nearest existing directory of all of them.
   */
  private walkDir(dir: string): DirWalk {
    const levels: string[] = [];
    let real = this.realDirs.get(dir);
    for (let level = dir; real === undefined; ) {
      const parent = path.dirname(level);
      if (parent === level) {
        try {
          real = this.remember(level, realpath(level));
        } catch (error) {
          return { real: level, stop: error };
        }
      } else {
        levels.push(level);
        level = parent;
        real = this.realDirs.get(level);
      }
    }
    for (let i = levels.length - 1; i >= 0; i--) {
      const level = levels[i]!;
      let stats: Stats | undefined;
      try {
        // No error made for a missing level: before the first apply every generated file's directory is missing, and an error costs its stack.
        stats = lstatSync(level, { throwIfNoEntry: false });
      } catch (error) {
        return { real, stop: error };
      }
      if (stats === undefined) return { real, missing: level };
      try {
        real = this.remember(level, stats.isSymbolicLink() ? realpath(level) : path.join(real, path.basename(level)));
      } catch (error) {
        return { real, stop: error };
      }
    }
    return { real };
  }

  private remember(dir: string, real: string): string {
    if (this.realDirs.size >= REAL_DIRS_KEPT) {
      this.realDirs.clear();
      this.realDirs.set(this.root, this.realRoot);
    }
    this.realDirs.set(dir, real);
    return real;
  }

  /**
   * The absolute path of `p`, refused when its real location (or, when it does not exist
   * yet, that of its nearest existing directory) lies outside the repo. Creates nothing.
   */
  checkPath(p: string): string {
    const abs = this.resolve(p);
    const found = this.lstatOrAncestor(abs);
    if (found.stats === undefined) this.checkInside(abs, found.ancestor);
    else this.locateFound(abs, found.stats);
    return abs;
  }

  /** True when something (a file, a directory, a link) is at `p`. */
  exists(p: string): boolean {
    try {
      return lstatSync(this.resolve(p), { throwIfNoEntry: false }) !== undefined;
    } catch {
      return false;
    }
  }

  /** The entries of a directory inside the repo (or allowed), sorted by name. */
  list(dir: string): Dirent[] {
    const abs = this.resolve(dir);
    const real = this.locate(abs);
    try {
      return readdirSync(real, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      throw new RepoFileError(this.show(abs), describeFsError(error));
    }
  }

  /**
   * The real path of directory `dir`, created one level at a time as needed (0755), never
   * through a link that leads out of the repo. Errors name `forFile` when given (the file to be
   * written there), else the directory.
   */
  ensureDir(dir: string, forFile?: string): string {
    const abs = this.resolve(dir);
    const named = forFile ?? abs;
    const shown = this.show(named);
    const missing: string[] = [];
    let existing = abs;
    for (;;) {
      try {
        statSync(existing);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' || path.dirname(existing) === existing) throw new RepoFileError(shown, describeFsError(error));
        missing.unshift(path.basename(existing));
        existing = path.dirname(existing);
      }
    }
    let real: string;
    try {
      real = this.realDir(existing);
    } catch (error) {
      throw new RepoFileError(shown, describeFsError(error));
    }
    // Checked where the directory will be: the real existing part and the levels to make.
    this.checkInside(named, path.join(real, ...missing));
    if (!statSync(real).isDirectory()) throw new RepoFileError(shown, 'a part of the path is not a directory');
    for (const name of missing) {
      real = path.join(real, name);
      try {
        mkdirSync(real, { mode: 0o755 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new RepoFileError(shown, describeFsError(error));
        // Made meanwhile: only a real directory will do, never a link.
        if (!lstatSync(real).isDirectory()) throw new RepoFileError(shown, 'a part of the path is not a directory');
      }
    }
    return real;
  }

  /**
   * Where a write of `p` goes: the real directory (created as needed, one level at a time,
   * never through a link that leads out) joined with the file's name, or the real file when
   * `p` is a link inside the repo. Refused outside the repo and for anything but a regular file.
   */
  prepareWrite(p: string): string {
    const abs = this.resolve(p);
    const shown = this.show(abs);
    const real = this.ensureDir(path.dirname(abs), abs);
    const target = path.join(real, path.basename(abs));
    let stats: Stats;
    try {
      stats = lstatSync(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return target;
      throw new RepoFileError(shown, describeFsError(error));
    }
    if (stats.isSymbolicLink()) {
      let linked: string;
      try {
        linked = realpath(target);
      } catch (error) {
        throw new RepoFileError(shown, `is a symbolic link that leads nowhere (${describeFsError(error)})`, 'remove the link, or point it at a file in the repo');
      }
      this.checkInside(abs, linked);
      stats = statSync(linked);
      const special = specialFile(stats);
      if (special) throw new RepoFileError(shown, special);
      return linked;
    }
    const special = specialFile(stats);
    if (special) throw new RepoFileError(shown, special);
    return target;
  }

  private checkInside(abs: string, real: string): void {
    if (this.isAllowed(real)) return;
    const shown = this.show(abs);
    throw new OutsideRepoError(
      shown,
      `outside the zone repo (${within(this.root, abs) ? `a symbolic link leads to ${real}` : 'the path itself lies outside'}); not read or written`,
      `mailrec touches only files inside ${this.root}; to allow this one, pass --allow-outside ${path.dirname(real)}`,
    );
  }

  private realOrResolved(abs: string): string {
    try {
      return realpath(abs);
    } catch {
      return abs;
    }
  }

  /**
   * Read a regular file, at most its kind's cap. lstat refuses a special file before open;
   * O_NONBLOCK keeps open from waiting on a FIFO swapped in meanwhile, and fstat on the open
   * descriptor is the final word; O_NOFOLLOW refuses a link swapped in after realpath.
   */
  private readCapped(real: string, abs: string, kind: RepoFileKind, budget?: ReadBudget, lstats?: Stats): Buffer {
    const shown = (): string => this.show(abs);
    const cap = Math.min(FILE_CAPS[kind], budget?.left ?? Infinity);
    const tooLarge = (size: string): RepoFileError =>
      new RepoFileError(
        shown(),
        budget && budget.left < FILE_CAPS[kind]
          ? `${size}: the zone and its $INCLUDEs together exceed the ${formatBytes(ZONE_TOTAL_CAP)} limit`
          : `${size}, over the ${formatBytes(FILE_CAPS[kind])} limit for ${WHAT[kind]}`,
      );
    let fd: number;
    try {
      const special = specialFile(lstats ?? lstatSync(real));
      if (special) throw new RepoFileError(shown(), special);
      fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    } catch (error) {
      if (error instanceof RepoFileError) throw error;
      throw new RepoFileError(shown(), describeFsError(error));
    }
    try {
      const stats = fstatSync(fd);
      const special = specialFile(stats);
      if (special) throw new RepoFileError(shown(), special);
      const bytes = readOpenFileCapped(fd, cap, tooLarge, stats.size);
      if (budget) budget.left -= bytes.length;
      return bytes;
    } catch (error) {
      if (error instanceof RepoFileError) throw error;
      throw new RepoFileError(shown(), describeFsError(error));
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * The bytes of an open regular file, at most `cap`: refused by its size before a byte is
 * read, and again if it grows past the cap while being read (one more octet than the cap
 * tells). `size` is the descriptor's fstat size when the caller has it (one fstat per file).
 * `tooLarge` gets "2 KiB" or "more than 1 KiB". The caller opens, checks and closes.
 */
export function readOpenFileCapped(fd: number, cap: number, tooLarge: (size: string) => Error, size = fstatSync(fd).size): Buffer {
  if (size > cap) throw tooLarge(formatBytes(size));
  let buffer = Buffer.allocUnsafe(Math.min(size, cap) + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > cap) throw tooLarge(`more than ${formatBytes(cap)}`);
      const grown = Buffer.allocUnsafe(Math.min(buffer.length * 2, cap + 1));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    const asked = buffer.length - length;
    const n = readSync(fd, buffer, length, asked, null);
    if (n === 0) break;
    length += n;
    // read(2) of a regular file returns less than asked only at its end: ending where fstat
    // said, the file is read, and the read that would return 0 is saved. A file that grew
    // since fstat fills the octet asked for beyond its size, and the loop goes on to the cap.
    // (A /proc file says size 0, so it is read until a read returns 0, as before.)
    if (n < asked && length === size) break;
  }
  if (length > cap) throw tooLarge(`more than ${formatBytes(cap)}`);
  return buffer.subarray(0, length);
}

/** "64 MiB", "1.5 KiB", "12 bytes". */
export function formatBytes(n: number): string {
  if (n >= MiB) return `${Number((n / MiB).toFixed(1))} MiB`;
  if (n >= KiB) return `${Number((n / KiB).toFixed(1))} KiB`;
  return `${n} bytes`;
}
