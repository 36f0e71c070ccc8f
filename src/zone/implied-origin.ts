// The origin a master file has when nothing configures one, as a server's zone statement
// would give it: the file's own $ORIGIN (or absolute names throughout), else its SOA owner
// when that is written absolute, else the origin its file name says (file-names.ts).

import { ZoneSyntaxError } from '../base/errors.js';
import { isInZone, normalizeName, type RR } from '../dns-types/rr.js';

/** An origin no real zone has: a name parsed under it was relative. */
const PROBE_ORIGIN = 'origin.mailrec.invalid';

/**
 * `parse(origin)` reads the file with that origin (undefined: none). Tried without one
 * first; when a relative name needs one, the SOA owner if absolute, else `nameOrigin`.
 * Without a name origin the first error stands.
 */
export function parseWithImpliedOrigin<T extends { records: readonly RR[] }>(parse: (origin: string | undefined) => T, nameOrigin: string | undefined): T {
  let needsOrigin: ZoneSyntaxError;
  try {
    return parse(undefined);
  } catch (error) {
    if (!(error instanceof ZoneSyntaxError && /needs an origin|no origin set/.test(error.message))) throw error;
    needsOrigin = error;
  }
  const soa = parse(PROBE_ORIGIN).records.find((rr) => rr.type === 'SOA');
  const soaOwner = soa ? normalizeName(soa.name) : undefined;
  if (soaOwner !== undefined && !isInZone(soaOwner, PROBE_ORIGIN)) return parse(soaOwner);
  if (nameOrigin === undefined) throw needsOrigin;
  return parse(nameOrigin);
}
