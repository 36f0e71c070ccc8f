// Applies a plan to a zone repo: rewrites the fragments and generated files it
// names, after checking that nothing changed on disk since the plan was made.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MailrecError, StalePlanError } from '../base/errors.js';
import { digestText, type Plan } from '../plan/plan.js';
import { readOptionalFile } from '../zone/read-optional.js';
import { bumpSoaSerial } from '../zone/serial.js';
import { renderFragment } from '../zone/writer.js';
import { writeFilesAtomically, type FileWrite } from './atomic-write.js';

export interface ApplyFilesOptions {
  root: string;
  /** Overwrite fragments edited by hand since the last apply. */
  force: boolean;
  /** Bump the SOA serial of the zone file that includes each written fragment. */
  bumpSerial?: { now: Date };
}

export interface ApplyFilesResult {
  written: string[];
  serials: Array<{ zoneFile: string; from: number; to: number }>;
}

async function digestOf(file: string): Promise<string> {
  const text = await readOptionalFile(file);
  return text === undefined ? 'absent' : digestText(text);
}

/** The staged writes of a plan, every check done: nothing is written until `commit`. */
export interface PreparedFiles extends ApplyFilesResult {
  commit(): Promise<void>;
}

/**
 * Checks everything the file side of a plan needs (nothing changed on disk since the plan,
 * no hand edits unless forced) and renders the files, without writing: apply prepares the
 * files first, sends the RFC 2136 updates, and only then commits the files.
 */
export async function prepareFileWrites(plan: Plan, options: ApplyFilesOptions): Promise<PreparedFiles> {
  const writes: FileWrite[] = [];
  const serials: ApplyFilesResult['serials'] = [];
  for (const zone of plan.zones) {
    if (zone.source !== 'fragment' || !zone.write || zone.fragment === undefined) continue;
    const file = path.resolve(options.root, zone.fragment);
    if ((await digestOf(file)) !== zone.before)
      throw new StalePlanError(`${zone.fragment} changed since the plan was made; nothing was written`, 'run mailrec plan again');
    if ((zone.status === 'edited' || zone.status === 'foreign') && !options.force)
      throw new MailrecError(
        zone.status === 'edited'
          ? `${zone.fragment} was edited by hand since mailrec wrote it; nothing was written`
          : `${zone.fragment} exists and was not written by mailrec; nothing was written`,
        'move the hand-made records into the policy, or pass --force to overwrite the file',
      );
    const content = renderFragment(zone.zone, zone.records);
    if (digestText(content) !== zone.after)
      throw new StalePlanError(`the plan for ${zone.zone} does not match its own records; nothing was written`, 'run mailrec plan again');
    writes.push({ file, content });
    if (options.bumpSerial && zone.zoneFile !== undefined) {
      const zoneFile = path.resolve(options.root, zone.zoneFile);
      const bump = bumpSoaSerial(await readFile(zoneFile, 'utf8'), zone.zoneFile, options.bumpSerial.now);
      writes.push({ file: zoneFile, content: bump.text });
      serials.push({ zoneFile: zone.zoneFile, from: bump.from, to: bump.to });
    }
  }
  for (const change of plan.files) {
    const file = path.resolve(options.root, change.path);
    if ((await digestOf(file)) !== change.before)
      throw new StalePlanError(`${change.path} changed since the plan was made; nothing was written`, 'run mailrec plan again');
    if (change.status && !options.force)
      throw new MailrecError(
        change.status === 'edited'
          ? `${change.path} was edited by hand since mailrec wrote it; nothing was written`
          : `${change.path} exists and was not written by mailrec; nothing was written`,
        'move the hand-made settings elsewhere (rspamd: local.d or override.d), or pass --force to overwrite the file',
      );
    writes.push({ file, content: change.content });
  }
  return {
    written: writes.map((w) => path.relative(options.root, w.file)),
    serials,
    commit: () => writeFilesAtomically(writes),
  };
}
