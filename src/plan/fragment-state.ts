// Reads the current state of a file-managed zone: mailrec's fragment and, when
// the policy names it, the zone file that $INCLUDEs it (for foreign records).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ZoneConfig } from '../policy/model.js';
import { digestText, type ZoneState } from './plan.js';
import type { RR } from '../dns-types/rr.js';
import { parseZoneText } from '../zone/reader.js';
import { checkFragment } from '../zone/writer.js';
import { readOptionalFile } from '../zone/read-optional.js';

function stripPosition(records: Array<RR & { position?: unknown }>): RR[] {
  return records.map(({ position: _position, ...rr }) => rr as RR);
}

export async function readFragmentState(root: string, zone: ZoneConfig): Promise<ZoneState> {
  const fragmentFile = path.resolve(root, zone.fragment);
  const text = await readOptionalFile(fragmentFile);
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
  if (zone.zoneFile !== undefined) {
    state.zoneFile = zone.zoneFile;
    state.foreign = await readForeignRecords(root, zone, fragmentFile);
  }
  return state;
}

/** The zone file's records, less those that come from mailrec's fragment. */
async function readForeignRecords(root: string, zone: ZoneConfig, fragmentFile: string): Promise<RR[]> {
  const zoneFile = path.resolve(root, zone.zoneFile!);
  const text = readFileSync(zoneFile, 'utf8');
  const { records } = parseZoneText(text, {
    origin: zone.apex,
    file: zone.zoneFile!,
    // The fragment's own records are mailrec's; everything else is foreign.
    readInclude: (included: string) => {
      // Include paths come relative to the repo root (the including file's name is).
      const file = path.resolve(root, included);
      return file === fragmentFile ? '' : readFileSync(file, 'utf8');
    },
  });
  return stripPosition(records);
}
