// What the SPF builder reads from the zone repo in the same plan: the addresses of the
// domain's own hosts (own_hosts: addresses) from the zone files and fragments, or from
// the primary of an RFC 2136 zone, and the flattened ranges each fragment keeps. Pure
// over the zone states the plan already read.

import type { HostAddresses, SpfInputs } from '../build/spf.js';
import { isInZone, type RR } from '../dns-types/rr.js';
import type { Policy } from '../policy/model.js';
import type { ZoneState } from './plan.js';

/** The policy zone that holds `name` (the longest apex), if any. */
export function zoneOfName(policy: Policy, name: string): string | undefined {
  return policy.zones
    .map((z) => z.apex)
    .filter((apex) => isInZone(name, apex))
    .sort((a, b) => b.length - a.length)[0];
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
  return {
    hostAddresses(host: string): HostAddresses {
      const zone = zoneOfName(policy, host);
      if (zone === undefined) return { ok: false, reason: `${host} is in none of the policy's zones, so mailrec cannot read its addresses` };
      const asked = primary.get(host);
      if (asked) return asked;
      const state = states.get(zone);
      if (!state || state.source !== 'fragment') return { ok: false, reason: `zone ${zone} was not read` };
      // The policy's own raw: records are part of the same plan too.
      const raw = policy.domains.flatMap((d) => (d.raw ?? []).map((r): RR => ({ ...r.rdata, name: r.name, ttl: r.ttl ?? d.ttl })));
      const records = [...(state.foreign ?? []), ...state.records, ...raw];
      const where = state.zoneFile !== undefined ? `${state.zoneFile} (with ${state.fragment})` : `${state.fragment} (the policy names no zone_file for ${zone}, so the zone file is not read)`;
      return addressesIn(host, records, where);
    },
    cachedRanges(domain: string, include: string) {
      const entry = policy.domains.find((d) => d.name === domain);
      const state = entry ? states.get(entry.zone) : undefined;
      if (!state) return undefined;
      if (state.source === 'live') return 'no-fragment';
      return state.flattened?.find((n) => n.domain === domain && n.include === include)?.ranges;
    },
  };
}
