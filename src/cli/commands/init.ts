// mailrec init: scaffold policies/ and zones/ from the bundled, commented example.

import { existsSync } from 'node:fs';
import { cp, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { writeFilesAtomically } from '../../apply/atomic-write.js';
import { GITIGNORE_LINES } from '../../apply/journal.js';
import type { RepoFiles } from '../../base/repo-files.js';
import { MailrecError } from '../../errors.js';
import { makeContext, type GlobalOptions } from '../context.js';
import type { CliIO } from '../io.js';

/** The example lives in the package's own policies/, zones/, keys/ and certs/. */
export const EXAMPLE_DIRS = ['policies', 'zones', 'keys', 'certs'] as const;

/** mailrec's own directory: the nearest package.json above this module (from dist/ or src/). */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find mailrec\'s package.json');
    dir = parent;
  }
  return dir;
}

/**
 * Keep an interrupted apply's journal and staged temp files out of git: the next mailrec run
 * completes or removes them, and a commit of them would make no sense. Returns what was done.
 */
function ignoreStaged(files: RepoFiles): 'created' | 'updated' | undefined {
  const existing = files.readOptional('.gitignore', 'gitignore');
  const lines = new Set((existing ?? '').split('\n').map((l) => l.trim()));
  const missing = GITIGNORE_LINES.filter((l) => !lines.has(l));
  if (missing.length === 0) return undefined;
  const head = existing === undefined || existing === '' || existing.endsWith('\n') ? (existing ?? '') : `${existing}\n`;
  const block = `# mailrec: an interrupted apply's journal and staged files (the next mailrec run finishes or removes them)\n${missing.join('\n')}\n`;
  writeFilesAtomically(files, [{ file: '.gitignore', content: `${head}${head === '' ? '' : '\n'}${block}` }]);
  return existing === undefined ? 'created' : 'updated';
}

export function registerInit(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('init')
    .description('scaffold policies/ and zones/ with a commented example estate')
    .action(async (_opts: GlobalOptions, command: Command) => {
      const ctx = makeContext(io, command.optsWithGlobals<GlobalOptions>());
      const source = packageRoot();
      if (path.resolve(source) === path.resolve(ctx.root))
        throw new MailrecError('this directory is mailrec itself; run init in your zone repo', 'mailrec init --chdir DIR');
      const taken = [];
      // lstat: a link there (even one that leads nowhere) is taken, never written through.
      for (const dir of EXAMPLE_DIRS) if (ctx.files.exists(dir)) taken.push(`${dir}/`);
      if (taken.length > 0)
        throw new MailrecError(`${taken.join(', ')} already exist${taken.length === 1 ? 's' : ''} in ${ctx.root}; nothing was written`, 'run init in an empty zone repo');
      const written: string[] = [];
      for (const dir of EXAMPLE_DIRS) {
        await cp(path.join(source, dir), path.join(ctx.root, dir), { recursive: true, errorOnExist: true, force: false });
        for (const file of (await readdir(path.join(ctx.root, dir))).sort()) written.push(`${dir}/${file}`);
      }
      const ignore = ignoreStaged(ctx.files);
      for (const file of written) io.stdout(`created ${file}\n`);
      if (ignore) io.stdout(`${ignore} .gitignore (an interrupted apply's journal and staged files)\n`);
      io.stdout('\nNext: edit policies/mail.yaml, then run mailrec plan.\n');
      setExit(0);
    });
}
