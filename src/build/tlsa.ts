// TLSA (RFC 6698, RFC 7671, RFC 7672): DANE records "_<port>._tcp.<host>" from a certificate, a key or explicit data.

import { X509Certificate, createHash, createPublicKey } from 'node:crypto';
import type { DomainPolicy, TlsaRecord } from '../policy/model.js';
import { type BuildResult, type Notice, makeNotice } from './notice.js';
import { type RR, normalizeName } from '../dns-types/rr.js';

/** Hex length of the association data per matching type (RFC 6698 §2.1.3): SHA-256, SHA-512. */
const DIGEST_HEX_LENGTH: Record<number, number> = { 1: 64, 2: 128 };

export type TlsaData = { ok: true; hex: string } | { ok: false; code: string; reason: string };

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

/** The certificate association data, lowercase hex (RFC 6698 §2.1.4); the usage does not change it. */
export function compileTlsaData(source: TlsaRecord['source'], selector: number, matchingType: number): TlsaData {
  if (source.kind === 'data') {
    const hex = source.hex.replace(/\s+/g, '').toLowerCase();
    if (!/^[0-9a-f]+$/.test(hex) || hex.length % 2 !== 0) {
      return { ok: false, code: 'tlsa.invalid-data', reason: 'association data must be a non-empty, even-length hex string' };
    }
    const want = DIGEST_HEX_LENGTH[matchingType];
    if (want !== undefined && hex.length !== want) {
      return { ok: false, code: 'tlsa.invalid-data', reason: `matching type ${matchingType} needs ${want} hex digits, got ${hex.length}` };
    }
    return { ok: true, hex };
  }
  const bytes = selectedBytes(source, selector);
  if (!Buffer.isBuffer(bytes)) return bytes;
  // RFC 6698 §2.1.3: 0 exact match, 1 SHA-256, 2 SHA-512.
  if (matchingType === 0) return { ok: true, hex: bytes.toString('hex') };
  return { ok: true, hex: createHash(matchingType === 1 ? 'sha256' : 'sha512').update(bytes).digest('hex') };
}

function compareTlsa(a: RR, b: RR): number {
  if (a.type !== 'TLSA' || b.type !== 'TLSA') return 0;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return (
    a.usage - b.usage ||
    a.selector - b.selector ||
    a.matchingType - b.matchingType ||
    (a.certificate < b.certificate ? -1 : a.certificate > b.certificate ? 1 : 0)
  );
}

function compileTlsa(domain: DomainPolicy, tlsa: TlsaRecord): { record?: RR; notices: Notice[] } {
  const owner = `_${tlsa.port}._${tlsa.protocol}.${normalizeName(tlsa.host.trim())}`;
  const position = tlsa.position;
  const notices: Notice[] = [];
  const valid =
    Number.isInteger(tlsa.port) && tlsa.port > 0 && tlsa.port <= 65535 &&
    [0, 1, 2, 3].includes(tlsa.usage) && [0, 1].includes(tlsa.selector) && [0, 1, 2].includes(tlsa.matchingType);
  if (!valid) {
    notices.push(
      makeNotice('error', 'tlsa.invalid-parameters', owner, `TLSA ${tlsa.usage} ${tlsa.selector} ${tlsa.matchingType} on port ${tlsa.port}: usage must be 0-3, selector 0-1, matching type 0-2`, {
        position,
        rfc: 'RFC 6698 §2.1',
      }),
    );
    return { notices };
  }
  const data = compileTlsaData(tlsa.source, tlsa.selector, tlsa.matchingType);
  if (!data.ok) {
    notices.push(makeNotice('error', data.code, owner, data.reason, { position, rfc: 'RFC 6698 §2.1' }));
    return { notices };
  }
  if (tlsa.port === 25 && tlsa.usage !== 2 && tlsa.usage !== 3) {
    // RFC 7672 §3.1.3: SMTP clients treat PKIX-TA(0) and PKIX-EE(1) as unusable.
    notices.push(
      makeNotice('warning', 'tlsa.smtp-usage', owner, `usage ${tlsa.usage} is unusable for SMTP: use 3 (DANE-EE) or 2 (DANE-TA)`, { position, rfc: 'RFC 7672 §3.1.3' }),
    );
  }
  const record: RR = {
    name: owner,
    ttl: domain.ttl,
    type: 'TLSA',
    usage: tlsa.usage,
    selector: tlsa.selector,
    matchingType: tlsa.matchingType,
    certificate: data.hex,
  };
  return { record, notices };
}

/**
 * The TLSA records declared by one domain, sorted; several per owner are kept
 * (current and next key during a rollover, RFC 7671 §8.1). Duplicates are dropped.
 */
export function buildTlsa(domain: DomainPolicy): BuildResult {
  const records: RR[] = [];
  const notices: Notice[] = [];
  const seen = new Set<string>();
  for (const tlsa of domain.tlsa) {
    const compiled = compileTlsa(domain, tlsa);
    notices.push(...compiled.notices);
    const rr = compiled.record;
    if (!rr || rr.type !== 'TLSA') continue;
    const key = `${rr.name} ${rr.usage} ${rr.selector} ${rr.matchingType} ${rr.certificate}`;
    if (seen.has(key)) continue;
    seen.add(key);
    records.push(rr);
  }
  records.sort(compareTlsa);
  return { records, files: [], notices };
}
