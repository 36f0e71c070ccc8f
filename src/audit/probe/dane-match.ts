// Pure DANE verdicts (RFC 6698 §2.1, RFC 7671 §5, RFC 7672 §3): which TLSA record matches a served chain, and the served certificate's dates and names.

import { X509Certificate, createHash } from 'node:crypto';
import { isUsableForSmtp, type TlsaData } from '../../mail/tlsa/record.js';

export type { TlsaData };

export interface TlsaVerdict {
  record: TlsaData;
  /** The record is usable for SMTP and matches the chain. */
  matched: boolean;
  /** Chain position matched: 0 the leaf (usage 3), 1+ a trust anchor (usage 2). */
  depth?: number;
  /** Why it matches or not, one clause. */
  reason: string;
}

export interface CertificateVerdict {
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  /** Whole days from now to notAfter (negative once expired). */
  daysLeft: number;
  expired: boolean;
  notYetValid: boolean;
  /** Under warnDays left. */
  expiring: boolean;
  /** The certificate names the host (subjectAltName DNS, wildcards per RFC 6125 §6.4.3). */
  nameMatches: boolean;
  /** DNS names in the certificate, for the message. */
  names: string[];
}

/** The association data a certificate gives for a selector and matching type (RFC 6698 §2.1.2-§2.1.3), hex. */
export function compileAssociation(cert: X509Certificate, selector: number, matchingType: number): string | undefined {
  let bytes: Buffer;
  if (selector === 0) bytes = cert.raw;
  else if (selector === 1) bytes = cert.publicKey.export({ type: 'spki', format: 'der' });
  else return undefined;
  if (matchingType === 0) return bytes.toString('hex');
  if (matchingType === 1) return createHash('sha256').update(bytes).digest('hex');
  if (matchingType === 2) return createHash('sha512').update(bytes).digest('hex');
  return undefined;
}

/** Parses a DER chain; a certificate that does not parse ends the usable chain. */
export function parseChain(chain: readonly Buffer[]): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const der of chain) {
    try {
      out.push(new X509Certificate(der));
    } catch {
      break;
    }
  }
  return out;
}

function within(cert: X509Certificate, now: Date): boolean {
  return new Date(cert.validFrom).getTime() <= now.getTime() && now.getTime() <= new Date(cert.validTo).getTime();
}

/** The leaf names the host: RFC 7672 §3.2.2 reference identifier, here the MX host name. */
export function namesHost(cert: X509Certificate, host: string): boolean {
  const name = host.replace(/\.$/, '').toLowerCase();
  // checkHost follows RFC 6125: subjectAltName first, wildcards in the leftmost label only.
  return cert.checkHost(name, { subject: 'default', wildcards: true, partialWildcards: false }) !== undefined;
}

/**
 * Whether chain[0..depth] is a signed path: each certificate issued and signed by the next
 * (RFC 7671 §5.2.2: a DANE-TA anchor is the top of a chain built from the leaf).
 */
