// Zone transfer (RFC 5936) over TCP, each message checked, TSIG-verified when a key is given (RFC 8945 §5.3.1).

import { DnsError } from '../base/errors.js';
import { normalizeName, type RR } from '../dns-types/rr.js';
import { buildMessage, randomId } from './message.js';
import { parseResponse } from './response.js';
import { formatServer, type ServerAddress } from './servers.js';
import { exchangeTcp } from './transport-tcp.js';
import { createTsigVerifier, signMessage, type TsigVerifier } from './tsig.js';
import type { TsigKey } from './tsig-key.js';
import { CLASS, nameLabels } from './wire.js';

const TYPE_AXFR = 252;

export interface AxfrOptions {
  key?: TsigKey;
  /** Longest silence between two reads. Default 10 s. */
  idleTimeoutMs?: number;
  /** Deadline for the whole transfer. Default 120 s. */
  timeoutMs?: number;
  /** Octets accepted in all. Default 64 MiB. */
  maxOctets?: number;
  now?: () => number;
}

/**
 * Read a whole zone: every record from the opening SOA to the closing one (RFC 5936 §2.2),
 * the closing SOA not repeated. Class IN records only.
 */
export async function axfr(server: ServerAddress, zone: string, options: AxfrOptions = {}): Promise<RR[]> {
  const name = normalizeName(zone);
  nameLabels(name);
  const where = formatServer(server);
  const about = `zone transfer of ${name || '.'} from ${where}`;
  const id = randomId();
  let message = buildMessage({ id, questions: [{ name, type: TYPE_AXFR, class: CLASS.IN }] });
  let verifier: TsigVerifier | undefined;
  if (options.key) {
    const signed = signMessage(message, options.key, { now: options.now });
    message = signed.message;
    verifier = createTsigVerifier(options.key, signed.mac, where, { now: options.now });
  }
  const records: RR[] = [];
  let first = true;
  try {
    return await exchangeTcp<RR[]>({
      server,
      message,
      timeoutMs: options.timeoutMs ?? 120_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 10_000,
      maxTotalOctets: options.maxOctets ?? 64 * 1024 * 1024,
      onMessage: (buf) => {
        // Inside a transfer a broken message cannot be skipped (the zone would be partial): it throws.
        const response = parseResponse(buf);
        const q = response.scan.questions[0];
        // RFC 5936 §2.2.1: later messages may omit the question; if present it must match.
        if (response.id !== id || !response.flags.qr || (q !== undefined && (q.name !== name || q.type !== TYPE_AXFR))) {
          if (first) return { done: false };
          throw new DnsError('a message with a different ID or question arrived mid-transfer');
        }
        if (response.rcode !== 'NOERROR') throw new DnsError(`the server answered ${response.rcode}${options.key ? ` (TSIG key ${options.key.name})` : ''}`);
        verifier?.verify(response.raw, response.scan);
        for (const rr of response.answers) {
          if (first) {
            if (rr.type !== 'SOA' || rr.name !== name) throw new DnsError('the transfer does not start with the zone SOA');
            first = false;
            records.push(rr);
            continue;
          }
          if (rr.type === 'SOA' && rr.name === name) {
            verifier?.finish();
            return { done: true, value: records };
          }
          records.push(rr);
        }
        if (first) throw new DnsError('empty first message');
        return { done: false };
      },
    });
  } catch (error) {
    if (error instanceof DnsError) throw new DnsError(`${about} failed: ${error.message}`);
    throw error;
  }
}
