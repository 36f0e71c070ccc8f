// Policy -> the DKIM signer configurations apply writes (signers: in the policy): rspamd's
// dkim_signing.conf and OpenDKIM's KeyTable and SigningTable, each naming the active
// selector(s) of every domain and the private key file the signer reads. Pure.

import { renderOwnedFile } from '../base/owned-file.js';
import { privateKeyFileName } from '../mail/dkim/key-material.js';
import {
  renderOpenDkimKeyTable,
  renderOpenDkimSigningTable,
  renderRspamdDkimSigning,
  unsafeSignerPathChar,
  type SigningKey,
} from '../mail/dkim/signer-config.js';
import type { Policy } from '../policy/model.js';
import { compileDkimPublicKey } from '../mail/dkim/record.js';
import { makeNotice, type GeneratedFile, type Notice } from './notice.js';

const TITLE = 'from the policy: the active DKIM selector of each domain. Do not edit: mailrec apply refuses to overwrite a changed file.';

export interface SignerBuild {
  files: GeneratedFile[];
  notices: Notice[];
}

/** The keys every domain signs with: its active selectors, each with the private key file under `keyDir`. */
export function activeSigningKeys(policy: Policy, keyDir: string): SigningKey[] {
  return policy.domains.flatMap((domain) =>
    domain.dkim
      .filter((key) => key.state === 'active')
      .map((key) => ({ domain: domain.name, selector: key.selector.toLowerCase(), path: `${keyDir}/${privateKeyFileName(domain.name, key.selector.toLowerCase())}` })),
  );
}

/**
 * The signer files of the policy. `repoKeyDir` is the absolute path of the repo's private key
 * directory: the default key_dir, right when mailrec runs on the signing host.
 */
export function buildSignerFiles(policy: Policy, repoKeyDir: string): SignerBuild {
  const files: GeneratedFile[] = [];
  const notices: Notice[] = [];
  const keysFor = (keyDir: string | undefined, position: Notice['position']): SigningKey[] | undefined => {
    const dir = keyDir ?? repoKeyDir;
    const bad = unsafeSignerPathChar(dir);
    if (bad !== undefined) {
      notices.push(
        makeNotice('dkim.signer-unsafe-path', '', `the key directory ${JSON.stringify(dir)} holds ${JSON.stringify(bad)}, which a signer config reads as syntax`, position),
      );
      return undefined;
    }
    return activeSigningKeys(policy, dir);
  };
  const rspamd = policy.signers.rspamd;
  if (rspamd) {
    const keys = keysFor(rspamd.keyDir, rspamd.position);
    if (keys) files.push({ path: rspamd.config, content: renderOwnedFile('#', TITLE, renderRspamdDkimSigning(keys)) });
  }
  const opendkim = policy.signers.opendkim;
  if (opendkim) {
    const keys = keysFor(opendkim.keyDir, opendkim.position);
    if (keys) {
      files.push({ path: opendkim.keyTable, content: renderOwnedFile('#', TITLE, renderOpenDkimKeyTable(keys)) });
      files.push({ path: opendkim.signingTable, content: renderOwnedFile('#', TITLE, renderOpenDkimSigningTable(keys)) });
      for (const domain of policy.domains) {
        for (const key of domain.dkim) {
          if (key.state !== 'active') continue;
          const pub = compileDkimPublicKey(key.keyPem);
          // OpenDKIM 2.10 signs RSA only; 2.11's Ed25519 support is not what most distributions ship.
          if (pub.ok && pub.k === 'ed25519')
            notices.push(
              makeNotice('dkim.signer-opendkim-ed25519', `${key.selector}._domainkey.${domain.name}`, `OpenDKIM may not sign with the Ed25519 key ${key.selector} of ${domain.name}: sign with rspamd, or add an RSA key beside it`, key.position),
            );
        }
      }
    }
  }
  return { files, notices };
}
