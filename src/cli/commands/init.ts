// mailrec init: scaffold policies/ and zones/ from the bundled, commented example.

import { appendFile, cp, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { MailrecError } from '../../base/errors.js';
import { makeContext, type GlobalOptions } from '../context.js';
import type { CliIO } from '../io.js';
import { DEFAULT_DKIM_KEYS } from '../../policy/vocabulary.js';
import { packageRoot } from '../package-info.js';

/** The example lives in the package's own policies/, zones/, keys/ and certs/. */
export const EXAMPLE_DIRS = ['policies', 'zones', 'keys', 'certs'] as const;

const PRIVATE_KEY_DIR = DEFAULT_DKIM_KEYS.dir;
const IGNORE_LINE = `/${PRIVATE_KEY_DIR}/`;

/** Adds the private key directory to .gitignore (created when missing); says what it did. */
async function ignorePrivateKeys(root: string): Promise<string> {
  const file = path.join(root, '.gitignore');
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const comment = '# DKIM private keys (mailrec dkim keygen): never commit them\n';
  if (text === undefined) {
    await writeFile(file, `${comment}${IGNORE_LINE}\n`);
    return `created .gitignore: git ignores ${PRIVATE_KEY_DIR}/`;
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines.some((l) => [IGNORE_LINE, `${PRIVATE_KEY_DIR}/`, PRIVATE_KEY_DIR, `/${PRIVATE_KEY_DIR}`].includes(l))) return `.gitignore already ignores ${PRIVATE_KEY_DIR}/`;
  await appendFile(file, `${text === '' || text.endsWith('\n') ? '' : '\n'}${comment}${IGNORE_LINE}\n`);
  return `updated .gitignore: git ignores ${PRIVATE_KEY_DIR}/`;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
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
      for (const dir of EXAMPLE_DIRS) if (await exists(path.join(ctx.root, dir))) taken.push(`${dir}/`);
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
      const ignored = await ignorePrivateKeys(ctx.root);
      for (const file of written) io.stdout(`created ${file}\n`);
      io.stdout(`${ignored}\n`);
      io.stdout('\nNext: edit policies/mail.yaml, then run mailrec plan.\n');
      setExit(0);
    });
}
