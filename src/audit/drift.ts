// Drift: the records the policy declares against what DNS answers at the names mailrec
// declares and claims, through plan's one diff engine under the 'declared' ownership scope
// (DESIGN.md "Ownership"). create -> drift.missing, update -> drift.changed, delete ->
// drift.unexpected; records at those names that mailrec never owns -> drift.foreign. A
// failed lookup makes no drift: what could not be asked is reported as unknown, not missing.

import type { Resolver } from '../dns/resolver.js';
import type { DomainPolicy, Policy } from '../policy/model.js';
import { claimsFor, followChainClaims, type Claim } from '../plan/claims.js';
import { diffRecords, type Change } from '../plan/diff.js';
import { tagOf } from '../mail/txt-tag.js';
import { buildZoneRecords } from '../build/zone-records.js';
import type { SpfInputs } from '../build/spf.js';
import { isChainLink } from '../mail/spf/flatten.js';
import { renderRData } from '../dns-types/rdata.js';
import { chunkTxt, txtText, typeOf, type RR, type RRType } from '../dns-types/rr.js';
import type { Code } from '../base/codes.js';
import { RecordingResolver } from './evidence.js';
import { compareFindings, makeFinding, type Asked, type Finding } from '../base/finding.js';

/** One RRset to read: every name and type the policy declares or claims. */
export interface DriftQuestion {
  name: string;
  type: RRType;
}

/** What DNS answered for the questions. */
export interface ObservedRecords {
  /** The RRsets' records, owned by the names asked (records reached through a CNAME are not). */
  records: RR[];
  /** "name TYPE" of each question whose lookup failed. */
  failed: Set<string>;
  /** Names that answered through an alias, with the CNAME's target (RFC 1034 §3.6.2). */
  aliases: Map<string, string>;
  asked: Asked[];
}

export interface DriftInput {
  domain: string;
  zone: string;
  /** The policy's records in this zone (buildZoneRecords). */
  desired: RR[];
  /** The names and ownership keys mailrec claims in this zone (claimsFor). */
  claims: Claim[];
  observed: ObservedRecords;
  /** TTLs are the zone's own (see AuditSource.exactTtl); otherwise a lower TTL is a cache's countdown. */
  exactTtl: boolean;
}

export interface DriftResult {
  findings: Finding[];
  notes: string[];
}

const key = (name: string, type: string): string => `${name} ${type}`;

/** The questions for one zone: desired RRsets and claimed ones, each once, in a fixed order. */
export function driftQuestions(desired: readonly RR[], claims: readonly Claim[]): DriftQuestion[] {
  const out = new Map<string, DriftQuestion>();
  for (const q of [...desired.map((rr) => ({ name: rr.name, type: typeOf(rr) as RRType })), ...claims.map((c) => ({ name: c.name, type: c.type }))]) {
    out.set(key(q.name, q.type), { name: q.name, type: q.type });
  }
  return [...out.values()];
}

/** Ask every question through the resolver (the audit's, with its cache). */
export async function observeRecords(questions: readonly DriftQuestion[], resolver: Resolver): Promise<ObservedRecords> {
  const rec = new RecordingResolver(resolver);
  const records: RR[] = [];
  const failed = new Set<string>();
  const aliases = new Map<string, string>();
  const answers = await Promise.all(questions.map(async (q) => ({ q, answer: await rec.resolve(q.name, q.type) })));
  for (const { q, answer } of answers) {
    if (answer.status === 'error') {
      failed.add(key(q.name, q.type));
      continue;
    }
    if (answer.status !== 'ok') continue;
    const own = answer.records.filter((rr) => rr.name === q.name && typeOf(rr) === q.type);
    records.push(...own);
    if (own.length === 0 && answer.records.length > 0 && !aliases.has(q.name)) {
      // The answer came from another name: q.name is an alias. Ask for the CNAME itself.
      const cname = await rec.resolve(q.name, 'CNAME');
      const target = cname.status === 'ok' ? cname.records.find((rr) => rr.type === 'CNAME' && rr.name === q.name) : undefined;
      aliases.set(q.name, target && target.type === 'CNAME' ? target.target : answer.records[0]!.name);
    }
  }
  return { records, failed, aliases, asked: [...rec.asked] };
}

