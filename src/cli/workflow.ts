// The shell around the pure core for plan and apply: load the policy, build the
// desired records, read the current state (fragments on disk, or the primary of
// an update-managed zone), assemble the plan.

import path from 'node:path';
import { createDnsClient, type DnsClient } from '../dns/client.js';
import { formatServer, parseServer, type ServerAddress } from '../dns/servers.js';
import { loadTsigKey, parseTsigKeyText } from '../dns/tsig-key.js';
import { sendUpdate } from '../dns/update.js';
import { applyPlanByUpdate, type ZoneTarget } from '../apply/rfc2136.js';
import { loadPolicy } from '../policy/load.js';
import type { Policy, Rfc2136Target } from '../policy/model.js';
import { buildZoneRecords, buildZoneRecordsByZone, resolveZoneRecords, TXT_TOO_LARGE, zoneApexes, type DesiredZone } from '../build/zone-records.js';
import { describeRotations } from '../build/dkim-rotation.js';
import { activeSigningKeys, buildSignerFiles } from '../build/signers.js';
import { makeNotice, type Notice } from '../build/notice.js';
import { hasRepoFile } from '../apply/dkim/key-files.js';
import { checkOwnedFile } from '../base/owned-file.js';
import { claimsFor, followChainClaims, type Claim } from '../plan/claims.js';
import { longestZone, type RR } from '../dns-types/rr.js';
import type { Resolver } from '../dns/resolver.js';
import { readLiveState } from '../plan/live-state.js';
import { assemblePlan, diffFiles, type FileChange, type Plan, type ZoneState } from '../plan/plan.js';
import { readFragmentState, readFragmentStateNow, readGeneratedFiles } from '../plan/fragment-state.js';
import { addressesIn, apexesOf, ownHostsByAddress, spfInputsFrom } from '../plan/spf-inputs.js';
import type { HostAddresses, SpfInputs } from '../build/spf.js';
import type { Context } from './context.js';
import { styleFor } from './io.js';
import { defaultPlanJobs, ZonePlanPool } from './plan-parallel.js';
import { planZoneText, type ZoneJob, type ZoneText } from './plan-zone-job.js';

export interface PlanRun {
  policy: Policy;
  plan: Plan;
}

export interface PlanOptions {
  /** Count SPF lookups exactly by resolving includes (--resolve). */
  resolve?: boolean;
  /** Servers for --resolve (from --resolver); default /etc/resolv.conf. */
  resolvers?: ServerAddress[];
  /** An already loaded policy (apply loads it once for the plan and the keys). */
  policy?: Policy;
  /** Read file-managed zones from DNS too (plan --live): through `resolvers`, or /etc/resolv.conf. */
  live?: boolean;
  /** --allow-large-txt: a TXT RRset over a UDP answer is a warning, not an error. */
  allowLargeTxt?: boolean;
  /** The clock for the DKIM rotation notes; default ctx.now(). */
  now?: Date;
}

/** The rfc2136 target that manages each zone (a target without `zones` manages all). */
export function targetsByZone(policy: Policy): Map<string, Rfc2136Target> {
  const byZone = new Map<string, Rfc2136Target>();
  for (const target of policy.targets)
    for (const zone of target.zones ?? policy.zones.map((z) => z.apex)) byZone.set(zone, target);
  return byZone;
}

/** A client that asks the primary itself: no recursion, no cache, no CNAME chasing beyond the answer. */
function primaryClient(server: string): { client: DnsClient; address: ServerAddress } {
  const address = parseServer(server, 53, 'targets.server');
  return { client: createDnsClient({ servers: [address], recursionDesired: false, cache: false, attempts: 1 }), address };
}

