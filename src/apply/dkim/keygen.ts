// mailrec dkim keygen: a new DKIM key pair for a domain, its private key into the git-ignored
// private key directory (0600, or 0640 for the signer's group), its public key beside the
// policy's other keys, and the selector added to the policy with state `published`.

import path from 'node:path';
import { MailrecError, UsageError } from '../../base/errors.js';
import { compileDkimPublicKey } from '../../mail/dkim/record.js';
import { generateDkimKey, privateKeyFileName, publicKeyFileName, type DkimKeyType } from '../../mail/dkim/key-material.js';
import { formatInstant } from '../../mail/dkim/rotation.js';
import { nextSelector } from '../../mail/dkim/selector-scheme.js';
import type { DomainPolicy, Policy } from '../../policy/model.js';
import { checkSelector } from '../../policy/values.js';
import { refuseGitVisible } from './git-guard.js';
import { createPrivateKeyFile, createPublicFile, listDir, preparePrivateDir, removeRepoFile, repoPath, resolveGroup } from './key-files.js';
import { preparePolicyEdit } from './policy-file.js';

export interface KeygenRequest {
  root: string;
  policy: Policy;
  domain: string;
  selector?: string;
  type?: DkimKeyType;
  now: Date;
}

export interface KeygenResult {
  domain: string;
  selector: string;
  type: DkimKeyType;
  /** Paths relative to the repo root. */
  privateKey: string;
  publicKey: string;
  policyFile: string;
  /** The private key file's mode: 0o600, or 0o640 with dkim_keys.group. */
  mode: number;
  group?: string;
}

export function findDomain(policy: Policy, name: string): DomainPolicy {
  const domain = policy.domains.find((d) => d.name === name.toLowerCase().replace(/\.$/, ''));
  if (!domain) throw new UsageError(`${name} is not a domain of the policy`, 'declare it under domains: first');
  return domain;
}

/** Where the public key goes: beside the domain's other keys, else the policy's, else keys/. */
function publicDir(policy: Policy, domain: DomainPolicy): string {
  const beside = [...domain.dkim].reverse().find((k) => k.keyPath !== '')?.keyPath ?? policy.domains.flatMap((d) => d.dkim).find((k) => k.keyPath !== '')?.keyPath;
  return beside === undefined ? 'keys' : path.posix.dirname(beside);
}

/**
 * Selectors this domain has used: every policy entry (removed ones too) and every key file
 * named "<domain>.<selector>.key|pub" in the private and public key directories.
 */
async function usedSelectors(root: string, policy: Policy, domain: DomainPolicy, publicKeys: string): Promise<Set<string>> {
  const used = new Set(domain.dkim.map((k) => k.selector.toLowerCase()));
  const prefix = `${domain.name}.`;
  for (const dir of [policy.dkimKeys.dir, publicKeys]) {
    for (const name of await listDir(root, dir)) {
      const m = /^(.+)\.(key|pub)$/.exec(name);
      if (m && m[1]!.startsWith(prefix)) used.add(m[1]!.slice(prefix.length).toLowerCase());
    }
  }
  return used;
}

export async function runKeygen(request: KeygenRequest): Promise<KeygenResult> {
  const { root, policy, now } = request;
  const domain = findDomain(policy, request.domain);
  if (domain.noMail) throw new UsageError(`${domain.name} has mail: none: it signs no mail`, 'remove mail: none first');
  const settings = policy.dkimKeys;
  const type = request.type ?? settings.type;
  const publicKeys = publicDir(policy, domain);
  const used = await usedSelectors(root, policy, domain, publicKeys);
  let selector: string;
  if (request.selector !== undefined) {
    const checked = checkSelector(request.selector);
    if (!checked.ok) throw new UsageError(`--selector: ${checked.message}`, checked.hint);
    selector = checked.value.toLowerCase();
    if (used.has(selector)) {
      throw new UsageError(`selector ${selector} was already used for ${domain.name}; a selector is never used twice`, 'leave --selector out: mailrec picks the next unused one (<yyyy><mm><letter>)');
    }
  } else {
    const next = nextSelector(now, used);
    if (next === undefined) throw new MailrecError(`every selector of this month is used for ${domain.name}`, 'name one with --selector');
    selector = next;
  }
  const privateRel = `${settings.dir}/${privateKeyFileName(domain.name, selector)}`;
  const publicRel = `${publicKeys}/${publicKeyFileName(domain.name, selector)}`;
  // Every refusal comes before anything is written.
  await refuseGitVisible(root, privateRel, 'a private key');
  const gid = settings.group === undefined ? undefined : await resolveGroup(settings.group);
  const key = generateDkimKey(type);
  const check = compileDkimPublicKey(key.publicPem);
  if (!check.ok) throw new Error(`internal: the generated ${type} key does not compile: ${check.reason}`);
  const edit = await preparePolicyEdit(root, policy, domain, [
    {
      kind: 'add',
      domain: domain.name,
      fields: [
        ['selector', selector],
        ['key', publicRel],
        ['state', 'published'],
        ['created', formatInstant(now.getTime())],
      ],
    },
  ]);
  const dir = await preparePrivateDir(root, settings.dir, gid);
  const privateFile = path.join(dir, privateKeyFileName(domain.name, selector));
  const publicFile = await repoPath(root, publicRel);
  const mode = await createPrivateKeyFile(privateFile, key.privateText, gid);
  let publicCreated = false;
  try {
    await createPublicFile(publicFile, key.publicPem);
    publicCreated = true;
    await edit.commit();
  } catch (error) {
    // A half-made key goes again: no policy names it, nothing ever signed with it.
    if (publicCreated) await removeRepoFile(root, publicRel).catch(() => false);
    await removeRepoFile(root, privateRel).catch(() => false);
    throw error;
  }
  return {
    domain: domain.name,
    selector,
    type,
    privateKey: privateRel,
    publicKey: publicRel,
    policyFile: edit.file,
    mode,
    ...(settings.group !== undefined ? { group: settings.group } : {}),
  };
}