/**
 * Claim and observe the chain links the observed SPF records reach that were not claimed
 * (followChainClaims): `claims` and `observed` grow in place.
 */
function followChains(policy: Policy, zone: string, claims: Claim[], observed: ObservedRecords, resolver: Resolver): Promise<void> {
  return followChainClaims(policy, zone, claims, observed.records, async (more) => {
    const next = await observeRecords(driftQuestions([], more), resolver);
    for (const failed of next.failed) observed.failed.add(failed);
    for (const [name, target] of next.aliases) observed.aliases.set(name, target);
    observed.asked.push(...next.asked);
    return next.records;
  });
}

/** "3600 TXT "v=spf1 -all"": how evidence shows a record. */
export function presentRecord(rr: RR): string {
  return `${rr.ttl} ${typeOf(rr)} ${renderRData(rr)}`;
}

/**
 * The observed records as the diff should see them: TXT strings re-chunked at 255 octets
 * (a receiver sees the concatenation, RFC 7208 §3.3, so a provider's other split is no
 * drift), and, unless TTLs are exact, a TTL at or below the declared one taken as the
 * declared one (a recursive resolver hands out what is left of it, RFC 1035 §3.2.1).
 */
function normalizeObserved(records: readonly RR[], desired: readonly RR[], exactTtl: boolean): RR[] {
  const declaredTtl = new Map<string, number>();
  for (const rr of desired) declaredTtl.set(key(rr.name, typeOf(rr)), rr.ttl);
  return records.map((rr) => {
    let out: RR = rr.type === 'TXT' ? { ...rr, strings: chunkTxt(txtText(rr)) } : rr;
    const ttl = declaredTtl.get(key(rr.name, typeOf(rr)));
    if (!exactTtl && ttl !== undefined && out.ttl <= ttl) out = { ...out, ttl };
    return out;
  });
}

function labelOf(change: Change): string {
  return `${change.name} ${change.type}${change.tag ? ` (${change.tag})` : ''}`;
}

function onlyTtlDiffers(change: Change): { before: number; after: number } | undefined {
  const strip = (list: RR[]) => list.map((rr) => renderRData(rr)).sort().join('\n');
  if (change.before.length === 0 || strip(change.before) !== strip(change.after)) return undefined;
  return { before: change.before[0]!.ttl, after: change.after[0]!.ttl };
}

