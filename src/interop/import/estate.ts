// importEstate: an estate's mail records -> a policy that reproduces them, key files, fragments and findings. Pure.
//
// Each group of records (a domain's SPF, one DKIM selector, one SRV owner...) is proposed as a
// policy entry, or kept verbatim under raw: when the policy cannot say it. The proposal is then
// checked the only way that counts: the policy text is loaded by the real loader and built by
// the real builders, and every group whose built records differ from what was read is demoted to
// raw: (or, with `normalize`, kept when it means the same). The loop ends when nothing differs.

import { posix } from 'node:path';
import { pushTo } from '../../base/multimap.js';
import { FILE_CAPS } from '../../base/repo-files.js';
import { MailrecError, type SourcePosition } from '../../base/errors.js';
import { attachFiles } from '../../policy/attach-files.js';
import type { Policy, SpfAll } from '../../policy/model.js';
import { validatePolicy } from '../../policy/validate.js';
import { defaultFragmentPath } from '../../policy/vocabulary.js';
import { diffRecords, valueKey, type Change } from '../../plan/diff.js';
import { buildZoneRecords, type DesiredZone } from '../../build/zone-records.js';
import { compareRecords } from '../../dns-types/order.js';
import { compileDkimPublicKey } from '../../mail/dkim/record.js';
import { mtaStsPolicyPath } from '../../mail/mta-sts/record.js';
import type { Notice } from '../../build/notice.js';
import { renderRData } from '../../dns-types/rdata.js';
import { chunkTxt, isInZone, longestZone, txtText, typeOf, type RR } from '../../dns-types/rr.js';
import { compareNames } from '../../dns-types/name.js';
import { renderFragment } from '../../zone/writer.js';
import { classifyRecords, type Classification, type FamilyKind, type ImportZoneInput, type RecordGroup, type SourceRecord } from './classify.js';
import { lintDkim, proposeDkim, sameDkimMeaning, type DkimModel } from './dkim.js';
import { lintDmarc, proposeDmarc, sameDmarcMeaning, type DmarcModel } from './dmarc.js';
import { compareImportFindings, makeImportFinding, type ImportFinding } from './findings.js';
import type { Proposal } from './proposal.js';
import { groupAtPath, renderPolicy, renderPolicyParts, type DraftDomain, type DraftPolicy, type RawEntry } from './render.js';
import { lintSpf, proposeSpf, sameSpfMeaning, type SpfModel } from './spf.js';
import {
  lintMtaSts, lintMx, lintSrv, lintTlsa, lintTlsRpt, proposeMtaSts, proposeMx, proposeSrv, proposeTlsa, proposeTlsRpt,
  sameMtaStsMeaning, type MtaStsModel, type MxModel, type SrvItem, type TlsaItem, type TlsRptModel,
} from './transport.js';

export type { ImportZoneInput, SourceRecord } from './classify.js';

export interface ImportOptions {
  /** Where the policy will be written, relative to the repo root (issues and the header name it). */
  policyFile: string;
  /** Directory for DKIM public keys, relative to the repo root. Default "keys". */
  keysDir?: string;
  /** Keep a policy entry that means the same as the record read, though mailrec writes other bytes (plan then rewrites it). */
  normalize?: boolean;
  /** What was read, for the policy's header comment: file names, or "live DNS via ...". */
  sources: string[];
  /** The largest policy file to write (default POLICY_PART_BYTES): a larger policy is split over files. */
  maxPolicyBytes?: number;
}

/**
 * A policy file is read up to FILE_CAPS.policy (16 MiB): import writes files of at most 12 MiB,
 * so that hand edits and comments have room before the cap.
 */
export const POLICY_PART_BYTES = Math.floor((FILE_CAPS.policy * 3) / 4);

export interface ImportInput {
  zones: ImportZoneInput[];
  /** Repo files the import may read, by path from the root: MTA-STS policy files, existing DKIM key files. */
  files: ReadonlyMap<string, string>;
  options: ImportOptions;
}

export interface ImportFile {
  path: string;
  content: string;
  kind: 'policy' | 'key' | 'fragment';
}

/** Records of a zone that sit outside its fragment and must move into it (zone-file imports). */
export interface ImportMove {
  zone: string;
  fragment: string;
  /** The $INCLUDE line the zone file needs, relative to its directory. */
  include?: { zoneFile: string; path: string };
  records: { name: string; type: string; position: SourcePosition }[];
}

export interface KeptRaw {
  domain: string;
  name: string;
  type: string;
  reason: string;
}

