// SOA serial bump in a zone file's text, in the YYYYMMDDnn convention, never
// decreasing (RFC 1982 serial arithmetic is not needed while it only grows).

import { MailrecError } from '../base/errors.js';
import { parseEntries } from '../dns-types/tokenizer.js';

const MAX_SERIAL = 2 ** 32 - 1;

export interface SerialBump {
  text: string;
  from: number;
  to: number;
}

/** The next serial: today's YYYYMMDD00, or one more than the current when that is not lower. */
export function nextSerial(current: number, now: Date): number {
  const today =
    (now.getUTCFullYear() * 10000 + (now.getUTCMonth() + 1) * 100 + now.getUTCDate()) * 100;
  const next = current < today ? today : current + 1;
  if (next > MAX_SERIAL) throw new MailrecError(`SOA serial ${current} cannot grow any further`, 'reset it by hand following RFC 1982 §7');
  return next;
}

/** Rewrite the serial of the zone file's SOA record in place; everything else stays byte for byte. */
export function bumpSoaSerial(text: string, file: string, now: Date): SerialBump {
  for (const entry of parseEntries(text, file)) {
    const soa = entry.tokens.findIndex((t) => !t.quoted && t.raw.toUpperCase() === 'SOA');
    if (soa < 0 || entry.tokens[0]?.raw.startsWith('$')) continue;
    const token = entry.tokens[soa + 3]; // SOA mname rname serial
    if (!token || !/^\d+$/.test(token.raw)) throw new MailrecError(`${file}:${entry.line}: cannot find the SOA serial`);
    const from = Number(token.raw);
    const to = nextSerial(from, now);
    const lines = text.split('\n');
    const line = lines[token.line - 1]!;
    const start = token.column - 1;
    lines[token.line - 1] = `${line.slice(0, start)}${to}${line.slice(start + token.raw.length)}`;
    return { text: lines.join('\n'), from, to };
  }
  throw new MailrecError(`${file} has no SOA record`, 'bump the serial by hand, or drop --bump-serial');
}
