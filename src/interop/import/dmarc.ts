// DMARC policy records (RFC 9989) -> the dmarc: section, and the problems an audit would report.

import type { DmarcPolicyValue } from '../../policy/model.js';
import { checkReportUri } from '../../policy/values.js';
import { txtText } from '../../dns-types/rr.js';
import { tagValue } from '../../mail/tag-list.js';
import type { RecordGroup } from './classify.js';
import { checkDmarcMultiple, checkDmarcRecord } from '../../mail/dmarc/rules.js';
import { importFindings, type ImportFinding } from './findings.js';
import { inexpressible, model, parseTagsStrict, type Proposal } from './proposal.js';

/** The dmarc: section as the policy writes it (YAML keys). */
export interface DmarcModel {
  policy: DmarcPolicyValue;
  subdomain_policy?: DmarcPolicyValue;
  nonexistent_policy?: DmarcPolicyValue;
  psd?: 'y' | 'n' | 'u';
  testing?: boolean;
  pct?: number;
  adkim?: 'relaxed' | 'strict';
  aspf?: 'relaxed' | 'strict';
  fo?: string;
  rua?: string[];
  ruf?: string[];
}

const POLICIES: readonly string[] = ['none', 'quarantine', 'reject'];
const ALIGNMENT: Record<string, 'relaxed' | 'strict'> = { r: 'relaxed', s: 'strict' };
/** RFC 9989 tags, and those it removed (still read, never written unless asked). */
const KNOWN = new Set(['v', 'p', 'sp', 'np', 'psd', 't', 'pct', 'adkim', 'aspf', 'fo', 'rua', 'ruf']);
const REMOVED = new Set(['pct', 'rf', 'ri']);

/** Report URIs as the policy lists them: "mailto:" left off (the loader puts it back). */
function readUris(value: string, tag: string): string[] | { reason: string } {
  const out: string[] = [];
  for (const item of value.split(',').map((u) => u.trim())) {
    const checked = checkReportUri(item, { what: tag, schemes: ['mailto'], bangIsSyntax: true });
    if (!checked.ok) return { reason: `${tag}=${value}: ${checked.message}` };
    out.push(checked.value.replace(/^mailto:/, ''));
  }
  return out;
}

function policyValue(value: string | undefined): DmarcPolicyValue | undefined {
  const lower = value?.toLowerCase();
  return lower !== undefined && POLICIES.includes(lower) ? (lower as DmarcPolicyValue) : undefined;
}

