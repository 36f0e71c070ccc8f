// Changes a domain's DKIM entries in the policy file that declares it: edited in place (see
// policy/edit-dkim.ts), validated together with the other policy files before anything is
// written, then replaced atomically.

import { MailrecError, PolicyError } from '../../base/errors.js';
import { editPolicyDkim, type PolicyDkimEdit } from '../../policy/edit-dkim.js';
import type { DomainPolicy, Policy } from '../../policy/model.js';
import { validatePolicy } from '../../policy/validate.js';
import { readConfigFile, repoPath, replaceFile } from './key-files.js';

export interface PolicyFileEdit {
  /** The policy file, relative to the repo root. */
  file: string;
  text: string;
  /** Write it (atomically, keeping its mode). */
  commit(): Promise<void>;
}

/** The edited text of the file that declares `domain`, checked to still validate with the other files. */
export async function preparePolicyEdit(root: string, policy: Policy, domain: DomainPolicy, edits: readonly PolicyDkimEdit[]): Promise<PolicyFileEdit> {
  const file = domain.position.file;
  const sources: { file: string; text: string }[] = [];
  for (const name of policy.files) {
    let text: string | undefined;
    try {
      text = await readConfigFile(root, name);
    } catch (error) {
      if (name !== file) throw error;
      throw new MailrecError(`mailrec edits only policy files inside the repo, not ${file}`, 'move the policy into the repo (policies/)');
    }
    if (text === undefined) throw new MailrecError(`${name} disappeared while mailrec was reading the policy`);
    sources.push({ file: name, text });
  }
  const mine = sources.find((s) => s.file === file);
  if (!mine) throw new MailrecError(`internal: ${file} is not among the policy files`);
  const text = editPolicyDkim(mine.text, file, edits);
  const check = validatePolicy(sources.map((s) => (s.file === file ? { file, text } : s)));
  if (!check.ok) throw new PolicyError(check.issues);
  const absolute = await repoPath(root, file);
  return { file, text, commit: () => replaceFile(absolute, text) };
}
