// Pure reading of a served MTA-STS policy (RFC 8461 §3.2): fields, validation, the MX check (§4.1), semantic comparison and the id rule (§3.1).

import { MTA_STS_MAX_AGE_LIMIT } from './limits.js';
import { matchesMxPattern } from './record.js';

export interface ServedMtaStsPolicy {
  version?: string;
  mode?: string;
  maxAge?: number;
  /** mx patterns, lowercase, trailing dot removed, in served order. */
  mx: string[];
  /** Other fields, ignored by senders (§3.2: "unknown fields MUST be ignored"). */
  extensions: { key: string; value: string }[];
  lineEndings: 'crlf' | 'lf' | 'mixed' | 'none';
}

export interface MtaStsPolicyReading {
  policy: ServedMtaStsPolicy;
  /** Every reason the policy is invalid; empty when valid. */
  problems: string[];
}

// sts-policy-mx-value = ["*."] Domain (RFC 8461 §3.2, Domain from RFC 5321 §4.1.2).
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const MX_PATTERN = new RegExp(`^(?:\\*\\.)?${LABEL}(?:\\.${LABEL})+$`);
// sts-policy-field-name = 1*32(ALPHA / DIGIT / "_" / "-" / ".")
const FIELD_NAME = /^[A-Za-z0-9_.-]{1,32}$/;

/** Served text in a message: printable ASCII only, cut at `max`. */
function show(text: string, max = 80): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** Reads and validates a served policy text (RFC 8461 §3.2). */
export function parseMtaStsPolicy(text: string): MtaStsPolicyReading {
  const problems: string[] = [];
  const policy: ServedMtaStsPolicy = { mx: [], extensions: [], lineEndings: 'none' };
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length;
  policy.lineEndings = lf === 0 ? 'none' : crlf === lf ? 'crlf' : crlf === 0 ? 'lf' : 'mixed';
  if (/\r(?!\n)/.test(text)) problems.push('a bare CR is not a line ending (CRLF or LF)');
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  // A final line ending leaves one empty piece; other empty lines are tolerated (many servers add them).
  lines.forEach((raw, index) => {
    const line = raw.replace(/[ \t]+$/, '');
    if (line === '') return;
    const colon = line.indexOf(':');
    if (colon < 0) {
      problems.push(`line ${index + 1} "${show(line, 60)}" is not "key: value"`);
      return;
    }
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (!FIELD_NAME.test(key)) {
      problems.push(`line ${index + 1}: "${show(key, 40)}" is not a field name`);
      return;
    }
    if (key !== 'mx' && ['version', 'mode', 'max_age'].includes(key)) {
      if (seen.has(key)) {
        problems.push(`${key} appears more than once`);
        return;
      }
      seen.add(key);
    }
    switch (key) {
      case 'version':
        policy.version = value;
        break;
      case 'mode':
        policy.mode = value;
        break;
      case 'max_age':
        // sts-policy-max-age-value = 1*10(DIGIT)
        if (/^[0-9]{1,10}$/.test(value)) policy.maxAge = Number(value);
        else problems.push(`max_age "${show(value, 20)}" is not 1 to 10 digits`);
        break;
      case 'mx': {
        const pattern = value.toLowerCase().replace(/\.$/, '');
        if (MX_PATTERN.test(pattern)) policy.mx.push(pattern);
        else problems.push(`mx "${show(value)}" is not a host name or "*." and a host name`);
        break;
      }
      default:
        policy.extensions.push({ key, value });
    }
  });
  if (policy.version === undefined) problems.push('no version field');
  else if (policy.version !== 'STSv1') problems.push(`version is "${show(policy.version)}", not STSv1`);
  if (policy.mode === undefined) problems.push('no mode field');
  else if (!['enforce', 'testing', 'none'].includes(policy.mode)) problems.push(`mode is "${show(policy.mode)}", not enforce, testing or none`);
  if (policy.maxAge === undefined) {
    if (!problems.some((p) => p.startsWith('max_age'))) problems.push('no max_age field');
  } else if (policy.maxAge > MTA_STS_MAX_AGE_LIMIT) {
    problems.push(`max_age ${policy.maxAge} is over ${MTA_STS_MAX_AGE_LIMIT} (about a year)`);
  }
  // §3.2: mx is required unless the mode is none.
  if (policy.mx.length === 0 && policy.mode !== 'none' && !problems.some((p) => p.startsWith('mx '))) problems.push('no mx field (required unless mode is none)');
  return { policy, problems };
}

/** MX hosts no mx pattern matches (RFC 8461 §4.1). */
export function uncoveredMxHosts(policy: ServedMtaStsPolicy, mxHosts: readonly string[]): string[] {
  return mxHosts.map((h) => h.replace(/\.$/, '').toLowerCase()).filter((host) => !policy.mx.some((p) => matchesMxPattern(host, p)));
}

/** The policy as senders see it: fields that matter, mx as a sorted set; formatting ignored. */
export function canonicalMtaStsPolicy(policy: ServedMtaStsPolicy): string {
  const mx = [...new Set(policy.mx)].sort();
  const ext = policy.extensions.map((e) => `${e.key}=${e.value}`).sort();
  return JSON.stringify({ version: policy.version ?? null, mode: policy.mode ?? null, maxAge: policy.maxAge ?? null, mx, ext });
}

/** The differences between an expected policy and a served one, as short clauses; empty when they mean the same. */
export function diffMtaStsPolicies(expected: ServedMtaStsPolicy, served: ServedMtaStsPolicy): string[] {
  const out: string[] = [];
  if (expected.version !== served.version) out.push(`version ${served.version ?? '(none)'} instead of ${expected.version ?? '(none)'}`);
  if (expected.mode !== served.mode) out.push(`mode ${served.mode ?? '(none)'} instead of ${expected.mode ?? '(none)'}`);
  if (expected.maxAge !== served.maxAge) out.push(`max_age ${served.maxAge ?? '(none)'} instead of ${expected.maxAge ?? '(none)'}`);
  const want = new Set(expected.mx);
  const have = new Set(served.mx);
  const missing = [...want].filter((m) => !have.has(m)).sort();
  const extra = [...have].filter((m) => !want.has(m)).sort();
  if (missing.length > 0) out.push(`mx ${missing.join(', ')} missing`);
  if (extra.length > 0) out.push(`mx ${extra.join(', ')} not in the policy`);
  const ext = (p: ServedMtaStsPolicy) => p.extensions.map((e) => `${e.key}: ${e.value}`).sort().join('; ');
  if (ext(expected) !== ext(served)) out.push(`other fields "${ext(served)}" instead of "${ext(expected)}"`);
  return out;
}

/**
 * RFC 8461 §3.1: the id "MUST change" when the policy does, or senders holding the old
 * policy never fetch the new one. True when the texts differ in meaning and the ids are equal.
 */
export function idUnchangedAfterPolicyChange(previous: { id: string; text: string }, current: { id: string; text: string }): boolean {
  if (previous.id !== current.id) return false;
  return canonicalMtaStsPolicy(parseMtaStsPolicy(previous.text).policy) !== canonicalMtaStsPolicy(parseMtaStsPolicy(current.text).policy);
}

/** The id of a v=STSv1 TXT record (RFC 8461 §3.1), or undefined. */
export function mtaStsIdOf(txt: string): string | undefined {
  const match = /(?:^|;)\s*id\s*=\s*([A-Za-z0-9]{1,32})\s*(?:;|$)/.exec(txt);
  return match?.[1];
}
