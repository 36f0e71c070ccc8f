// Policy -> desired records per zone: runs every builder, places each record in its zone, checks across families.

import { clip } from '../base/quote.js';
import { RecordError, type SourcePosition } from '../base/errors.js';
import { checkHostnames } from '../zone/check-names.js';
import { compareNames } from '../dns-types/name.js';
import { renderRR } from '../dns-types/rdata.js';
import { answerWireOctets, rdataWireOctets, RDATA_MAX_OCTETS, UDP_ANSWER_OCTETS } from '../dns-types/wire-size.js';
import { missingProviderDkim } from '../mail/providers.js';
import type { Resolver } from '../dns/resolver.js';
import type { DomainPolicy, Policy } from '../policy/model.js';
import type { Code } from '../base/codes.js';
import type { Problem } from '../base/finding.js';
import { cnameConflictProblem } from '../dns-types/rules.js';
import { checkDkimMultiple } from '../mail/dkim/rules.js';
import { checkDmarcMultiple } from '../mail/dmarc/rules.js';
import { checkMtaStsMultiple } from '../mail/mta-sts/rules.js';
import { checkMxRecords, mxTargetCnameProblem } from '../mail/mx/rules.js';
import { describeSpfProblem } from '../mail/spf/rules.js';
import { checkTlsRptMultiple } from '../mail/tls-rpt/rules.js';
import { tagOf, type TxtTag } from '../mail/txt-tag.js';
import { buildDkim } from './dkim.js';
import { buildDmarc } from './dmarc.js';
import { buildMtaSts } from './mta-sts.js';
import { buildMx } from './mx.js';
import { type BuildResult, type GeneratedFile, type Notice, makeNotice, planNotices } from './notice.js';
import { compareRecords, recordIdentity } from '../dns-types/order.js';
import { pushTo } from '../base/multimap.js';
import { type RR, isInZone, longestZone, normalizeName, txtText, typeOf } from '../dns-types/rr.js';
import { type SpfBuild, type SpfInputs, buildSpf, resolveSpfLookups } from './spf.js';
import { resolveSpfRanges } from '../mail/spf/flatten.js';
import type { FlattenNote } from '../zone/writer.js';
import { buildSrv } from './srv.js';
import { buildTlsa } from './tlsa.js';
import { buildTlsRpt } from './tls-rpt.js';

export type { GeneratedFile } from './notice.js';

/** Everything the policy wants in one zone. */
export interface DesiredZone {
  zone: string;
  /** Sorted: canonical name order (RFC 4034 §6.1), then type, then RDATA. */
  records: RR[];
  files: GeneratedFile[];
  notices: Notice[];
  /** The ranges of the zone's flattened SPF includes, which its fragment keeps. */
  flattened?: FlattenNote[];
}

/** The rule for several TXT records of one protocol at a name (tag of the ownership model). */
const MULTIPLE: Readonly<Record<TxtTag, (name: string, texts: readonly string[]) => Problem>> = {
  spf: (name, texts) => describeSpfProblem({ kind: 'multiple-records', name, records: [...texts] }),
  dmarc: checkDmarcMultiple,
  dkim: checkDkimMultiple,
  'mta-sts': checkMtaStsMultiple,
  'tls-rpt': checkTlsRptMultiple,
};

/**
 * Rules that span record families, over one set of records: one SPF (DMARC, DKIM,
 * MTA-STS, TLS-RPT) record per name; a CNAME stands alone; a null MX stands
 * alone; MX and SRV targets are not aliases.
 */