export interface ImportResult {
  /** The mail records read, the ones the policy reproduces (what the fragments hold). */
  records: RR[];
  /** The whole policy as one text (what --dry-run shows); written as `policyFiles`. */
  policyText: string;
  /** The policy files written: `policyFile`, and `-2`, `-3` … beside it when one would be too large. */
  policyFiles: string[];
  policy: Policy;
  desired: DesiredZone[];
  /** The policy, the DKIM key files and the fragments holding the imported records. */
  files: ImportFile[];
  moves: ImportMove[];
  findings: ImportFinding[];
  raw: KeptRaw[];
  /** What mailrec plan will show against the imported records: empty, or the fixes and rewrites reported. */
  changes: Change[];
  /** Generated files (MTA-STS policies) plan would rewrite. */
  fileChanges: string[];
  stats: { zones: number; domains: number; records: number; modelled: number; raw: number; passes: number };
}

type Modelled =
  | { kind: 'spf'; spf: SpfModel }
  | { kind: 'mx'; mx: MxModel }
  | { kind: 'dkim'; dkim: DkimModel }
  | { kind: 'dmarc'; dmarc: DmarcModel }
  | { kind: 'srv'; srv: SrvItem[] }
  | { kind: 'tlsa'; tlsa: TlsaItem[] }
  | { kind: 'mta-sts'; mtaSts: MtaStsModel }
  | { kind: 'tls-rpt'; tlsRpt: TlsRptModel }
  | { kind: 'dmarc-auth' };

const MAX_PASSES = 12;
const TAG_LABEL: Partial<Record<FamilyKind, string>> = { spf: 'SPF', dkim: 'DKIM', dmarc: 'DMARC', 'mta-sts': 'MTA-STS', 'tls-rpt': 'TLS-RPT' };

function wrap<T>(p: Proposal<T>, make: (model: T) => Modelled): Modelled | { reason: string } {
  return p.expressible ? make(p.model) : { reason: p.reason };
}

function proposeGroup(group: RecordGroup, files: ReadonlyMap<string, string>, proposals: ReadonlyMap<string, Modelled | { reason: string }>): Modelled | { reason: string } {
  switch (group.kind) {
    case 'spf':
      return wrap(proposeSpf(group), (spf) => ({ kind: 'spf', spf }));
    case 'mx':
      return wrap(proposeMx(group), (mx) => ({ kind: 'mx', mx }));
    case 'dkim':
      return wrap(proposeDkim(group), (dkim) => ({ kind: 'dkim', dkim }));
    case 'dmarc':
      return wrap(proposeDmarc(group), (dmarc) => ({ kind: 'dmarc', dmarc }));
    case 'srv':
      return wrap(proposeSrv(group), (srv) => ({ kind: 'srv', srv }));
    case 'tlsa':
      return wrap(proposeTlsa(group), (tlsa) => ({ kind: 'tlsa', tlsa }));
    case 'mta-sts':
      return wrap(proposeMtaSts(group, files), (mtaSts) => ({ kind: 'mta-sts', mtaSts }));
    case 'tls-rpt':
      return wrap(proposeTlsRpt(group), (tlsRpt) => ({ kind: 'tls-rpt', tlsRpt }));
    case 'dmarc-auth':
      return proposeDmarcAuth(group, proposals);
    case 'other': {
      const rr = group.records[0]!;
      const tag = rr.type === 'TXT' ? txtText(rr).split(/[;\s]/)[0] : typeOf(rr);
      return { reason: `a ${tag} record at ${group.owner}, where mailrec would not put one` };
    }
  }
}

/** RFC 7489 §7.1: "<producer>._report._dmarc.<dest>" is built from the producer's rua/ruf when dest is outside its zone. */
function proposeDmarcAuth(group: RecordGroup, proposals: ReadonlyMap<string, Modelled | { reason: string }>): Modelled | { reason: string } {
  const at = group.owner.indexOf('._report._dmarc.');
  const producer = group.owner.slice(0, at);
  const dest = group.owner.slice(at + '._report._dmarc.'.length);
  const dmarc = proposals.get(`${producer}|dmarc|`);
  const text = group.records.length === 1 && group.records[0]!.type === 'TXT' ? txtText(group.records[0]!) : undefined;
  if (text !== 'v=DMARC1') return { reason: `the authorization record is not exactly "v=DMARC1", as mailrec writes it` };
  if (!dmarc || !('kind' in dmarc) || dmarc.kind !== 'dmarc') return { reason: `it authorizes reports for ${producer}, whose DMARC record is not modelled by this policy` };
  const uris = [...(dmarc.dmarc.rua ?? []), ...(dmarc.dmarc.ruf ?? [])];
  if (!uris.some((u) => u.toLowerCase().endsWith(`@${dest}`))) return { reason: `${producer}'s DMARC record sends no reports to ${dest}` };
  return { kind: 'dmarc-auth' };
}

