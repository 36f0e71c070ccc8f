// TLSA (RFC 6698, RFC 7671, RFC 7672): DANE records "_<port>._tcp.<host>" from a certificate, a key or explicit data.

import { X509Certificate, createHash, createPublicKey } from 'node:crypto';
import type { DomainPolicy, TlsaRecord } from '../policy/model.js';
import { checkTlsaRecords } from '../mail/tlsa/rules.js';
import { type BuildResult, type Notice, collectRecords, hasErrors, makeNotice, planNotices } from './notice.js';
import { type RR, normalizeName } from '../dns-types/rr.js';

export type TlsaData = { ok: true; hex: string } | { ok: false; code: 'tlsa.cert-unreadable' | 'tlsa.selector-needs-cert' | 'tlsa.key-unreadable'; reason: string };

/** The bytes a selector picks (RFC 6698 §2.1.2): 0 the full certificate DER, 1 the SPKI DER. */
function selectedBytes(source: Exclude<TlsaRecord['source'], { kind: 'data' }>, selector: number): Buffer | TlsaData {
  if (source.kind === 'cert') {
    let cert: X509Certificate;
    try {
      // A PEM bundle yields its first certificate: the end entity (or the trust anchor for usage 2).
      cert = new X509Certificate(source.pem);
    } catch {
      return { ok: false, code: 'tlsa.cert-unreadable', reason: `${source.path} is not a readable PEM certificate` };
    }
    return selector === 0 ? cert.raw : cert.publicKey.export({ type: 'spki', format: 'der' });
  }
  if (selector === 0) {
    return { ok: false, code: 'tlsa.selector-needs-cert', reason: `selector 0 matches the full certificate, and ${source.path} holds only a key: use selector 1 or a certificate` };
  }
  try {
    // Accepts a private key too; only the public SPKI is used.
    return createPublicKey(source.pem).export({ type: 'spki', format: 'der' });
  } catch {
    return { ok: false, code: 'tlsa.key-unreadable', reason: `${source.path} is not a readable PEM key` };
  }
}

/**
 * The certificate association data, lowercase hex (RFC 6698 §2.1.4); the usage does not
 * change it. Data given as hex is taken as written: the record's rules judge it.
 */
export function compileTlsaData(source: TlsaRecord['source'], selector: number, matchingType: number): TlsaData {
  if (source.kind === 'data') return { ok: true, hex: source.hex.replace(/\s+/g, '').toLowerCase() };
  const bytes = selectedBytes(source, selector);
  if (!Buffer.isBuffer(bytes)) return bytes;
  // RFC 6698 §2.1.3: 0 exact match, 1 SHA-256, 2 SHA-512.
  if (matchingType === 0) return { ok: true, hex: bytes.toString('hex') };
  return { ok: true, hex: createHash(matchingType === 1 ? 'sha256' : 'sha512').update(bytes).digest('hex') };
}

function compileTlsa(domain: DomainPolicy, tlsa: TlsaRecord): { record?: RR; notices: Notice[] } {
  const owner = `_${tlsa.port}._${tlsa.protocol}.${normalizeName(tlsa.host.trim())}`;
  const position = tlsa.position;
  const notices: Notice[] = [];
  // RFC 6698 §2.1: the parameters are judged with the record's rules; the port names the owner.
  if (!Number.isInteger(tlsa.port) || tlsa.port <= 0 || tlsa.port > 65535) {
    notices.push(makeNotice('tlsa.invalid', owner, `TLSA ${tlsa.usage} ${tlsa.selector} ${tlsa.matchingType} on port ${tlsa.port}: the port must be 1-65535`, position));
    return { notices };
  }
  const data = compileTlsaData(tlsa.source, tlsa.selector, tlsa.matchingType);
  if (!data.ok) {
    notices.push(makeNotice(data.code, owner, data.reason, position));
    return { notices };
  }
  const record = { name: owner, ttl: domain.ttl, type: 'TLSA' as const, usage: tlsa.usage, selector: tlsa.selector, matchingType: tlsa.matchingType, certificate: data.hex };
  // Malformed parameters or data, and on port 25 a usage SMTP clients cannot use (RFC 7672 §3.1.3).
  notices.push(...planNotices(checkTlsaRecords(owner, [record]), position));
  return hasErrors(notices) ? { notices } : { record, notices };
}

/**
 * The TLSA records declared by one domain, sorted; several per owner are kept
 * (current and next key during a rollover, RFC 7671 §8.1). Duplicates are dropped.
 */
export function buildTlsa(domain: DomainPolicy): BuildResult {
  return collectRecords(domain.tlsa, (tlsa) => compileTlsa(domain, tlsa));
}