export function checkRecordSet(records: readonly RR[]): Notice[] {
  const notices: Notice[] = [];
  const add = (...problems: Problem[]): void => void notices.push(...planNotices(problems));
  const byName = new Map<string, RR[]>();
  for (const rr of records) pushTo(byName, rr.name, rr);
  const names = [...byName.keys()].sort(compareNames);
  const aliases = new Map(records.flatMap((rr) => (rr.type === 'CNAME' ? [[rr.name, rr.target] as const] : [])));

  for (const name of names) {
    const here = byName.get(name)!;
    const cnames = here.filter((rr) => rr.type === 'CNAME');
    if (cnames.length > 0 && here.length > 1) {
      // RFC 1034 §3.6.2, RFC 2181 §10.1: an alias holds no other data.
      const others = [...new Set(here.filter((rr) => rr.type !== 'CNAME').map(typeOf))];
      const first = cnames[0]!;
      add(cnameConflictProblem(name, first.type === 'CNAME' ? first.target : '', others.length > 0 ? others : ['another CNAME']));
    }
    const mx = here.flatMap((rr) => (rr.type === 'MX' ? [rr] : []));
    add(...checkMxRecords(name, mx).filter((p) => p.code === 'mx.null-not-alone'));
    const texts = new Map<TxtTag, string[]>();
    for (const rr of here) {
      if (rr.type !== 'TXT') continue;
      const tag = tagOf(name, txtText(rr));
      if (tag) pushTo(texts, tag, txtText(rr));
    }
    for (const [tag, list] of texts) if (list.length > 1) add(MULTIPLE[tag](name, list));
    for (const rr of here) {
      const alias = rr.type === 'MX' ? aliases.get(rr.exchange) : undefined;
      if (rr.type === 'MX' && alias !== undefined) add(mxTargetCnameProblem(rr.exchange, alias));
      if (rr.type === 'SRV' && aliases.has(rr.target)) {
        notices.push(makeNotice('srv.target-cname', name, `SRV target ${rr.target} is a CNAME; an SRV target must name the host itself`));
      }
    }
  }
  return notices;
}

/** Drop duplicate records; give every RRset one TTL, the lowest (RFC 2181 §5.2). */
function canonicalizeRecords(records: readonly RR[]): { records: RR[]; notices: Notice[] } {
  const seen = new Map<string, RR>();
  for (const rr of records) {
    const key = recordIdentity(rr);
    const prior = seen.get(key);
    if (!prior || rr.ttl < prior.ttl) seen.set(key, rr);
  }
  const unique = [...seen.values()];
  const minTtl = new Map<string, number>();
  for (const rr of unique) {
    const key = `${rr.name} ${typeOf(rr)}`;
    minTtl.set(key, Math.min(minTtl.get(key) ?? rr.ttl, rr.ttl));
  }
  const notices: Notice[] = [];
  const reported = new Set<string>();
  const out = unique.map((rr) => {
    const key = `${rr.name} ${typeOf(rr)}`;
    const ttl = minTtl.get(key)!;
    if (ttl === rr.ttl) return rr;
    if (!reported.has(key)) {
      reported.add(key);
      notices.push(makeNotice('rrset.ttl-mismatch', rr.name, `the ${typeOf(rr)} records at ${rr.name} come with different TTLs; all get ${ttl}`));
    }
    return { ...rr, ttl };
  });
  return { records: out.sort(compareRecords), notices };
}

/** Where in the policy the record a builder made was declared: the entry itself where the model keeps it, else the domain. */
function sourceOf(domain: DomainPolicy, builder: number, rr: RR): SourcePosition {
  const found = ((): SourcePosition | undefined => {
    switch (BUILDERS[builder]) {
      case 'dkim':
        return domain.dkim.find((k) => rr.name === `${k.selector}._domainkey.${domain.name}`)?.position;
      case 'dmarc':
        return domain.dmarc?.position;
      case 'srv':
        return domain.srv.find((s) => rr.name === `_${s.service}._${s.protocol}.${domain.name}`)?.position;
      case 'tlsa':
        return domain.tlsa.find((t) => rr.name === `_${t.port}._${t.protocol}.${t.host}`)?.position;
      case 'mta-sts':
        return domain.mtaSts?.position;
      case 'tls-rpt':
        return domain.tlsRpt?.position;
      case 'raw':
        return domain.raw?.find((r) => r.name === rr.name && recordIdentity({ ...r.rdata, name: r.name, ttl: 0 }) === recordIdentity(rr))?.position;
      default:
        return undefined;
    }
  })();
  return found ?? domain.position;
}

