// Reads a live estate's mail records through an injected Resolver: the names to ask follow from what the answers say.

import type { Answer, Resolver } from '../../dns/resolver.js';
import { DnsError } from '../../base/errors.js';
import { isInZone, txtText, type RR, type RRType } from '../../dns-types/rr.js';
import { tagValue } from '../../mail/tag-list.js';
import { compareNames } from '../../dns-types/name.js';
import { KNOWN_SRV_SERVICES } from '../../mail/srv/record.js';
import type { ImportZoneInput } from './classify.js';
import { readImportedTags } from './proposal.js';

export interface LiveImportRequest {
  /** The mail domains to read. */
  domains: string[];
  /** DKIM selectors to try under every domain (selectors cannot be listed from DNS). */
  selectors: string[];
  /** Zone apexes; default: the given domains that are not under another given domain. */
  zones?: string[];
}

/** The zones a live import covers: as given, or the outermost of the domains. */
export function liveZones(request: LiveImportRequest): string[] {
  if (request.zones && request.zones.length > 0) return [...new Set(request.zones)].sort(compareNames);
  const domains = [...new Set(request.domains)];
  return domains.filter((d) => !domains.some((other) => other !== d && isInZone(d, other))).sort(compareNames);
}

/**
 * Ask for every mail record of the domains: MX, SPF, DMARC, the selectors' keys, MTA-STS,
 * TLS-RPT and the mail SRV names; then TLSA at the MX hosts and SRV targets, and the DMARC
 * report authorizations the rua/ruf call for. A lookup that fails is an error: an import
 * from a partial answer would write a policy that deletes what it did not see.
 */
export async function readLiveEstate(request: LiveImportRequest, resolver: Resolver): Promise<ImportZoneInput[]> {
  const zones = liveZones(request);
  const outside = request.domains.filter((d) => !zones.some((z) => isInZone(d, z)));
  if (outside.length > 0) throw new DnsError(`${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} in none of the zones ${zones.join(', ')}`, 'add its zone with --zone APEX');
  const seen = new Map<string, RR>();
  const asked = new Set<string>();
  const ask = async (name: string, type: RRType): Promise<RR[]> => {
    const key = `${name} ${type}`;
    if (asked.has(key)) return [];
    asked.add(key);
    const answer: Answer = await resolver.resolve(name, type);
    if (answer.status === 'error') throw new DnsError(`cannot read ${name} ${type}: ${answer.reason}`, 'check --resolver; the import needs every answer');
    if (answer.status !== 'ok') return [];
    // A CNAME chain may end outside the zones: only records inside them are the estate's.
    const records = answer.records.filter((rr) => zones.some((z) => isInZone(rr.name, z)));
    for (const rr of records) seen.set(JSON.stringify(rr), rr);
    return records;
  };

  // Names a provider often takes over by CNAME (Microsoft 365 DKIM, hosted MTA-STS and DMARC): the
  // CNAME itself is the estate's record, and the chase would end at a server that is not ours.
  const askDelegable = async (name: string): Promise<RR[]> => {
    const cname = await ask(name, 'CNAME');
    return cname.length > 0 ? cname : ask(name, 'TXT');
  };
  const domains = [...new Set(request.domains)].sort(compareNames);
  const first = await Promise.all(
    domains.flatMap((d) => [
      ask(d, 'MX'),
      ask(d, 'TXT'),
      askDelegable(`_dmarc.${d}`),
      askDelegable(`_mta-sts.${d}`),
      askDelegable(`_smtp._tls.${d}`),
      ...request.selectors.map((s) => askDelegable(`${s}._domainkey.${d}`)),
      ...KNOWN_SRV_SERVICES.map((s) => ask(`_${s}._tcp.${d}`, 'SRV')),
    ]),
  );
  const records = first.flat();

  const second: Promise<RR[]>[] = [];
  for (const rr of records) {
    // RFC 7672 §2.2: TLSA for SMTP sits at _25._tcp.<MX host>; RFC 8314 services at their SRV target and port.
    if (rr.type === 'MX' && rr.exchange !== '' && zones.some((z) => isInZone(rr.exchange, z))) second.push(ask(`_25._tcp.${rr.exchange}`, 'TLSA'));
    if (rr.type === 'SRV' && rr.target !== '' && zones.some((z) => isInZone(rr.target, z))) second.push(ask(`_${rr.port}._tcp.${rr.target}`, 'TLSA'));
    if (rr.type === 'TXT' && rr.name.startsWith('_dmarc.')) {
      const domain = rr.name.slice('_dmarc.'.length);
      for (const dest of reportDestinations(txtText(rr))) {
        if (isInZone(dest, zoneOf(domain, zones) ?? domain) || !zones.some((z) => isInZone(dest, z))) continue;
        second.push(ask(`${domain}._report._dmarc.${dest}`, 'TXT'));
      }
    }
  }
  await Promise.all(second);

  return zones.map((apex) => ({
    apex,
    records: [...seen.values()].filter((rr) => zoneOf(rr.name, zones) === apex),
  }));
}

function zoneOf(name: string, zones: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const z of zones) if (isInZone(name, z) && (best === undefined || z.length > best.length)) best = z;
  return best;
}

/** The mail domains rua= and ruf= send reports to. */
function reportDestinations(text: string): string[] {
  const parsed = readImportedTags(text);
  if (!parsed.ok) return [];
  const uris = ['rua', 'ruf'].flatMap((t) => (tagValue(parsed.tags, t) ?? '').split(','));
  return [
    ...new Set(
      uris.flatMap((u) => {
        const m = /^mailto:[^@]+@([^!?\s]+)/i.exec(u.trim());
        return m ? [m[1]!.toLowerCase().replace(/\.$/, '')] : [];
      }),
    ),
  ];
}
