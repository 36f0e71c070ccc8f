// mailrec init: scaffold policies/ and zones/ from the bundled, commented example.

import { cp, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { writeFilesAtomically } from '../../apply/atomic-write.js';
import { GITIGNORE_LINES } from '../../apply/journal.js';
import { MailrecError } from '../../base/errors.js';
import type { RepoFiles } from '../../base/repo-files.js';
import { makeContext, type GlobalOptions } from '../context.js';
import type { CliIO } from '../io.js';
import { DEFAULT_DKIM_KEYS } from '../../policy/vocabulary.js';
import { packageRoot } from '../package-info.js';

/** The example lives in the package's own policies/, zones/, keys/ and certs/. */
export const EXAMPLE_DIRS = ['policies', 'zones', 'keys', 'certs'] as const;

const PRIVATE_KEY_DIR = DEFAULT_DKIM_KEYS.dir;
const IGNORE_LINE = `/${PRIVATE_KEY_DIR}/`;

/** What git must never see, each block with the lines that already count as it. */
const IGNORED = [
  {
    comment: '# DKIM private keys (mailrec dkim keygen): never commit them',
    lines: [IGNORE_LINE],
    already: [IGNORE_LINE, `${PRIVATE_KEY_DIR}/`, PRIVATE_KEY_DIR, `/${PRIVATE_KEY_DIR}`],
    says: `${PRIVATE_KEY_DIR}/`,
  },
  {
    // The next mailrec run finishes or removes them; a commit of them would make no sense.
    comment: "# mailrec: an interrupted apply's journal and staged files (the next mailrec run finishes or removes them)",
    lines: [...GITIGNORE_LINES],
    already: [...GITIGNORE_LINES],
    says: "an interrupted apply's journal and staged files",
  },
];

/** Adds what git must not see to .gitignore (created when missing, through the repo's checks); says what it did. */
function ignoreInGit(files: RepoFiles): string {
  const text = files.readOptional('.gitignore', 'gitignore');
  const present = new Set((text ?? '').split(/\r?\n/).map((l) => l.trim()));
  const missing = IGNORED.flatMap((block) => {
    const lines = block.lines.filter((l) => !present.has(l));
    return lines.length === 0 || block.already.some((a) => present.has(a) && !block.lines.includes(a)) ? [] : [{ ...block, lines }];
  });
  if (missing.length === 0) return `.gitignore already ignores ${IGNORED.map((b) => b.says).join(' and ')}`;
  const head = text === undefined || text === '' || text.endsWith('\n') ? (text ?? '') : `${text}\n`;
  writeFilesAtomically(files, [{ file: '.gitignore', content: head + missing.map((b) => `${b.comment}\n${b.lines.join('\n')}\n`).join('') }]);
  return `${text === undefined ? 'created' : 'updated'} .gitignore: git ignores ${missing.map((b) => b.says).join(' and ')}`;
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
      // The private key directory of mailrec dkim keygen: owner only, and never committed.
      await mkdir(path.join(ctx.root, PRIVATE_KEY_DIR), { mode: 0o700 });
      written.push(`${PRIVATE_KEY_DIR}/`);
      const ignored = ignoreInGit(ctx.files);
      for (const file of written) io.stdout(`created ${file}\n`);
      io.stdout(`${ignored}\n`);
      io.stdout('\nNext: edit policies/mail.yaml, then run mailrec plan.\n');
      setExit(0);
    });
}
