// mailrec dkim rotate: one safe step of a domain's DKIM key rotation per run (rotation.ts
// decides which). Before an activation it asks every authoritative server of the zone
// directly whether it serves the new key; the step itself is a policy edit (and for the first
// step a new key pair), which the next plan / apply publishes and puts in the signer configs.

import { DnsError, MailrecError } from '../../base/errors.js';
import { compileDkimText } from '../../build/dkim.js';
import { compileDkimPublicKey } from '../../mail/dkim/record.js';
import { createDnsClient } from '../../dns/client.js';
import { findAuthoritativeServers } from '../../dns/authoritative.js';
import type { Resolver } from '../../dns/resolver.js';
import { parseServer, type ServerAddress } from '../../dns/servers.js';
import { checkServed, type ServerView } from '../../dns/serving.js';
import { privateKeyFileName, publicKeyFileName, publicPemOfPrivateKey } from '../../mail/dkim/key-material.js';
import {
  changesFor,
  decideRotation,
  formatInstant,
  nextKeyOf,
  RotationConflict,
  type RotationDecision,
  type Serving,
} from '../../mail/dkim/rotation.js';
import { selectorMonth } from '../../mail/dkim/selector-scheme.js';
import type { PolicyDkimEdit } from '../../policy/edit-dkim.js';
import type { DkimKey, DomainPolicy, Policy } from '../../policy/model.js';
import { DKIM_TIME_KEYS } from '../../policy/vocabulary.js';
import { findDomain, runKeygen, type KeygenResult } from './keygen.js';
import { readSmallFile, removeRepoFile } from './key-files.js';
import { readSignerViews } from './repo-signing.js';
import { preparePolicyEdit } from './policy-file.js';

export interface RotateRequest {
  root: string;
  policy: Policy;
  domain: string;
  now: Date;
  force: boolean;
  /** Decide and say, write nothing. */
  dryRun: boolean;
  /** Finds the zone's NS RRset and the servers' addresses when the policy lists no nameservers. */
  finder: Resolver;
  /** Port of the servers found through NS (tests); default 53. */
  authoritativePort?: number;
  timeoutMs?: number;
}

export interface RotateResult extends RotationDecision {
  domain: string;
  /** What each authoritative server serves for the next key, when one waits. */
  servers?: ServerView[];
  /** Repo files written or removed (relative paths); none with dryRun. */
  written: string[];
  removed: string[];
  keygen?: KeygenResult;
  dryRun: boolean;
}

async function zoneServers(request: RotateRequest, domain: DomainPolicy): Promise<ServerAddress[]> {
  const zone = request.policy.zones.find((z) => z.apex === domain.zone);
  if (zone?.nameservers) return zone.nameservers.map((s) => parseServer(s, 53, `zones.${zone.apex}.nameservers`));
  const found = await findAuthoritativeServers(domain.zone, request.finder);
  return request.authoritativePort === undefined ? found : found.map((s) => ({ ...s, port: request.authoritativePort! }));
}

/** What the authoritative servers serve at the next key's name, compared with the policy's record. */
async function observe(request: RotateRequest, domain: DomainPolicy, key: DkimKey): Promise<{ serving: Serving; views: ServerView[] }> {
  const owner = `${key.selector.toLowerCase()}._domainkey.${domain.name}`;
  const compiled = compileDkimText(key, owner);
  if (compiled.text === undefined) throw new MailrecError(`the policy's key ${key.keyPath} for ${owner} does not compile: ${compiled.notices.map((n) => n.message).join('; ')}`, 'run mailrec plan');
  const servers = await zoneServers(request, domain);
  const client = createDnsClient({ servers, recursionDesired: false, cache: false, attempts: 2, timeoutMs: request.timeoutMs ?? 2000 });
  const views = await checkServed(client, servers, domain.zone, owner, compiled.text);
  const lagging = views.filter((v) => !v.serves).map((v) => `${v.server}: ${v.problem ?? 'not served'}`);
  const holds = views.flatMap((v) => [v.ttl ?? 0, v.negativeTtl ?? 0]);
  return { serving: { everywhere: lagging.length === 0 && views.length > 0, servers: views.length, holdSeconds: Math.max(0, ...holds), lagging }, views };
}

/**
 * A key is activated only when the signers can sign with it: its private key in the repo's
 * key directory matches the published public key. Keys kept elsewhere (every signer has its
 * own key_dir) cannot be checked here.
 */
