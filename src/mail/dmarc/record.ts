// DMARC policy record syntax and values (RFC 9989 §4.7), strict: every deviation is
// reported, so the audit can say what a receiver will do with the record.

import { parseTagListStrict, type Tag } from '../tag-list.js';

export type DmarcPolicyValue = 'none' | 'quarantine' | 'reject';

export interface DmarcUri {
  raw: string;
  scheme: string;
  /** mailto: the address; its domain lowercased. */
  address?: string;
  domain?: string;
  /** A usable report address: a well-formed mailto: URI. */
  mailto: boolean;
}

export interface DmarcProblem {
  tag: string;
  message: string;
}

export interface DmarcRecord {
  text: string;
  /** Every tag as read, names lowercased (removed and unknown ones too). */
  tags: Tag[];
  /** p= as published; undefined when absent. */
  pRaw?: string;
  /** p= when valid. */
  p?: DmarcPolicyValue;
  sp?: DmarcPolicyValue;
  np?: DmarcPolicyValue;
  testing: boolean;
  psd?: 'y' | 'n' | 'u';
  adkim?: 'r' | 's';
  aspf?: 'r' | 's';
  rua: DmarcUri[];
  ruf: DmarcUri[];
  fo?: string;
  /** pct, rf, ri: removed by RFC 9989. */
  removed: string[];
  /** Tags RFC 9989 does not define (ignored by receivers). */
  unknown: string[];
  /** Invalid values of known tags (other than p, which has its own rule). */
  problems: DmarcProblem[];
}

export type DmarcParse = { ok: true; record: DmarcRecord } | { ok: false; error: string };

/** §4.10: only records whose first tag is v=DMARC1 take part in discovery. */
export function isDmarcRecord(text: string): boolean {
  return /^v[ \t]*=[ \t]*DMARC1[ \t]*(;|$)/.test(text.trimStart());
}

const POLICY = new Set(['none', 'quarantine', 'reject']);
const KNOWN = new Set(['v', 'p', 'sp', 'np', 't', 'psd', 'adkim', 'aspf', 'rua', 'ruf', 'fo']);
const REMOVED = new Set(['pct', 'rf', 'ri']);

export function parseDmarcRecord(text: string): DmarcParse {
  if (text.trim() === '') return { ok: false, error: 'empty record' };
  const list = parseTagListStrict(text, { names: 'lowercase' });
  if (!list.ok) return { ok: false, error: list.error };
  const first = list.tags[0];
  // §4.7: v MUST be the first tag and MUST be exactly "DMARC1".
  if (!first || first.name !== 'v') return { ok: false, error: 'the first tag is not v=' };
  if (first.value !== 'DMARC1') return { ok: false, error: `v=${first.value} is not v=DMARC1` };

  const record: DmarcRecord = { text, tags: list.tags, testing: false, rua: [], ruf: [], removed: [], unknown: [], problems: [] };
  const policy = (tag: string, value: string): DmarcPolicyValue | undefined => {
    const v = value.toLowerCase();
    if (POLICY.has(v)) return v as DmarcPolicyValue;
    record.problems.push({ tag, message: `${tag}=${value} is not none, quarantine or reject` });
    return undefined;
  };
  const choice = <T extends string>(tag: string, value: string, allowed: readonly T[]): T | undefined => {
    const v = value.toLowerCase() as T;
    if (allowed.includes(v)) return v;
    record.problems.push({ tag, message: `${tag}=${value} is not one of ${allowed.join(', ')}` });
    return undefined;
  };

  for (const { name, value } of list.tags.slice(1)) {
    switch (name) {
      case 'v':
        record.problems.push({ tag: 'v', message: 'v= appears again' });
        break;
      case 'p': {
        record.pRaw = value;
        const v = value.toLowerCase();
        if (POLICY.has(v)) record.p = v as DmarcPolicyValue;
        break;
      }
      case 'sp': {
        const v = policy('sp', value);
        if (v) record.sp = v;
        break;
      }
      case 'np': {
        const v = policy('np', value);
        if (v) record.np = v;
        break;
      }
      case 't': {
        const v = choice('t', value, ['y', 'n'] as const);
        record.testing = v === 'y';
        break;
      }
      case 'psd': {
        const v = choice('psd', value, ['y', 'n', 'u'] as const);
        if (v) record.psd = v;
        break;
      }
      case 'adkim':
      case 'aspf': {
        const v = choice(name, value, ['r', 's'] as const);
        if (v) record[name] = v;
        break;
      }
      case 'rua':
      case 'ruf':
        record[name] = parseUris(value);
        for (const u of record[name]) {
          if (!u.mailto && u.scheme === 'mailto') record.problems.push({ tag: name, message: `${name} "${u.raw}" is not a valid mailto: address` });
          if (!u.scheme) record.problems.push({ tag: name, message: `${name} "${u.raw}" is not a URI` });
        }
        break;
      case 'fo':
        // fo = 0 / 1 / d / s, colon-separated.
        if (!/^[01ds](?:[ \t]*:[ \t]*[01ds])*$/i.test(value)) {
          record.problems.push({ tag: 'fo', message: `fo=${value} is not a colon-separated list of 0, 1, d, s` });
        } else record.fo = value;
        break;
      default:
        if (REMOVED.has(name)) record.removed.push(name);
        else if (!KNOWN.has(name)) record.unknown.push(name);
    }
  }
  return { ok: true, record };
}

