// What a master file's name says, by the names BIND users give zone files: `<origin>.zone`,
// `db.<origin>`, `<origin>.db`, or the origin itself (`example.com`, `example.com.`), and
// the files BIND keeps beside them that are not master files to read.

/** A file name read as a zone file, with the origin it suggests. */
export type ZoneFileName =
  | { kind: 'zone'; pattern: '*.zone' | 'db.*' | '*.db' | '<origin>'; origin: string }
  | { kind: 'not-zone'; reason: string };

/** The names read, for messages. */
export const ZONE_FILE_NAMES = '*.zone, db.*, *.db or the origin';

/**
 * BIND's and the DNSSEC tools' own files: journals (`.jnl`, `.jbk`), managed keys, key
 * pairs, signing state, and the signed copy of a zone (read the unsigned one).
 */
const NOT_MASTER_FILES: readonly [RegExp, string][] = [
  [/\.(jnl|jbk)$/i, 'a BIND journal, not a master file'],
  [/\.mkeys(\.jnl)?$/i, 'BIND managed keys, not a zone'],
  [/^K.*\.(key|private|state)$/, 'a DNSSEC key file, not a zone'],
  [/\.signed$/i, 'the signed copy of a zone (its unsigned file is read)'],
];

/** Labels of letters, digits, hyphens and underscores: a name that can be an origin. */
const ORIGIN = /^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.?$/i;

function originOf(name: string): string | undefined {
  if (name.length === 0 || name.length > 254 || !ORIGIN.test(name)) return undefined;
  return name.toLowerCase().replace(/\.$/, '');
}

/** Whether a file name is a zone file's, and the origin it suggests. */
export function classifyZoneFileName(fileName: string): ZoneFileName {
  for (const [pattern, reason] of NOT_MASTER_FILES) if (pattern.test(fileName)) return { kind: 'not-zone', reason };
  const zone = /^(.+)\.zone$/i.exec(fileName);
  if (zone) {
    const origin = originOf(zone[1]!);
    if (origin !== undefined) return { kind: 'zone', pattern: '*.zone', origin };
  }
  const dbPrefix = /^db\.(.+)$/i.exec(fileName);
  if (dbPrefix) {
    const origin = originOf(dbPrefix[1]!);
    if (origin !== undefined) return { kind: 'zone', pattern: 'db.*', origin };
  }
  const dbSuffix = /^(.+)\.db$/i.exec(fileName);
  if (dbSuffix) {
    const origin = originOf(dbSuffix[1]!);
    if (origin !== undefined) return { kind: 'zone', pattern: '*.db', origin };
  }
  const plain = originOf(fileName);
  if (plain !== undefined) return { kind: 'zone', pattern: '<origin>', origin: plain };
  return { kind: 'not-zone', reason: `not a zone file name (read: ${ZONE_FILE_NAMES})` };
}
