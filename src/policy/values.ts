// Checks of single policy values (names, CIDRs, report URIs, paths), each returning the
// normalized value or the reason it is refused. Pure; knows nothing of YAML.

import { posix } from 'node:path';
import { domainToASCII } from 'node:url';
import { quote } from '../base/quote.js';
import { parseIp, parsePrefixLength } from '../dns-types/ip.js';

export type Check<T> = { ok: true; value: T } | { ok: false; message: string; hint?: string };

const ok = <T>(value: T): Check<T> => ({ ok: true, value });
const refuse = (message: string, hint?: string): Check<never> =>
  hint === undefined ? { ok: false, message } : { ok: false, message, hint };

/** RFC 1035 §2.3.4: 63 octets a label, 255 on the wire, so 253 in text without the final dot. */
const LABEL_MAX = 63;
const NAME_MAX = 253;

/** Characters a zone file reads as syntax (RFC 1035 §5.1): never let one into a name. */
const ZONE_SYNTAX = /[\s"'`;$()\\]/;

function describeChar(ch: string): string {
  if (/\s/.test(ch)) return 'whitespace';
  return `'${ch}'`;
}

export interface NameOptions {
  /** Fewest labels a name needs: 2 for mail domains and hosts, 1 for key names and selectors. */
  minLabels?: number;
  /** Allow a leading "*." label (MTA-STS mx patterns, RFC 8461 §3.2). */
  wildcard?: boolean;
}

/**
 * Zone apexes and the domains in them: one label is enough, as for BIND (`example.` is a
 * zone that mail servers' integration tests use). A domain still has to lie in a declared
 * zone, which catches a name written without its parent by mistake.
 */
export const APEX: NameOptions = { minLabels: 1 };

/**
 * A domain name as mailrec writes it into zone files: lowercase, no trailing dot,
 * labels of 1–63 letters, digits, hyphens or underscores, at most 253 characters.
 */
export function checkDomainName(raw: string, what: string, options: NameOptions = {}): Check<string> {
  const minLabels = options.minLabels ?? 2;
  if (raw === '' || raw === '.') return refuse(`${what} is empty`);
  const bad = ZONE_SYNTAX.exec(raw);
  if (bad) {
    return refuse(
      `${what} ${quote(raw)} contains ${describeChar(bad[0])}`,
      'names are written into zone files, where such characters are syntax; a name has letters, digits, hyphens, underscores and dots only',
    );
  }
  if (/[^\x20-\x7e]/.test(raw)) {
    const ascii = domainToASCII(raw);
    return refuse(
      `${what} ${quote(raw)} is not ASCII`,
      ascii ? `write the IDNA form: ${ascii}` : 'write internationalized names in their IDNA (xn--) form',
    );
  }
  let name = raw.toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  let labels = name.split('.');
  if (options.wildcard && labels[0] === '*') labels = labels.slice(1);
  if (labels.some((l) => l === '')) return refuse(`${what} ${quote(raw)} has an empty label`);
  for (const label of labels) {
    const odd = /[^a-z0-9_-]/.exec(label);
    if (odd) {
      const hint = odd[0] === '@' ? 'an address is not a name here: write the domain only' : undefined;
      return refuse(`${what} ${quote(raw)} contains ${describeChar(odd[0])}: a name has letters, digits, hyphens and underscores only`, hint);
    }
    if (label.length > LABEL_MAX) {
      return refuse(`${what} ${quote(raw)} has a label of ${label.length} characters; the limit is ${LABEL_MAX} (RFC 1035 §2.3.4)`);
    }
    if (label.startsWith('-') || label.endsWith('-')) {
      return refuse(`${what} ${quote(raw)} has a label that starts or ends with a hyphen (RFC 1123 §2.1)`);
    }
  }
  if (name.length > NAME_MAX) {
    return refuse(`${what} is ${name.length} characters long; the limit is ${NAME_MAX} (RFC 1035 §2.3.4)`);
  }
  if (labels.length < minLabels) {
    return refuse(`${what} ${quote(raw)} is a single label`, `write the full name, e.g. ${name}.example.org`);
  }
  return ok(name);
}

/** A host name that must be a name, not an address (MX, SRV and TLSA targets, SPF a:). */
export function checkHostName(raw: string, what: string, addressHint: string): Check<string> {
  if (parseIp(raw, false) !== undefined || /^\[.*\]$/.test(raw)) {
    return refuse(`${what} ${quote(raw)} is an IP address, not a host name`, addressHint);
  }
  const checked = checkDomainName(raw, what);
  if (!checked.ok) return checked;
  // An all-numeric last label is read as an address by some software (RFC 3696 §2).
  if (/^[0-9]+$/.test(checked.value.split('.').at(-1) ?? '')) {
    return refuse(`${what} ${quote(raw)} ends in an all-numeric label`, addressHint);
  }
  return checked;
}

/** A DKIM selector: one or more labels placed before "._domainkey." (RFC 6376 §3.1). */
export function checkSelector(raw: string): Check<string> {
  const checked = checkDomainName(raw, 'selector', { minLabels: 1 });
  if (!checked.ok) return checked;
  if (raw.endsWith('.')) return refuse(`selector ${quote(raw)} ends with a dot`, 'a selector is relative to ._domainkey.<domain>');
  return checked;
}

/** An SPF ip4:/ip6: value: an address with an optional prefix length (RFC 7208 §5.6). */
export function checkCidr(raw: string, family: 4 | 6): Check<string> {
  const slash = raw.indexOf('/');
  const address = slash < 0 ? raw : raw.slice(0, slash);
  const prefix = slash < 0 ? undefined : raw.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  const ip = parseIp(address, false);
  if (ip?.family !== family) {
    const other = ip !== undefined;
    const hint = other ? `that is an IPv${family === 4 ? 6 : 4} address: use ip${family === 4 ? 6 : 4}:` : undefined;
    return refuse(`ip${family} ${quote(raw)} is not an IPv${family} address${family === 4 ? ' (dotted quad, no leading zeros)' : ''}`, hint);
  }
  if (prefix !== undefined) {
    if (typeof parsePrefixLength(prefix, max) === 'string') {
      return refuse(`ip${family} ${quote(raw)} has a prefix length outside 0..${max}`);
    }
    // RFC 7208 §5.1: a mechanism matching every address is +all under another name.
    if (prefix === '0') {
      return refuse(`ip${family} ${quote(raw)} matches every address, like +all: anyone could send as the domain`, 'list the networks that really send');
    }
  }
  return ok(raw.toLowerCase());
}

export interface ReportUriOptions {
  what: string;
  /** Schemes allowed: DMARC reports go by mail only; TLS-RPT also posts to https (RFC 8460 §3). */
  schemes: readonly ('mailto' | 'https')[];
  /** DMARC reads "!" as the start of a size limit (RFC 7489 §6.2), so a literal one must be encoded. */
  bangIsSyntax: boolean;
}

/**
 * A reporting URI as published in a DMARC or TLS-RPT record: a bare address gets
 * "mailto:"; "," and ";" separate URIs and tags in those records, so they must
 * arrive percent-encoded (RFC 9989 / RFC 8460 §3) or the URI is refused.
 */
export function checkReportUri(raw: string, options: ReportUriOptions): Check<string> {
  const { what } = options;
  const space = /\s/.exec(raw);
  if (space) return refuse(`${what} ${quote(raw)} contains whitespace`);
  const sep = /[,;]/.exec(raw);
  if (sep) {
    return refuse(
      `${what} ${quote(raw)} contains '${sep[0]}', which separates ${sep[0] === ',' ? 'URIs' : 'tags'} in the record`,
      `list each URI as its own item; a literal '${sep[0]}' must be percent-encoded as ${sep[0] === ',' ? '%2C' : '%3B'}`,
    );
  }
  if (options.bangIsSyntax && raw.includes('!')) {
    const sizeLimit = /![0-9]+[kmgt]?$/i.test(raw);
    return refuse(
      sizeLimit ? `${what} ${quote(raw)} carries a report size limit, which mailrec does not publish` : `${what} ${quote(raw)} contains '!'`,
      sizeLimit ? 'remove the !size suffix' : "receivers read '!' as a size limit: percent-encode a literal one as %21",
    );
  }
  if (/[^\x21-\x7e]/.test(raw)) return refuse(`${what} ${quote(raw)} contains a non-ASCII or control character`, 'percent-encode it');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1]?.toLowerCase();
  const allowed = options.schemes.map((s) => `${s}:`).join(' or ');
  if (scheme === undefined) {
    if (raw.includes('@')) return checkMailto(`mailto:${raw}`, raw, what);
    return refuse(`${what} ${quote(raw)} is neither an address nor a ${allowed} URI`, 'write local@domain, e.g. dmarc-reports@example.org');
  }
  if (scheme === 'mailto' && options.schemes.includes('mailto')) {
    return checkMailto(`mailto:${raw.slice(scheme.length + 1)}`, raw, what);
  }
  if (scheme === 'https' && options.schemes.includes('https')) return checkHttps(raw, what);
  const hint =
    scheme === 'http' && options.schemes.includes('https')
      ? 'reports must be posted over https:'
      : `use ${allowed}${options.schemes.includes('https') ? '' : ' (reports are delivered by mail)'}`;
  return refuse(`${what} ${quote(raw)} uses the ${scheme}: scheme`, hint);
}