function lintGroup(group: RecordGroup): ImportFinding[] {
  switch (group.kind) {
    case 'spf':
      return lintSpf(group);
    case 'dkim':
      return lintDkim(group);
    case 'dmarc':
      return lintDmarc(group);
    case 'mx':
      return lintMx(group);
    case 'srv':
      return lintSrv(group);
    case 'tlsa':
      return lintTlsa(group);
    case 'mta-sts':
      return lintMtaSts(group);
    case 'tls-rpt':
      return lintTlsRpt(group);
    default:
      return [];
  }
}

/** Record identity for comparison: owner, type, TTL and the rdata as written (TXT strings and all). */
function recordKey(rr: RR): string {
  return `${rr.name} ${typeOf(rr)} ${valueKey(rr)}`;
}

function rdataKey(rr: RR): string {
  return `${rr.name} ${typeOf(rr)} ${renderRData(rr)}`;
}

function sameKeys(a: readonly RR[], b: readonly RR[], key: (rr: RR) => string): boolean {
  const x = a.map(key).sort();
  const y = [...new Set(b.map(key))].sort();
  const xs = [...new Set(x)];
  return xs.length === y.length && xs.every((k, i) => k === y[i]);
}

function onlyText(records: readonly RR[]): string | undefined {
  return records.length === 1 && records[0]!.type === 'TXT' ? txtText(records[0]!) : undefined;
}

/** True when the records mailrec builds mean the same to receivers as those read (order, case, splitting, TTL aside). */
function sameMeaning(group: RecordGroup, built: readonly RR[]): boolean {
  if (built.length === 0) return false;
  const have = onlyText(group.records);
  const want = onlyText(built);
  switch (group.kind) {
    case 'spf':
      return have !== undefined && want !== undefined && sameSpfMeaning(have, want);
    case 'dkim':
      return have !== undefined && want !== undefined && sameDkimMeaning(have, want);
    case 'dmarc':
      return have !== undefined && want !== undefined && sameDmarcMeaning(have, want);
    case 'mta-sts':
      return have !== undefined && want !== undefined && sameMtaStsMeaning(have, want);
    case 'tls-rpt':
      return have !== undefined && want !== undefined && have.replace(/\s+/g, '').toLowerCase() === want.replace(/\s+/g, '').toLowerCase();
    case 'mx':
    case 'srv':
    case 'tlsa':
    case 'dmarc-auth':
      return sameKeys(group.records, built, rdataKey);
    default:
      return false;
  }
}

/** How a record reads in a comment: TXT as its text, other types as "TYPE rdata". */
function describe(rr: RR): string {
  return rr.type === 'TXT' ? JSON.stringify(txtText(rr)) : `${typeOf(rr)} ${renderRData(rr)}`;
}

function mostCommon<T>(values: readonly T[], prefer: T, fallback: T): T {
  if (values.length === 0) return fallback;
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const top = Math.max(...counts.values());
  const best = [...counts].filter(([, n]) => n === top).map(([v]) => v);
  if (best.includes(prefer)) return prefer;
  return [...best].sort()[0]!;
}

/** TXT strings are written as one text when mailrec would split them the same way, else as the list read. */
function rawEntry(rr: RR, domain: string, ttl: number): RawEntry {
  const name = rr.name === domain ? '@' : rr.name.endsWith(`.${domain}`) ? rr.name.slice(0, -(domain.length + 1)) : `${rr.name}.`;
  let value: string | string[];
  if (rr.type === 'TXT') {
    const text = txtText(rr);
    const canonical = chunkTxt(text);
    value = canonical.length === rr.strings.length && canonical.every((s, i) => s === rr.strings[i]) ? text : [...rr.strings];
  } else {
    value = renderRData(rr);
  }
  const entry: RawEntry = { name, type: typeOf(rr), value };
  if (rr.ttl !== ttl) entry.ttl = rr.ttl;
  return entry;
}

function keyPath(keysDir: string, domain: string, selector: string): string {
  return `${keysDir}/${domain}.${selector}.pub`;
}

interface LoopState {
  raw: Map<string, string>;
  noMail: Set<string>;
  rewrites: Map<string, string>;
}

/** Everything the loop needs to assemble a draft. */
interface Estate {
  cls: Classification;
  proposals: Map<string, Modelled | { reason: string }>;
  ttlOf: Map<string, number>;
  /** spfAll: the most common all term of the SPF records with senders; none when there is no such record. */
  defaults: { ttl: number; spfAll?: SpfAll };
  zones: DraftPolicy['zones'];
  keysDir: string;
  files: ReadonlyMap<string, string>;
  header: string[];
}

function modelOf(estate: Estate, state: LoopState, group: RecordGroup): Modelled | undefined {
  if (state.raw.has(group.key)) return undefined;
  const p = estate.proposals.get(group.key);
  return p && 'kind' in p ? p : undefined;
}

