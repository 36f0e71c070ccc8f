// DKIM key records (RFC 6376, RFC 8463) -> selectors with PEM public keys, and the problems an audit would report.

import { createPublicKey } from 'node:crypto';
import { checkSelector } from '../../policy/values.js';
import { compileDkimPublicKey, DKIM_RSA_MIN_BITS, DKIM_RSA_RECOMMENDED_BITS } from '../../build/dkim.js';
import { txtText } from '../../dns-types/rr.js';
import { tagValue } from '../../mail/tag-list.js';
import type { RecordGroup } from './classify.js';
import { makeImportFinding, type ImportFinding } from './findings.js';
import { inexpressible, model, parseTagsStrict, type Proposal } from './proposal.js';

export interface DkimModel {
  selector: string;
  state: 'active' | 'retired';
  /** SPKI PEM of the public key; absent when retired. */
  pem?: string;
  keyType?: 'rsa' | 'ed25519';
  bits?: number;
}

/** RFC 8410 §4: the SubjectPublicKeyInfo header of an Ed25519 key, before its 32 raw octets. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export type DkimKeyPem = { ok: true; pem: string; bits?: number } | { ok: false; reason: string };

/** A key record's k= and p= -> the PEM public key (RSA: p= is an SPKI; Ed25519: p= is the raw key, RFC 8463 §4.2). */
export function dkimKeyPem(k: string, p: string): DkimKeyPem {
  const base64 = p.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return { ok: false, reason: 'p= is not base64' };
  const der = Buffer.from(base64, 'base64');
  try {
    if (k === 'ed25519') {
      if (der.length !== 32) return { ok: false, reason: `an Ed25519 p= holds 32 octets, this one ${der.length} (RFC 8463 §4.2)` };
      const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, der]), format: 'der', type: 'spki' });
      return { ok: true, pem: key.export({ type: 'spki', format: 'pem' }).toString() };
    }
    const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'rsa') return { ok: false, reason: `k=rsa but p= holds a ${key.asymmetricKeyType ?? 'non-RSA'} key` };
    return { ok: true, pem: key.export({ type: 'spki', format: 'pem' }).toString(), bits: key.asymmetricKeyDetails?.modulusLength ?? 0 };
  } catch {
    return { ok: false, reason: `p= is not a ${k === 'ed25519' ? 'raw Ed25519' : 'DER SubjectPublicKeyInfo RSA'} public key` };
  }
}

/** Tags mailrec writes in a key record; any other one cannot be said in the policy. */
const MODELLED_TAGS = new Set(['v', 'k', 'p']);

/** The selector, key and state that make mailrec build this key record, or why there are none. */
export function proposeDkim(group: RecordGroup): Proposal<DkimModel> {
  if (group.records.length !== 1) return inexpressible(`${group.owner} has ${group.records.length} records; a selector has one key record (RFC 6376 §3.6.2.2)`);
  const rr = group.records[0]!;
  if (rr.type === 'CNAME') return inexpressible(`the selector is delegated by CNAME to ${rr.target}: the provider publishes the key`);
  if (rr.type !== 'TXT') return inexpressible(`${group.owner} holds a ${rr.type}`);
  const selector = checkSelector(group.sub);
  if (!selector.ok) return inexpressible(`selector "${group.sub}": ${selector.message}`);
  const parsed = parseTagsStrict(txtText(rr));
  if (!parsed.ok) return inexpressible(`the key record does not parse: ${parsed.reason}`);
  const extra = parsed.tags.filter((t) => !MODELLED_TAGS.has(t.name.toLowerCase()));
  if (extra.length > 0) {
    return inexpressible(`the key record carries ${extra.map((t) => `${t.name}=${t.value}`).join('; ')}, which the policy cannot say (mailrec publishes v=, k= and p= only)`);
  }
  const v = tagValue(parsed.tags, 'v');
  if (v !== undefined && (v !== 'DKIM1' || parsed.tags[0]!.name.toLowerCase() !== 'v')) return inexpressible('v= must come first and be DKIM1 (RFC 6376 §3.6.1)');
  const p = tagValue(parsed.tags, 'p');
  if (p === undefined) return inexpressible('the key record has no p=');
  const k = (tagValue(parsed.tags, 'k') ?? 'rsa').toLowerCase();
  // RFC 6376 §3.6.1: an empty p= means the key was revoked.
  if (p === '') return model({ selector: selector.value, state: 'retired' });
  if (k !== 'rsa' && k !== 'ed25519') return inexpressible(`k=${k} is not a key type mailrec publishes (rsa, ed25519)`);
  const pem = dkimKeyPem(k, p);
  if (!pem.ok) return inexpressible(pem.reason);
  const compiled = compileDkimPublicKey(pem.pem);
  if (!compiled.ok) return inexpressible(compiled.reason);
  if (compiled.k === 'rsa' && (compiled.bits ?? 0) < DKIM_RSA_MIN_BITS) {
    return inexpressible(`RSA key of ${compiled.bits} bits: mailrec refuses keys under ${DKIM_RSA_MIN_BITS} bits (RFC 8301 §3.2)`);
  }
  const out: DkimModel = { selector: selector.value, state: 'active', pem: pem.pem, keyType: compiled.k };
  if (compiled.bits !== undefined) out.bits = compiled.bits;
  return model(out);
}