const LOCAL_PART_MAX_OCTETS = 64;

/** A percent-encoded local part as the mailbox sees it; undecodable text counts as written. */
function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function checkMailto(uri: string, raw: string, what: string): Check<string> {
  const address = uri.slice('mailto:'.length);
  if (/[<>"?&#]/.test(address)) {
    return refuse(`${what} ${quote(raw)} is not a plain address`, 'write local@domain, without a display name or ?headers');
  }
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  if (at <= 0 || local.includes('@')) return refuse(`${what} ${quote(raw)} is not an address (local@domain)`);
  // RFC 5321 §4.5.3.1.1: a local part holds at most 64 octets; a longer one is no mailbox.
  if (Buffer.byteLength(decodeURIComponentSafe(local), 'utf8') > LOCAL_PART_MAX_OCTETS) {
    return refuse(`${what} ${quote(raw)} has a local part of more than ${LOCAL_PART_MAX_OCTETS} octets (RFC 5321 §4.5.3.1.1)`);
  }
  const domain = checkDomainName(address.slice(at + 1), `${what} domain`);
  if (!domain.ok) return domain;
  return ok(`mailto:${local}@${domain.value}`);
}

function checkHttps(raw: string, what: string): Check<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse(`${what} ${quote(raw)} is not a valid URL`);
  }
  if (url.username || url.password) return refuse(`${what} ${quote(raw)} carries credentials`, 'a URI in DNS is public');
  const host = checkDomainName(url.hostname, `${what} host`);
  if (!host.ok) return host;
  return ok(url.href);
}

