// File names of the site's domain pages: safe on every file system and web server for any
// domain name the audit output holds (IDN, labels with odd octets, names that differ only in
// case or in characters a file system folds), and stable from one build to the next.

import { createHash } from 'node:crypto';
import { domainToASCII } from 'node:url';

/** The directory of the domain pages, and the names this module gives them (to tell a stale page from a file put there by hand). */
export const DOMAIN_PAGES_DIR = 'domains';
export const DOMAIN_PAGE_NAME = /^[a-z0-9][a-z0-9._-]*-[0-9a-f]{10}\.html$/;

/** The longest readable part kept (file systems allow 255 octets a name). */
const MAX_READABLE = 80;

/**
 * `domains/<readable>-<hash>.html`: the readable part is the name in ASCII (IDN as A-labels,
 * RFC 5891) reduced to lowercase letters, digits, dots and hyphens; the hash (of the name as the
 * audit wrote it) keeps two names that reduce alike apart. No leading dot, no slash, no "..".
 */
export function domainPageName(domain: string): string {
  const ascii = domainToASCII(domain) || domain;
  const readable =
    ascii
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '_')
      .replace(/\.{2,}/g, '.')
      .replace(/^[._-]+/, '')
      .slice(0, MAX_READABLE)
      .replace(/[.]+$/, '') || 'domain';
  const hash = createHash('sha256').update(domain, 'utf8').digest('hex').slice(0, 10);
  return `${DOMAIN_PAGES_DIR}/${readable}-${hash}.html`;
}
