// Sorts an estate's records into mail-record groups (one SPF, one DKIM selector, one SRV owner...) under policy domains.

import type { SourcePosition } from '../../base/errors.js';
import { KNOWN_SRV_SERVICES } from '../../mail/srv/record.js';
import { tagOf } from '../../mail/txt-tag.js';
import { isInZone, txtText, type RR } from '../../dns-types/rr.js';
import { compareNames } from '../../dns-types/name.js';
import { rrtypeSpfProblem } from '../../mail/spf/rules.js';
import { importFindings, makeImportFinding, type ImportFinding } from './findings.js';

/** A record as read from a zone file (with where) or from live DNS (without). */
export type SourceRecord = RR & { position?: SourcePosition };

export type FamilyKind = 'spf' | 'mx' | 'dkim' | 'dmarc' | 'dmarc-auth' | 'srv' | 'tlsa' | 'mta-sts' | 'tls-rpt' | 'other';

/** The records one policy entry stands for: a domain's SPF, one DKIM selector, one SRV or TLSA owner... */
export interface RecordGroup {
  /** `${domain}|${kind}|${sub}`: stable and unique. */
  key: string;
  kind: FamilyKind;
  domain: string;
  zone: string;
  /** dkim: the selector; srv, tlsa, dmarc-auth, other: the owner name; "" otherwise. */
  sub: string;
  /** The owner name of the group's records. */
  owner: string;
  records: SourceRecord[];
}

export interface ImportZoneInput {
  apex: string;
  records: SourceRecord[];
  /** The zone file the records were read from, relative to the repo root; undefined for live DNS. */
  zoneFile?: string;
  /** Files among the sources that are intact mailrec fragments: every record in them is mailrec's. */
  fragments?: string[];
}

/** Ports whose TLSA records concern mail (RFC 7672 SMTP; RFC 8314 submission, IMAP, POP3). */
export const MAIL_TLSA_PORTS: readonly number[] = [25, 110, 143, 465, 587, 993, 995];

export interface Classification {
  /** Policy domains, in canonical name order. */
  domains: string[];
  /** Each domain's zone apex (the longest imported apex above it). */
  zoneOf: Map<string, string>;
  /** Groups in a fixed order: domain, kind, sub. */
  groups: RecordGroup[];
  /** Records seen but not imported (outside every zone, obsolete type SPF). */
  findings: ImportFinding[];
  /** The group key a record of this owner and shape belongs to (also for records the policy builds). */
  groupKeyOf(rr: RR): string | undefined;
}

interface Shape {
  kind: FamilyKind;
  /** Known from the name; undefined when assigned afterwards (tlsa, dmarc-auth, other). */
  domain?: string;
  sub: string;
}

const KIND_ORDER: readonly FamilyKind[] = ['spf', 'mx', 'dkim', 'dmarc', 'dmarc-auth', 'srv', 'tlsa', 'mta-sts', 'tls-rpt', 'other'];

function after(name: string, prefix: string): string | undefined {
  return name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : undefined;
}

/** "<selector>._domainkey.<domain>" (RFC 6376 §3.6.2.1) split, or undefined. */
export function splitDkimName(name: string): { selector: string; domain: string } | undefined {
  const at = name.indexOf('._domainkey.');
  if (at <= 0) return undefined;
  return { selector: name.slice(0, at), domain: name.slice(at + '._domainkey.'.length) };
}

/** What a record is, by its owner name, type and (for TXT) tag. `broad`: every SRV and TLSA (mailrec's own fragment). */
function shapeOf(rr: RR, broad: boolean): Shape | undefined {
  const name = rr.name;
  switch (rr.type) {
    case 'TXT': {
      const tag = tagOf(name, txtText(rr));
      if (tag === 'spf') return { kind: 'spf', domain: name, sub: '' };
      if (tag === 'dkim') {
        const dkim = splitDkimName(name);
        return dkim ? { kind: 'dkim', domain: dkim.domain, sub: dkim.selector } : { kind: 'other', sub: name };
      }
      if (tag === 'dmarc') {
        const domain = after(name, '_dmarc.');
        if (domain !== undefined) return { kind: 'dmarc', domain, sub: '' };
        // RFC 7489 §7.1: "<domain>._report._dmarc.<destination>" authorizes reports.
        if (name.includes('._report._dmarc.')) return { kind: 'dmarc-auth', sub: name };
        return { kind: 'other', sub: name };
      }
      if (tag === 'mta-sts') {
        const domain = after(name, '_mta-sts.');
        return domain !== undefined ? { kind: 'mta-sts', domain, sub: '' } : { kind: 'other', sub: name };
      }
      if (tag === 'tls-rpt') {
        const domain = after(name, '_smtp._tls.');
        return domain !== undefined ? { kind: 'tls-rpt', domain, sub: '' } : { kind: 'other', sub: name };
      }
      return undefined;
    }
    case 'MX':
      return { kind: 'mx', domain: name, sub: '' };
    case 'SRV':
      return srvShape(name, broad);
    case 'TLSA':
      return tlsaShape(name, broad);
    case 'CNAME': {
      // Delegations of mail names to a provider (Microsoft 365 DKIM, hosted MTA-STS or DMARC).
      const dkim = splitDkimName(name);
      if (dkim) return { kind: 'dkim', domain: dkim.domain, sub: dkim.selector };
      const dmarc = after(name, '_dmarc.');
      if (dmarc !== undefined) return { kind: 'dmarc', domain: dmarc, sub: '' };
      const sts = after(name, '_mta-sts.');
      if (sts !== undefined) return { kind: 'mta-sts', domain: sts, sub: '' };
      const rpt = after(name, '_smtp._tls.');
      if (rpt !== undefined) return { kind: 'tls-rpt', domain: rpt, sub: '' };
      return srvShape(name, broad) ?? tlsaShape(name, broad);
    }
    default:
      return undefined;
  }
}

