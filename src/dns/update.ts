// RFC 2136 dynamic update: one function per prerequisite and update operation, and sendUpdate over TCP with TSIG.

import { DnsError } from '../base/errors.js';
import { normalizeName, type RR } from '../dns-types/rr.js';
import { MalformedMessageError } from './guard.js';
import { buildMessage, OPCODE, randomId, type WireRR } from './message.js';
import { parseResponse, type DnsResponse } from './response.js';
import { formatServer, type ServerAddress } from './servers.js';
import { exchangeTcp } from './transport-tcp.js';
import { createTsigVerifier, findTsig, signMessage, tsigErrorName, TsigError } from './tsig.js';
import type { TsigKey } from './tsig-key.js';
import { CLASS, encodeRdata, nameLabels, typeCode } from './wire.js';

const TYPE_ANY = 255;
const TYPE_SOA = 6;
const EMPTY = Buffer.alloc(0);

function rrType(rr: RR): number {
  return typeCode(rr.type === 'OTHER' ? rr.rrtype : rr.type);
}

function bare(name: string, type: number, klass: number): WireRR {
  const n = normalizeName(name);
  nameLabels(n);
  return { name: n, type, class: klass, ttl: 0, rdata: EMPTY };
}

// --- Prerequisites (RFC 2136 §2.4), the answer section of an UPDATE ---

/** §2.4.1 RRset exists (value independent): class ANY, empty rdata. */
export function rrsetExists(name: string, type: string): WireRR {
  return bare(name, typeCode(type), CLASS.ANY);
}

/**
 * §2.4.2 RRset exists (value dependent): the RRset at the name and type must be exactly
 * these records, given with class IN and TTL 0.
 */
export function rrsetExistsValue(rrs: RR[]): WireRR[] {
  return rrs.map((rr) => ({ ...bare(rr.name, rrType(rr), CLASS.IN), rdata: encodeRdata(rr) }));
}

/** §2.4.3 RRset does not exist: class NONE, empty rdata. */
export function rrsetNotExists(name: string, type: string): WireRR {
  return bare(name, typeCode(type), CLASS.NONE);
}

/** §2.4.4 Name is in use: class ANY, type ANY. */
export function nameInUse(name: string): WireRR {
  return bare(name, TYPE_ANY, CLASS.ANY);
}

/** §2.4.5 Name is not in use: class NONE, type ANY. */
export function nameNotInUse(name: string): WireRR {
  return bare(name, TYPE_ANY, CLASS.NONE);
}

// --- Updates (RFC 2136 §2.5), the authority section of an UPDATE ---

/** §2.5.1 Add to an RRset: class IN, the record's TTL and rdata. */
export function addRR(rr: RR): WireRR {
  return { ...bare(rr.name, rrType(rr), CLASS.IN), ttl: rr.ttl, rdata: encodeRdata(rr) };
}

/** §2.5.2 Delete an RRset: class ANY, type, empty rdata. */
export function deleteRRset(name: string, type: string): WireRR {
  return bare(name, typeCode(type), CLASS.ANY);
}

/** §2.5.3 Delete all RRsets from a name: class ANY, type ANY. */
export function deleteName(name: string): WireRR {
  return bare(name, TYPE_ANY, CLASS.ANY);
}

/** §2.5.4 Delete one RR from an RRset: class NONE, TTL 0, the record's rdata. */
export function deleteRR(rr: RR): WireRR {
  return { ...bare(rr.name, rrType(rr), CLASS.NONE), rdata: encodeRdata(rr) };
}

// --- Sending ---

export type PrerequisiteRcode = 'NXRRSET' | 'YXRRSET' | 'NXDOMAIN' | 'YXDOMAIN';

export type UpdateResult = { status: 'ok' } | { status: 'prerequisite-failed'; rcode: PrerequisiteRcode };

export interface UpdateRequest {
  server: ServerAddress;
  zone: string;
  prerequisites?: WireRR[];
  updates: WireRR[];
  /** Sign with this key (RFC 8945); the response must then be signed by it too. */
  key?: TsigKey;
  timeoutMs?: number;
  now?: () => number;
}

