// DKIM key records (RFC 6376, RFC 8463) -> selectors with PEM public keys, and the problems an audit would report.

import { checkSelector } from '../../policy/values.js';
import { DKIM_RSA_MIN_BITS } from '../../mail/dkim/limits.js';
import { decodeDkimKey, dkimKeyPem } from '../../mail/dkim/record.js';
import { checkDkimKeyRecord, checkDkimMultiple } from '../../mail/dkim/rules.js';
import { txtText } from '../../dns-types/rr.js';
import { tagValue } from '../../mail/tag-list.js';
import type { RecordGroup } from './classify.js';
import { importFindings, type ImportFinding } from './findings.js';
import { inexpressible, model, readImportedTags, type Proposal } from './proposal.js';

export interface DkimModel {
  selector: string;
  state: 'active' | 'retired';
  /** SPKI PEM of the public key; absent when retired. */
  pem?: string;
  keyType?: 'rsa' | 'ed25519';
  bits?: number;
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
  const parsed = readImportedTags(txtText(rr));
  if (!parsed.ok) return inexpressible(`the key record does not parse: ${parsed.error}`);
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
  const decoded = decodeDkimKey(k, p);
  if (!decoded.ok) return inexpressible(decoded.message);
  const key = decoded.key;
  // mailrec publishes p= as a SubjectPublicKeyInfo; a bare PKCS#1 key would be rewritten.
  if (key.type === 'rsa' && key.form !== 'spki') return inexpressible('p= holds a bare RSAPublicKey (PKCS#1); mailrec publishes the SubjectPublicKeyInfo');
  if (key.type === 'rsa' && key.bits < DKIM_RSA_MIN_BITS) {
    return inexpressible(`RSA key of ${key.bits} bits: mailrec refuses keys under ${DKIM_RSA_MIN_BITS} bits (RFC 8301 §3.2)`);
  }
  const out: DkimModel = { selector: selector.value, state: 'active', pem: dkimKeyPem(key), keyType: key.type };
  if (key.type === 'rsa') out.bits = key.bits;
  return model(out);
}

/** True when two key records publish the same key (k= and p=), whatever the spacing, splitting and v=. */
export function sameDkimMeaning(a: string, b: string): boolean {
  const key = (text: string): string | undefined => {
    const parsed = readImportedTags(text);
    if (!parsed.ok || parsed.tags.some((t) => !MODELLED_TAGS.has(t.name.toLowerCase()))) return undefined;
    const p = (tagValue(parsed.tags, 'p') ?? '').replace(/\s+/g, '');
    return p === '' ? 'revoked' : `${(tagValue(parsed.tags, 'k') ?? 'rsa').toLowerCase()} ${p}`;
  };
  const x = key(a);
  return x !== undefined && x === key(b);
}

/** What an audit would say about the key records at one selector, from their text alone. */
export function lintDkim(group: RecordGroup): ImportFinding[] {
  const texts = group.records.flatMap((rr) => (rr.type === 'TXT' ? [txtText(rr)] : []));
  const problems = [...(texts.length > 1 ? [checkDkimMultiple(group.owner, texts)] : []), ...texts.flatMap((text) => checkDkimKeyRecord(group.owner, text))];
  return importFindings(problems, group.domain, group.records[0]?.position);
}