/** The draft policy for the current decisions, and the key files it names. */
function assembleDraft(estate: Estate, state: LoopState): { draft: DraftPolicy; keyFiles: Map<string, string> } {
  const keyFiles = new Map<string, string>();
  const byDomain = groupsByDomain(estate.cls.groups);
  const domains: DraftDomain[] = [];
  for (const name of estate.cls.domains) {
    const ttl = estate.ttlOf.get(name)!;
    const d: DraftDomain = { name, dkim: [], srv: [], tlsa: [], raw: [] };
    if (ttl !== estate.defaults.ttl) d.ttl = ttl;
    const groups = byDomain.get(name) ?? [];
    const noMail = state.noMail.has(name);
    if (noMail) d.noMail = { comment: 'null MX, "v=spf1 -all" and DMARC p=reject were found: the domain sends and receives no mail' };
    const mxModel = groups.map((g) => modelOf(estate, state, g)).find((m): m is Extract<Modelled, { kind: 'mx' }> => m?.kind === 'mx');
    for (const group of groups) {
      const m = modelOf(estate, state, group);
      if (!m) {
        const reason = state.raw.get(group.key) ?? 'kept verbatim';
        group.records.forEach((rr, i) => {
          const entry: DraftDomain['raw'][number] = { group: group.key, entry: rawEntry(rr, name, ttl) };
          if (i === 0) entry.comment = `${group.owner}: ${reason}`;
          d.raw.push(entry);
        });
        continue;
      }
      switch (m.kind) {
        case 'spf': {
          if (noMail) break;
          d.senders = { group: group.key, items: m.spf.senders };
          if (m.spf.all !== estate.defaults.spfAll) d.senders.all = m.spf.all;
          break;
        }
        case 'mx':
          if (!noMail) d.mx = { group: group.key, value: m.mx };
          break;
        case 'dkim': {
          const key = m.dkim;
          const entry: DraftDomain['dkim'][number] = { group: group.key, selector: key.selector, state: key.state };
          if (key.state === 'retired') {
            entry.stateComment = 'published revoked (empty p=)';
          } else {
            const path = keyPath(estate.keysDir, name, key.selector);
            const existing = estate.files.get(path);
            const reuse = existing !== undefined && sameKey(existing, key.pem!);
            keyFiles.set(path, reuse ? existing : key.pem!);
            entry.key = path;
            entry.keyComment = `${key.keyType === 'ed25519' ? 'Ed25519' : `RSA ${key.bits} bits`}, from p=${reuse ? ' (the file already held this key)' : ''}`;
            entry.stateComment = 'DNS cannot tell a signing key from one published ahead of a rotation: set published if it does not sign yet';
          }
          d.dkim.push(entry);
          break;
        }
        case 'dmarc': {
          const plainReject = Object.keys(m.dmarc).length === 1 && m.dmarc.policy === 'reject';
          if (!(noMail && plainReject)) d.dmarc = { group: group.key, value: m.dmarc };
          break;
        }
        case 'srv':
          for (const item of m.srv) d.srv.push({ group: group.key, item });
          break;
        case 'tlsa':
          m.tlsa.forEach((item, i) => {
            const entry: DraftDomain['tlsa'][number] = { group: group.key, item };
            if (i === 0) entry.comment = `${group.owner}: explicit data; with the certificate or key file in the repo, cert: or pubkey: lets mailrec compute it`;
            d.tlsa.push(entry);
          });
          break;
        case 'mta-sts': {
          const hosts = mxModel && mxModel.mx !== 'none' && !noMail ? [...new Set(mxModel.mx.map((h) => h.host))].sort() : undefined;
          const sameAsMx = hosts !== undefined && hosts.length === m.mtaSts.mx.length && hosts.every((h, i) => h === m.mtaSts.mx[i]);
          const value: { mode: string; max_age: number; mx?: string[] } = { mode: m.mtaSts.mode, max_age: m.mtaSts.max_age };
          if (!sameAsMx && m.mtaSts.mx.length > 0) value.mx = m.mtaSts.mx;
          d.mtaSts = { group: group.key, value, comment: `read from ${mtaStsPolicyPath(name)}` };
          break;
        }
        case 'tls-rpt':
          d.tlsRpt = { group: group.key, value: m.tlsRpt };
          break;
        case 'dmarc-auth':
          // Built from the producer's rua/ruf; nothing to write here.
          break;
      }
    }
    domains.push(d);
  }
  return { draft: { header: estate.header, defaults: estate.defaults, zones: estate.zones, domains }, keyFiles };
}

function sameKey(existingPem: string, pem: string): boolean {
  const a = compileDkimPublicKey(existingPem);
  const b = compileDkimPublicKey(pem);
  return a.ok && b.ok && a.k === b.k && a.p === b.p;
}

const CODE_KIND: Record<string, FamilyKind> = { spf: 'spf', dkim: 'dkim', dmarc: 'dmarc', mx: 'mx', srv: 'srv', tlsa: 'tlsa', 'mta-sts': 'mta-sts', 'tls-rpt': 'tls-rpt' };

