// What the zone repo says about DKIM signing, for rotate and the audit: the signer configs
// apply wrote (signers:) and the public part of each private key in the key directory.
// Private key material is read only to derive its public key and is never kept.

import { MailrecError } from '../../base/errors.js';
import { compileDkimPublicKey } from '../../mail/dkim/record.js';
import { publicPemOfPrivateKey, privateKeyFileName } from '../../mail/dkim/key-material.js';
import { parseOpenDkimTables, parseRspamdDkimSigning, type SignerView } from '../../mail/dkim/signer-config.js';
import type { DomainPolicy, Policy } from '../../policy/model.js';
import { readConfigFile, readSmallFile } from './key-files.js';

async function readConfig(root: string, rel: string): Promise<{ text?: string; problem?: string }> {
  try {
    const text = await readConfigFile(root, rel);
    return text === undefined ? { problem: 'not written yet (run mailrec apply)' } : { text };
  } catch (error) {
    if (error instanceof MailrecError) return { problem: error.message };
    throw error;
  }
}

export async function readSignerViews(root: string, policy: Policy): Promise<SignerView[]> {
  const views: SignerView[] = [];
  const { rspamd, opendkim } = policy.signers;
  if (rspamd) {
    const read = await readConfig(root, rspamd.config);
    const selectors = read.text === undefined ? undefined : parseRspamdDkimSigning(read.text);
    views.push({
      signer: 'rspamd',
      files: [rspamd.config],
      ...(selectors ? { selectors } : { problem: read.problem ?? "no domain map in mailrec's format" }),
    });
  }
  if (opendkim) {
    const keys = await readConfig(root, opendkim.keyTable);
    const signing = await readConfig(root, opendkim.signingTable);
    const files = [opendkim.keyTable, opendkim.signingTable];
    if (keys.text === undefined || signing.text === undefined) views.push({ signer: 'opendkim', files, problem: keys.problem ?? signing.problem ?? 'not readable' });
    else views.push({ signer: 'opendkim', files, selectors: parseOpenDkimTables(keys.text, signing.text) });
  }
  return views;
}

/** The repo's private keys of the domain's active and published selectors: file and public p=. */
export async function readPrivateKeys(root: string, policy: Policy, domain: DomainPolicy): Promise<Map<string, { file: string; p?: string }>> {
  const out = new Map<string, { file: string; p?: string }>();
  for (const key of domain.dkim) {
    if (key.state !== 'active' && key.state !== 'published') continue;
    const file = `${policy.dkimKeys.dir}/${privateKeyFileName(domain.name, key.selector.toLowerCase())}`;
    let text: string | undefined;
    try {
      text = await readSmallFile(root, file);
    } catch (error) {
      if (!(error instanceof MailrecError) && (error as NodeJS.ErrnoException).code !== 'EACCES') throw error;
      continue;
    }
    if (text === undefined) continue;
    const pem = publicPemOfPrivateKey(text);
    const pub = pem === undefined ? undefined : compileDkimPublicKey(pem);
    out.set(key.selector, pub?.ok ? { file, p: pub.p } : { file });
  }
  return out;
}
