// Organizational domains and identifier alignment (RFC 9989, "Identifier Alignment" and "DNS Tree Walk").
//
// RFC 9989 finds the Organizational Domain with a DNS tree walk over _dmarc
// records. The simulator works offline on reports, so it approximates the walk
// with the Public Suffix List (tldts, ICANN and private sections: the RFC 7489
// method, and the one mailauth uses, so both agree): the organizational domain
// is the registrable domain, one label below the longest public suffix.

import { getDomain } from 'tldts';
import type { AlignmentMode } from './report.js';

const PSL_OPTIONS = { allowIcannDomains: true, allowPrivateDomains: true } as const;
const ICANN_ONLY = { allowIcannDomains: true, allowPrivateDomains: false } as const;

function clean(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** The organizational domain; a name that is itself a public suffix (or one label) is its own. */
export function organizationalDomain(name: string): string {
  const n = clean(name);
  return getDomain(n, PSL_OPTIONS) ?? n;
}

/**
 * The operator of a host, for grouping reverse-DNS names: like organizationalDomain
 * but on the ICANN section only, so that "ec2-x.compute-1.amazonaws.com" groups
 * under amazonaws.com rather than being a public suffix of its own.
 */
export function operatorDomain(name: string): string {
  const n = clean(name);
  return getDomain(n, ICANN_ONLY) ?? n;
}

/**
 * RFC 9989 ("Identifier Alignment"): in strict mode the two domains must be identical; in relaxed
 * mode they must share an organizational domain.
 */
export function isAligned(authenticated: string, headerFrom: string, mode: AlignmentMode): boolean {
  const a = clean(authenticated);
  const h = clean(headerFrom);
  if (a === '' || h === '') return false;
  if (a === h) return true;
  return mode === 'r' && organizationalDomain(a) === organizationalDomain(h);
}

/** True when `name` is `ancestor` or below it. */
export function isAtOrBelow(name: string, ancestor: string): boolean {
  return name === ancestor || name.endsWith(`.${ancestor}`);
}