/** The modelled groups a builder error concerns: same owner or domain and, when the code says, same family. */
function groupsOfNotice(estate: Estate, state: LoopState, notice: Notice): RecordGroup[] {
  const kind = CODE_KIND[notice.code.split('.')[0] ?? ''];
  const at = estate.cls.groups.filter((g) => !state.raw.has(g.key) && (g.owner === notice.name || g.domain === notice.name));
  const same = at.filter((g) => g.kind === kind);
  return same.length > 0 ? same : at;
}

/** Turn the estate's mail records into a policy that reproduces them. Pure: IO is the caller's. */
export function importEstate(input: ImportInput): ImportResult {
  const options = input.options;
  const zonesIn = dedupeZones(input.zones);
  const cls = classifyRecords(zonesIn);
  const findings: ImportFinding[] = [...cls.findings, ...cls.groups.flatMap(lintGroup)];

  const proposals = new Map<string, Modelled | { reason: string }>();
  // DMARC first: an authorization record is modelled only through its producer's DMARC.
  const ordered = [...cls.groups].sort((a, b) => Number(a.kind === 'dmarc-auth') - Number(b.kind === 'dmarc-auth'));
  for (const g of ordered) proposals.set(g.key, proposeGroup(g, input.files, proposals));

  const state: LoopState = { raw: new Map(), noMail: new Set(), rewrites: new Map() };
  for (const [key, p] of proposals) if ('reason' in p) state.raw.set(key, p.reason);

  const allRecords = cls.groups.flatMap((g) => g.records);
  const ttl = mostCommon(allRecords.map((rr) => rr.ttl), 3600, 3600);
  const ttlOf = new Map<string, number>();
  // Grouped once: a scan of every group per domain was quadratic (200,000 domains).
  const groupsOf = groupsByDomain(cls.groups);
  for (const domain of cls.domains) {
    const own = (groupsOf.get(domain) ?? []).filter((g) => g.kind !== 'dmarc-auth').flatMap((g) => g.records.map((rr) => rr.ttl));
    ttlOf.set(domain, mostCommon(own, ttl, ttl));
  }
  const spfAlls = [...proposals.values()].flatMap((p) => ('kind' in p && p.kind === 'spf' && p.spf.senders.length > 0 ? [p.spf.all] : []));
  // A zone without SPF gets no defaults.spf.all: there is no term to say it came from.
  const defaults = spfAlls.length > 0 ? { ttl, spfAll: mostCommon<SpfAll>(spfAlls, 'softfail', 'softfail') } : { ttl };
  for (const domain of cls.domains) if (isNoMail(groupsOf.get(domain) ?? [], proposals)) state.noMail.add(domain);

  const placement = placeFragments(zonesIn, cls);
  const estate: Estate = {
    cls,
    proposals,
    ttlOf,
    defaults,
    zones: placement.zones,
    keysDir: options.keysDir ?? 'keys',
    files: input.files,
    header: header(options),
  };

  let passes = 0;
  let result: ImportDraft | undefined;
  for (;;) {
    passes += 1;
    if (passes > MAX_PASSES) throw new Error(`import did not settle after ${MAX_PASSES} passes (this is a bug in mailrec)`);
    const { draft, keyFiles } = assembleDraft(estate, state);
    const rendered = renderPolicy(draft);
    const validation = validatePolicy([{ file: options.policyFile, text: rendered.text }]);
    if (!validation.ok) {
      for (const issue of validation.issues) {
        const group = groupAtPath(rendered.paths, issue.path);
        // Not a record group (a zone apex, a domain name): nothing to keep raw, so nothing is imported.
        if (group === undefined) {
          throw new MailrecError(
            `import: a policy cannot say ${issue.path}: ${issue.message}; nothing was written`,
            'import the other zones (--zone-file for each), and manage this one without mailrec',
          );
        }
        if (group.startsWith('mail:')) state.noMail.delete(group.slice('mail:'.length));
        else if (!state.raw.has(group)) state.raw.set(group, `the policy cannot say it: ${issue.message}${issue.hint ? ` (${issue.hint})` : ''}`);
      }
      continue;
    }
    const policy = attachFiles(validation.policy, keyFiles);
    const desired = buildZoneRecords(policy);
    if (demoteOnNotices(estate, state, desired) || demoteOnDifferences(estate, state, desired, options.normalize ?? false)) continue;
    result = { draft, text: rendered.text, policy, desired, keyFiles };
    break;
  }

  return finish(input, estate, state, result, placement, findings, passes);
}