/** The UPDATE message (RFC 2136 §2): zone section (zone SOA IN), prerequisites, updates. */
export function buildUpdate(id: number, zone: string, prerequisites: WireRR[], updates: WireRR[]): Buffer {
  const z = normalizeName(zone);
  nameLabels(z);
  return buildMessage({
    id,
    opcode: OPCODE.UPDATE,
    questions: [{ name: z, type: TYPE_SOA, class: CLASS.IN }],
    answers: prerequisites,
    authorities: updates,
  });
}

const PREREQUISITE_RCODES = new Set<string>(['NXRRSET', 'YXRRSET', 'NXDOMAIN', 'YXDOMAIN']);

const RCODE_HINTS: Record<string, string> = {
  REFUSED: 'the server refuses unsigned updates from this client: give the target a TSIG key, and check allow-update',
  NOTAUTH: 'check the TSIG key name, algorithm and secret, and that the server is the zone primary',
  NOTZONE: 'every updated name must lie inside the zone',
};

/**
 * Send an UPDATE over TCP (RFC 2136 §3.8 allows either transport; TCP avoids truncation
 * and makes spoofing harder) and map the rcode: NOERROR is ok; a failed prerequisite is a
 * result, not an error, so the caller can report a concurrent change; anything else is a
 * DnsError naming the server and key, never the secret.
 */
export async function sendUpdate(request: UpdateRequest): Promise<UpdateResult> {
  const { server, key } = request;
  const zone = normalizeName(request.zone);
  const where = formatServer(server);
  const keyText = key ? ` with TSIG key ${key.name}` : ' without a TSIG key';
  const about = `DNS update of ${zone || '.'} at ${where}`;
  const id = randomId();
  let message = buildUpdate(id, zone, request.prerequisites ?? [], request.updates);
  let requestMac: Buffer | undefined;
  if (key) {
    const signed = signMessage(message, key, { now: request.now });
    message = signed.message;
    requestMac = signed.mac;
  }
  const response = await exchangeTcp<DnsResponse>({
    server,
    message,
    timeoutMs: request.timeoutMs ?? 10_000,
    onMessage: (buf) => {
      let parsed: DnsResponse;
      try {
        parsed = parseResponse(buf);
      } catch (error) {
        if (error instanceof MalformedMessageError) return { done: false };
        throw error;
      }
      const q = parsed.scan.questions[0];
      const ours =
        parsed.id === id && parsed.flags.qr && parsed.opcode === OPCODE.UPDATE &&
        (q === undefined || (q.name === zone && q.type === TYPE_SOA));
      return ours ? { done: true, value: parsed } : { done: false };
    },
  }).catch((error: unknown) => {
    if (error instanceof DnsError) throw new DnsError(`${about} failed: ${error.message}`);
    throw error;
  });
  const rcode = response.rcode;
  if (key && requestMac) {
    const found = findTsig(response.raw, response.scan);
    if (found && found.tsig.error !== 0) {
      // RFC 8945 §5.3.2: NOTAUTH with BADSIG, BADKEY or BADTIME in the TSIG error field.
      throw new DnsError(`${about} failed: ${rcode} (TSIG ${tsigErrorName(found.tsig.error)})${keyText}`, RCODE_HINTS.NOTAUTH);
    }
    try {
      const verifier = createTsigVerifier(key, requestMac, where, { now: request.now });
      verifier.verify(response.raw, response.scan);
    } catch (error) {
      if (error instanceof TsigError) throw new DnsError(`${about} failed: ${rcode}; ${error.message}`, RCODE_HINTS.NOTAUTH);
      throw error;
    }
  }
  if (rcode === 'NOERROR') return { status: 'ok' };
  if (PREREQUISITE_RCODES.has(rcode)) return { status: 'prerequisite-failed', rcode: rcode as PrerequisiteRcode };
  const hint =
    rcode === 'REFUSED' && key
      ? 'the server accepted the key but refused the change: check allow-update or update-policy for this key, and the server log ' +
        '(BIND also refuses, with check-integrity, an MX or SRV target left without an address record)'
      : (RCODE_HINTS[rcode] ?? (rcode === 'FORMERR' ? 'the server could not parse the update; this is a bug' : undefined));
  throw new DnsError(`${about} failed: ${rcode}${keyText}`, hint);
}

