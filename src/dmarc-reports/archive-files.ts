// The one place the report archive and local mailboxes touch the file system. Every path is
// followed to its real location and refused outside the zone repo, unless the user named it
// on the command line; only regular files are read, each read stops at a cap; writes go to a
// synced temp file renamed into place. Whether a real path may be used is the repo-file module's
// rule (base/repo-files.ts: inside the repo, or allowed with --allow-outside), and so is what a
// special file is called; the archive's own needs (caps per call, appends, locks) stay here.

import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  type Dirent,
  type ReadStream,
} from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { MailrecError, OutsideRepoError, RepoFileError } from '../base/errors.js';
import { describeFsError } from '../base/fs-errors.js';
import { formatBytes, readOpenFileCapped, RepoFiles, specialFile, within } from '../base/repo-files.js';

/** A file of the archive or a mailbox that cannot be used; the message never quotes its content. */
export class ReportFileError extends MailrecError {}

/** Writes appended to one file, synced on demand. */
export interface AppendFile {
  write(text: string): void;
  sync(): void;
  close(): void;
}

export class ReportFiles {
  readonly root: string;
  private readonly repo: RepoFiles;
  private readonly allowed: string[] = [];

  /** `repo`: the command's RepoFiles (with its --allow-outside); default one of `root`. */
  constructor(root: string, repo?: RepoFiles) {
    this.root = path.resolve(root);
    try {
      this.repo = repo ?? new RepoFiles(this.root);
    } catch (error) {
      throw new ReportFileError(`cannot use ${root} as the zone repo: ${error instanceof RepoFileError ? error.reason : describeFsError(error)}`);
    }
  }

  /** A path the user named on the command line: it (and what lies beneath it) may be used even outside the repo. */
  allow(p: string): string {
    const abs = this.resolve(p);
    let real = abs;
    try {
      real = realpathSync(abs);
    } catch {
      // Not there yet (an archive to create): its own path is what is allowed.
    }
    this.allowed.push(real, abs);
    return abs;
  }

  resolve(p: string): string {
    return this.repo.resolve(p);
  }

  /** A path as messages show it: relative to the repo when inside it. */
  show(p: string): string {
    return this.repo.show(p);
  }

  private check(abs: string, real: string): void {
    if (this.repo.isAllowed(real) || this.allowed.some((a) => within(a, real))) return;
    throw new ReportFileError(
      `${this.show(abs)} is outside the zone repo${real !== abs ? ` (a symbolic link leads to ${real})` : ''}; not read or written`,
      'mailrec reads and writes only inside the zone repo; name a path outside it on the command line (--archive, --maildir, --mbox, --dir, --password-file, --ca-file)',
    );
  }

  /** The real path of an existing file or directory, refused outside. */
  locate(p: string): string {
    const abs = this.resolve(p);
    let real: string;
    try {
      real = realpathSync(abs);
    } catch (error) {
      throw new ReportFileError(`${this.show(abs)}: ${describeFsError(error)}`);
    }
    this.check(abs, real);
    return real;
  }

  exists(p: string): boolean {
    return this.repo.exists(p);
  }

  /** A regular file's bytes, at most `cap`; a FIFO or device is refused without blocking (O_NONBLOCK, fstat). */
  read(p: string, cap: number): Buffer {
    const shown = this.show(p);
    const { fd, size } = this.openRegular(p);
    try {
      return readOpenFileCapped(fd, cap, (shownSize) => new ReportFileError(`${shown} is ${shownSize}, over the ${formatBytes(cap)} limit`), size);
    } catch (error) {
      if (error instanceof ReportFileError) throw error;
      throw new ReportFileError(`${shown}: ${describeFsError(error)}`);
    } finally {
      closeSync(fd);
    }
  }

  /** The first `n` bytes of a regular file and its size: checked like read. */
  head(p: string, n: number): { bytes: Buffer; size: number } {
    const shown = this.show(p);
    const { fd, size } = this.openRegular(p);
    try {
      const buffer = Buffer.alloc(Math.min(n, size));
      let length = 0;
      while (length < buffer.length) {
        const got = readSync(fd, buffer, length, buffer.length - length, length);
        if (got === 0) break;
        length += got;
      }
      return { bytes: buffer.subarray(0, length), size };
    } catch (error) {
      throw new ReportFileError(`${shown}: ${describeFsError(error)}`);
    } finally {
      closeSync(fd);
    }
  }

