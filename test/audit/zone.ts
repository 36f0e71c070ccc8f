// Audit test zones on top of the shared fake resolver: a clean mail domain, every name
// the checks ask declared (absent names as NXDOMAIN), and per-name AD bits, wildcards
// and type-99 answers where a test needs them.

import { generateKeyPairSync } from 'node:crypto';
import type { Answer, Resolver } from '../../src/dns/resolver.js';
import type { RRType } from '../../src/dns-types/rr.js';
import { createFakeResolver, type FakeRRsets, type FakeZone } from '../helpers/fake-resolver.js';

export const DOMAIN = 'example.org';

/** Base64 SubjectPublicKeyInfo of a fresh RSA key, as DKIM's p= carries it. */
export function rsaP(bits: number): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}

/** Base64 of the raw 32-byte Ed25519 key (RFC 8463 §4.2), and of its SPKI form. */
export function ed25519P(): { raw: string; spki: string } {
  const { publicKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { raw: der.subarray(der.length - 32).toString('base64'), spki: der.toString('base64') };
}

let cachedRsa2048: string | undefined;
export function rsa2048(): string {
  return (cachedRsa2048 ??= rsaP(2048));
}

/** Names the checks ask that a clean domain does not publish. */
export function absentMailNames(domain: string): string[] {
  return ['submission', 'imap', 'imaps', 'pop3', 'pop3s'].map((s) => `_${s}._tcp.${domain}`);
}

/** A domain that passes every check: SPF, DMARC p=reject, a 2048-bit DKIM key, MX, MTA-STS, TLS-RPT, SRV. */
export function cleanZone(domain = DOMAIN): FakeZone {
  const zone: FakeZone = {
    [domain]: {
      A: ['192.0.2.1'],
      MX: [[10, `mx1.${domain}`]],
      TXT: ['v=spf1 mx ip4:192.0.2.0/24 -all', 'google-site-verification=abc'],
    },
    [`mx1.${domain}`]: { A: ['192.0.2.10'], AAAA: ['2001:db8::10'] },
    [`_dmarc.${domain}`]: { TXT: [`v=DMARC1; p=reject; rua=mailto:dmarc@${domain}`] },
    [`sel1._domainkey.${domain}`]: { TXT: [`v=DKIM1; k=rsa; p=${rsa2048()}`] },
    [`_mta-sts.${domain}`]: { TXT: ['v=STSv1; id=20260101T000000'] },
    [`_smtp._tls.${domain}`]: { TXT: [`v=TLSRPTv1; rua=mailto:tlsrpt@${domain}`] },
    [`_submissions._tcp.${domain}`]: { SRV: [[0, 1, 465, `submit.${domain}`]] },
    [`submit.${domain}`]: { A: ['192.0.2.20'] },
    [`_25._tcp.mx1.${domain}`]: 'nxdomain',
  };
  for (const n of absentMailNames(domain)) zone[n] = 'nxdomain';
  return zone;
}

/** A zone with some names replaced (undefined deletes a name). */
export function withNames(zone: FakeZone, changes: Record<string, FakeRRsets | 'nxdomain' | 'servfail' | undefined>): FakeZone {
  const out: FakeZone = { ...zone };
  for (const [name, sets] of Object.entries(changes)) {
    if (sets === undefined) delete out[name];
    else out[name] = sets;
  }
  return out;
}

export interface TestResolverOptions {
  /** Names whose answers carry the AD bit (DNSSEC-validated). */
  authenticated?: string[];
  /** Wildcard owners ("*.x") answering for names below them that the zone does not hold. */
  wildcards?: Record<string, FakeRRsets>;
  /** PTR records by name (the shared fake zone has no PTR sets). */
  ptr?: Record<string, string[]>;
  /** Type 99 (SPF) records by name, served through resolveType. */
  type99?: Record<string, string>;
}

/** The fake resolver, strict (an undeclared name throws), plus the options above. */
export function resolverFor(zone: FakeZone, opts: TestResolverOptions = {}): Resolver & { calls: string[] } {
  const wild = opts.wildcards ?? {};
  const full: FakeZone = { ...zone };
  for (const [owner, sets] of Object.entries(wild)) full[owner] = sets;
  const inner = createFakeResolver(full);
  const auth = new Set(opts.authenticated ?? []);
  const resolver = {
    calls: inner.calls,
    async resolve(name: string, type: RRType): Promise<Answer> {
      const ptr = opts.ptr?.[name];
      if (type === 'PTR' && ptr) {
        inner.calls.push(`PTR ${name}`);
        return { status: 'ok', authenticated: false, records: ptr.map((host) => ({ name, ttl: 300, type: 'PTR', host })) };
      }
      // RFC 4592: a name not in the zone under a wildcard's parent is answered from it.
      const owner = Object.keys(wild).find((w) => name.endsWith(w.slice(1)) && !(name in zone));
      const answer = await inner.resolve(owner ?? name, type);
      const renamed =
        owner && answer.status === 'ok' ? { ...answer, records: answer.records.map((r) => ({ ...r, name })) } : answer;
      return auth.has(name) && renamed.status !== 'error' ? { ...renamed, authenticated: true } : renamed;
    },
  };
  if (!opts.type99) return resolver;
  const type99 = opts.type99;
  return Object.assign(resolver, {
    async resolveType(name: string, type: string): Promise<Answer> {
      const text = type === 'SPF' ? type99[name] : undefined;
      return text === undefined
        ? { status: 'nodata', authenticated: false }
        : { status: 'ok', authenticated: false, records: [{ name, ttl: 300, type: 'OTHER', rrtype: 'SPF', text: `"${text}"` }] };
    },
  });
}

/** The codes of findings, sorted, for compact assertions. */
export function codes(findings: { code: string }[]): string[] {
  return findings.map((f) => f.code).sort();
}
