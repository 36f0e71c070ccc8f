// TTL values as a master file writes them: seconds, or BIND units like "1h30m" and "1w".

import { RecordError } from '../base/errors.js';

/** RFC 2181 §8: a TTL is an unsigned 31-bit value. */
export const MAX_TTL = 2 ** 31 - 1;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/**
 * Parse a TTL: plain seconds ("3600") or a sum of unit terms ("1h30m", "1W", "2d12h"),
 * units s/m/h/d/w in either case. Above 2^31-1 is an error (RFC 2181 §8).
 */
export function parseTtl(text: string, max = MAX_TTL): number {
  let seconds: number;
  if (/^\d+$/.test(text)) {
    seconds = Number(text);
  } else if (/^(\d+[smhdw])+$/i.test(text)) {
    seconds = 0;
    for (const [, value, unit] of text.toLowerCase().matchAll(/(\d+)([smhdw])/g)) {
      seconds += Number(value) * UNIT_SECONDS[unit!]!;
    }
  } else {
    throw new RecordError(
      `bad TTL ${JSON.stringify(text)}`,
      undefined,
      'write seconds ("3600") or units s, m, h, d, w ("1h30m")',
    );
  }
  if (seconds > max) {
    throw new RecordError(`TTL ${JSON.stringify(text)} is over ${max} seconds (RFC 2181 §8)`);
  }
  return seconds;
}
