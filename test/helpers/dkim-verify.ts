// Test oracles for DKIM signatures: Debian's dkimpy (python3-dkim) and mailauth's dkimVerify, each asking a DNS server the test names (a loopback BIND), with one verdict shape for both.
//
// Tests fail, never skip, when dkimpy is missing: `apt-get install -y --no-install-recommends
// python3-dkim` (.ci/run installs it). It runs under /usr/bin/python3: a python3 earlier in
// PATH (pyenv) has no dkim module.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { runTool } from '../../harness/processes.js';
import { createDnsClient, type Resolver } from '../../src/dns/index.js';

/** Why a signature did not verify. */
export type DkimFailure =
  | 'no signature' // the message has no DKIM-Signature field at that index
  | 'no key' // no key record (NXDOMAIN or no TXT)
  | 'key revoked' // the record's p= is empty (RFC 6376 §3.6.1)
  | 'bad key' // a record that is not a usable key (syntax, type, size)
  | 'body hash mismatch' // the body changed (bh=, RFC 6376 §3.7)
  | 'bad signature' // the key does not verify b= (headers changed, or another key)
  | 'dns error' // the lookup failed: unknown, never "no key"
  | 'invalid signature'; // the DKIM-Signature field itself is unusable

export interface DkimVerdict {
  verifier: 'dkimpy' | 'mailauth';
  ok: boolean;
  reason: DkimFailure | null;
  /** The verifier's own words (dkimpy's exception or log message, mailauth's comment). */
  detail: string;
  domain: string;
  selector: string;
  algorithm: string;
}

export interface DnsServer {
  host?: string;
  port: number;
}

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./dkimpy-verify.py', import.meta.url));
const DKIMPY_MISSING = 'dkimpy is required for the DKIM tests (apt-get install -y --no-install-recommends python3-dkim)';

/** RFC 6376 §3.6.1: "An empty value means that this public key has been revoked." */
export function isRevokedKeyRecord(record: string): boolean {
  const p = /(?:^|;)\s*p\s*=([^;]*)/.exec(record);
  return p !== null && p[1]!.replace(/\s+/g, '') === '';
}

interface DkimpyFacts {
  verified: boolean;
  error: string | null;
  messages: string[];
  count: number;
  domain: string | null;
  selector: string | null;
  algorithm: string | null;
  asked: boolean;
  record: string | null;
}

function dkimpyReason(facts: DkimpyFacts, index: number): DkimFailure | null {
  if (index >= facts.count) return 'no signature';
  if (facts.verified) return null;
  const said = facts.messages.join('\n');
  if (/body hash mismatch/.test(said)) return 'body hash mismatch';
  if (facts.error === 'ValidationError' || facts.error === 'MessageFormatError' || facts.error === 'ParameterError') return 'invalid signature';
  if (/DnsTimeoutError/.test(said)) return 'dns error';
  if (facts.asked && facts.record === null) return 'no key';
  if (facts.record !== null && isRevokedKeyRecord(facts.record)) return 'key revoked';
  // dkimpy logs a KeyFormatError and returns False; a signature that does not verify is silent.
  if (facts.record !== null && facts.messages.length > 0) return 'bad key';
  return 'bad signature';
}