export async function computePlan(ctx: Context, options: PlanOptions = {}): Promise<PlanRun> {
  const policy = options.policy ?? (await loadPolicy(ctx.policyPaths, { root: ctx.root, files: ctx.files }));
  const targets = targetsByZone(policy);
  // File-managed zones are read first: the SPF builder takes own host addresses and flattened ranges from them.
  const { fragments, inputs } = await readSpfInputs(ctx, policy, { live: options.live === true });
  const built = options.resolve
    ? await resolveZoneRecords(policy, createDnsClient(options.resolvers ? { servers: options.resolvers } : {}), inputs)
    : buildZoneRecords(policy, inputs);
  const desired = options.allowLargeTxt ? built.map(allowLargeTxt) : built;
  const claimed = new Map<string, ReadonlySet<string>>();
  const desiredByZone = new Map(desired.map((d) => [d.zone, d]));
  const current: ZoneState[] = await Promise.all(
    policy.zones.map(async (zone) => {
      const target = targets.get(zone.apex);
      const read = fragments.get(zone.apex);
      if (read) return read;
      const records = desiredByZone.get(zone.apex)?.records ?? [];
      let client: Resolver;
      let via: string;
      if (target) {
        const primary = primaryClient(target.server);
        client = primary.client;
        via = formatServer(primary.address);
      } else {
        // plan --live on a file-managed zone: what DNS publishes now, through the resolver.
        const resolver = createDnsClient(options.resolvers ? { servers: options.resolvers } : {});
        client = resolver;
        via = (await resolver.servers()).map(formatServer).join(', ');
      }
      // A chain of SPF links left from a flattened include is claimed as found, so it is deleted.
      const follow = (claims: Claim[], found: RR[], observe: (more: Claim[]) => Promise<readonly RR[]>) => followChainClaims(policy, zone.apex, claims, found, observe);
      const live = await readLiveState(zone.apex, records, claimsFor(policy, zone.apex), client, via, follow);
      claimed.set(zone.apex, new Set(live.claims.map((c) => c.key)));
      return live.state;
    }),
  );
  const currentFiles = readGeneratedFiles(ctx.files, desired.flatMap((zone) => zone.files));
  const whole = wholePolicyParts(ctx, policy, options);
  for (const [file, text] of whole.currentFiles) currentFiles.set(file, text);
  return { policy, plan: assemblePlan({ desired, current, currentFiles, claimed, files: whole.files, notices: whole.notices, fileStates: whole.fileStates }) };
}

/** The files and notices of the whole policy, after the zones': the signer configs (with their current texts and states), missing keys, rotations. */
function wholePolicyParts(ctx: Context, policy: Policy, options: Pick<PlanOptions, 'now'>) {
  // The signer configs name the repo's private key directory by its absolute path unless the policy gives key_dir.
  const signers = buildSignerFiles(policy, path.resolve(ctx.root, policy.dkimKeys.dir));
  const currentFiles = readGeneratedFiles(ctx.files, signers.files);
  // Signer configs are owned like fragments: a hand edit is not overwritten without --force.
  const fileStates = new Map<string, 'edited' | 'foreign'>();
  for (const file of signers.files) {
    const text = currentFiles.get(file.path);
    const state = text === undefined ? 'intact' : checkOwnedFile('#', text);
    if (state !== 'intact') fileStates.set(file.path, state);
  }
  const notices = [...signers.notices, ...missingSigningKeys(ctx.root, policy), ...describeRotations(policy, (options.now ?? ctx.now()).getTime())];
  return { files: signers.files, currentFiles, fileStates, notices };
}

/** A plan's files and notices once its zones were streamed (streamPlan). */
export interface PlanTail {
  files: FileChange[];
  notices: Notice[];
}

/** True when streamPlan can plan the policy: every zone file-managed, and neither --resolve nor --live. */
export function canStreamPlan(policy: Policy, options: Pick<PlanOptions, 'resolve' | 'live'>): boolean {
  return !options.resolve && !options.live && targetsByZone(policy).size === 0;
}

