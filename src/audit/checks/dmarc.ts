// DMARC lint (RFC 9989, reports RFC 9990): discovery by the DNS tree walk, one record,
// tags and values, enforcement, report addresses and their authorization.

import type { Resolver } from '../../dns/resolver.js';
import type { DmarcPolicy } from '../../policy/model.js';
import { evidenceFor, RecordingResolver, uncheckedFinding, unknownFinding } from '../evidence.js';
import { txtTexts } from '../../dns/answers.js';
import { findingOf, makeFinding, type Finding } from '../../base/finding.js';
import { checkDmarcMultiple, checkDmarcRecord, reportUnauthorizedProblem } from '../../mail/dmarc/rules.js';
import type { Code } from '../../base/codes.js';
import { isDmarcRecord, parseDmarcRecord, treeWalkNames } from '../../mail/dmarc/record.js';

export interface DmarcCheckOptions {
  /** The declared policy (unused by the lint; drift is compared elsewhere). */
  policy?: DmarcPolicy;
}

/** What the tree walk found at one name. */
export interface DmarcStep {
  name: string;
  status: 'found' | 'none' | 'multiple' | 'failed';
  records: string[];
}

/**
 * Policy discovery (RFC 9989 §4.10): _dmarc.<name> for the name, then up the tree, until
 * exactly one v=DMARC1 record is found. Several records at a name are all discarded and
 * the walk goes on. A failed lookup ends the walk: what lies above cannot be known to apply.
 */
export async function discoverDmarc(domain: string, resolver: Resolver): Promise<DmarcStep[]> {
  const steps: DmarcStep[] = [];
  for (const name of treeWalkNames(domain)) {
    const step = await askDmarc(name, resolver);
    steps.push(step);
    if (step.status === 'found' || step.status === 'failed') break;
  }
  return steps;
}

async function askDmarc(name: string, resolver: Resolver): Promise<DmarcStep> {
  const answer = await resolver.resolve(`_dmarc.${name}`, 'TXT');
  if (answer.status === 'error') return { name, status: 'failed', records: [] };
  const records = txtTexts(answer).filter(isDmarcRecord);
  return { name, status: records.length === 1 ? 'found' : records.length > 1 ? 'multiple' : 'none', records };
}

/**
 * The Organizational Domain by the tree walk, without a public suffix list (RFC 9989
 * §4.10): the first record on the way up with psd=n marks it; a record with psd=y marks
 * the name one label below as it; otherwise the name with the fewest labels that has a
 * record; with no record at all, the name itself. undefined when a lookup failed.
 */
export async function organizationalDomain(domain: string, resolver: Resolver): Promise<string | undefined> {
  const names = treeWalkNames(domain);
  let shortest: string | undefined;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const step = await askDmarc(name, resolver);
    if (step.status === 'failed') return undefined;
    if (step.status !== 'found') continue;
    const parsed = parseDmarcRecord(step.records[0]!);
    const psd = parsed.ok ? parsed.record.psd : undefined;
    if (psd === 'n') return name;
    if (psd === 'y') return i === 0 ? name : names[i - 1]!;
    shortest = name;
  }
  return shortest ?? domain;
}

