// SPF records (RFC 7208) -> senders and the all term, with the problems an audit would report.

import type { SpfAll } from '../../policy/model.js';
import { checkCidr, checkDomainName, checkHostName } from '../../policy/values.js';
import { PROVIDERS } from '../../mail/providers.js';
import { txtText } from '../../dns-types/rr.js';
import { parseSpfRecord, type Mechanism, type Term } from '../../mail/spf/record.js';
import { checkSpfRecord, describeSpfProblem } from '../../mail/spf/rules.js';
import type { RecordGroup } from './classify.js';
import { importFindings, type ImportFinding } from './findings.js';
import { inexpressible, model, type Proposal } from './proposal.js';

/** One sender as the policy writes it: self, mx, or a one-key map. */
export type SenderValue = 'self' | 'mx' | { host: string } | { ip4: string } | { ip6: string } | { include: string } | { provider: string };

export interface SenderItem {
  value: SenderValue;
  comment?: string;
}

export interface SpfModel {
  senders: SenderItem[];
  all: SpfAll;
}

const ALL: Record<string, SpfAll | undefined> = { '-': 'fail', '~': 'softfail', '?': 'neutral' };

/** True when a term's domain-spec or value has a macro or an escape (RFC 7208 §7.1): a "%" in its text. */
function hasMacro(term: Term): boolean {
  const spec = term.kind === 'mechanism' ? term.target : term.value;
  return spec !== undefined && spec.some((token) => token.kind !== 'literal');
}

/** The term's text after "name:" as written (ip4/ip6 networks, include and a domains). */
function argumentOf(term: Mechanism): string {
  return term.text.slice(term.text.indexOf(':') + 1);
}

/** Why a term has no sender form, or undefined when it has one. */
function senderOf(term: Term): { sender: SenderItem } | { reason: string } {
  const text = term.text;
  if (term.kind === 'modifier') {
    if (term.name === 'redirect') return { reason: `"${text}": mailrec publishes no redirect= (an include: with the same domain is close, but not the same when the target's all term differs)` };
    return { reason: `"${text}": mailrec publishes no ${term.name}= modifier` };
  }
  if (hasMacro(term)) return { reason: `"${text}" uses an SPF macro (RFC 7208 §7), which the senders list cannot say` };
  if (term.qualifier !== '+') return { reason: `"${text}" carries the qualifier "${term.qualifier}"; senders are all "+" (pass)` };
  const cidr = term.cidr4 !== undefined || term.cidr6 !== undefined;
  switch (term.name) {
    case 'a':
      if (cidr) return { reason: `"${text}" has a CIDR length; the senders list has none for a/mx` };
      if (!term.target) return { sender: { value: 'self' } };
      return checkHostName(argumentOf(term), 'host', '').ok
        ? { sender: { value: { host: argumentOf(term).toLowerCase().replace(/\.$/, '') } } }
        : { reason: `"${text}" names no usable host` };
    case 'mx':
      if (!term.target && !cidr) return { sender: { value: 'mx' } };
      return { reason: `"${text}": the senders list has mx for the domain's own MX hosts only` };
    case 'ip4':
    case 'ip6': {
      const checked = checkCidr(argumentOf(term), term.name === 'ip4' ? 4 : 6);
      if (!checked.ok) return { reason: `"${text}": ${checked.message}` };
      return { sender: { value: term.name === 'ip4' ? { ip4: checked.value } : { ip6: checked.value } } };
    }
    case 'include': {
      const checked = checkDomainName(argumentOf(term), 'include');
      if (!checked.ok) return { reason: `"${text}": ${checked.message}` };
      const provider = PROVIDERS.find((p) => p.spfInclude === checked.value);
      if (provider) return { sender: { value: { provider: provider.id }, comment: `include:${provider.spfInclude} (${provider.title})` } };
      return { sender: { value: { include: checked.value } } };
    }
    case 'ptr':
      return { reason: `"${text}": ptr SHOULD NOT be used (RFC 7208 §5.5) and mailrec does not publish it` };
    case 'exists':
      return { reason: `"${text}": mailrec does not publish exists:` };
    default:
      return { reason: `"${text}" is not a sender mailrec knows` };
  }
}

/** The senders and all term that make mailrec build this SPF record, or why there are none. */
export function proposeSpf(group: RecordGroup): Proposal<SpfModel> {
  if (group.records.length !== 1) return inexpressible(`${group.owner} has ${group.records.length} SPF records; a name has one (RFC 7208 §4.5)`);
  const rr = group.records[0]!;
  if (rr.type !== 'TXT') return inexpressible(`${group.owner} holds a ${rr.type}, not a TXT`);
  const parsed = parseSpfRecord(txtText(rr));
  if (!parsed.ok) return inexpressible(`the SPF record does not parse: ${parseError(parsed)}`);
  const terms = parsed.record.terms;
  const senders: SenderItem[] = [];
  const seen = new Set<string>();
  let all: SpfAll | undefined;
  for (const [index, term] of terms.entries()) {
    if (term.kind === 'mechanism' && term.name === 'all') {
      if (index !== terms.length - 1) return inexpressible(`terms after "${term.text}" are never evaluated, and mailrec ends the record with the all term`);
      all = ALL[term.qualifier];
      if (!all) return inexpressible('"+all" lets anyone send as the domain (RFC 7208 §5.1); mailrec refuses to publish it');
      continue;
    }
    const found = senderOf(term);
    if ('reason' in found) return inexpressible(found.reason);
    const key = JSON.stringify(found.sender.value);
    if (seen.has(key)) continue;
    seen.add(key);
    senders.push(found.sender);
  }
  if (!all) return inexpressible('the record has no all term, and mailrec always ends one with -all, ~all or ?all');
  return model({ senders, all });
}

function parseError(parsed: { error: string; term?: string }): string {
  return parsed.term !== undefined ? `${parsed.error} in "${parsed.term}"` : parsed.error;
}

/** True when two SPF texts have the same terms, in whatever order, case and spacing (mailrec only reorders "+" terms). */
export function sameSpfMeaning(a: string, b: string): boolean {
  const terms = (text: string): string[] | undefined => {
    const parsed = parseSpfRecord(text);
    if (!parsed.ok) return undefined;
    // A term's text lowercased, with an explicit "+" dropped: "+A:Host" means "a:host".
    return [...new Set(parsed.record.terms.map((t) => t.text.replace(/^\+/, '').toLowerCase()))].sort();
  };
  const x = terms(a);
  const y = terms(b);
  return x !== undefined && y !== undefined && x.length === y.length && x.every((t, i) => t === y[i]);
}

/** What an audit would say about the SPF records at one name, from their text alone. */
export function lintSpf(group: RecordGroup): ImportFinding[] {
  const texts = group.records.flatMap((rr) => (rr.type === 'TXT' ? [txtText(rr)] : []));
  const problems = [
    ...(group.records.length > 1 ? [describeSpfProblem({ kind: 'multiple-records', name: group.owner, records: texts })] : []),
    ...texts.flatMap((text) => checkSpfRecord(group.owner, text)),
  ];
  return importFindings(problems, group.domain, group.records[0]?.position);
}