  /** Open a regular file for reading, refusing anything else without blocking on it; its size from the same fstat. */
  private openRegular(p: string): { fd: number; size: number } {
    const shown = this.show(p);
    const real = this.locate(p);
    let fd: number;
    try {
      fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    } catch (error) {
      throw new ReportFileError(`${shown}: ${describeFsError(error)}`);
    }
    const stats = fstatSync(fd);
    const why = specialFile(stats);
    if (why) {
      closeSync(fd);
      throw new ReportFileError(`${shown} ${why}`);
    }
    return { fd, size: stats.size };
  }

  /** A regular file as a stream from `start` (mbox): checked like read. */
  stream(p: string, start = 0): ReadStream {
    return createReadStream('', { fd: this.openRegular(p).fd, start, highWaterMark: 256 << 10 });
  }

  /** Entries of a directory, sorted by name. */
  list(dir: string): Dirent[] {
    const real = this.locate(dir);
    try {
      return readdirSync(real, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      throw new ReportFileError(`${this.show(dir)}: ${describeFsError(error)}`);
    }
  }

  /** Directories checked (and made) already: a run writes thousands of files into a few. */
  private readonly dirs = new Map<string, string>();

  /** The real path of a directory, created one level at a time as needed; never through a link that leads out. */
  ensureDir(dir: string): string {
    const abs = this.resolve(dir);
    const known = this.dirs.get(abs);
    if (known !== undefined) return known;
    let real: string;
    try {
      real = this.repo.ensureDir(abs);
    } catch (error) {
      if (error instanceof OutsideRepoError) {
        // A directory named on the command line (allow) may lie outside: its own rule, then the repo's.
        if (!this.allowed.some((a) => within(a, abs))) this.check(abs, abs);
        return this.makeAllowedDir(abs);
      }
      if (error instanceof RepoFileError) throw new ReportFileError(error.message, error.hint);
      throw error;
    }
    this.dirs.set(abs, real);
    return real;
  }

  /** A directory under a path named on the command line, made as needed. */
  private makeAllowedDir(abs: string): string {
    try {
      mkdirSync(abs, { recursive: true, mode: 0o755 });
      const real = realpathSync(abs);
      this.check(abs, real);
      this.dirs.set(abs, real);
      return real;
    } catch (error) {
      if (error instanceof ReportFileError) throw error;
      throw new ReportFileError(`${this.show(abs)}: ${describeFsError(error)}`);
    }
  }

  /** Where a write of `p` goes: its real directory (created) and name; an existing link or special file there is refused. */
  private target(p: string): string {
    const abs = this.resolve(p);
    const file = path.join(this.ensureDir(path.dirname(abs)), path.basename(abs));
    try {
      const why = specialFile(lstatSync(file));
      if (why) throw new ReportFileError(`${this.show(abs)} ${why}`);
    } catch (error) {
      if (error instanceof ReportFileError) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ReportFileError(`${this.show(abs)}: ${describeFsError(error)}`);
    }
    return file;
  }

  /**
   * Write the whole file or leave the old one: a temp file beside it, renamed into place.
   * Synced before the rename unless `sync` is false (the caller then syncs it with syncFiles).
   * Returns the real path written.
   */
  writeAtomic(p: string, data: Buffer | string, options: { sync?: boolean; target?: string } = {}): string {
    const file = options.target ?? this.target(p);
    const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const fd = openSync(temp, 'wx', 0o644);
      try {
        writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
        if (options.sync !== false) fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, file);
      return file;
    } catch (error) {
      rmSync(temp, { force: true });
      throw new ReportFileError(`cannot write ${this.show(p)}: ${describeFsError(error)}`);
    }
  }

  /**
   * Write a content-addressed file unless a non-empty one is there (same name, same content;
   * an empty one is what a power loss can leave of an unsynced file). Not synced: the caller
   * syncs what it wrote with syncFiles before it records it. The real path when written.
   */
  writeOnce(p: string, data: Buffer): string | undefined {
    const file = this.target(p);
    try {
      const stats = statSync(file);
      if (stats.isFile() && stats.size > 0) return undefined;
    } catch {
      // absent: write it
    }
    return this.writeAtomic(p, data, { sync: false, target: file });
  }