/** What streamPlan takes besides PlanOptions: threads, and colour for the zones' text. */
export interface StreamOptions extends Pick<PlanOptions, 'allowLargeTxt' | 'now'> {
  /** Threads that read, diff and render the zones (plan --jobs); default defaultPlanJobs. */
  jobs?: number;
  colour?: boolean;
}

/**
 * computePlan a zone at a time, for a plan that is rendered and not kept (plan's text at
 * 100,000 zones, docs/performance.md): each zone's desired records are checked, its fragment
 * and zone file read, diffed and rendered, handed to `onZone`, then dropped; with more than
 * one job the reading, diffing and rendering run in worker threads (plan-parallel.ts). The
 * zones come in computePlan's order; a zone is read when the SPF builder asks for it (own
 * hosts, flattened ranges) or at its turn, once. Only for canStreamPlan policies.
 */
export async function streamPlan(ctx: Context, policy: Policy, options: StreamOptions, onZone: (zone: ZoneText) => void): Promise<PlanTail> {
  const configs = new Map(policy.zones.map((zone) => [zone.apex, zone]));
  const read = new Map<string, ZoneState>();
  const stateOf = (apex: string): ZoneState | undefined => {
    const config = configs.get(apex);
    if (!config) return undefined;
    let state = read.get(apex);
    if (!state) read.set(apex, (state = readFragmentStateNow(ctx.files, config)));
    return state;
  };
  const files: FileChange[] = [];
  const notices: Notice[] = [];
  const take = (zone: ZoneText): void => {
    for (const n of zone.notices) notices.push(n);
    for (const f of zone.files) files.push(f);
    onZone(zone);
  };
  const colour = options.colour ?? false;
  const apexes = zoneApexes(policy);
  const jobs = options.jobs ?? defaultPlanJobs(apexes.length);
  const pool = jobs > 1 ? new ZonePlanPool(jobs, { ...ctx.files.settings(), colour }, take) : undefined;
  const style = styleFor(colour);
  try {
    // The workers read the zones' files while this thread builds the records.
    pool?.readAhead(apexes.flatMap((apex) => configs.get(apex) ?? []));
    const zones = buildZoneRecordsByZone(policy, spfInputsFrom(policy, { get: stateOf }));
    for (const apex of zones.apexes) {
      const built = zones.finish(apex);
      const config = configs.get(apex);
      if (!config) throw new Error(`no current state for zone ${apex}`);
      const have = read.get(apex);
      read.delete(apex);
      const job: ZoneJob = { want: options.allowLargeTxt ? allowLargeTxt(built) : built, config, ...(have ? { have } : {}) };
      if (pool) await pool.add(job);
      else take(planZoneText(ctx.files, job, style));
    }
    await pool?.close();
  } finally {
    await pool?.stop();
  }
  const whole = wholePolicyParts(ctx, policy, options);
  files.push(...diffFiles(whole.files, whole.currentFiles, whole.fileStates));
  notices.push(...whole.notices);
  return { files, notices };
}

/** --allow-large-txt: a TXT RRset over a UDP answer is a warning, not an error. */
function allowLargeTxt(zone: DesiredZone): DesiredZone {
  return { ...zone, notices: zone.notices.map((n) => (n.code === TXT_TOO_LARGE ? { ...n, severity: 'warning' as const } : n)) };
}

/**
 * The SPF builder's inputs from the zone repo (plan, and the audit's drift): the fragments
 * of file-managed zones (their records, zone files and flattened ranges), and the own
 * hosts' addresses asked of the primaries of RFC 2136 zones. `live`: plan --live reads no fragment.
 */
export async function readSpfInputs(ctx: Context, policy: Policy, options: { live?: boolean } = {}): Promise<{ fragments: Map<string, ZoneState>; inputs: SpfInputs }> {
  const targets = targetsByZone(policy);
  const fragments = new Map<string, ZoneState>();
  for (const zone of policy.zones) if (!targets.get(zone.apex) && !options.live) fragments.set(zone.apex, await readFragmentState(ctx.files, zone));
  return { fragments, inputs: spfInputsFrom(policy, stateByZone(policy, fragments), await askPrimaries(policy, targets)) };
}

