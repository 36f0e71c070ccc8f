// All-or-nothing file writes: every file is staged as a synced temp file beside
// its target first; only when all are staged are they renamed into place.

import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export interface FileWrite {
  /** Absolute path. */
  file: string;
  content: string;
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function stage(write: FileWrite): Promise<string> {
  await mkdir(path.dirname(write.file), { recursive: true });
  const temp = path.join(path.dirname(write.file), `.${path.basename(write.file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(write.content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

/**
 * Write every file or none: a failure while staging removes the temp files and
 * leaves every target as it was. rename(2) within a directory is atomic.
 */
export async function writeFilesAtomically(writes: FileWrite[]): Promise<void> {
  const staged: Array<{ temp: string; file: string }> = [];
  try {
    for (const write of writes) staged.push({ temp: await stage(write), file: write.file });
  } catch (err) {
    await Promise.all(staged.map((s) => rm(s.temp, { force: true })));
    throw err;
  }
  for (const { temp, file } of staged) await rename(temp, file);
  for (const dir of new Set(staged.map((s) => path.dirname(s.file)))) await syncDir(dir);
}