/** rua/ruf: comma-separated URIs; a legacy "!size" suffix (RFC 7489) is accepted and dropped. */
function parseUris(value: string): DmarcUri[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((raw) => {
      const uri = raw.replace(/![0-9]+[kmgt]?$/i, '');
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase() ?? '';
      if (scheme !== 'mailto') return { raw, scheme, mailto: false };
      const address = decodeURIComponentSafe(uri.slice('mailto:'.length));
      const m = /^[^@\s/]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+)\.?$/i.exec(address);
      if (!m) return { raw, scheme, mailto: false };
      return { raw, scheme, address, domain: m[1]!.toLowerCase(), mailto: true };
    });
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The dispositions a receiver applies, after defaults and testing mode. */
export interface AppliedDmarc {
  p: DmarcPolicyValue;
  sp: DmarcPolicyValue;
  np: DmarcPolicyValue;
  /** t=y: each disposition is applied one step softer (RFC 9989 §4.7). */
  testing: boolean;
  adkim: 'r' | 's';
  aspf: 'r' | 's';
}

/**
 * What a receiver applies for a parsed record (RFC 9989 §4.7): p absent or invalid is none,
 * sp defaults to p and np to sp, an invalid value is ignored as if absent, alignment is
 * relaxed unless s.
 */
export function appliedDmarc(record: DmarcRecord): AppliedDmarc {
  const p = record.p ?? 'none';
  const sp = record.sp ?? p;
  return { p, sp, np: record.np ?? sp, testing: record.testing, adkim: record.adkim ?? 'r', aspf: record.aspf ?? 'r' };
}

/** The disposition's strength as applied: none 0, quarantine 1, reject 2; t=y one step softer. */
export function appliedStrength(policy: DmarcPolicyValue, testing: boolean): number {
  return testing ? Math.max(0, STRENGTH[policy] - 1) : STRENGTH[policy];
}

const STRENGTH: Record<DmarcPolicyValue, number> = { none: 0, quarantine: 1, reject: 2 };

/** True when `a` protects less than `b`. */
export function weaker(a: DmarcPolicyValue, b: DmarcPolicyValue): boolean {
  return STRENGTH[a] < STRENGTH[b];
}

/**
 * The names the DNS tree walk queries (RFC 9989 §4.10): the name itself, then — from 8
 * labels or more — its last 7 labels, then one label less each time down to the
 * single top label. Never more than 8 questions, without a public suffix list.
 */
export function treeWalkNames(name: string): string[] {
  const labels = name.split('.').filter((l) => l !== '');
  const out = [labels.join('.')];
  let n = labels.length >= 8 ? 7 : labels.length - 1;
  for (; n >= 1; n--) out.push(labels.slice(-n).join('.'));
  return out;
}
