// Writing a generated file tree (the HTML site) under one output directory named on the command
// line: nothing is written outside it, nor through a symbolic link inside it (a link there could
// have been planted to make the build overwrite another file), nor over anything but a regular
// file. Each file is written to a temp file beside it and renamed into place, so that a reader
// of a published site never sees half a page.

import { closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { RepoFileError } from '../base/errors.js';
import { describeFsError } from '../base/fs-errors.js';
import { RepoFiles, specialFile, within } from '../base/repo-files.js';

export class SiteWriter {
  private readonly files: RepoFiles;
  readonly root: string;
  private readonly checkedDirs = new Set<string>();
  written = 0;

  /** `outDir` is created when missing; refused when it is a link or not a directory. */
  constructor(outDir: string) {
    this.root = path.resolve(outDir);
    try {
      const stats = lstatSync(this.root);
      if (stats.isSymbolicLink()) throw new RepoFileError(outDir, 'is a symbolic link; the site is not written through links', 'give the real directory with --out');
      if (!stats.isDirectory()) throw new RepoFileError(outDir, `${specialFile(stats) ?? 'is not a directory'}`, 'give a directory with --out');
    } catch (error) {
      if (error instanceof RepoFileError) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new RepoFileError(outDir, describeFsError(error));
      try {
        mkdirSync(this.root, { recursive: true, mode: 0o755 });
      } catch (made) {
        throw new RepoFileError(outDir, describeFsError(made));
      }
    }
    this.files = new RepoFiles(this.root);
  }

  private readonly paths = new Set<string>();

  /**
   * Remove the regular files in directory `rel` whose names match `generated` and that this
   * build did not write: the pages of domains no longer audited, which nothing links to any
   * more. Other files there are left alone. Returns how many were removed.
   */
  removeStale(rel: string, generated: RegExp): number {
    const dir = path.resolve(this.root, rel);
    if (!within(this.root, dir) || !this.checkedDirs.has(dir)) return 0;
    let removed = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isFile() || !generated.test(entry.name)) continue;
      const file = path.join(dir, entry.name);
      if (this.paths.has(file)) continue;
      rmSync(file);
      removed++;
    }
    return removed;
  }

  /** Write `rel` ("index.html", "domains/x.html") under the root. */
  write(rel: string, content: string): void {
    const abs = path.resolve(this.root, rel);
    const shown = path.join(this.root, rel);
    if (abs === this.root || !within(this.root, abs)) throw new RepoFileError(shown, 'lies outside the output directory; not written');
    const dir = path.dirname(abs);
    if (!this.checkedDirs.has(dir)) {
      this.files.ensureDir(dir, abs);
      // Every level below the root must be a directory itself, not a link to one.
      for (let d = dir; d !== this.root; d = path.dirname(d)) {
        const stats = lstatSync(d);
        if (!stats.isDirectory()) throw new RepoFileError(shown, `${path.relative(this.root, d)} ${stats.isSymbolicLink() ? 'is a symbolic link' : 'is not a directory'}; the site is not written through it`);
      }
      this.checkedDirs.add(dir);
    }
    try {
      const stats = lstatSync(abs);
      if (stats.isSymbolicLink()) throw new RepoFileError(shown, 'is a symbolic link; not written through', 'remove the link: the site writes only regular files');
      const special = specialFile(stats);
      if (special) throw new RepoFileError(shown, special);
    } catch (error) {
      if (error instanceof RepoFileError) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new RepoFileError(shown, describeFsError(error));
    }
    const temp = path.join(dir, `.${path.basename(abs)}.${process.pid}.tmp`);
    // Not synced: a site is rebuilt from the history at will; the rename alone keeps readers from half a page.
    rmSync(temp, { force: true });
    try {
      const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
      try {
        writeSync(fd, content);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, abs);
    } catch (error) {
      rmSync(temp, { force: true });
      throw new RepoFileError(shown, describeFsError(error));
    }
    this.paths.add(abs);
    this.written++;
  }
}
