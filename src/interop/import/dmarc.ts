// DMARC policy records (RFC 9989) -> the dmarc: section, and the problems an audit would report.

import type { DmarcPolicyValue } from '../../policy/model.js';
import { checkReportUri } from '../../policy/values.js';
import { txtText } from '../../dns-types/rr.js';
import { tagValue } from '../../mail/tag-list.js';
import type { RecordGroup } from './classify.js';
import { parseDmarcRecord } from '../../mail/dmarc/record.js';
import { checkDmarcMultiple, checkDmarcRecord } from '../../mail/dmarc/rules.js';
import { importFindings, type ImportFinding } from './findings.js';
import { inexpressible, model, readImportedTags, type Proposal } from './proposal.js';

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

const ALIGNMENT: Record<'r' | 's', 'relaxed' | 'strict'> = { r: 'relaxed', s: 'strict' };

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

/** The dmarc: settings that make mailrec build this policy record, or why there are none. */
export function proposeDmarc(group: RecordGroup): Proposal<DmarcModel> {
  if (group.records.length !== 1) return inexpressible(`${group.owner} has ${group.records.length} records; DMARC needs exactly one (RFC 9989 §4.10)`);
  const rr = group.records[0]!;
  if (rr.type === 'CNAME') return inexpressible(`the DMARC record is delegated by CNAME to ${rr.target}`);
  if (rr.type !== 'TXT') return inexpressible(`${group.owner} holds a ${rr.type}`);
  // The one DMARC record parser (RFC 9989 §4.7), as the audit reads the record.
  const parsed = parseDmarcRecord(txtText(rr));
  if (!parsed.ok) return inexpressible(`the DMARC record does not parse: ${parsed.error}`);
  const r = parsed.record;
  if (r.problems.length > 0) return inexpressible(r.problems.map((p) => p.message).join('; '));
  const shown = (names: readonly string[]): string => r.tags.filter((t) => names.includes(t.name)).map((t) => `${t.name}=${t.value}`).join('; ');
  const removed = r.removed.filter((t) => t !== 'pct');
  if (removed.length > 0) return inexpressible(`${shown(removed)}: removed from DMARC by RFC 9989, and the policy has no key for it`);
  if (r.unknown.length > 0) return inexpressible(`unknown tag ${shown(r.unknown)}: the policy has no key for it`);
  if (!r.p) return inexpressible(`p=${r.pRaw ?? '(missing)'} is not none, quarantine or reject`);
  const get = (name: string): string | undefined => tagValue(r.tags, name);

  const out: DmarcModel = { policy: r.p };
  if (r.sp) out.subdomain_policy = r.sp;
  if (r.np) out.nonexistent_policy = r.np;
  if (r.psd) out.psd = r.psd;
  // t=n is the default: mailrec never writes it (the loop's equivalence check accepts its absence).
  if (r.testing) out.testing = true;
  const pct = get('pct');
  if (pct !== undefined) {
    // RFC 7489 §6.3 (RFC 9989 removed pct; mailrec writes it only on request).
    if (!/^\d{1,3}$/.test(pct) || Number(pct) > 100) return inexpressible(`pct=${pct} is not an integer from 0 to 100`);
    out.pct = Number(pct);
  }
  if (r.adkim) out.adkim = ALIGNMENT[r.adkim];
  if (r.aspf) out.aspf = ALIGNMENT[r.aspf];
  if (r.fo !== undefined) {
    // mailrec writes fo= as digits and letters joined by bare colons; another spelling would be rewritten.
    if (!/^[01ds](:[01ds])*$/.test(r.fo)) return inexpressible(`fo=${r.fo} is not 0, 1, d or s joined by colons`);
    out.fo = r.fo;
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
  const parsed = readImportedTags(text);
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