/** A record as a refusal names it; made only for a refusal (a plan of 100,000 zones checks 700,000 records and refuses none). */
function recordWhat(rr: RR): string {
  return `${typeOf(rr)} record at ${clip(rr.name)}`;
}

/**
 * Every record against what a zone can hold (RFC 1035 §3.2.1, §2.3.4; check-names) and what a
 * UDP answer can carry: a record that cannot be written is left out with an error at its place
 * in the policy, so that the plan is refused with file:line:column instead of apply failing.
 */
function checkWire(apex: string, records: readonly RR[], sourceOfRecord: (rr: RR) => SourcePosition | undefined): { records: RR[]; notices: Notice[] } {
  const notices: Notice[] = [];
  const kept: RR[] = [];
  const refuse = (rr: RR, code: Code, message: string): void => {
    notices.push(makeNotice(code, rr.name, message, sourceOfRecord(rr)));
  };
  for (const rr of records) {
    try {
      renderRR(rr, { names: 'strict' });
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      refuse(rr, 'zone.record-unwritable', `${recordWhat(rr)}: ${error.message}${error.hint ? ` (${error.hint})` : ''}`);
      continue;
    }
    try {
      checkHostnames(rr);
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      refuse(rr, 'zone.record-unwritable', `${error.message}${error.hint ? ` (${error.hint})` : ''}`);
      continue;
    }
    const octets = rdataWireOctets(rr);
    if (octets > RDATA_MAX_OCTETS) {
      refuse(rr, 'zone.record-too-long', `${recordWhat(rr)} would hold ${octets} octets of data; a record holds at most ${RDATA_MAX_OCTETS}, and BIND refuses the zone`);
      continue;
    }
    if (rr.type === 'CNAME' && rr.name === apex) {
      refuse(rr, 'dns.cname-and-other-data', `a CNAME at the zone apex ${clip(apex)}: the apex holds the zone's SOA and NS records, and a name with a CNAME holds nothing else`);
      continue;
    }
    kept.push(rr);
  }
  const txt = new Map<string, RR[]>();
  for (const rr of kept) if (rr.type === 'TXT') pushTo(txt, rr.name, rr);
  for (const [name, rrset] of txt) {
    const octets = answerWireOctets(rrset);
    if (octets > UDP_ANSWER_OCTETS) {
      notices.push(
        makeNotice(
          TXT_TOO_LARGE,
          name,
          `the TXT records at ${clip(name)} make a ${octets}-octet answer, over the ${UDP_ANSWER_OCTETS} octets a UDP answer carries: resolvers that do not retry over TCP see nothing (pass --allow-large-txt to publish it anyway)`,
          sourceOfRecord(rrset[0]!),
        ),
      );
    }
  }
  return { records: kept, notices };
}

/** The code of a TXT RRset over a UDP answer: an error unless the user allows it (--allow-large-txt). */
export const TXT_TOO_LARGE: Code = 'zone.txt-too-large';

/** The domain's `raw:` records, published as written: the policy's escape hatch. */
function buildRaw(domain: DomainPolicy): BuildResult {
  const records = (domain.raw ?? []).map((raw): RR => ({ ...raw.rdata, name: raw.name, ttl: raw.ttl ?? domain.ttl }));
  return { records, files: [], notices: [] };
}

/** Info notices for the DKIM records a sender's provider asks for and the policy lacks (shown by plan). */
function buildProviderHints(domain: DomainPolicy): BuildResult {
  const providers = (domain.senders ?? []).flatMap((s) => (s.kind === 'provider' ? [s.name] : []));
  const hints = missingProviderDkim(providers, {
    domain: domain.name,
    selectors: domain.dkim.map((k) => k.selector),
    rawNames: (domain.raw ?? []).map((r) => r.name),
  });
  return {
    records: [],
    files: [],
    notices: hints.map(({ provider, hint }) =>
      makeNotice('dkim.provider-hint', domain.name, `${provider.title} signs with DKIM: publish ${hint} (add it under dkim: or raw:)`, domain.position),
    ),
  };
}