/** Verify the signature at `index` (0: the topmost DKIM-Signature) with dkimpy against `dns`. */
export async function verifyWithDkimpy(message: string | Buffer, dns: DnsServer, index = 0): Promise<DkimVerdict> {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found: ${DKIMPY_MISSING}`);
  const out = await runTool(PYTHON, [SCRIPT, dns.host ?? '127.0.0.1', String(dns.port), String(index)], { input: message });
  if (/ModuleNotFoundError: No module named '(dkim|dns|nacl)/.test(out.stderr)) throw new Error(`${out.stderr.trim().split('\n').pop()}: ${DKIMPY_MISSING}`);
  if (out.code !== 0) throw new Error(`dkimpy-verify.py failed (exit ${out.code}): ${out.stderr.trim()}`);
  const facts = JSON.parse(out.stdout) as DkimpyFacts;
  const reason = dkimpyReason(facts, index);
  return {
    verifier: 'dkimpy',
    ok: reason === null,
    reason,
    detail: facts.messages.join('; '),
    domain: facts.domain ?? '',
    selector: facts.selector ?? '',
    algorithm: facts.algorithm ?? '',
  };
}

type MailauthResolver = (name: string, type: string) => Promise<string[][]>;

/**
 * mailauth's resolver interface (Node's dns.resolve: TXT as arrays of strings, errors with
 * ENOTFOUND / ENODATA codes) over a mailrec Resolver. A failed lookup gets another code,
 * which mailauth reports as temperror, never as a missing key.
 */
export function mailauthResolver(resolver: Resolver, seen?: Map<string, string[]>): MailauthResolver {
  return async (name, type) => {
    if (type !== 'TXT') throw Object.assign(new Error(`unexpected ${type} lookup for ${name}`), { code: 'ENOTIMP' });
    const answer = await resolver.resolve(name, 'TXT');
    if (answer.status === 'nxdomain') throw Object.assign(new Error(`${name}: NXDOMAIN`), { code: 'ENOTFOUND' });
    if (answer.status === 'error') throw Object.assign(new Error(`${name}: ${answer.reason}`), { code: 'ESERVFAIL' });
    const txt = answer.status === 'ok' ? answer.records.flatMap((r) => (r.type === 'TXT' ? [r.strings] : [])) : [];
    if (txt.length === 0) throw Object.assign(new Error(`${name}: no TXT`), { code: 'ENODATA' });
    seen?.set(name.toLowerCase().replace(/\.$/, ''), txt.map((strings) => strings.join('')));
    return txt;
  };
}

/** The tag list of every DKIM-Signature field, top first (unfolded). */
function signatureFields(message: string): Map<string, string>[] {
  const head = message.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const fields = head.split(/\r?\n(?![ \t])/).filter((f) => /^dkim-signature\s*:/i.test(f));
  return fields.map((f) => {
    const tags = new Map<string, string>();
    for (const part of f.slice(f.indexOf(':') + 1).split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0) tags.set(part.slice(0, eq).trim(), part.slice(eq + 1).replace(/\s+/g, ''));
    }
    return tags;
  });
}

/** Verify the signature at `index` with mailauth's dkimVerify, through mailrec's DNS client asking `dns`. */
export async function verifyWithMailauth(message: string | Buffer, dns: DnsServer, index = 0): Promise<DkimVerdict> {
  const text = typeof message === 'string' ? message : message.toString('latin1');
  const field = signatureFields(text)[index];
  const base = { verifier: 'mailauth' as const, domain: field?.get('d') ?? '', selector: field?.get('s') ?? '', algorithm: field?.get('a') ?? '' };
  if (!field) return { ...base, ok: false, reason: 'no signature', detail: '' };
  const client = createDnsClient({ servers: [{ host: dns.host ?? '127.0.0.1', port: dns.port }], recursionDesired: false, cache: false, timeoutMs: 2000 });
  const seen = new Map<string, string[]>();
  const result = await dkimVerify(text, { resolver: mailauthResolver(client, seen) });
  // mailauth reports the signatures in the order of the fields.
  const status = result.results[index]?.status;
  if (!status || result.results[index]?.selector !== base.selector) throw new Error(`mailauth did not report signature ${index} (s=${base.selector})`);
  const comment = typeof status.comment === 'string' ? status.comment : '';
  const record = seen.get(`${base.selector}._domainkey.${base.domain}`.toLowerCase())?.[0];
  const reason: DkimFailure | null =
    status.result === 'pass' ? null
    : status.result === 'temperror' ? 'dns error'
    : /body hash/.test(comment) ? 'body hash mismatch'
    : comment === 'no key' ? 'no key'
    : record !== undefined && isRevokedKeyRecord(record) ? 'key revoked'
    : comment === 'bad signature' ? 'bad signature'
    : /public key|key type|key version/.test(comment) || status.result === 'policy' ? 'bad key'
    : 'invalid signature';
  return { ...base, ok: reason === null, reason, detail: comment || status.result };
}