/**
 * A path inside the zone repo: relative, no ".." out of it, and nothing a zone
 * file or a shell would read as syntax (fragments end up in $INCLUDE lines).
 */
export function checkRepoPath(raw: string, what: string): Check<string> {
  if (raw === '') return refuse(`${what} is empty`);
  if (raw.startsWith('/') || /^[a-z]:[\\/]/i.test(raw) || raw.startsWith('~')) {
    return refuse(`${what} ${quote(raw)} is absolute`, 'paths are relative to the repo root: move the file into the repo');
  }
  const bad = /[\s"'`;$()\\\0]/.exec(raw);
  if (bad) {
    const hint = bad[0] === '\\' ? "use '/' between directories" : 'rename the file: zone files and shells read these characters as syntax';
    return refuse(`${what} ${quote(raw)} contains ${describeChar(bad[0])}`, hint);
  }
  const normal = posix.normalize(raw);
  if (normal === '..' || normal.startsWith('../')) {
    return refuse(`${what} ${quote(raw)} escapes the repo root`, 'paths are relative to the repo root: move the file into the repo');
  }
  if (normal === '.' || normal.endsWith('/')) return refuse(`${what} ${quote(raw)} names a directory, not a file`);
  return ok(raw);
}

/** An SRV service name without its underscore (RFC 6335 §5.1): 1–15 letters, digits, hyphens. */
export function checkServiceName(raw: string): Check<string> {
  const name = (raw.startsWith('_') ? raw.slice(1) : raw).toLowerCase();
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) || name.includes('--') || !/[a-z]/.test(name) || name.length > 15) {
    return refuse(
      `service ${quote(raw)} is not a service name`,
      'RFC 6335 §5.1: 1–15 letters, digits and single hyphens, e.g. submissions, imaps',
    );
  }
  return ok(name);
}

/** An environment variable name, as POSIX shells accept it. */
export function checkEnvName(raw: string, what = 'secret_env'): Check<string> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw)) {
    return refuse(`${what} ${quote(raw)} is not an environment variable name`, 'letters, digits and underscores, not starting with a digit');
  }
  return ok(raw);
}

