// Reads a zone file and what it $INCLUDEs through the repo-file module: an include that
// leaves the zone repo is not read (what it holds is unknown), every file has its cap, and
// the zone file with all its includes has one more (docs/security.md).

import { RepoFiles, ZONE_TOTAL_CAP, type ReadBudget } from '../base/repo-files.js';
import { MailrecError, OutsideRepoError, RepoFileError } from '../base/errors.js';
import { parseZoneText, type NotRead, type ParsedZone } from './reader.js';

/** Why an $INCLUDE outside the repo is not followed, as plan, audit and import say it. */
export const NOT_READ_OUTSIDE = 'not read: outside the zone repo';

export interface LoadZoneOptions {
  /** Initial $ORIGIN (the zone apex). */
  origin?: string;
  /** TTL for records with none before any $TTL. */
  defaultTtl?: number;
  /** The zone file's text when the caller has it already. */
  text?: string;
  /** An included file's text supplied by the caller (by absolute path) instead of reading it. */
  substitute?: (absolute: string) => string | undefined;
  /** Told each included file's absolute path and text (undefined when not read). */
  onInclude?: (absolute: string, text: string | undefined) => void;
}

/**
 * Read and parse `file` (relative to the repo root, or absolute) with its $INCLUDEs.
 * Positions name files as the repo shows them (repo-relative, "/"-separated).
 */
export function loadZoneFile(files: RepoFiles, file: string, options: LoadZoneOptions = {}): ParsedZone {
  const budget: ReadBudget = { left: ZONE_TOTAL_CAP };
  const text = options.text ?? files.read(file, 'zone', budget);
  const readInclude = (included: string): string | NotRead => {
    const absolute = files.resolve(included);
    const given = options.substitute?.(absolute);
    if (given !== undefined) {
      options.onInclude?.(absolute, given);
      return given;
    }
    try {
      const text = files.read(absolute, 'zone', budget);
      options.onInclude?.(absolute, text);
      return text;
    } catch (error) {
      if (error instanceof OutsideRepoError) {
        options.onInclude?.(absolute, undefined);
        return { notRead: NOT_READ_OUTSIDE };
      }
      // The reader names the file and the $INCLUDE's position; the cause is enough here.
      if (error instanceof RepoFileError) throw new MailrecError(error.reason, error.hint);
      throw error;
    }
  };
  return parseZoneText(text, {
    file: files.show(file),
    readInclude,
    ...(options.origin !== undefined ? { origin: options.origin } : {}),
    ...(options.defaultTtl !== undefined ? { defaultTtl: options.defaultTtl } : {}),
  });
}