function chainsTo(chain: X509Certificate[], depth: number): boolean {
  for (let i = 0; i < depth; i++) {
    const child = chain[i]!;
    const parent = chain[i + 1]!;
    if (!child.checkIssued(parent)) return false;
    try {
      if (!child.verify(parent.publicKey)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function describe(record: TlsaData): string {
  const data = record.certificate.toLowerCase();
  return `${record.usage} ${record.selector} ${record.matchingType} ${data.length > 16 ? `${data.slice(0, 16)}…` : data}`;
}

export function renderTlsaData(record: TlsaData): string {
  return describe(record);
}

/**
 * One verdict per TLSA record against the served chain (leaf first):
 * - usage 3 (DANE-EE) matches the leaf only; names and dates are not checked (RFC 7672 §3.1.1);
 * - usage 2 (DANE-TA) matches a certificate above the leaf that the leaf chains to, and then
 *   the leaf must name the host and the path be within its dates (RFC 7672 §3.1.2, §3.2.2);
 * - usages 0 and 1 are unusable for SMTP (RFC 7672 §3.1.3).
 * The same rules as OpenSSL's DANE code (SSL_dane_enable), so the verdicts agree with
 * `openssl s_client -dane_tlsa_rrdata`.
 */
export function matchTlsa(records: readonly TlsaData[], chainDer: readonly Buffer[], host: string, now: Date): TlsaVerdict[] {
  const chain = parseChain(chainDer);
  return records.map((record): TlsaVerdict => {
    const want = record.certificate.replace(/\s+/g, '').toLowerCase();
    if (record.usage === 0 || record.usage === 1) {
      return { record, matched: false, reason: `usage ${record.usage} is not used by SMTP (RFC 7672 §3.1.3)` };
    }
    if (!isUsableForSmtp(record)) return { record, matched: false, reason: 'unknown usage, selector or matching type' };
    const leaf = chain[0];
    if (!leaf) return { record, matched: false, reason: 'no readable certificate was served' };
    if (record.usage === 3) {
      const matched = compileAssociation(leaf, record.selector, record.matchingType) === want;
      return matched
        ? { record, matched, depth: 0, reason: `matches the served leaf ${record.selector === 1 ? 'public key' : 'certificate'}` }
        : { record, matched, reason: `does not match the served leaf ${record.selector === 1 ? 'public key' : 'certificate'}` };
    }
    // usage 2: a trust anchor in the chain, above the leaf.
    for (let depth = 1; depth < chain.length; depth++) {
      if (compileAssociation(chain[depth]!, record.selector, record.matchingType) !== want) continue;
      if (!chainsTo(chain, depth)) return { record, matched: false, reason: `matches chain certificate ${depth}, but the leaf does not chain to it` };
      if (!namesHost(leaf, host)) return { record, matched: false, reason: `matches trust anchor at depth ${depth}, but the leaf does not name ${host} (RFC 7672 §3.2.2)` };
      const outOfDate = chain.slice(0, depth).findIndex((c) => !within(c, now));
      if (outOfDate >= 0) return { record, matched: false, reason: `matches trust anchor at depth ${depth}, but chain certificate ${outOfDate} is outside its validity dates` };
      return { record, matched: true, depth, reason: `matches the trust anchor at depth ${depth} (${chain[depth]!.subject.replace(/\n/g, ', ')})` };
    }
    return { record, matched: false, reason: chain.length < 2 ? 'usage 2 needs the trust anchor in the served chain, and only the leaf was served' : 'matches no certificate above the leaf' };
  });
}

/** The leaf's dates and names (RFC 5280 §4.1.2.5; RFC 8461 §4.2 for the name). */
export function checkServedCertificate(leafDer: Buffer, host: string, now: Date, warnDays = 14): CertificateVerdict | undefined {
  const leaf = parseChain([leafDer])[0];
  if (!leaf) return undefined;
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  const daysLeft = Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000);
  const expired = now.getTime() > notAfter.getTime();
  const names = (leaf.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((n) => n.startsWith('DNS:'))
    .map((n) => n.slice(4));
  return {
    subject: leaf.subject.replace(/\n/g, ', '),
    issuer: leaf.issuer.replace(/\n/g, ', '),
    notBefore,
    notAfter,
    daysLeft,
    expired,
    notYetValid: now.getTime() < notBefore.getTime(),
    expiring: !expired && notAfter.getTime() - now.getTime() < warnDays * 86_400_000,
    nameMatches: namesHost(leaf, host),
    names,
  };
}

/** Association data of the served leaf, for a message ("the server now serves 3 1 1 …"). */
export function servedAssociation(leafDer: Buffer, selector = 1, matchingType = 1): string | undefined {
  const leaf = parseChain([leafDer])[0];
  return leaf ? compileAssociation(leaf, selector, matchingType) : undefined;
}
