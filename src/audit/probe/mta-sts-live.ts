// checkMtaStsLive: the served MTA-STS policy against RFC 8461 (§3.2 syntax, §4.1 MX coverage, §3.1 id rule), against the policy mailrec generated, and the TLS-RPT rua URIs (RFC 8460 §3).

import type { Resolver } from '../../dns/resolver.js';
import { compileMtaStsId, isMtaStsRecord, mtaStsPolicyUrl } from '../../mail/mta-sts/record.js';
import { uncoveredMxProblem } from '../../mail/mta-sts/rules.js';
import { isTlsRptRecord } from '../../mail/tls-rpt/record.js';
import { checkTlsRptUris } from '../../mail/tls-rpt/rules.js';
import { evidenceFor, RecordingResolver, unknownFinding } from '../evidence.js';
import { recordsOf, txtTexts } from '../../dns/answers.js';
import { findingOf, makeFinding, type Finding } from '../../base/finding.js';
import type { Code } from '../../base/codes.js';
import { fetchMtaStsPolicy, type MtaStsFetchOptions, type MtaStsFetchResult } from './mta-sts-fetch.js';
import { diffMtaStsPolicies, idUnchangedAfterPolicyChange, mtaStsIdOf, parseMtaStsPolicy, uncoveredMxHosts } from '../../mail/mta-sts/policy.js';

export interface MtaStsLiveOptions {
  /** How to reach the policy host (tests: address, port, CA bundle). */
  fetch?: MtaStsFetchOptions;
  /** Replaces the HTTPS fetch altogether (an injected effect). */
  fetchPolicy?: (domain: string) => Promise<MtaStsFetchResult>;
  /**
   * The policy mailrec generated for the domain (the file under mta-sts/<domain>/), when
   * the policy declares mta_sts: the served one must mean the same. Its id defaults to
   * the one mailrec derives (compileMtaStsId).
   */
  expectedPolicy?: { text: string; id?: string };
  /** A previously seen pair (e.g. the last audit's), to check that the id changed with the policy. */
  previous?: { id: string; text: string };
}

/**
 * The live MTA-STS findings for a domain: the _mta-sts TXT id, the policy fetched from
 * https://mta-sts.<domain>/.well-known/mta-sts.txt, validated (§3.2), every MX in DNS
 * covered by an mx pattern (§4.1), drift from the generated policy, the id rule (§3.1),
 * and strict TLS-RPT rua URIs. Nothing is fetched when no STS record is published and no
 * policy is expected.
 */
export async function checkMtaStsLive(domain: string, resolver: Resolver, options: MtaStsLiveOptions = {}): Promise<Finding[]> {
  const rec = new RecordingResolver(resolver);
  const findings: Finding[] = [];
  const stsName = `_mta-sts.${domain}`;
  const rptName = `_smtp._tls.${domain}`;
  const [stsAnswer, mxAnswer, rptAnswer] = await Promise.all([rec.resolve(stsName, 'TXT'), rec.resolve(domain, 'MX'), rec.resolve(rptName, 'TXT')]);
  const stsRecords = txtTexts(stsAnswer).filter(isMtaStsRecord);
  const liveId = stsRecords.length === 1 ? mtaStsIdOf(stsRecords[0]!) : undefined;
  const mxHosts = [...new Set(recordsOf(mxAnswer, 'MX').map((m) => m.exchange).filter((e) => e !== ''))].sort();
  const url = mtaStsPolicyUrl(domain);

  findings.push(...checkTlsRptUriFindings(domain, rec, rptName, txtTexts(rptAnswer)));

  if (stsRecords.length === 0 && options.expectedPolicy === undefined) {
    findings.push(...unknownFinding('transport', domain, rec.failed()));
    return findings;
  }
  const fetched = await (options.fetchPolicy ?? ((d: string) => fetchMtaStsPolicy(d, options.fetch ?? {})))(domain);
  const add = (code: Code, message: string, seen: string[] = []): void => {
    findings.push(makeFinding(code, domain, `mta-sts.${domain}`, message, evidenceFor(rec, [stsName, domain], [...stsRecords, ...seen])));
  };
  if (fetched.status === 'failed') {
    const unknown = fetched.kind === 'timeout' || fetched.kind === 'refused' || fetched.kind === 'unreachable';
    const consequence = stsRecords.length > 0 ? ': senders without a cached policy treat the domain as having none' : '';
    if (unknown) add('mta-sts.policy-unreachable', `${url}: ${fetched.reason}; the policy could not be checked`);
    else add('mta-sts.policy-fetch-failed', `${url}: ${fetched.reason}${consequence} (RFC 8461 §3.3)`);
    findings.push(...unknownFinding('transport', domain, rec.failed()));
    return findings;
  }

  const served = fetched.text;
  const excerpt = [`served: ${JSON.stringify(served.slice(0, 400))}`];
  if (fetched.contentType === undefined || !/^text\/plain\b/i.test(fetched.contentType)) {
    add('mta-sts.policy-content-type', `${url} is served as ${fetched.contentType ?? '(no Content-Type)'}, not text/plain (RFC 8461 §3.2)`, excerpt);
  }
  const { policy, problems } = parseMtaStsPolicy(served);
  for (const problem of problems) add('mta-sts.policy-syntax', `${url}: ${problem}`, excerpt);

  // §4.1: a sender delivers only to MX hosts an mx pattern matches (mode enforce).
  if (mxAnswer.status === 'ok' && (policy.mode === 'enforce' || policy.mode === 'testing')) {
    for (const host of uncoveredMxHosts(policy, mxHosts)) {
      const problem = uncoveredMxProblem(`mta-sts.${domain}`, host, url, policy.mx, policy.mode);
      if (problem) add(problem.code, problem.message, excerpt);
    }
  }

  const expected = options.expectedPolicy;
  if (expected) {
    const differences = diffMtaStsPolicies(parseMtaStsPolicy(expected.text).policy, policy);
    if (differences.length > 0) add('mta-sts.policy-drift', `${url} serves a policy other than the one generated: ${differences.join('; ')}`, excerpt);
  }

  // §3.1: "id ... MUST be changed" whenever the policy is. Two pairs can show it did not:
  // the generated pair against the live one, and a previously seen pair against the live one.
  if (liveId !== undefined) {
    const live = { id: liveId, text: served };
    const pairs: { label: string; id: string; text: string }[] = [];
    if (expected) pairs.push({ label: 'the generated policy', id: expected.id ?? compileMtaStsId(expected.text), text: expected.text });
    if (options.previous) pairs.push({ label: 'the previously seen policy', ...options.previous });
    for (const pair of pairs) {
      if (idUnchangedAfterPolicyChange(pair, live)) {
        add('mta-sts.id-unchanged', `${stsName} id=${liveId} is the id of ${pair.label}, but ${url} serves a different policy: senders holding the old one never refetch it`, excerpt);
      }
    }
  }
  findings.push(...unknownFinding('transport', domain, rec.failed()));
  return findings;
}

/**
 * RFC 8460 §3: rua is a comma-separated list of mailto: or https: URIs. Only one record the
 * syntax check (checks/tls-rpt.ts) passes is looked at here, so that one mistake gives
 * one finding.
 */
function checkTlsRptUriFindings(domain: string, rec: RecordingResolver, name: string, texts: string[]): Finding[] {
  const records = texts.filter(isTlsRptRecord);
  if (records.length !== 1) return [];
  return checkTlsRptUris(name, records[0]!).map((problem) => findingOf(problem, domain, evidenceFor(rec, [name], records)));
}
