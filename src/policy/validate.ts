// Validates policy files and merges them into one normalized Policy: the pure core of
// loading. Reads no files; returns every issue found, or the policy and the files it needs.

import { posix } from 'node:path';
import { formatPosition, type PolicyIssue, type SourcePosition } from '../base/errors.js';
import type { DkimKeySettings, DomainPolicy, Policy, SpfAll, ZoneConfig } from './model.js';
import type { DefaultsDraft, DkimKeysDraft, DomainDraft, FileRef, PolicyPart, SignersDraft, TargetDraft, ZoneDraft } from './drafts.js';
import { formatDuration } from '../mail/dkim/rotation.js';
import { readPolicyDocument, type PolicySource } from './read-document.js';
import { suggest } from './suggest.js';
import { DEFAULT_DKIM_KEYS, DEFAULT_SPF_ALL, DEFAULT_TTL, defaultFragmentPath } from './vocabulary.js';

export type { PolicySource } from './read-document.js';
export type { FileRef } from './drafts.js';

export type Validation =
  | { ok: true; policy: Policy; files: FileRef[] }
  | { ok: false; issues: PolicyIssue[]; files: FileRef[] };

/** Issues in reading order: by file, then line, then column. */
export function sortIssues(issues: readonly PolicyIssue[]): PolicyIssue[] {
  return [...issues].sort(
    (a, b) =>
      compare(a.position.file, b.position.file) ||
      a.position.line - b.position.line ||
      a.position.column - b.position.column ||
      compare(a.message, b.message),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Validate the policy files (in load order) and merge them. Pure: file contents
 * the policy refers to (DKIM keys, certificates) are listed in `files`, not read;
 * the policy's keyPem/pem fields are empty until the loader attaches them.
 */
export function validatePolicy(sources: readonly PolicySource[]): Validation {
  return mergePolicyParts(sources.map((s) => s.file), sources.map(readPolicyPart));
}

/** What reading one file yields: its part, its issues and the files it refers to. */
export interface ReadPart {
  part: PolicyPart;
  issues: PolicyIssue[];
  files: FileRef[];
}

/** Read one policy file on its own (src/policy/read-parallel.ts does this in worker threads). */
export function readPolicyPart(source: PolicySource): ReadPart {
  const issues: PolicyIssue[] = [];
  const files: FileRef[] = [];
  return { part: readPolicyDocument(source, issues, files), issues, files };
}

/** Merge the parts of the files named (in load order): the same result as reading them one after another. */
export function mergePolicyParts(fileNames: readonly string[], read: readonly ReadPart[]): Validation {
  const issues: PolicyIssue[] = read.flatMap((r) => r.issues);
  const files: FileRef[] = read.flatMap((r) => r.files);
  const parts = read.map((r) => r.part);
  const report = (position: SourcePosition, path: string, message: string, hint?: string): void => {
    issues.push(hint === undefined ? { position, path, message } : { position, path, message, hint });
  };

  const defaults = mergeDefaults(parts, report);
  const declaredZones = unique(
    parts.flatMap((p) => p.zones),
    (z) => z.apex,
    (z, first) => report(z.position, z.path, `zone ${z.apex} is declared twice`, `also declared at ${formatPosition(first.position)}`),
  );
  const domains = unique(
    parts.flatMap((p) => p.domains),
    (d) => d.name,
    (d, first) => report(d.position, d.path, `domain ${d.name} is declared twice`, `also declared at ${formatPosition(first.position)}`),
  );
  const zones = declaredZones.length > 0 ? declaredZones : implicitZones(domains);
  const zoneOf = assignZones(domains, zones, declaredZones.length > 0, report);
  const dkimKeys = mergeDkimKeys(parts, report);
  const signers = once(parts.map((p) => p.signers), 'signers', report);
  checkFragments(zones, signers?.paths ?? [], report);
  const targets = parts.flatMap((p) => p.targets);
  checkTargets(targets, zones, report);
  const reports = once(parts.map((p) => p.reports), 'reports', report);

  if (issues.length > 0) return { ok: false, issues: sortIssues(issues), files };
  const policy: Policy = {
    version: 1,
    files: [...fileNames],
    defaults,
    zones: zones.map(toZoneConfig).sort((a, b) => compare(a.apex, b.apex)),
    domains: domains
      .map((d) => toDomainPolicy(d, zoneOf.get(d.name) ?? d.name, defaults))
      .sort((a, b) => compare(a.name, b.name)),
    targets: targets.flatMap((t) => (t.target ? [t.target] : [])),
    dkimKeys,
    signers: signers?.signers ?? {},
  };
  if (reports?.config) policy.reports = reports.config;
  return { ok: true, policy, files };
}

/** A block one file may declare (dkim_keys:, signers:, reports:): the first; the others are reported. */
function once<T extends { position: SourcePosition; path: string }>(declared: readonly (T | undefined)[], key: string, report: Report): T | undefined {
  const [first, ...others] = declared.filter((d): d is T => d !== undefined);
  for (const other of others) report(other.position, other.path, `${key} is declared twice`, `also declared at ${formatPosition(first!.position)}; keep one ${key}: block`);
  return first;
}

function mergeDkimKeys(parts: readonly PolicyPart[], report: Report): DkimKeySettings {
  const draft: DkimKeysDraft | undefined = once(parts.map((p) => p.dkimKeys), 'dkim_keys', report);
  const settings: DkimKeySettings = { ...DEFAULT_DKIM_KEYS, ...(draft?.settings ?? {}) };
  if (draft) settings.position = draft.position;
  // rotate starts before the key counts as old, or audit warns during every rotation.
  if (settings.rotateAfter >= settings.maxAge && draft) {
    const at = draft.at.rotateAfter ?? draft.at.maxAge ?? draft;
    report(at.position, at.path, `rotate_after (${formatDuration(settings.rotateAfter)}) is not shorter than max_age (${formatDuration(settings.maxAge)})`, 'rotation must start before audit reports the key as old (dkim.key-old): e.g. rotate_after: 150d, max_age: 180d');
  }
  return settings;
}

type Report = (position: SourcePosition, path: string, message: string, hint?: string) => void;

/** Keep the first of each key; report the others. */
function unique<T>(items: readonly T[], key: (item: T) => string, duplicate: (item: T, first: T) => void): T[] {
  const first = new Map<string, T>();
  for (const item of items) {
    const earlier = first.get(key(item));
    if (earlier) duplicate(item, earlier);
    else first.set(key(item), item);
  }
  return [...first.values()];
}

function mergeDefaults(parts: readonly PolicyPart[], report: Report): { ttl: number; spfAll: SpfAll } {
  const declared = parts.map((p) => p.defaults).filter((d): d is DefaultsDraft => d !== undefined);
  const [first, ...others] = declared;
  for (const other of others) {
    report(other.position, other.path, 'defaults are declared twice', `also declared at ${formatPosition(first!.position)}; keep one defaults: block`);
  }
  return { ttl: first?.ttl ?? DEFAULT_TTL, spfAll: first?.spfAll ?? DEFAULT_SPF_ALL };
}

/**
 * With no zones: declared, which names are zone apexes cannot be known offline
 * (example.co.uk is registrable, mail.example.org usually is not). A two-label
 * domain is taken as its own zone; anything else must be declared.
 */
function implicitZones(domains: readonly DomainDraft[]): ZoneDraft[] {
  return domains
    .filter((d) => d.name.split('.').length === 2)
    .map((d) => ({ apex: d.name, position: d.position, path: d.path }));
}

/** Each domain belongs to the longest declared apex it is at or under. */
/** The longest apex that holds the name (the name itself, or a suffix after a dot), by looking its suffixes up: linear in the name, not in the zones. */
function longestApex(name: string, apexes: ReadonlySet<string>): string | undefined {
  if (apexes.has(name)) return name;
  for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
    if (apexes.has(name.slice(dot + 1))) return name.slice(dot + 1);
  }
  return apexes.has('') ? '' : undefined;
}

function assignZones(
  domains: readonly DomainDraft[],
  zones: readonly ZoneDraft[],
  declared: boolean,
  report: Report,
): Map<string, string> {
  const out = new Map<string, string>();
  const apexes = new Set(zones.map((z) => z.apex));
  for (const domain of domains) {
    const apex = longestApex(domain.name, apexes);
    if (apex !== undefined) {
      out.set(domain.name, apex);
      continue;
    }
    const labels = domain.name.split('.');
    const parent = labels.length > 2 ? labels.slice(1).join('.') : domain.name;
    const example = `zones: { ${parent}: {} }`;
    if (declared) {
      report(domain.position, domain.path, `domain ${domain.name} is outside every declared zone`, `add its zone under zones:, e.g. ${example}`);
    } else {
      report(
        domain.position,
        domain.path,
        `cannot tell which zone ${domain.name} belongs to`,
        `with no zones: declared only two-label domains are taken as zones; declare its zone, e.g. ${example}`,
      );
    }
  }
  return out;
}

/** Two zones writing one fragment, or a signer config written over a fragment, would overwrite each other. */
function checkFragments(zones: readonly ZoneDraft[], signerPaths: SignersDraft['paths'], report: Report): void {
  const seen = new Map<string, ZoneDraft>();
  for (const zone of zones) {
    const path = posix.normalize(zone.fragment?.path ?? defaultFragmentPath(zone.apex));
    const earlier = seen.get(path);
    if (earlier) {
      const at = zone.fragment?.at ?? zone;
      report(at.position, at.path, `zones ${earlier.apex} and ${zone.apex} write the same fragment ${path}`, 'give each zone its own fragment');
    } else {
      seen.set(path, zone);
    }
  }
  const outputs = new Set<string>();
  for (const signer of signerPaths) {
    const path = posix.normalize(signer.file);
    const zone = seen.get(path);
    if (zone) report(signer.position, signer.path, `${path} is also the fragment of zone ${zone.apex}`, 'give the signer config its own file');
    else if (outputs.has(path)) report(signer.position, signer.path, `${path} is written twice`, 'give each signer file its own path');
    outputs.add(path);
  }
}

/**
 * Targets name declared zones and no zone has two primaries. Which zones go by
 * RFC 2136 and which as fragments is the targets' say: a zone a target claims is
 * updated, never written as files (DESIGN: "not both"), even if it names a fragment.
 */
function checkTargets(targets: readonly TargetDraft[], zones: readonly ZoneDraft[], report: Report): void {
  const apexes = zones.map((z) => z.apex);
  const owner = new Map<string, { index: number; at: SourcePosition }>();
  targets.forEach((t, index) => {
    for (const ref of t.zoneRefs ?? []) {
      if (!apexes.includes(ref.apex)) {
        const near = suggest(ref.apex, apexes);
        report(ref.position, ref.path, `zone ${ref.apex} is not a zone of this policy`, near ? `did you mean '${near}'?` : 'declare it under zones:');
      }
    }
    const claimed = t.zoneRefs ? t.zoneRefs.map((z) => z.apex) : apexes;
    for (const apex of claimed) {
      if (!apexes.includes(apex)) continue;
      const ref = t.zoneRefs?.find((z) => z.apex === apex);
      const at = ref?.position ?? t.position;
      const earlier = owner.get(apex);
      if (earlier) {
        const twice = earlier.index === index;
        report(
          at,
          ref?.path ?? t.path,
          twice ? `zone ${apex} is listed twice` : `zone ${apex} is updated by two targets`,
          `${twice ? 'first listed' : `also updated by targets[${earlier.index}]`} at ${formatPosition(earlier.at)}`,
        );
        continue;
      }
      owner.set(apex, { index, at });
    }
  });
}

function toZoneConfig(zone: ZoneDraft): ZoneConfig {
  const out: ZoneConfig = { apex: zone.apex, fragment: zone.fragment?.path ?? defaultFragmentPath(zone.apex) };
  if (zone.zoneFile) out.zoneFile = zone.zoneFile.path;
  if (zone.nameservers && zone.nameservers.length > 0) out.nameservers = zone.nameservers;
  return out;
}

function toDomainPolicy(d: DomainDraft, zone: string, defaults: { ttl: number; spfAll: SpfAll }): DomainPolicy {
  const { path: _path, ttl, spfAll, ...rest } = d;
  return { ...rest, zone, ttl: ttl ?? defaults.ttl, spfAll: spfAll ?? defaults.spfAll };
}