/** Builder errors: the group (or the mail: none) behind each is demoted. True when anything changed. */
function demoteOnNotices(estate: Estate, state: LoopState, desired: readonly DesiredZone[]): boolean {
  let changed = false;
  for (const notice of desired.flatMap((z) => z.notices).filter((n) => n.severity === 'error')) {
    const domain = [...state.noMail].find((d) => notice.name === d || notice.name.endsWith(`.${d}`));
    if (domain !== undefined) {
      state.noMail.delete(domain);
      changed = true;
      continue;
    }
    for (const g of groupsOfNotice(estate, state, notice)) {
      state.raw.set(g.key, `mailrec refuses to build it: ${notice.message}`);
      changed = true;
    }
  }
  return changed;
}

/** Built records against records read, group by group. True when a decision changed. */
function demoteOnDifferences(estate: Estate, state: LoopState, desired: readonly DesiredZone[], normalize: boolean): boolean {
  const built = new Map<string, RR[]>();
  for (const rr of desired.flatMap((z) => z.records)) {
    const key = estate.cls.groupKeyOf(rr) ?? `?|${rr.name}|${typeOf(rr)}`;
    built.set(key, [...(built.get(key) ?? []), rr]);
  }
  let changed = false;
  const known = new Set(estate.cls.groups.map((g) => g.key));
  for (const group of estate.cls.groups) {
    const want = built.get(group.key) ?? [];
    if (sameKeys(group.records, want, recordKey)) {
      state.rewrites.delete(group.key);
      continue;
    }
    if (state.raw.has(group.key)) continue; // raw is as written; what still differs is reported after the loop
    if (state.noMail.has(group.domain) && ['spf', 'mx', 'dmarc'].includes(group.kind)) {
      state.noMail.delete(group.domain);
      changed = true;
      continue;
    }
    const meaning = sameMeaning(group, want);
    if (normalize && meaning) {
      state.rewrites.set(group.key, want.map(describe).join(', '));
      continue;
    }
    state.raw.set(group.key, demotionReason(estate, group, want, meaning));
    changed = true;
  }
  for (const key of built.keys()) {
    if (known.has(key)) continue;
    const domain = key.split('|')[0]!;
    if (state.noMail.has(domain)) {
      // mail: none builds its three records; any it builds beyond what was read means it does not fit.
      state.noMail.delete(domain);
      changed = true;
    }
  }
  return changed;
}

function demotionReason(estate: Estate, group: RecordGroup, want: readonly RR[], meaning: boolean): string {
  if (want.length === 0) return 'the policy would build nothing here';
  const ttl = estate.ttlOf.get(group.domain)!;
  const keep = 'kept as read so that plan shows no change';
  if (meaning && sameKeys(group.records, want, rdataKey)) {
    const ttls = [...new Set(group.records.map((rr) => rr.ttl))].join(', ');
    return `TTL ${ttls} differs from the domain's ${ttl}: ${keep} (mailrec import --normalize takes the domain's TTL)`;
  }
  const have = onlyText(group.records);
  const text = onlyText(want);
  if (meaning && have !== undefined && have === text) {
    return `its strings are split where mailrec would not split them (mailrec fills each string up to 255 octets): ${keep} (mailrec import --normalize takes mailrec's split)`;
  }
  if (meaning && group.kind === 'mta-sts') {
    return `its id= is not the one mailrec derives from the policy file (a hash of its text): ${keep} (mailrec import --normalize rewrites the file in mailrec's form and publishes the new id)`;
  }
  const written = abbreviate(want.map(describe).join(', '));
  return meaning
    ? `mailrec would write ${written}: same meaning, other bytes; ${keep} (mailrec import --normalize takes the policy form)`
    : `mailrec would write ${written}`;
}

