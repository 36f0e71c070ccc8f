// Every read and write of DKIM key files, the private key directory, signer configs and the
// policy file that `dkim keygen`, `dkim rotate` and audit make: paths inside the zone repo
// (real path checked), regular files only, size caps, private keys created 0600 (0640 for
// the signer's group) and never overwritten. One module so that it moves onto the repo-file
// module (issue 17) in one step.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants, statSync } from 'node:fs';
import { chmod, chown, link, lstat, mkdir, open, readdir, realpath, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { MailrecError } from '../../base/errors.js';

/** Key files and signer configs are small: anything larger is not one. */
const MAX_KEY_BYTES = 64 * 1024;
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** Mode bits a private key directory must not have: readable or writable by others, writable by the group. */
const UNSAFE_DIR_BITS = 0o026;

function inside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * The absolute path of `rel` under the repo root, refused when it (or the directories on
 * the way, once resolved) leaves the repo.
 */
export async function repoPath(root: string, rel: string): Promise<string> {
  const realRoot = await realpath(root);
  const absolute = path.resolve(realRoot, rel);
  if (!inside(realRoot, absolute)) throw new MailrecError(`${rel} is outside the repo`);
  // The deepest existing ancestor, resolved, must stay inside too (a symlinked directory could lead out).
  let probe = path.dirname(absolute);
  for (;;) {
    try {
      const real = await realpath(probe);
      if (real !== realRoot && !inside(realRoot, real)) throw new MailrecError(`${rel} leads outside the repo through a symbolic link`);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      probe = path.dirname(probe);
    }
  }
  return absolute;
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
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
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
 * A small regular file's text, or undefined when it does not exist. Refused: a special file,
 * a link out of the repo, a file over the cap. `max` defaults to the key file cap.
 */
export async function readSmallFile(root: string, rel: string, max = MAX_KEY_BYTES): Promise<string | undefined> {
  const file = await repoPath(root, rel);
  let real: string;
  try {
    real = await realpath(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (!inside(await realpath(root), real)) throw new MailrecError(`${rel} is a link to a file outside the repo`);
  const handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new MailrecError(`${rel} is not a regular file`);
    if (info.size > max) throw new MailrecError(`${rel} is ${info.size} bytes, more than a ${max === MAX_KEY_BYTES ? 'key' : 'signer config'} file holds`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** A config file's text (policy, signer config; see readSmallFile), with the config size cap. */
export function readConfigFile(root: string, rel: string): Promise<string | undefined> {
  return readSmallFile(root, rel, MAX_CONFIG_BYTES);
}

/** The names in a repo directory; none when it does not exist. */
export async function listDir(root: string, rel: string): Promise<string[]> {
  try {
    return await readdir(await repoPath(root, rel));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
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
    return statSync(path.resolve(root, rel)).isFile();
  } catch {
    return false;
  }
}