/** A DNS server as host[:port], IPv4[:port], [IPv6]:port or a bare IPv6 address. */
export function checkServer(raw: string): Check<string> {
  let host = raw;
  let port: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(raw);
  if (bracketed) {
    host = bracketed[1] ?? '';
    port = bracketed[2];
    if (parseIp(host, false)?.family !== 6) return refuse(`server ${quote(raw)} has no IPv6 address inside [ ]`);
  } else if (parseIp(raw, false)?.family !== 6) {
    const colon = raw.lastIndexOf(':');
    if (colon >= 0) {
      host = raw.slice(0, colon);
      port = raw.slice(colon + 1);
    }
    if (parseIp(host, false)?.family !== 4) {
      const name = checkDomainName(host, 'server', { minLabels: 1 });
      if (!name.ok) return name;
      host = name.value;
    }
  }
  if (port !== undefined && (!/^[1-9][0-9]*$/.test(port) || Number(port) > 65535)) {
    return refuse(`server ${quote(raw)} has a port outside 1..65535`);
  }
  const hostPart = parseIp(host, false)?.family === 6 ? (port === undefined ? host : `[${host}]`) : host;
  return ok(port === undefined ? hostPart.toLowerCase() : `${hostPart.toLowerCase()}:${port}`);
}

/** TLSA association data in hex; SHA2-256 and SHA2-512 digests have fixed lengths (RFC 6698 §2.1.3). */
export function checkTlsaData(raw: string, matchingType: number): Check<string> {
  const hex = raw.replace(/[\s:]/g, '').toLowerCase();
  if (hex === '' || !/^[0-9a-f]+$/.test(hex) || hex.length % 2 !== 0) {
    return refuse(`data is not an even number of hex digits`);
  }
  const expected = matchingType === 1 ? 64 : matchingType === 2 ? 128 : undefined;
  if (expected !== undefined && hex.length !== expected) {
    return refuse(
      `data has ${hex.length} hex digits; matching_type ${matchingType} (SHA2-${matchingType === 1 ? 256 : 512}) needs ${expected}`,
    );
  }
  return ok(hex);
}

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** A duration: whole seconds, or a number with s, m, h, d or w ("7d", "12h"). Returns seconds. */
export function checkDuration(raw: string | number, what: string): Check<number> {
  const text = String(raw).trim();
  const m = /^(\d+)\s*([smhdw]?)$/.exec(text);
  if (!m) return refuse(`${what} ${quote(text)} is not a duration`, 'write seconds, or a number with s, m, h, d or w, e.g. 7d');
  const seconds = Number(m[1]) * DURATION_UNITS[m[2] || 's']!;
  if (!Number.isSafeInteger(seconds) || seconds > 100 * 365 * 86_400) return refuse(`${what} ${quote(text)} is longer than a hundred years`);
  return ok(seconds);
}

/** An instant the policy records: "2026-05-03T12:00:00Z" (UTC), or a date alone. Returns ms. */
export function checkInstant(raw: string, what: string, parse: (text: string) => number | undefined): Check<number> {
  const ms = parse(raw.trim());
  if (ms === undefined) return refuse(`${what} ${quote(raw)} is not a UTC time`, 'write it as 2026-05-03T12:00:00Z (mailrec dkim rotate writes these)');
  return ok(ms);
}

/** A directory on the signing host (signers' key_dir): absolute, nothing a signer config reads as syntax. */
export function checkSignerKeyDir(raw: string, unsafe: (path: string) => string | undefined): Check<string> {
  if (!raw.startsWith('/')) return refuse(`key_dir ${quote(raw)} is not absolute`, 'the directory where the signer reads the keys, as its host sees it, e.g. /var/lib/rspamd/dkim');
  const bad = unsafe(raw);
  if (bad !== undefined) return refuse(`key_dir ${quote(raw)} contains ${describeChar(bad)}`, 'signer configs read it as syntax: rename the directory');
  const normal = posix.normalize(raw);
  return ok(normal.length > 1 ? normal.replace(/\/$/, '') : normal);
}

/** A group the private keys are given to: a name as groupadd(8) allows, or a number. */
export function checkGroupName(raw: string): Check<string> {
  if (/^\d+$/.test(raw) && Number(raw) < 2 ** 32) return ok(raw);
  if (/^[a-z_][a-z0-9_-]{0,31}\$?$/i.test(raw)) return ok(raw);
  return refuse(`group ${quote(raw)} is not a group name`, "the signer's group, e.g. _rspamd or opendkim");
}