/** The builders in the order assembleZones runs them. */
const BUILDERS = ['spf', 'dkim', 'dmarc', 'mx', 'srv', 'tlsa', 'mta-sts', 'tls-rpt', 'raw', 'hints'] as const;

/** A zone's records, files, notices and flattened notes as the builders gave them, before the zone's checks. */
interface ZoneBucket {
  records: RR[];
  files: GeneratedFile[];
  notices: Notice[];
  flattened: FlattenNote[];
  /** Which domain and builder gave each record (domain index × BUILDERS.length + builder), beside `records`. */
  origins: number[];
}

/** Every zone of the policy, one at a time: `finish` checks a zone's records and forgets its bucket. */
export interface ZonesByZone {
  /** The zones' apexes in canonical order. */
  apexes: readonly string[];
  /** The zone's DesiredZone; each apex once, after which its bucket is gone. */
  finish(apex: string): DesiredZone;
}

/** The policy's zones' apexes in canonical order: the order of the zones in a plan. */
export function zoneApexes(policy: Pick<Policy, 'zones'>): string[] {
  return [...new Set(policy.zones.map((z) => normalizeName(z.apex)))].sort(compareNames);
}

function assembleZones(policy: Policy, spfOf: (domain: DomainPolicy) => SpfBuild): DesiredZone[] {
  const byZone = collectZones(policy, spfOf);
  return byZone.apexes.map((apex) => byZone.finish(apex));
}

/** Every proper ancestor of an apex (the root included): the names with a zone apex beneath them. */
function namesAboveApexes(apexes: readonly string[]): Set<string> {
  const above = new Set<string>();
  for (const apex of apexes) {
    if (apex === '') continue;
    above.add('');
    for (let dot = apex.indexOf('.'); dot >= 0; dot = apex.indexOf('.', dot + 1)) above.add(apex.slice(dot + 1));
  }
  return above;
}

/**
 * longestZone for the names one domain's builders give. Most are the domain's name or beneath
 * it; when no apex lies beneath the domain, all of those are in the domain's own longest zone,
 * found once (a plan of 100,000 domains looked up 700,000 names suffix by suffix).
 */
function zoneFinder(domain: string, apexes: ReadonlySet<string>, aboveApexes: ReadonlySet<string>): (name: string) => string | undefined {
  if (aboveApexes.has(domain)) return (name) => longestZone(name, apexes);
  const own = longestZone(domain, apexes);
  const beneath = `.${domain}`;
  return (name) => (name === domain || name.endsWith(beneath) ? own : longestZone(name, apexes));
}

/**
 * Runs every builder of every domain and sorts the results into their zones (a domain's
 * records may land in another zone than its own); each zone's checks wait for `finish`, so a
 * caller can plan the zones one by one without holding every checked zone at once.
 */
