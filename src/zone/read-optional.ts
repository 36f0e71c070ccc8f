// Reads a text file that may not exist yet (a fragment before the first apply).

import { readFile } from 'node:fs/promises';

/** The file's text, or undefined when it does not exist; other errors propagate. */
export async function readOptionalFile(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
