// The SPF builder's inputs from the zone states of a plan (src/plan/spf-inputs.ts): which
// zone holds a host, the addresses of own hosts (the zone's records, the zone file's, and
// every domain's raw: records), and the flattened ranges a domain's fragment keeps.

import { describe, expect, it } from 'vitest';
import type { RR } from '../../src/dns-types/rr.js';
import type { ZoneState } from '../../src/plan/plan.js';
import { longestZone } from '../../src/dns-types/rr.js';
import { apexesOf, spfInputsFrom } from '../../src/plan/spf-inputs.js';
import type { Policy } from '../../src/policy/model.js';

const a = (name: string, address: string): RR => ({ type: 'A', name, ttl: 300, address }) as RR;

/** Only the fields spfInputsFrom reads. */
function policyOf(zones: string[], domains: Array<{ name: string; zone: string; raw?: Array<{ name: string; address: string }> }>): Policy {
  return {
    zones: zones.map((apex) => ({ apex })),
    domains: domains.map((d) => ({ name: d.name, zone: d.zone, ttl: 3600, raw: (d.raw ?? []).map((r) => ({ name: r.name, rdata: { type: 'A', address: r.address } })) })),
  } as unknown as Policy;
}

function fragmentState(zone: string, records: RR[], extra: Partial<ZoneState> = {}): ZoneState {
  return { zone, source: 'fragment', fragment: `zones/${zone}.mail.zone`, status: 'intact', digest: 'x', records, ...extra };
}

describe('longestZone over the policy apexes', () => {
  const apexes = apexesOf(policyOf(['example.org', 'lists.example.org', 'example.com'], []));

  it('finds the longest apex that holds the name', () => {
    expect(longestZone('mx.lists.example.org', apexes)).toBe('lists.example.org');
    expect(longestZone('lists.example.org', apexes)).toBe('lists.example.org');
    expect(longestZone('relay.example.org', apexes)).toBe('example.org');
    expect(longestZone('example.com', apexes)).toBe('example.com');
  });

  it('finds none for a name outside every zone, or one that only ends like a zone', () => {
    expect(longestZone('example.net', apexes)).toBeUndefined();
    expect(longestZone('badexample.org', apexes)).toBeUndefined();
  });
});

describe('spfInputsFrom', () => {
  const policy = policyOf(
    ['example.org', 'example.com'],
    [
      { name: 'example.org', zone: 'example.org' },
      { name: 'shop.example.com', zone: 'example.com', raw: [{ name: 'relay.example.org', address: '192.0.2.30' }] },
      { name: 'example.org', zone: 'example.com' },
    ],
  );
  const states = new Map<string, ZoneState>([
    [
      'example.org',
      fragmentState('example.org', [a('relay.example.org', '192.0.2.20'), a('other.example.org', '192.0.2.99')], {
        zoneFile: 'zones/example.org.zone',
        foreign: [a('relay.example.org', '192.0.2.10'), a('relay.example.org', '192.0.2.20')],
        flattened: [{ domain: 'example.org', include: 'spf.example.net', ranges: ['ip4:198.51.100.0/24'] }],
      }),
    ],
    ['example.com', { zone: 'example.com', source: 'live', status: 'live', digest: 'absent', records: [] }],
  ]);
  const inputs = spfInputsFrom(policy, states);

  it("reads a host's addresses from the zone file, the fragment and other domains' raw records, once each, in that order", () => {
    expect(inputs.hostAddresses!('relay.example.org')).toEqual({ ok: true, addresses: ['192.0.2.10', '192.0.2.20', '192.0.2.30'] });
  });

  it('says why when the host has no address, lies in no zone, or its zone was not read', () => {
    const none = inputs.hostAddresses!('mx.example.org');
    expect(none.ok).toBe(false);
    expect(!none.ok && none.reason).toContain('has no A or AAAA record for mx.example.org');
    const outside = inputs.hostAddresses!('relay.example.net');
    expect(!outside.ok && outside.reason).toContain("in none of the policy's zones");
    const live = inputs.hostAddresses!('relay.example.com');
    expect(!live.ok && live.reason).toBe('zone example.com was not read');
  });

  it("takes a flattened include's ranges from the zone of the first entry of the domain's name", () => {
    expect(inputs.cachedRanges!('example.org', 'spf.example.net')).toEqual(['ip4:198.51.100.0/24']);
    expect(inputs.cachedRanges!('example.org', 'spf.example.com')).toBeUndefined();
    expect(inputs.cachedRanges!('shop.example.com', 'spf.example.net')).toBe('no-fragment');
    expect(inputs.cachedRanges!('unknown.example.org', 'spf.example.net')).toBeUndefined();
  });
});
