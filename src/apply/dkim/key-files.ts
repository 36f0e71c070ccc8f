// Every read and write of DKIM key files, the private key directory, signer configs and the
// policy file that `dkim keygen`, `dkim rotate` and audit make. Paths, reads and listings go
// through the repo-file module (base/repo-files.ts: real path inside the repo, regular files
// only, size caps); what is particular to keys stays here: private keys created 0600 (0640
// for the signer's group), never overwritten, in a directory no one else may read.

import { execFile } from 'node:child_process';
import { constants, statSync } from 'node:fs';
import { chmod, chown, link, lstat, mkdir, open, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { MailrecError, RepoFileError } from '../../base/errors.js';
import { RepoFiles } from '../../base/repo-files.js';
import { tempNameFor } from '../journal.js';

/** Mode bits a private key directory must not have: readable or writable by others, writable by the group. */
const UNSAFE_DIR_BITS = 0o026;

/**
 * The absolute path of `rel` under the repo root, refused when it (or the directories on
 * the way, once resolved) leaves the repo.
 */
export async function repoPath(root: string, rel: string): Promise<string> {
  return new RepoFiles(root).checkPath(rel);
}

const run = promisify(execFile);

/** A group name or number -> its gid (getent, so that NSS groups count). */
export async function resolveGroup(group: string): Promise<number> {
  if (/^\d+$/.test(group)) return Number(group);
  try {
    const { stdout } = await run('getent', ['group', group], { timeout: 5000 });
    const gid = stdout.split(':')[2];
    if (gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  } catch {
    // not found, or no getent: the same answer for the user
  }
  throw new MailrecError(`no group named ${group} on this machine`, 'dkim_keys.group names the group the signer runs as (rspamd: _rspamd on Debian)');
}

function modeText(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

/**
 * The private key directory: created 0700 (0750 and given to `gid` when the signer's group
 * may read keys); an existing one is refused when others may read or write it, or when it is
 * a symbolic link.
 */
export async function preparePrivateDir(root: string, rel: string, gid: number | undefined): Promise<string> {
  const dir = await repoPath(root, rel);
  let info;
  try {
    info = await lstat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(path.dirname(dir), { recursive: true });
    await mkdir(dir, { mode: 0o700 });
    info = await lstat(dir);
  }
  if (info.isSymbolicLink() || !info.isDirectory()) throw new MailrecError(`${rel} is not a directory`, 'dkim_keys.dir names the private key directory inside the repo');
  if ((info.mode & UNSAFE_DIR_BITS) !== 0) {
    throw new MailrecError(
      `the private key directory ${rel} is ${modeText(info.mode)}: others could read or replace keys; nothing was written`,
      `chmod 0700 ${rel} (0750 with dkim_keys.group)`,
    );
  }
  if (gid !== undefined && info.gid !== gid) {
    try {
      await chown(dir, -1, gid);
    } catch {
      throw new MailrecError(`cannot give ${rel} to group ${gid}`, 'run as root, or as a member of dkim_keys.group');
    }
  }
  // The group needs x to reach the keys, never w.
  await chmod(dir, gid === undefined ? info.mode & 0o700 : (info.mode & 0o700) | 0o050);
  return dir;
}

/**
 * A synced temp file beside `file` holding `text`, created with `mode` (O_EXCL, never
 * following a link); `prepare` runs on it before the text is written (ownership, mode).
 * Removed again when anything fails. Returns its path.
 */
async function stageTemp(file: string, text: string, mode: number, prepare?: (handle: FileHandle) => Promise<void>): Promise<string> {
  // Named like apply's staged files: recognisable, and git-ignored by init.
  const temp = tempNameFor(file);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    // open() applies the umask; set the mode the file must have.
    await handle.chmod(mode);
    await prepare?.(handle);
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  return temp;
}

/**
 * Create a private key file: staged 0600 (never wider, whatever the umask), given to `gid`
 * and made 0640 when the signer's group reads it, synced, then linked into place — link(2)
 * fails if the name exists, so a key is never overwritten.
 */
export async function createPrivateKeyFile(file: string, text: string, gid: number | undefined): Promise<number> {
  const mode = gid === undefined ? 0o600 : 0o640;
  const temp = await stageTemp(file, text, 0o600, async (handle) => {
    if (gid === undefined) return;
    try {
      await handle.chown(-1, gid);
    } catch {
      throw new MailrecError(`cannot give the key file to group ${gid}`, 'run as root, or as a member of dkim_keys.group');
    }
    await handle.chmod(mode);
  });
  try {
    await link(temp, file);
  } finally {
    await unlink(temp);
  }
  return mode;
}

/** A new public file (the public key), 0644, never overwriting one. */
export async function createPublicFile(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replace a file atomically (temp, fsync, rename), keeping its mode: for the policy file. */
export async function replaceFile(file: string, text: string): Promise<void> {
  const info = await stat(file);
  await rename(await stageTemp(file, text, info.mode & 0o777), file);
}

/**
 * A key file's text, or undefined when it does not exist. Refused (RepoFileError): a special
 * file, a link out of the repo, a file over the key cap.
 */
export async function readSmallFile(root: string, rel: string): Promise<string | undefined> {
  return new RepoFiles(root).readOptional(rel, 'key');
}

/** A config file's text (policy, signer config), as readSmallFile with the cap of generated files. */
export async function readConfigFile(root: string, rel: string): Promise<string | undefined> {
  return new RepoFiles(root).readOptional(rel, 'generated');
}

/** The names in a repo directory; none when it does not exist. */
export async function listDir(root: string, rel: string): Promise<string[]> {
  const files = new RepoFiles(root);
  if (!files.exists(rel)) return [];
  return files.list(rel).map((e) => e.name);
}

/** Remove a repo file if it is there (a removed key's files). */
export async function removeRepoFile(root: string, rel: string): Promise<boolean> {
  const file = await repoPath(root, rel);
  try {
    const info = await lstat(file);
    if (!info.isFile() && !info.isSymbolicLink()) throw new MailrecError(`${rel} is not a file; not removed`);
    await unlink(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** True when the repo holds a regular file at `rel` (a private key the signers will read). */
export function hasRepoFile(root: string, rel: string): boolean {
  try {
    return statSync(new RepoFiles(root).locate(rel)).isFile();
  } catch (error) {
    if (error instanceof RepoFileError) return false;
    throw error;
  }
}
