// Applies a plan to a zone repo: rewrites the fragments and generated files it
// names, after checking that nothing changed on disk since the plan was made.

import type { RepoFiles } from '../base/repo-files.js';
import { MailrecError, StalePlanError } from '../base/errors.js';
import { digestText, fragmentOptions, type Plan } from '../plan/plan.js';
import { bumpSoaSerial } from '../zone/serial.js';
import { renderFragment } from '../zone/writer.js';
import { writeFilesAtomically, type AtomicWriteOptions, type FileWrite } from './atomic-write.js';

export interface ApplyFilesOptions {
  /** The zone repo: every read and write goes through it. */
  files: RepoFiles;
  /** Overwrite fragments edited by hand since the last apply. */
  force: boolean;
  /** Bump the SOA serial of the zone file that includes each written fragment. */
  bumpSerial?: { now: Date };
  /** Passed to the atomic writer (tests inject a kill at a step). */
  write?: AtomicWriteOptions;
}

export interface ApplyFilesResult {
  written: string[];
  serials: Array<{ zoneFile: string; from: number; to: number }>;
}

function digestOf(files: RepoFiles, file: string): string {
  const text = files.readOptional(file, 'fragment');
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
  const files = options.files;
  for (const zone of plan.zones) {
    const bump = options.bumpSerial && zone.zoneFile !== undefined ? options.bumpSerial : undefined;
    // A zone whose serial is behind its fragment has nothing else to write: --bump-serial makes it up.
    if (zone.source !== 'fragment' || zone.fragment === undefined || !(zone.write || (bump && zone.serialBehind))) continue;
    const file = zone.fragment;
    if (digestOf(files, file) !== zone.before)
      throw new StalePlanError(`${zone.fragment} changed since the plan was made; nothing was written`, 'run mailrec plan again');
    if ((zone.status === 'edited' || zone.status === 'foreign') && !options.force)
      throw new MailrecError(
        zone.status === 'edited'
          ? `${zone.fragment} was edited by hand since mailrec wrote it; nothing was written`
          : `${zone.fragment} exists and was not written by mailrec; nothing was written`,
        'move the hand-made records into the policy, or pass --force to overwrite the file',
      );
    const planned = renderFragment(zone.zone, zone.records, fragmentOptions(zone.fragmentSerial, zone.flattened));
    if (digestText(planned) !== zone.after)
      throw new StalePlanError(`the plan for ${zone.zone} does not match its own records; nothing was written`, 'run mailrec plan again');
    if (!bump) {
      writes.push({ file, content: planned });
      continue;
    }
    // The fragment records the serial that publishes it, so that plan can tell a zone file left behind.
    const serial = bumpSoaSerial(files.read(zone.zoneFile!, 'zone'), zone.zoneFile!, bump.now, zone.fragmentSerial);
    writes.push({ file, content: renderFragment(zone.zone, zone.records, fragmentOptions(serial.to, zone.flattened)) });
    writes.push({ file: zone.zoneFile!, content: serial.text });
    serials.push({ zoneFile: zone.zoneFile!, from: serial.from, to: serial.to });
  }
  for (const change of plan.files) {
    const file = change.path;
    if (digestOf(files, file) !== change.before)
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
    written: writes.map((w) => files.show(w.file)),
    serials,
    commit: async () => writeFilesAtomically(files, writes, options.write),
  };
}
