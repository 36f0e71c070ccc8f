// Where an audit's answers come from: live DNS, the zones' own servers, or the zone repo's files. One Resolver per run, shared by every domain.

import type { RepoFiles } from '../../base/repo-files.js';
import { DnsCache } from '../../dns/cache.js';
import { createDnsClient } from '../../dns/client.js';
import type { Resolver } from '../../dns/resolver.js';
import { formatServer, type ServerAddress } from '../../dns/servers.js';
import type { TypeResolver } from '../../dns/answers.js';
import type { Pacing } from '../../dns/pacing.js';
import { createAuthoritativeResolver } from './authoritative.js';
import { createLiveResolver } from './live.js';
import { createZoneRepoResolver, loadZoneRepo, type LoadedZone, type SkippedFile } from './zone-repo.js';

export { createAuthoritativeResolver, hasCoveringRrsig, type AuthoritativeOptions } from './authoritative.js';
export { createLiveResolver, queryOtherType, type LiveResolver } from './live.js';
export { createZoneRepoResolver, loadZoneRepo, OUTSIDE_REASON, type LoadedZone, type SkippedFile, type ZoneRepo, type ZoneRepoOptions } from './zone-repo.js';

export type SourceSpec =
  /** A recursive resolver: `servers` (--resolver) or /etc/resolv.conf. */
  | { kind: 'dns'; servers?: ServerAddress[]; timeoutMs?: number; attempts?: number; pacing?: Pacing }
  /** The zones' own servers, found through `servers` or /etc/resolv.conf (--authoritative). */
  | { kind: 'authoritative'; servers?: ServerAddress[]; timeoutMs?: number; attempts?: number; port?: number; pacing?: Pacing }
  /** The zone repo's files (--zones DIR): no network. */
  | { kind: 'zones'; dir: string; root?: string; origins?: ReadonlyMap<string, string>; /** The directory as the user wrote it, for reports. */ label?: string; /** The zone repo's files (the CLI's). */ files?: RepoFiles };

export interface AuditSource {
  kind: SourceSpec['kind'];
  resolver: Resolver & TypeResolver;
  /** One line for reports: "DNS via 127.0.0.1:53", "zone files in zones/ (2 zones)". */
  description: string;
  /**
   * TTLs are the zone's own: drift compares them exactly. Through a recursive resolver a
   * cached TTL counts down (RFC 1035 §3.2.1), so only a TTL above the policy's is drift.
   */
  exactTtl: boolean;
  /** The zones loaded (--zones only). */
  zones?: LoadedZone[];
  /** Files under --zones DIR not read, with the reason. */
  skipped?: SkippedFile[];
  /** What the source could not use, in plain words. */
  notes: string[];
  /** What the source learnt while answering, said once per run after it (e.g. a server that does not recurse). */
  runNotes(): string[];
}

/**
 * The one line for a resolver that answers only for its own zones (REFUSED, RA clear): said
 * once per run, since every domain's names outside those zones are unknown for that reason.
 */
export function nonRecursiveNote(server: string): string {
  return `${server} answers only for its own zones; names outside them are unknown: use a recursive resolver or --authoritative`;
}

/** What every DNS client of a run shares: the exchange limit, the control's input, the --max-qps bucket. */
function clientPacing(pacing: Pacing): { limiter: Pacing['questions']; onExchange?: NonNullable<Pacing['onExchange']>; rateLimit?: NonNullable<Pacing['rateLimit']> } {
  return {
    limiter: pacing.questions,
    ...(pacing.onExchange ? { onExchange: pacing.onExchange } : {}),
    ...(pacing.rateLimit ? { rateLimit: pacing.rateLimit } : {}),
  };
}

export async function openAuditSource(spec: SourceSpec): Promise<AuditSource> {
  const pacing = spec.kind !== 'zones' && spec.pacing ? clientPacing(spec.pacing) : {};
  const timing = {
    ...(spec.kind !== 'zones' && spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}),
    ...(spec.kind !== 'zones' && spec.attempts !== undefined ? { attempts: spec.attempts } : {}),
    ...pacing,
  };
  switch (spec.kind) {
    case 'dns': {
      // DO bit (RFC 3225): a validating resolver then sets AD, which the TLSA checks need.
      const resolver = createLiveResolver({ ...(spec.servers ? { servers: spec.servers } : {}), dnssecOk: true, ...timing });
      const servers = await resolver.servers();
      return {
        kind: 'dns',
        resolver,
        description: `DNS via ${servers.map(formatServer).join(', ')}`,
        exactTtl: false,
        notes: [],
        runNotes: () => resolver.nonRecursiveServers().map((s) => nonRecursiveNote(formatServer(s))),
      };
    }
    case 'authoritative': {
      const finder = createDnsClient({ ...(spec.servers ? { servers: spec.servers } : {}), ...timing });
      const cache = new DnsCache();
      const port = spec.port;
      const resolver = createAuthoritativeResolver({
        finder,
        // One cache for every zone's client: the run asks each name once.
        clientFor: (servers) =>
          createDnsClient({ servers: port === undefined ? servers : servers.map((s) => ({ ...s, port })), recursionDesired: false, cache, ...timing }),
      });
      const via = (await finder.servers()).map(formatServer).join(', ');
      return { kind: 'authoritative', resolver, description: `the zones' own name servers (found via ${via})`, exactTtl: true, notes: [], runNotes: () => [] };
    }
    case 'zones': {
      const repo = await loadZoneRepo(spec.dir, { ...(spec.root ? { root: spec.root } : {}), ...(spec.origins ? { origins: spec.origins } : {}), ...(spec.files ? { files: spec.files } : {}) });
      const names = repo.zones.map((z) => z.apex).join(', ');
      return {
        kind: 'zones',
        resolver: createZoneRepoResolver(repo.zones),
        description: `zone files in ${spec.label ?? spec.dir} (${repo.zones.length} zone${repo.zones.length === 1 ? '' : 's'}: ${names})`,
        exactTtl: true,
        zones: repo.zones,
        skipped: repo.skipped,
        notes: repo.notes,
        runNotes: () => [],
      };
    }
  }
}
