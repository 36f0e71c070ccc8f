// SRV lint for mail client autoconfiguration (RFC 6186, RFC 8314 §3.3): implicit TLS
// (465) belongs under _submissions, and every target must resolve.

import type { Resolver } from '../../dns/resolver.js';
import { MAIL_SRV_SERVICES } from '../../mail/srv/record.js';
import type { SrvRecord } from '../../policy/model.js';
import { evidenceFor, failedAbout, RecordingResolver, uncheckedFinding, unknownFinding } from '../evidence.js';
import { addressLookup, recordsOf } from '../../dns/answers.js';
import { compareText, findingOf, makeFinding, type Finding } from '../../base/finding.js';
import { checkSubmissionPort } from '../../mail/srv/rules.js';

export interface SrvCheckOptions {
  /** SRV records the policy declares: their names are asked besides the standard ones. */
  declared?: SrvRecord[];
}

export async function checkSrv(domain: string, resolver: Resolver, opts: SrvCheckOptions = {}): Promise<Finding[]> {
  const rec = new RecordingResolver(resolver);
  const findings: Finding[] = [];
  const names = new Set<string>(MAIL_SRV_SERVICES.map((s) => `_${s}._tcp.${domain}`));
  for (const s of opts.declared ?? []) names.add(`_${s.service}._${s.protocol}.${domain}`);
  const targets = new Map<string, string[]>();
  for (const name of [...names].sort()) {
    const answer = await rec.resolve(name, 'SRV');
    for (const srv of recordsOf(answer, 'SRV')) {
      const port = checkSubmissionPort(name, srv.port, srv.target);
      if (port) findings.push(findingOf(port, domain, evidenceFor(rec, [name], [`SRV ${srv.priority} ${srv.weight} ${srv.port} ${srv.target}`])));
      // RFC 2782: target "." says the service is not offered.
      if (srv.target !== '') targets.set(srv.target, [...(targets.get(srv.target) ?? []), name]);
    }
  }
  for (const [target, owners] of [...targets].sort(([a], [b]) => compareText(a, b))) {
    const address = await addressLookup(rec, target);
    if (address === 'absent') {
      findings.push(
        makeFinding('srv.target-unresolvable', domain, target, `the SRV target ${target} (of ${owners.join(', ')}) has no A or AAAA record`, evidenceFor(rec, [target, ...owners])),
      );
    } else if (address === 'unknown') {
      // A target outside the zone repo leaves this check unknown, not the category.
      findings.push(...uncheckedFinding('mx', domain, target, `the SRV target ${target} (of ${owners.join(', ')})`, ['srv.target-unresolvable'], failedAbout(rec, target)));
    }
  }
  // The SRV names are the domain's own: a failure there makes the category unknown.
  findings.push(...unknownFinding('mx', domain, failedAbout(rec, ...names)));
  return findings;
}