  /** fsync files (real paths from writeAtomic or writeOnce), many at once: the file system batches them. */
  async syncFiles(real: readonly string[]): Promise<void> {
    const queue = [...real];
    const worker = async (): Promise<void> => {
      for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
        const handle = await open(file, 'r');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(32, queue.length) }, worker));
  }

  /**
   * Open a line file for appending. A last line without its newline was cut by a crash
   * (kill -9, power loss) in the middle of a write: it is cut off, so the next line starts
   * clean; `onTorn` hears of it. The lines before it are whole (each ends in "\n").
   */
  openAppend(p: string, onTorn?: (bytes: number) => void): AppendFile {
    const file = this.target(p);
    let fd: number;
    try {
      fd = openSync(file, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW, 0o644);
    } catch (error) {
      throw new ReportFileError(`cannot open ${this.show(p)}: ${describeFsError(error)}`);
    }
    const shown = this.show(p);
    const size = fstatSync(fd).size;
    if (size > 0) {
      // Find the last "\n" from the end, 64 KiB at a time.
      const buffer = Buffer.alloc(64 << 10);
      let end = size;
      let keep = 0;
      while (end > 0) {
        const start = Math.max(0, end - buffer.length);
        const n = readSync(fd, buffer, 0, end - start, start);
        const nl = buffer.subarray(0, n).lastIndexOf(0x0a);
        if (nl >= 0) {
          keep = start + nl + 1;
          break;
        }
        end = start;
      }
      if (keep < size) {
        ftruncateSync(fd, keep);
        fsyncSync(fd);
        onTorn?.(size - keep);
      }
    }
    return {
      write(text: string) {
        try {
          writeSync(fd, text);
        } catch (error) {
          throw new ReportFileError(`cannot write ${shown}: ${describeFsError(error)}`);
        }
      },
      sync() {
        fsyncSync(fd);
      },
      close() {
        closeSync(fd);
      },
    };
  }

  /** Each line of a text file, read 64 KiB at a time (memory flat in the file size); a line over `maxLine` is passed as undefined. */
  *lines(p: string, maxLine: number): Generator<string | undefined> {
    if (!this.exists(p)) return;
    const { fd } = this.openRegular(p);
    try {
      const buffer = Buffer.alloc(64 << 10);
      let carry: Buffer[] = [];
      let carried = 0;
      let skipping = false;
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, null);
        if (n === 0) break;
        let start = 0;
        for (;;) {
          const nl = buffer.indexOf(0x0a, start);
          if (nl < 0 || nl >= n) {
            const rest = buffer.subarray(start, n);
            if (!skipping && carried + rest.length > maxLine) skipping = true;
            if (!skipping) {
              carry.push(Buffer.from(rest));
              carried += rest.length;
            }
            break;
          }
          const piece = buffer.subarray(start, nl);
          if (skipping || carried + piece.length > maxLine) yield undefined;
          else yield (carried > 0 ? Buffer.concat([...carry, piece]) : piece).toString('utf8');
          carry = [];
          carried = 0;
          skipping = false;
          start = nl + 1;
        }
      }
      // A last line without "\n" is a torn write: not a line.
    } finally {
      closeSync(fd);
    }
  }

  rename(from: string, to: string): void {
    const source = this.locate(from);
    const target = this.target(to);
    try {
      renameSync(source, target);
    } catch (error) {
      throw new ReportFileError(`cannot move ${this.show(from)} to ${this.show(to)}: ${describeFsError(error)}`);
    }
  }

  remove(p: string): void {
    if (!this.exists(p)) return;
    const real = this.locate(p);
    rmSync(real, { recursive: true, force: true });
  }

  /** fsync a directory, so that the renames into it survive a power loss (not only a crash). */
  syncDir(dir: string): void {
    const fd = openSync(this.locate(dir), constants.O_RDONLY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Hold `p` as a lock file while a run writes the archive. A lock left by a run that no
   * longer exists (killed) is taken over; a live one is refused, naming its process.
   */
  lock(p: string, self: { pid: number; alive: (pid: number) => boolean }): () => void {
    const file = this.target(p);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o644);
        writeSync(fd, `${self.pid}\n`);
        closeSync(fd);
        return () => rmSync(file, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new ReportFileError(`cannot lock ${this.show(p)}: ${describeFsError(error)}`);
        const pid = Number(this.read(p, 64).toString('utf8').trim());
        if (Number.isInteger(pid) && pid > 0 && pid !== self.pid && self.alive(pid))
          throw new ReportFileError(`another mailrec reports fetch (process ${pid}) is writing the archive`, `wait for it to finish; if no such process runs, remove ${this.show(p)}`);
        rmSync(file, { force: true });
      }
    }
    throw new ReportFileError(`cannot lock ${this.show(p)}`);
  }
}