/** True when two key records publish the same key (k= and p=), whatever the spacing, splitting and v=. */
export function sameDkimMeaning(a: string, b: string): boolean {
  const key = (text: string): string | undefined => {
    const parsed = parseTagsStrict(text);
    if (!parsed.ok || parsed.tags.some((t) => !MODELLED_TAGS.has(t.name.toLowerCase()))) return undefined;
    const p = (tagValue(parsed.tags, 'p') ?? '').replace(/\s+/g, '');
    return p === '' ? 'revoked' : `${(tagValue(parsed.tags, 'k') ?? 'rsa').toLowerCase()} ${p}`;
  };
  const x = key(a);
  return x !== undefined && x === key(b);
}

/** What an audit would say about the key records at one selector, from their text alone. */
export function lintDkim(group: RecordGroup): ImportFinding[] {
  const out: ImportFinding[] = [];
  const at = group.records[0]?.position;
  const say = (code: string, message: string): void => void out.push(makeImportFinding(code, group.domain, group.owner, message, at));
  const texts = group.records.flatMap((rr) => (rr.type === 'TXT' ? [txtText(rr)] : []));
  if (texts.length > 1) say('dkim.multiple', `${group.owner} publishes ${texts.length} key records; verifiers may pick either`);
  for (const text of texts) {
    const parsed = parseTagsStrict(text);
    if (!parsed.ok) {
      say('dkim.syntax', `key record of ${group.owner}: ${parsed.reason}`);
      continue;
    }
    const v = tagValue(parsed.tags, 'v');
    if (v !== undefined && (v !== 'DKIM1' || parsed.tags[0]!.name.toLowerCase() !== 'v')) say('dkim.version-invalid', `${group.owner}: v= must be first and be DKIM1`);
    const p = tagValue(parsed.tags, 'p');
    if (p === undefined) {
      say('dkim.syntax', `${group.owner} has no p= tag`);
      continue;
    }
    const k = (tagValue(parsed.tags, 'k') ?? 'rsa').toLowerCase();
    if (p.trim() === '') say('dkim.revoked', `${group.owner} is revoked (empty p=)`);
    else if (k !== 'rsa' && k !== 'ed25519') say('dkim.key-type-unknown', `${group.owner}: unknown key type k=${k}`);
    else {
      const pem = dkimKeyPem(k, p);
      if (!pem.ok) say('dkim.key-invalid', `${group.owner}: ${pem.reason}`);
      else if (pem.bits !== undefined && pem.bits < DKIM_RSA_MIN_BITS) say('dkim.rsa-too-short', `${group.owner} is an RSA key of ${pem.bits} bits; verifiers refuse keys under ${DKIM_RSA_MIN_BITS}`);
      else if (pem.bits !== undefined && pem.bits < DKIM_RSA_RECOMMENDED_BITS) say('dkim.rsa-weak', `${group.owner} is an RSA key of ${pem.bits} bits; ${DKIM_RSA_RECOMMENDED_BITS} are recommended`);
    }
    const h = tagValue(parsed.tags, 'h');
    if (h !== undefined && h.split(':').every((x) => x.trim().toLowerCase() === 'sha1')) say('dkim.sha1-only', `${group.owner} allows only sha1 signatures (h=${h})`);
    const s = tagValue(parsed.tags, 's');
    if (s !== undefined && !s.split(':').some((x) => ['email', '*'].includes(x.trim().toLowerCase()))) say('dkim.service-type', `${group.owner}: s=${s} excludes email`);
    const t = tagValue(parsed.tags, 't');
    if (t !== undefined && t.split(':').some((x) => x.trim().toLowerCase() === 'y')) say('dkim.testing', `${group.owner} is in testing mode (t=y): verifiers may ignore failures`);
  }
  return out;
}