export async function checkDmarc(domain: string, resolver: Resolver, _opts: DmarcCheckOptions = {}): Promise<Finding[]> {
  const rec = new RecordingResolver(resolver);
  const findings: Finding[] = [];
  const add = (code: Code, name: string, message: string, names: string[], seen?: string[]): void => {
    findings.push(makeFinding(code, domain, name, message, evidenceFor(rec, names, seen)));
  };

  const steps = await discoverDmarc(domain, rec);
  const asked = steps.map((s) => `_dmarc.${s.name}`);
  for (const s of steps) {
    if (s.status === 'multiple' && s.name === domain) findings.push(findingOf(checkDmarcMultiple(`_dmarc.${s.name}`, s.records), domain, evidenceFor(rec, [`_dmarc.${s.name}`], s.records)));
  }
  const last = steps[steps.length - 1]!;
  // The domain's own name unanswered: nothing about its DMARC is known.
  if (last.status === 'failed' && last.name === domain) return [...findings, ...unknownFinding('dmarc', domain, rec.failed())];
  if (last.status !== 'found') {
    if (last.status === 'failed') {
      // _dmarc.<domain> answered without a record: the domain has no policy of its own,
      // whatever lies above (RFC 9989 §4.10). Only a policy higher up, a public suffix's
      // (psd=y) or an organizational domain's, is unknown: said, not scored.
      const answered = asked.slice(0, -1);
      add('dmarc.missing', `_dmarc.${domain}`, `no DMARC record for ${domain}: the tree walk asked ${answered.join(', ')}; it could not ask _dmarc.${last.name}`, answered);
      const failed = rec.failed();
      findings.push(
        makeFinding(
          'dmarc.walk-unknown',
          domain,
          `_dmarc.${last.name}`,
          `the tree walk could not ask _dmarc.${last.name} (${failed.map((a) => a.cause === 'outside-zone-repo' ? 'outside the zone repo' : a.cause === 'not-recursive' ? 'refused: the server does not recurse' : 'lookup failed').join(', ')}): a policy published there or above, such as a public suffix's, could still apply to ${domain}`,
          { asked: failed },
        ),
      );
      return findings;
    }
    add('dmarc.missing', `_dmarc.${domain}`, `no DMARC record for ${domain}: the tree walk asked ${asked.join(', ')}`, asked);
    return findings;
  }

  const at = last.name;
  const owner = `_dmarc.${at}`;
  const text = last.records[0]!;
  const inherited = at !== domain;
  if (inherited) {
    add('dmarc.inherited', owner, `${domain} has no record of its own; the record at ${owner} applies (its sp=, or np= if ${domain} does not exist)`, asked, [text]);
  }
  const parsed = parseDmarcRecord(text);
  for (const problem of checkDmarcRecord(owner, text, { domain, inherited })) findings.push(findingOf(problem, domain, evidenceFor(rec, [owner], [text])));
  if (!parsed.ok) return [...findings, ...unknownFinding('dmarc', domain, rec.failed())];
  const r = parsed.record;

  // What failed so far concerns the record itself: the category is unknown.
  const recordFailures = rec.failed();
  if (recordFailures.length > 0) return [...findings, ...unknownFinding('dmarc', domain, recordFailures)];

  // RFC 9990: a report destination outside the Organizational Domain must publish
  // <domain>._report._dmarc.<destination> (a wildcard *._report._dmarc answers it too).
  // A lookup that fails here leaves this one check unknown, not the category.
  const destinations = [...new Set([...r.rua, ...r.ruf].filter((u) => u.mailto).map((u) => u.domain!))].sort();
  let org: string | undefined | null = null;
  const unchecked: string[] = [];
  for (const dest of destinations) {
    if (related(dest, at)) continue;
    // The Organizational Domain is the name or an ancestor of it (RFC 9989 §4.10): names
    // with no label in common at the end never share one, and need no tree walk.
    if (sharesParent(dest, at)) {
      if (org === null) org = await organizationalDomain(at, rec);
      const destOrg: string | undefined = org === undefined ? undefined : await organizationalDomain(dest, rec);
      if (org === undefined || destOrg === undefined) {
        unchecked.push(dest);
        continue;
      }
      if (destOrg === org) continue;
    }
    const authName = `${at}._report._dmarc.${dest}`;
    const answer = await rec.resolve(authName, 'TXT');
    if (answer.status === 'error') {
      unchecked.push(dest);
      continue;
    }
    const texts = txtTexts(answer);
    if (!texts.some(isDmarcRecord)) findings.push(findingOf(reportUnauthorizedProblem(authName, at, dest), domain, evidenceFor(rec, [authName], texts)));
  }
  if (unchecked.length > 0) {
    const what = `whether ${unchecked.join(', ')} ${unchecked.length === 1 ? 'authorizes' : 'authorize'} reports for ${at}`;
    findings.push(...uncheckedFinding('dmarc', domain, owner, what, ['dmarc.report-unauthorized'], rec.failed()));
  }
  return findings;
}

/** Same name, or one under the other: certainly the same organization. */
function related(a: string, b: string): boolean {
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}

/** The two names end in the same label: they have a common ancestor below the root. */
function sharesParent(a: string, b: string): boolean {
  return a.slice(a.lastIndexOf('.') + 1) === b.slice(b.lastIndexOf('.') + 1);
}