/** The dmarc: settings that make mailrec build this policy record, or why there are none. */
export function proposeDmarc(group: RecordGroup): Proposal<DmarcModel> {
  if (group.records.length !== 1) return inexpressible(`${group.owner} has ${group.records.length} records; DMARC needs exactly one (RFC 9989 §4.10)`);
  const rr = group.records[0]!;
  if (rr.type === 'CNAME') return inexpressible(`the DMARC record is delegated by CNAME to ${rr.target}`);
  if (rr.type !== 'TXT') return inexpressible(`${group.owner} holds a ${rr.type}`);
  const parsed = parseTagsStrict(txtText(rr));
  if (!parsed.ok) return inexpressible(`the DMARC record does not parse: ${parsed.reason}`);
  const tags = parsed.tags;
  if (tags[0]?.name !== 'v' || tags[0].value !== 'DMARC1') return inexpressible('the record must start with v=DMARC1 (RFC 9989 §4.7)');
  const removed = tags.filter((t) => ['rf', 'ri'].includes(t.name.toLowerCase()));
  if (removed.length > 0) return inexpressible(`${removed.map((t) => `${t.name}=${t.value}`).join('; ')}: removed from DMARC by RFC 9989, and the policy has no key for it`);
  const unknown = tags.filter((t) => !KNOWN.has(t.name.toLowerCase()));
  if (unknown.length > 0) return inexpressible(`unknown tag ${unknown.map((t) => `${t.name}=${t.value}`).join('; ')}: the policy has no key for it`);
  const get = (name: string): string | undefined => tagValue(tags, name);

  const policy = policyValue(get('p'));
  if (!policy) return inexpressible(`p=${get('p') ?? '(missing)'} is not none, quarantine or reject`);
  const out: DmarcModel = { policy };
  for (const [tag, key] of [['sp', 'subdomain_policy'], ['np', 'nonexistent_policy']] as const) {
    const value = get(tag);
    if (value === undefined) continue;
    const p = policyValue(value);
    if (!p) return inexpressible(`${tag}=${value} is not none, quarantine or reject`);
    out[key] = p;
  }
  const psd = get('psd');
  if (psd !== undefined) {
    if (!['y', 'n', 'u'].includes(psd.toLowerCase())) return inexpressible(`psd=${psd} is not y, n or u`);
    out.psd = psd.toLowerCase() as 'y' | 'n' | 'u';
  }
  const t = get('t');
  if (t !== undefined) {
    if (!['y', 'n'].includes(t.toLowerCase())) return inexpressible(`t=${t} is not y or n`);
    // t=n is the default: mailrec never writes it (the loop's equivalence check accepts its absence).
    if (t.toLowerCase() === 'y') out.testing = true;
  }
  const pct = get('pct');
  if (pct !== undefined) {
    if (!/^\d{1,3}$/.test(pct) || Number(pct) > 100) return inexpressible(`pct=${pct} is not an integer from 0 to 100`);
    out.pct = Number(pct);
  }
  for (const tag of ['adkim', 'aspf'] as const) {
    const value = get(tag);
    if (value === undefined) continue;
    const alignment = ALIGNMENT[value.toLowerCase()];
    if (!alignment) return inexpressible(`${tag}=${value} is not r or s`);
    out[tag] = alignment;
  }
  const fo = get('fo');
  if (fo !== undefined) {
    if (!/^[01ds](:[01ds])*$/.test(fo)) return inexpressible(`fo=${fo} is not 0, 1, d or s joined by colons`);
    out.fo = fo;
  }
  for (const tag of ['rua', 'ruf'] as const) {
    const value = get(tag);
    if (value === undefined) continue;
    const uris = readUris(value, tag);
    if (!Array.isArray(uris)) return inexpressible(uris.reason);
    out[tag] = uris;
  }
  return model(out);
}

/** Tags as a receiver reads them: names and policy words lowercased, t=n dropped (the default), URIs as sets. */
function meaning(text: string): string | undefined {
  const parsed = parseTagsStrict(text);
  if (!parsed.ok) return undefined;
  const entries = parsed.tags
    .map((t) => {
      const name = t.name.toLowerCase();
      if (name === 'rua' || name === 'ruf') {
        const uris = t.value.split(',').map((u) => u.trim().replace(/^mailto:/i, 'mailto:'));
        return `${name}=${[...new Set(uris.map((u) => u.toLowerCase()))].sort().join(',')}`;
      }
      return `${name}=${t.value.toLowerCase()}`;
    })
    .filter((e) => e !== 't=n');
  return entries.sort().join(';');
}

export function sameDmarcMeaning(a: string, b: string): boolean {
  const x = meaning(a);
  return x !== undefined && x === meaning(b);
}

/** What an audit would say about the DMARC records at one name, from their text alone. */
export function lintDmarc(group: RecordGroup): ImportFinding[] {
  const texts = group.records.flatMap((rr) => (rr.type === 'TXT' ? [txtText(rr)] : []));
  const problems = [
    ...(texts.length > 1 ? [checkDmarcMultiple(group.owner, texts)] : []),
    ...texts.flatMap((text) => checkDmarcRecord(group.owner, text, { domain: group.domain, inherited: false })),
  ];
  return importFindings(problems, group.domain, group.records[0]?.position);
}