/** Long record texts (DKIM keys) shortened for comments and messages. */
function abbreviate(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max - 30)}…${text.slice(-25)}`;
}

/** Whether a domain's groups (groupsByDomain) say it sends and receives no mail. */
function isNoMail(groups: readonly RecordGroup[], proposals: ReadonlyMap<string, Modelled | { reason: string }>): boolean {
  const model = (kind: FamilyKind): Modelled | undefined => {
    const g = groups.find((x) => x.kind === kind);
    const p = g && proposals.get(g.key);
    return p && 'kind' in p ? p : undefined;
  };
  const spf = model('spf');
  const mx = model('mx');
  const dmarc = model('dmarc');
  if (spf?.kind !== 'spf' || spf.spf.senders.length > 0 || spf.spf.all !== 'fail') return false;
  if (mx?.kind !== 'mx' || mx.mx !== 'none') return false;
  if (dmarc?.kind !== 'dmarc' || dmarc.dmarc.policy !== 'reject') return false;
  // mail: none allows only retired DKIM keys besides (the loader refuses the rest).
  return groups.every((g) => {
    if (['spf', 'mx', 'dmarc', 'dmarc-auth', 'other'].includes(g.kind)) return true;
    const p = proposals.get(g.key);
    return g.kind === 'dkim' && p !== undefined && 'kind' in p && p.kind === 'dkim' && p.dkim.state === 'retired';
  });
}

/** One zone per apex; identical records read twice (a zone file and a file it includes) count once. */
function dedupeZones(zones: readonly ImportZoneInput[]): ImportZoneInput[] {
  const out = new Map<string, ImportZoneInput>();
  for (const zone of zones) {
    if (out.has(zone.apex)) throw new Error(`zone ${zone.apex} is given twice`);
    const seen = new Set<string>();
    const records = zone.records.filter((rr) => {
      const key = rdataKey(rr);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    out.set(zone.apex, { ...zone, records });
  }
  return [...out.values()];
}

interface Placement {
  zones: DraftPolicy['zones'];
  /** Fragment path per zone. */
  fragmentOf: Map<string, string>;
  moves: ImportMove[];
}

/**
 * Where each zone's fragment is. A zone whose mail records all come from one intact mailrec
 * fragment keeps it (and names the zone file that includes it); otherwise the records go to a
 * new fragment, and those read from the zone file are listed to be moved there.
 */
function placeFragments(zones: readonly ImportZoneInput[], cls: Classification): Placement {
  const out: Placement = { zones: [], fragmentOf: new Map(), moves: [] };
  const byApex = recordsByApex(
    cls.groups.flatMap((g) => g.records),
    zones.map((z) => z.apex),
  );
  for (const zone of zones) {
    const inZone = byApex.get(zone.apex) ?? [];
    const files = new Set(inZone.flatMap((rr) => (rr.position ? [rr.position.file] : [])));
    const fragments = (zone.fragments ?? []).filter((f) => files.has(f) && f !== zone.zoneFile);
    let fragment: string;
    let zoneFile: string | undefined;
    let comment: string | undefined;
    if (fragments.length === 1) {
      fragment = fragments[0]!;
      zoneFile = zone.zoneFile;
    } else {
      fragment = defaultFragmentPath(zone.apex);
      if (fragment === zone.zoneFile) fragment = `zones/${zone.apex}.mailrec.zone`;
      if (zone.zoneFile !== undefined) {
        comment = `zone_file: ${zone.zoneFile} once it has "$INCLUDE ${posix.relative(posix.dirname(zone.zoneFile), fragment)}" and no longer holds the mail records moved there`;
      }
    }
    const moves = inZone
      .filter((rr) => rr.position && rr.position.file !== fragment)
      .map((rr) => ({ name: rr.name, type: typeOf(rr), position: rr.position! }))
      .sort((a, b) => (a.position.file < b.position.file ? -1 : a.position.file > b.position.file ? 1 : a.position.line - b.position.line));
    if (moves.length > 0) {
      const move: ImportMove = { zone: zone.apex, fragment, records: moves };
      // The reader resolves $INCLUDE against the including file's directory.
      if (zone.zoneFile !== undefined) move.include = { zoneFile: zone.zoneFile, path: posix.relative(posix.dirname(zone.zoneFile), fragment) };
      out.moves.push(move);
    }
    const entry: DraftPolicy['zones'][number] = { apex: zone.apex, fragment };
    if (zoneFile !== undefined) entry.zoneFile = zoneFile;
    if (comment !== undefined) entry.comment = comment;
    out.zones.push(entry);
    out.fragmentOf.set(zone.apex, fragment);
  }
  out.zones.sort((a, b) => compareNames(a.apex, b.apex));
  return out;
}

/** Groups by domain, in their order. */
function groupsByDomain(groups: readonly RecordGroup[]): Map<string, RecordGroup[]> {
  const out = new Map<string, RecordGroup[]>();
  for (const g of groups) {
    pushTo(out, g.domain, g);
  }
  return out;
}

/** Records by the zone they lie in (the longest apex above them), in their order; one look-up per record. */
function recordsByApex<T extends RR>(records: readonly T[], apexes: readonly string[]): Map<string, T[]> {
  const set = new Set(apexes);
  const out = new Map<string, T[]>();
  for (const rr of records) {
    const apex = longestZone(rr.name, set);
    if (apex !== undefined) pushTo(out, apex, rr);
  }
  return out;
}

/** The policy as the import loop settled it: the draft, its text, and what it builds. */
interface ImportDraft {
  draft: DraftPolicy;
  text: string;
  policy: Policy;
  desired: DesiredZone[];
  keyFiles: Map<string, string>;
}

/** Part k of a split policy: policies/imported.yaml, then policies/imported-2.yaml … */
function partPath(policyFile: string, k: number): string {
  if (k === 1) return policyFile;
  const ext = /\.ya?ml$/.exec(policyFile)?.[0] ?? '';
  return `${policyFile.slice(0, policyFile.length - ext.length)}-${k}${ext}`;
}

function header(options: ImportOptions): string[] {
  return [
    `Imported by mailrec import from ${options.sources.join(', ')}.`,
    'mailrec plan against the same records shows no change; the import report lists any it had to make.',
    'Comments mark the judgements the import made. raw: entries are records the policy keys cannot say,',
    'published exactly as read: replace one with policy keys when you want mailrec to manage it.',
  ];
}

function finish(
  input: ImportInput,
  estate: Estate,
  state: LoopState,
  result: ImportDraft,
  placement: Placement,
  lint: ImportFinding[],
  passes: number,
): ImportResult {
  const { cls } = estate;
  const findings = [...lint];
  const raw: KeptRaw[] = [];
  for (const group of cls.groups) {
    const reason = state.raw.get(group.key);
    if (reason === undefined) continue;
    for (const rr of group.records) raw.push({ domain: group.domain, name: rr.name, type: typeOf(rr), reason });
    const label = TAG_LABEL[group.kind] ?? typeOf(group.records[0]!);
    findings.push(makeImportFinding('import.raw', group.domain, group.owner, `${label} record kept verbatim under raw: ${reason}`, group.records[0]?.position));
  }
  const groupByKey = new Map(cls.groups.map((g) => [g.key, g]));
  for (const [key, text] of state.rewrites) {
    const group = groupByKey.get(key)!;
    findings.push(makeImportFinding('import.rewritten', group.domain, group.owner, `plan will rewrite it as ${abbreviate(text)} (same meaning)`, group.records[0]?.position));
  }

  // What plan will show: the desired records against the records read, zone by zone.
  const owned = cls.groups.flatMap((g) => g.records);
  const byApex = recordsByApex(
    owned,
    input.zones.map((z) => z.apex),
  );
  const changes: Change[] = [];
  const parts = renderPolicyParts(result.draft, result.text, input.options.maxPolicyBytes ?? POLICY_PART_BYTES, (k) => partPath(input.options.policyFile, k));
  const files: ImportFile[] = parts.map((part) => ({ path: part.path, content: part.text, kind: 'policy' }));
  for (const [path, content] of [...result.keyFiles].sort(([a], [b]) => (a < b ? -1 : 1))) files.push({ path, content, kind: 'key' });
  for (const zone of result.desired) {
    const current = (byApex.get(zone.zone) ?? []).map(stripPosition);
    for (const change of diffRecords(zone.zone, zone.records, current, 'all')) changes.push(change);
    files.push({ path: placement.fragmentOf.get(zone.zone)!, content: renderFragment(zone.zone, current), kind: 'fragment' });
  }
  const rewritten = new Set([...state.rewrites.keys()]);
  for (const change of changes) {
    const sample = (change.after[0] ?? change.before[0])!;
    const key = cls.groupKeyOf(sample);
    if (key !== undefined && rewritten.has(key)) continue;
    const authorization = change.action === 'create' && change.name.includes('._report._dmarc.');
    const domain = key?.split('|')[0] ?? change.zone;
    findings.push(
      authorization
        ? makeImportFinding('import.fixed', domain, change.name, `plan will create ${change.name} TXT "v=DMARC1": without it receivers send no reports to that destination (RFC 7489 §7.1)`)
        : makeImportFinding('import.unreproduced', domain, change.name, `plan will ${change.action} ${change.name} ${change.type}: ${change.before.map(describe).join(', ') || '(nothing)'} -> ${change.after.map(describe).join(', ') || '(nothing)'}`),
    );
  }
  for (const notice of result.desired.flatMap((z) => z.notices).filter((n) => n.severity === 'error')) {
    const domain = cls.domains.filter((d) => isInZone(notice.name, d)).sort((a, b) => b.length - a.length)[0] ?? notice.name;
    findings.push(makeImportFinding('import.plan-refused', domain, notice.name, `mailrec plan refuses the estate as read: ${notice.message}${notice.rfc ? ` (${notice.rfc})` : ''}`));
  }
  const fileChanges: string[] = [];
  for (const zone of result.desired) {
    for (const file of zone.files) {
      if (input.files.get(file.path) === file.content) continue;
      fileChanges.push(file.path);
      findings.push(makeImportFinding('import.rewritten', zone.zone, file.path, `plan will rewrite ${file.path} in mailrec's form (RFC 8461 §3.2 key order, CRLF); its MTA-STS id follows`));
    }
  }

  const rawCount = raw.length;
  return {
    records: owned.map(stripPosition).sort(compareRecords),
    policyText: result.text,
    policyFiles: parts.map((part) => part.path),
    policy: result.policy,
    desired: result.desired,
    files,
    moves: placement.moves,
    findings: findings.sort(compareImportFindings),
    raw,
    changes,
    fileChanges,
    stats: {
      zones: input.zones.length,
      domains: cls.domains.length,
      records: owned.length,
      modelled: owned.length - rawCount,
      raw: rawCount,
      passes,
    },
  };
}

function stripPosition(rr: SourceRecord): RR {
  const { position: _position, ...rest } = rr;
  return rest as RR;
}
