// Reads a text file that may not exist yet (a fragment before the first apply).

import { readFileSync } from 'node:fs';

/**
 * The file's text, or undefined when it does not exist; other errors propagate. Read
 * synchronously: these are small files, read by the thousand in a large plan, where a
 * thread-pool round trip costs more than the read itself.
 */
export async function readOptionalFile(file: string): Promise<string | undefined> {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