/** The drift findings of one zone for one domain. Pure. */
export function compileDrift(input: DriftInput): DriftResult {
  const { domain, zone, desired, claims, observed } = input;
  const current = normalizeObserved(observed.records, desired, input.exactTtl);
  const claimed = new Set(claims.map((c) => c.key));
  const changes = diffRecords(zone, desired, current, 'declared', claimed);
  const findings: Finding[] = [];
  const askedAbout = (name: string): Asked[] => observed.asked.filter((a) => a.name === name);

  for (const change of changes) {
    // Unknown is never absent: an RRset whose lookup failed is not compared.
    if (observed.failed.has(key(change.name, change.type))) continue;
    const before = change.before.map(presentRecord);
    const after = change.after.map(presentRecord);
    const label = labelOf(change);
    let code: Code;
    let message: string;
    if (change.action === 'create') {
      code = 'drift.missing';
      message = `${label} is declared in the policy but not published`;
      const alias = observed.aliases.get(change.name);
      if (alias !== undefined) message += ` (${change.name} is an alias of ${alias})`;
    } else if (change.action === 'delete') {
      code = 'drift.unexpected';
      message = `${label} is published where mailrec keeps its records, but the policy does not declare it`;
    } else {
      code = 'drift.changed';
      const ttl = onlyTtlDiffers(change);
      message = ttl ? `${label} has TTL ${ttl.before}; the policy says ${ttl.after}` : `${label} differs from the policy`;
    }
    findings.push(makeFinding(code, domain, change.name, message, { asked: askedAbout(change.name), before, after }));
  }

  // Records at these names that mailrec never owns: other tools' TXT, someone's alias.
  const txtNames = new Set(driftQuestions(desired, claims).filter((q) => q.type === 'TXT').map((q) => q.name));
  const foreignTxt = new Map<string, string[]>();
  for (const rr of observed.records) {
    if (rr.type !== 'TXT' || !txtNames.has(rr.name) || tagOf(rr.name, txtText(rr)) !== undefined) continue;
    foreignTxt.set(rr.name, [...(foreignTxt.get(rr.name) ?? []), presentRecord(rr)]);
  }
  for (const [name, texts] of foreignTxt) {
    const n = texts.length;
    findings.push(
      makeFinding('drift.foreign', domain, name, `${n} TXT record${n === 1 ? '' : 's'} at ${name} ${n === 1 ? 'is' : 'are'} not mailrec's (no v=spf1, v=DMARC1, v=DKIM1, v=STSv1 or v=TLSRPTv1 tag): left alone`, {
        asked: askedAbout(name),
        seen: texts.sort(),
      }),
    );
  }
  const declaredNames = new Set(driftQuestions(desired, claims).map((q) => q.name));
  for (const [name, target] of observed.aliases) {
    if (!declaredNames.has(name)) continue;
    findings.push(
      makeFinding('drift.foreign', domain, name, `${name} is a CNAME to ${target}, which mailrec does not own: nothing else can be published at the name (RFC 2181 §10.1)`, {
        asked: askedAbout(name),
        seen: [`CNAME ${target}`],
      }),
    );
  }

  const notes: string[] = [];
  const failed = [...observed.failed].sort();
  if (failed.length > 0) notes.push(`drift: ${failed.length} lookup(s) failed (${failed.join(', ')}); those records are not compared`);
  return { findings: findings.sort(compareFindings), notes };
}

export interface DriftOptions {
  exactTtl: boolean;
  /** What the SPF builder reads from the zone repo (own host addresses, flattened ranges), as plan reads it. */
  spfInputs?: SpfInputs;
}

/**
 * Drift of one domain of the policy: its desired records (buildZoneRecords, as plan builds
 * them) in every zone they fall in, against the answers of `resolver` at the names it
 * declares and claims (claimsFor, as plan's live mode reads them).
 */
export async function checkDrift(policy: Policy, domain: DomainPolicy, resolver: Resolver, opts: DriftOptions): Promise<DriftResult> {
  // The policy cut down to this domain: every record found belongs to it.
  const own: Policy = { ...policy, domains: [domain] };
  const zones = buildZoneRecords(own, opts.spfInputs);
  const results = await Promise.all(
    zones.map(async (zone) => {
      // A flattened include whose ranges no fragment keeps (an rfc2136 zone): the SPF records
      // cannot be built, so they are not compared (spf.flatten-stale still checks the ranges).
      const unbuilt = zone.notices.some((n) => n.code === 'spf.flatten-uncached' || n.code === 'spf.flatten-refused');
      const spfName = (name: string) => name === domain.name || isChainLink(name, domain.name);
      const claims = claimsFor(own, zone.zone).filter((c) => !(unbuilt && c.key.endsWith(' TXT spf') && spfName(c.name)));
      if (zone.records.length === 0 && claims.length === 0) return { findings: [], notes: [] };
      const observed = await observeRecords(driftQuestions(zone.records, claims), resolver);
      // A chain of SPF links the policy no longer flattens is found from the published record (as plan finds it).
      if (!unbuilt) await followChains(own, zone.zone, claims, observed, resolver);
      const result = compileDrift({ domain: domain.name, zone: zone.zone, desired: zone.records, claims, observed, exactTtl: opts.exactTtl });
      if (unbuilt) result.notes.push(`drift: the SPF records of ${domain.name} are not compared: its flattened ranges are not known without plan --resolve`);
      if (zone.notices.some((n) => n.severity === 'error')) {
        result.notes.push(`drift: the policy has errors in zone ${zone.zone} (run mailrec plan); compared with what it could build`);
      }
      return result;
    }),
  );
  return { findings: results.flatMap((r) => r.findings).sort(compareFindings), notes: results.flatMap((r) => r.notes) };
}
