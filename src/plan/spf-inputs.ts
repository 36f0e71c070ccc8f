// What the SPF builder reads from the zone repo in the same plan: the addresses of the
// domain's own hosts (own_hosts: addresses) from the zone files and fragments, or from
// the primary of an RFC 2136 zone, and the flattened ranges each fragment keeps. Pure
// over the zone states the plan already read.

import { pushTo } from '../base/multimap.js';
import type { HostAddresses, SpfInputs } from '../build/spf.js';
import { longestZone, type RR } from '../dns-types/rr.js';
import type { DomainPolicy, Policy } from '../policy/model.js';
import type { ZoneState } from './plan.js';

/** The apexes of the policy's zones, for longestZone: the zone that holds a host. */
export function apexesOf(policy: Policy): Set<string> {
  return new Set(policy.zones.map((z) => z.apex));
}

/** The host: senders of domains that publish own hosts by address. */
export function ownHostsByAddress(policy: Policy): string[] {
  const hosts = policy.domains.flatMap((d) => (d.spfOwnHosts === 'addresses' ? (d.senders ?? []).flatMap((s) => (s.kind === 'host' ? [s.host.toLowerCase()] : [])) : []));
  return [...new Set(hosts)].sort();
}

/** A/AAAA at `host` among `records`, or why there are none to publish. */
export function addressesIn(host: string, records: readonly RR[], where: string): HostAddresses {
  const here = records.filter((rr) => rr.name === host);
  const cname = here.find((rr) => rr.type === 'CNAME');
  if (cname?.type === 'CNAME') return { ok: false, reason: `${host} is a CNAME to ${cname.target} in ${where}: publish the target as the host` };
  const addresses = here.flatMap((rr) => (rr.type === 'A' || rr.type === 'AAAA' ? [rr.address] : []));
  if (addresses.length === 0) return { ok: false, reason: `${where} has no A or AAAA record for ${host}` };
  return { ok: true, addresses: [...new Set(addresses)] };
}

/**
 * The SPF builder's inputs from the zone states of the same plan. `primary`: the
 * addresses asked of the primary for hosts in RFC 2136 zones (the caller asks).
 */
export function spfInputsFrom(policy: Policy, states: Pick<ReadonlyMap<string, ZoneState>, 'get'>, primary: ReadonlyMap<string, HostAddresses> = new Map()): SpfInputs {
  // Indexes made once, on first use: a scan of every zone or domain per host or per
  // flattened include made a plan of N such domains take N² steps.
  const apexes = apexesOf(policy);
  let rawByName: Map<string, RR[]> | undefined;
  let domainByName: Map<string, DomainPolicy> | undefined;
  return {
    hostAddresses(host: string): HostAddresses {
      const zone = longestZone(host, apexes);
      if (zone === undefined) return { ok: false, reason: `${host} is in none of the policy's zones, so mailrec cannot read its addresses` };
      const asked = primary.get(host);
      if (asked) return asked;
      const state = states.get(zone);
      if (!state || state.source !== 'fragment') return { ok: false, reason: `zone ${zone} was not read` };
      // The policy's own raw: records are part of the same plan too.
      rawByName ??= rawRecordsByName(policy);
      const atHost = (rr: RR): boolean => rr.name === host;
      const records = [...(state.foreign ?? []).filter(atHost), ...state.records.filter(atHost), ...(rawByName.get(host) ?? [])];
      const where = state.zoneFile !== undefined ? `${state.zoneFile} (with ${state.fragment})` : `${state.fragment} (the policy names no zone_file for ${zone}, so the zone file is not read)`;
      return addressesIn(host, records, where);
    },
    cachedRanges(domain: string, include: string) {
      domainByName ??= firstDomainByName(policy);
      const entry = domainByName.get(domain);
      const state = entry ? states.get(entry.zone) : undefined;
      if (!state) return undefined;
      if (state.source === 'live') return 'no-fragment';
      return state.flattened?.find((n) => n.domain === domain && n.include === include)?.ranges;
    },
  };
}

/** Every domain's raw: records as records, by owner name, in policy order. */
function rawRecordsByName(policy: Policy): Map<string, RR[]> {
  const out = new Map<string, RR[]>();
  for (const d of policy.domains) {
    for (const r of d.raw ?? []) {
      const rr: RR = { ...r.rdata, name: r.name, ttl: r.ttl ?? d.ttl };
      pushTo(out, rr.name, rr);
    }
  }
  return out;
}

/** The first domain entry of each name, as a search from the start would find it. */
function firstDomainByName(policy: Policy): Map<string, DomainPolicy> {
  const out = new Map<string, DomainPolicy>();
  for (const d of policy.domains) if (!out.has(d.name)) out.set(d.name, d);
  return out;
}