/** Every zone's state for the SPF inputs: the fragments read, and a live placeholder for the others (no fragment keeps their ranges). */
function stateByZone(policy: Policy, fragments: ReadonlyMap<string, ZoneState>): Map<string, ZoneState> {
  const out = new Map<string, ZoneState>();
  for (const zone of policy.zones) out.set(zone.apex, fragments.get(zone.apex) ?? { zone: zone.apex, source: 'live', status: 'live', digest: 'absent', records: [] });
  return out;
}

/** own_hosts: addresses for hosts in RFC 2136 zones: their A/AAAA asked of the zone's primary, in the same plan. */
async function askPrimaries(policy: Policy, targets: ReadonlyMap<string, Rfc2136Target>): Promise<Map<string, HostAddresses>> {
  const out = new Map<string, HostAddresses>();
  const apexes = apexesOf(policy);
  for (const host of ownHostsByAddress(policy)) {
    const zone = longestZone(host, apexes);
    const target = zone === undefined ? undefined : targets.get(zone);
    if (!target) continue;
    const { client, address } = primaryClient(target.server);
    const answers = await Promise.all([client.resolve(host, 'A'), client.resolve(host, 'AAAA')]);
    const failed = answers.find((a) => a.status === 'error');
    if (failed?.status === 'error') out.set(host, { ok: false, reason: `the primary ${formatServer(address)} did not answer for ${host}: ${failed.reason}` });
    else out.set(host, addressesIn(host, answers.flatMap((a) => (a.status === 'ok' ? a.records : [])), `the primary ${formatServer(address)}`));
  }
  return out;
}

/** A signer reading the repo's key directory would not sign with an active key whose private key is not there. */
function missingSigningKeys(root: string, policy: Policy): Notice[] {
  const signers = [policy.signers.rspamd, policy.signers.opendkim].filter((s) => s !== undefined);
  if (!signers.some((s) => s.keyDir === undefined)) return [];
  const domains = new Map(policy.domains.map((d) => [d.name, d]));
  return activeSigningKeys(policy, policy.dkimKeys.dir)
    .filter((key) => !hasRepoFile(root, key.path))
    .map((key) =>
      makeNotice(
        'dkim.signer-key-missing',
        `${key.selector}._domainkey.${key.domain}`,
        `the signers would sign ${key.domain} with ${key.selector}, but its private key ${key.path} is not in the repo: the signer signs nothing for it`,
        domains.get(key.domain)?.dkim.find((k) => k.selector.toLowerCase() === key.selector)?.position,
      ),
    );
}

/** Sends the plan's live zones to their primaries, TSIG-signed with keys read from files or the environment. */
export async function applyLiveZones(ctx: Context, policy: Policy, plan: Plan): Promise<string[]> {
  const targets = new Map<string, ZoneTarget>();
  for (const [zone, target] of targetsByZone(policy)) {
    const spec = target.key;
    // A secret file is a repo path like any other: read through the repo's checks, never quoted.
    const key = !spec
      ? undefined
      : spec.secretFile !== undefined
        ? parseTsigKeyText(ctx.files.read(spec.secretFile, 'tsig-secret'), { name: spec.name, algorithm: spec.algorithm }, `TSIG key file ${spec.secretFile}`)
        : await loadTsigKey({ name: spec.name, algorithm: spec.algorithm, ...(spec.secretEnv !== undefined ? { env: spec.secretEnv } : {}) }, ctx.io.env);
    targets.set(zone, { request: { server: parseServer(target.server, 53, 'targets.server'), ...(key ? { key } : {}) } });
  }
  return (await applyPlanByUpdate(plan, targets, sendUpdate)).updated;
}
