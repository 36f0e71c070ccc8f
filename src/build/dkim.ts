// DKIM (RFC 6376, RFC 8463): policy keys -> "<selector>._domainkey.<domain>" key records.
//
// The published text is "v=DKIM1; k=rsa; p=<base64 SPKI DER>" for RSA and
// "v=DKIM1; k=ed25519; p=<base64 raw 32-byte key>" for Ed25519; a retired key is
// published revoked as "v=DKIM1; p=". A private key PEM is accepted and only its
// public part is used: no private material reaches a record or a notice.

import { type RR, txtRecord } from '../dns-types/rr.js';
import { compileDkimPublicKey } from '../mail/dkim/record.js';
import { checkRsaKeySize } from '../mail/dkim/rules.js';
import type { DkimKey, DomainPolicy } from '../policy/model.js';
import { type BuildResult, type Notice, hasErrors, makeNotice, planNotices } from './notice.js';

/** The key record's text for one policy key, or notices saying why there is none. */
export function compileDkimText(key: DkimKey, owner: string): { text?: string; notices: Notice[] } {
  const position = key.position;
  // RFC 6376 §3.6.1: an empty p= means the key has been revoked.
  if (key.state === 'retired') return { text: 'v=DKIM1; p=', notices: [] };
  const pub = compileDkimPublicKey(key.keyPem);
  if (!pub.ok) return { notices: [makeNotice(pub.code, owner, `DKIM key ${key.keyPath}: ${pub.reason}`, position)] };
  const notices = planNotices(pub.k === 'rsa' ? [checkRsaKeySize(owner, pub.bits ?? 0)].filter((p) => p !== null) : [], position);
  if (hasErrors(notices)) return { notices };
  return { text: `v=DKIM1; k=${pub.k}; p=${pub.p}`, notices };
}

/** The DKIM key records of one domain, sorted by selector; TXT strings split at 255 octets. */
export function buildDkim(domain: DomainPolicy): BuildResult {
  const records: RR[] = [];
  const notices: Notice[] = [];
  const seen = new Set<string>();
  const keys = domain.dkim.map((key) => ({ key, selector: key.selector.toLowerCase() }));
  keys.sort((a, b) => (a.selector < b.selector ? -1 : a.selector > b.selector ? 1 : 0));
  for (const { key, selector } of keys) {
    // A removed key publishes nothing; its entry only keeps the selector from being reused.
    if (key.state === 'removed') continue;
    // RFC 6376 §3.6.2.1: the key lives at <selector>._domainkey.<domain>.
    const owner = `${selector}._domainkey.${domain.name}`;
    if (seen.has(selector)) {
      notices.push(makeNotice('dkim.duplicate-selector', owner, `DKIM selector "${selector}" is declared twice for ${domain.name}`, key.position));
      continue;
    }
    seen.add(selector);
    const compiled = compileDkimText(key, owner);
    notices.push(...compiled.notices);
    if (compiled.text !== undefined) records.push(txtRecord(owner, domain.ttl, compiled.text));
  }
  return { records, files: [], notices };
}