function srvShape(name: string, broad: boolean): Shape | undefined {
  const m = /^_([a-z0-9-]+)\._(tcp|udp)\.(.+)$/.exec(name);
  if (!m || !(broad || (KNOWN_SRV_SERVICES.includes(m[1]!) && m[2] === 'tcp'))) return undefined;
  return { kind: 'srv', domain: m[3]!, sub: name };
}

function tlsaShape(name: string, broad: boolean): Shape | undefined {
  const m = /^_(\d{1,5})\._tcp\.(.+)$/.exec(name);
  if (!m || !(broad || MAIL_TLSA_PORTS.includes(Number(m[1])))) return undefined;
  return { kind: 'tlsa', sub: name };
}

/** The host of a TLSA owner "_<port>._tcp.<host>". */
function tlsaHost(owner: string): string {
  return owner.replace(/^_\d+\._tcp\./, '');
}

function longest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const c of candidates) if (isInZone(name, c) && (best === undefined || c.length > best.length)) best = c;
  return best;
}

/** Sort every mail record of the zones into groups under policy domains. Pure. */
export function classifyRecords(zones: readonly ImportZoneInput[]): Classification {
  const apexes = zones.map((z) => z.apex);
  const findings: ImportFinding[] = [];
  const shaped: { rr: SourceRecord; shape: Shape; zone: string }[] = [];
  for (const zone of zones) {
    const fragments = new Set(zone.fragments ?? []);
    for (const rr of zone.records) {
      if (rr.type === 'OTHER' && rr.rrtype === 'SPF') {
        findings.push(...importFindings([rrtypeSpfProblem(rr.name)], rr.name, rr.position));
        continue;
      }
      const shape = shapeOf(rr, rr.position !== undefined && fragments.has(rr.position.file));
      if (!shape) continue;
      const home = longest(rr.name, apexes);
      if (home === undefined) {
        findings.push(
          makeImportFinding('import.outside-zone', zone.apex, rr.name, `${rr.name} ${rr.type} lies outside the imported zones (${apexes.join(', ')}); it is not imported`, rr.position),
        );
        continue;
      }
      shaped.push({ rr, shape, zone: home });
    }
  }

  const domains = new Set<string>();
  for (const { shape } of shaped) if (shape.domain !== undefined) domains.add(shape.domain);

  // TLSA records go with the domain whose MX or SRV names their host, else the nearest domain above it.
  const hostOwner = new Map<string, string>();
  const byName = [...shaped].sort((a, b) => compareNames(a.rr.name, b.rr.name));
  for (const kind of ['MX', 'SRV'] as const) {
    for (const { rr } of byName) {
      const target = rr.type === 'MX' ? rr.exchange : rr.type === 'SRV' ? rr.target : undefined;
      if (rr.type !== kind || !target || hostOwner.has(target)) continue;
      hostOwner.set(target, rr.type === 'MX' ? rr.name : rr.name.replace(/^_[^.]+\._[^.]+\./, ''));
    }
  }
  const assign = (shape: Shape, name: string, zone: string): string => {
    if (shape.domain !== undefined) return shape.domain;
    if (shape.kind === 'tlsa') {
      const host = tlsaHost(name);
      const owner = hostOwner.get(host);
      if (owner !== undefined) return owner;
      return longest(host, domains) ?? zone;
    }
    return longest(name, domains) ?? zone;
  };
  const assigned = shaped.map((s) => ({ ...s, domain: assign(s.shape, s.rr.name, s.zone) }));
  for (const a of assigned) domains.add(a.domain);

  const zoneOf = new Map<string, string>();
  for (const domain of domains) zoneOf.set(domain, longest(domain, apexes) ?? apexes[0] ?? domain);

  const groups = new Map<string, RecordGroup>();
  for (const a of assigned) {
    const key = `${a.domain}|${a.shape.kind}|${a.shape.sub}`;
    let group = groups.get(key);
    if (!group) {
      group = { key, kind: a.shape.kind, domain: a.domain, zone: zoneOf.get(a.domain)!, sub: a.shape.sub, owner: a.rr.name, records: [] };
      groups.set(key, group);
    }
    group.records.push(a.rr);
  }
  const ordered = [...groups.values()].sort(
    (a, b) => compareNames(a.domain, b.domain) || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || compareNames(a.sub, b.sub),
  );

  const groupKeyOf = (rr: RR): string | undefined => {
    const shape = shapeOf(rr, true);
    if (!shape) return undefined;
    const zone = longest(rr.name, apexes) ?? '';
    return `${assign(shape, rr.name, zone)}|${shape.kind}|${shape.sub}`;
  };
  return { domains: [...domains].sort(compareNames), zoneOf, groups: ordered, findings, groupKeyOf };
}