async function checkSigningKey(request: RotateRequest, domain: DomainPolicy, key: DkimKey): Promise<void> {
  const { policy, root } = request;
  const rel = `${policy.dkimKeys.dir}/${privateKeyFileName(domain.name, key.selector.toLowerCase())}`;
  const text = await readSmallFile(root, rel);
  const signers = [policy.signers.rspamd, policy.signers.opendkim].filter((s) => s !== undefined);
  if (text === undefined) {
    if (signers.length > 0 && signers.every((s) => s.keyDir !== undefined)) return;
    throw new MailrecError(`cannot activate ${key.selector}: its private key ${rel} is missing, so no signer could sign with it; nothing was changed`, 'restore the key, or retire the selector and publish a new key');
  }
  const pem = publicPemOfPrivateKey(text);
  const mine = pem === undefined ? undefined : compileDkimPublicKey(pem);
  const published = compileDkimPublicKey(key.keyPem);
  if (!mine?.ok || !published.ok || mine.p !== published.p) {
    throw new MailrecError(`cannot activate ${key.selector}: the private key ${rel} does not match the public key ${key.keyPath}; nothing was changed`, 'mailrec audit reports it as dkim.key-mismatch');
  }
}

function policyEdits(domain: string, decision: RotationDecision, keys: readonly DkimKey[], now: number): PolicyDkimEdit[] {
  if (!decision.step) return [];
  return changesFor(decision.step, keys, now).map((change) => ({
    kind: 'update',
    domain,
    selector: change.selector,
    set: [
      ...(change.state ? ([['state', change.state]] as [string, string][]) : []),
      ...Object.entries(change.set).map(([field, ms]): [string, string] => [DKIM_TIME_KEYS[field as keyof typeof DKIM_TIME_KEYS], formatInstant(ms)]),
    ],
    unset: [...change.unset.map((field) => DKIM_TIME_KEYS[field]), ...(change.dropKey ? ['key'] : [])],
  }));
}

export async function runRotate(request: RotateRequest): Promise<RotateResult> {
  const { policy, root } = request;
  const now = request.now.getTime();
  const domain = findDomain(policy, request.domain);
  const keys = domain.dkim;
  let decision: RotationDecision;
  let views: ServerView[] | undefined;
  try {
    const nextSelector = nextKeyOf(keys)?.selector;
    const next = keys.find((k) => k.selector === nextSelector);
    let serving: Serving | undefined;
    if (next) {
      try {
        ({ serving, views } = await observe(request, domain, next));
      } catch (error) {
        // Unknown is never a pass: without an answer the key is not served.
        if (!(error instanceof DnsError)) throw error;
        serving = { everywhere: false, servers: 0, holdSeconds: 0, lagging: [error.message] };
      }
    }
    // What the signer configs on disk sign this domain with: a key they still use is not retired.
    const signing = new Set((await readSignerViews(root, policy)).flatMap((view) => view.selectors?.get(domain.name) ?? []));
    decision = decideRotation({ keys, settings: policy.dkimKeys, now, ttl: domain.ttl, force: request.force, selectorMonth, signing, ...(serving ? { serving } : {}) });
  } catch (error) {
    if (error instanceof RotationConflict) throw new MailrecError(`${domain.name}: ${error.message}`, 'edit the dkim: list of the policy by hand');
    throw error;
  }
  const result: RotateResult = { ...decision, domain: domain.name, written: [], removed: [], dryRun: request.dryRun, ...(views ? { servers: views } : {}) };
  const step = decision.step;
  if (!step || request.dryRun) return result;

  if (step.kind === 'publish') {
    const made = await runKeygen({ root, policy, domain: domain.name, now: request.now });
    return { ...result, keygen: made, written: [made.privateKey, made.publicKey, made.policyFile] };
  }
  if (step.kind === 'activate') {
    const key = keys.find((k) => k.selector === step.selector)!;
    await checkSigningKey(request, domain, key);
  }
  const edit = await preparePolicyEdit(root, policy, domain, policyEdits(domain.name, decision, keys, now));
  await edit.commit();
  result.written.push(edit.file);
  if (step.kind === 'remove') {
    // The removed key's files: the private key always, the public key where keygen put it.
    const key = keys.find((k) => k.selector === step.selector)!;
    const selector = key.selector.toLowerCase();
    const candidates = [`${policy.dkimKeys.dir}/${privateKeyFileName(domain.name, selector)}`];
    if (key.keyPath !== '' && key.keyPath.endsWith(`/${publicKeyFileName(domain.name, selector)}`)) candidates.push(key.keyPath);
    for (const rel of candidates) if (await removeRepoFile(root, rel)) result.removed.push(rel);
  }
  return result;
}