function collectZones(policy: Policy, spfOf: (domain: DomainPolicy) => SpfBuild): ZonesByZone {
  const apexes = zoneApexes(policy);
  const apexSet = new Set(apexes);
  const zones = new Map<string, ZoneBucket>();
  for (const apex of apexes) zones.set(apex, { records: [], files: [], notices: [], flattened: [], origins: [] });

  const aboveApexes = namesAboveApexes(apexes);

  const domains = [...policy.domains].sort((a, b) => compareNames(a.name, b.name));
  for (const [index, domain] of domains.entries()) {
    // A domain's notices and files go to its own zone; with no zone at all there is nowhere to report (the loader refuses that).
    const zoneOf = zoneFinder(domain.name, apexSet, aboveApexes);
    const home = zones.get(domain.zone) ?? zones.get(zoneOf(domain.name) ?? '') ?? [...zones.values()][0];
    const spf = spfOf(domain);
    for (const [include, ranges] of spf.flattened ?? []) (zones.get(zoneOf(domain.name) ?? '') ?? home)?.flattened.push({ domain: domain.name, include, ranges });
    // In the order of BUILDERS.
    const results: BuildResult[] = [
      spf,
      buildDkim(domain),
      buildDmarc(domain, apexSet),
      buildMx(domain),
      buildSrv(domain),
      buildTlsa(domain),
      buildMtaSts(domain),
      buildTlsRpt(domain),
      buildRaw(domain),
      buildProviderHints(domain),
    ];
    for (const [builder, result] of results.entries()) {
      for (const rr of result.records) {
        const zone = zones.get(zoneOf(rr.name) ?? '');
        if (zone) {
          zone.records.push(rr);
          zone.origins.push(index * BUILDERS.length + builder);
        } else
          home?.notices.push(
            makeNotice('zone.outside', rr.name, `${rr.name} ${typeOf(rr)} (from ${domain.name}) lies in none of the policy's zones; add its zone or remove the entry`, domain.position),
          );
      }
      for (const n of result.notices) (zones.get(zoneOf(n.name) ?? '') ?? home)?.notices.push(n);
      home?.files.push(...result.files);
    }
  }

  return {
    apexes,
    finish(apex: string): DesiredZone {
      const zone = zones.get(apex);
      if (!zone) throw new Error(`zone ${apex} is not in the policy, or was finished already`);
      zones.delete(apex);
      const canonical = canonicalizeRecords(zone.records);
      // Where a refused record came from (the first builder that gave it), looked up only for a zone with refusals.
      let sources: Map<string, SourcePosition> | undefined;
      const sourceOfRecord = (rr: RR): SourcePosition | undefined => {
        if (!sources) {
          sources = new Map();
          for (const [i, given] of zone.records.entries()) {
            const identity = recordIdentity(given);
            const origin = zone.origins[i]!;
            if (!sources.has(identity)) sources.set(identity, sourceOf(domains[Math.floor(origin / BUILDERS.length)]!, origin % BUILDERS.length, given));
          }
        }
        return sources.get(recordIdentity(rr));
      };
      const checked = checkWire(apex, canonical.records, sourceOfRecord);
      const files = [...zone.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      return {
        zone: apex,
        records: checked.records,
        files,
        notices: [...zone.notices, ...canonical.notices, ...checked.notices, ...checkRecordSet(checked.records)],
        ...(zone.flattened.length > 0 ? { flattened: zone.flattened } : {}),
      };
    },
  };
}

/**
 * The desired records of every zone of the policy, one entry per zone (also when
 * empty), in canonical zone order. Pure and deterministic: the order of domains in
 * the policy does not matter. SPF lookups are counted statically (an include counts 1).
 * A notice of severity error means the plan must be refused.
 */
export function buildZoneRecords(policy: Policy, inputs: SpfInputs = {}): DesiredZone[] {
  return assembleZones(policy, (domain) => buildSpf(domain, inputs));
}

/** buildZoneRecords a zone at a time (plan streamed zone by zone): the same zones, in the same order. */
export function buildZoneRecordsByZone(policy: Policy, inputs: SpfInputs = {}): ZonesByZone {
  return collectZones(policy, (domain) => buildSpf(domain, inputs));
}

/**
 * buildZoneRecords with SPF lookups counted exactly through `resolver` (the --resolve
 * option), and every flattened include resolved again to its current ranges.
 */
export async function resolveZoneRecords(policy: Policy, resolver: Resolver, inputs: SpfInputs = {}): Promise<DesiredZone[]> {
  const flattened = [...new Set(policy.domains.flatMap((d) => (d.senders ?? []).flatMap((s) => (s.kind === 'include' && s.flatten ? [normalizeName(s.domain)] : []))))];
  const fresh = new Map(await Promise.all(flattened.map(async (include) => [include, await resolveSpfRanges(include, resolver)] as const)));
  const withFresh: SpfInputs = { ...inputs, fresh };
  // Lookups run concurrently; the resolver bounds its own concurrency. Results do not depend on the order.
  const built = await Promise.all(policy.domains.map((domain) => resolveSpfLookups(domain, resolver, withFresh)));
  const spf = new Map<DomainPolicy, SpfBuild>(policy.domains.map((domain, i) => [domain, built[i]!]));
  return assembleZones(policy, (domain) => spf.get(domain) ?? buildSpf(domain, withFresh));
}
