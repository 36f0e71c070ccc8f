// Reads the current state of a file-managed zone: mailrec's fragment and, when
// the policy names it, the zone file that $INCLUDEs it (for foreign records).

import type { RepoFiles } from '../base/repo-files.js';
import type { ZoneConfig } from '../policy/model.js';
import { digestText, type ZoneState } from './plan.js';
import type { RR } from '../dns-types/rr.js';
import type { GeneratedFile } from '../build/notice.js';
import { loadZoneFile } from '../zone/load.js';
import { parseZoneText } from '../zone/reader.js';
import { checkFragment, readFlattenNotes, readFragmentSerial } from '../zone/writer.js';

function stripPosition(records: Array<RR & { position?: unknown }>): RR[] {
  return records.map(({ position: _position, ...rr }) => rr as RR);
}

export async function readFragmentState(files: RepoFiles, zone: ZoneConfig): Promise<ZoneState> {
  return readFragmentStateNow(files, zone);
}

/** readFragmentState, synchronously (the repo's files are read synchronously): plan streamed zone by zone reads a zone when the SPF builder or the zone's turn asks for it. */
export function readFragmentStateNow(files: RepoFiles, zone: ZoneConfig): ZoneState {
  const fragmentFile = files.resolve(zone.fragment);
  const text = files.readOptional(fragmentFile, 'fragment');
  const state: ZoneState = {
    zone: zone.apex,
    source: 'fragment',
    fragment: zone.fragment,
    status: text === undefined ? 'absent' : checkFragment(text),
    digest: text === undefined ? 'absent' : digestText(text),
    records:
      text === undefined
        ? []
        : stripPosition(parseZoneText(text, { origin: zone.apex, file: zone.fragment }).records),
  };
  const fragmentSerial = text === undefined ? undefined : readFragmentSerial(text);
  if (fragmentSerial !== undefined) state.fragmentSerial = fragmentSerial;
  const flattened = text === undefined ? [] : readFlattenNotes(text);
  if (flattened.length > 0) state.flattened = flattened;
  if (zone.zoneFile !== undefined) {
    state.zoneFile = zone.zoneFile;
    const read = readZoneFileRecords(files, zone, fragmentFile);
    state.foreign = read.foreign;
    if (read.serial !== undefined) state.zoneSerial = read.serial;
    if (read.unread.length > 0) state.unread = read.unread;
  }
  return state;
}

/** The current text of each generated file (undefined: absent), by path. */
export function readGeneratedFiles(files: RepoFiles, generated: readonly GeneratedFile[]): Map<string, string | undefined> {
  return new Map(generated.map((file) => [file.path, files.readOptional(file.path, 'generated')]));
}

/** The zone file's records, less those that come from mailrec's fragment, and its SOA serial. */
function readZoneFileRecords(files: RepoFiles, zone: ZoneConfig, fragmentFile: string) {
  const { records, unread } = loadZoneFile(files, zone.zoneFile!, {
    origin: zone.apex,
    // The fragment's own records are mailrec's; everything else is foreign.
    substitute: (included) => (included === fragmentFile ? '' : undefined),
  });
  const soa = records.find((rr) => rr.type === 'SOA' && rr.name === zone.apex);
  return {
    foreign: stripPosition(records),
    serial: soa?.type === 'SOA' ? soa.serial : undefined,
    unread: unread.map((u) => ({ position: u.position, path: u.path, reason: u.reason })),
  };
}
