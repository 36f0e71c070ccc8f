// MX and routing lint (RFC 5321 §5.1, RFC 7505, RFC 2181 §10.3): MX present, null MX
// alone, targets that are host names with addresses and not aliases, and
// forward-confirmed reverse DNS for the declared sending addresses.

import type { Resolver } from '../../dns/resolver.js';
import type { DomainPolicy } from '../../policy/model.js';
import type { Code } from '../../base/codes.js';
import { evidenceFor, failedAbout, RecordingResolver, uncheckedFinding, unknownFinding } from '../evidence.js';
import { addressLookup, recordsOf } from '../../dns/answers.js';
import { findingOf, makeFinding, type Finding } from '../../base/finding.js';
import { checkMxRecords, mxTargetCnameProblem } from '../../mail/mx/rules.js';
import { resolveFcrdns } from '../../mail/spf/fcrdns.js';
import { formatIp, parseIp, reverseName } from '../../dns-types/ip.js';

export interface MxCheckOptions {
  /** The declared policy: whether MX hosts are expected at all. */
  policy?: DomainPolicy;
  /** Addresses that send as the domain (FCrDNS is checked for each). */
  sendingAddresses?: string[];
  /** Host names that send as the domain: their A/AAAA addresses are checked. */
  sendingHosts?: string[];
}

export async function checkMx(domain: string, resolver: Resolver, opts: MxCheckOptions = {}): Promise<Finding[]> {
  const rec = new RecordingResolver(resolver);
  const findings: Finding[] = [];
  const add = (code: Code, name: string, message: string, names: string[], seen?: string[]): void => {
    findings.push(makeFinding(code, domain, name, message, evidenceFor(rec, names, seen)));
  };

  const answer = await rec.resolve(domain, 'MX');
  const mxs = recordsOf(answer, 'MX');
  const seen = mxs.map((m) => `MX ${m.preference} ${m.exchange === '' ? '.' : m.exchange}`).sort();
  if (answer.status !== 'error') {
    const declared = opts.policy?.mx;
    if (mxs.length === 0) {
      if (Array.isArray(declared) && declared.length > 0) {
        add('mx.missing', domain, `${domain} has no MX records; the policy declares ${declared.map((h) => h.host).join(', ')}`, [domain]);
      } else {
        add('mx.none-declared', domain, `${domain} has neither MX records nor a null MX: senders fall back to its address records`, [domain]);
      }
    }
    // RFC 7505 §3 (null MX alone) and RFC 5321 §5.1 (targets are host names).
    const own = checkMxRecords(domain, mxs);
    for (const problem of own) findings.push(findingOf(problem, domain, evidenceFor(rec, [domain], seen)));
    const literal = new Set(own.filter((p) => p.code === 'mx.target-ip-literal').map((p) => p.name));
    const targets = [...new Set(mxs.map((m) => m.exchange).filter((e) => e !== '' && !literal.has(e)))].sort();
    for (const target of targets) {
      const [cname, address] = await Promise.all([rec.resolve(target, 'CNAME'), addressLookup(rec, target)]);
      const alias = recordsOf(cname, 'CNAME').find((c) => c.name === target);
      // RFC 2181 §10.3: an MX exchange must not be an alias.
      if (alias) findings.push(findingOf(mxTargetCnameProblem(target, alias.target), domain, evidenceFor(rec, [target], [`CNAME ${alias.target}`])));
      if (address === 'absent') {
        add('mx.target-no-address', target, `the MX target ${target} has no A or AAAA record: mail to it cannot be delivered`, [target]);
      }
      // A host outside the zone repo (or whose servers fail) leaves its own checks unknown,
      // not the domain's MX RRset, which was answered.
      const unknown: Code[] = [];
      if (cname.status === 'error') unknown.push('mx.target-cname');
      if (address === 'unknown') unknown.push('mx.target-no-address');
      findings.push(...uncheckedFinding('mx', domain, target, `the MX target ${target}`, unknown, failedAbout(rec, target)));
    }
  }

  // Forward-confirmed reverse DNS (RFC 1912 §2.1): address → PTR name → the same address.
  const addresses = new Set<string>();
  for (const a of opts.sendingAddresses ?? []) {
    const ip = parseIp(a);
    if (ip) addresses.add(formatIp(ip));
  }
  const FCRDNS: Code[] = ['mx.fcrdns-missing', 'mx.fcrdns-mismatch'];
  for (const host of [...new Set(opts.sendingHosts ?? [])].sort()) {
    for (const type of ['A', 'AAAA'] as const) {
      const ans = await rec.resolve(host, type);
      for (const r of type === 'A' ? recordsOf(ans, 'A') : recordsOf(ans, 'AAAA')) addresses.add(r.address);
    }
    // The addresses of a sending host could not be read: their reverse DNS is not known.
    const failed = failedAbout(rec, host);
    if (failed.length > 0) findings.push(...uncheckedFinding('mx', domain, host, `the reverse DNS of the sending host ${host}'s addresses`, FCRDNS, failed));
  }
  for (const address of [...addresses].sort()) {
    const ip = parseIp(address)!;
    const rname = reverseName(ip);
    const fcrdns = await resolveFcrdns(ip, rec);
    if (fcrdns.status === 'error') {
      // PTR names are rarely in the zone repo: the check is unknown, the category is not.
      findings.push(...uncheckedFinding('mx', domain, rname, `the reverse DNS of the sending address ${address}`, FCRDNS, failedAbout(rec, rname)));
      continue;
    }
    const names = fcrdns.names;
    if (names.length === 0) {
      add('mx.fcrdns-missing', rname, `the sending address ${address} has no PTR record`, [rname]);
      continue;
    }
    if (fcrdns.confirmed.length === 0) {
      if (!fcrdns.failed) {
        add('mx.fcrdns-mismatch', rname, `the PTR name(s) of ${address} (${names.join(', ')}) do not resolve back to it`, [rname, ...names], names.map((n) => `PTR ${n}`));
      } else {
        const what = `whether the PTR name(s) of ${address} (${names.join(', ')}) resolve back to it`;
        findings.push(...uncheckedFinding('mx', domain, rname, what, ['mx.fcrdns-mismatch'], failedAbout(rec, ...names)));
      }
    }
  }

  // Only the domain's own MX RRset makes the category unknown.
  findings.push(...unknownFinding('mx', domain, failedAbout(rec, domain)));
  return findings;
}
