// Where a secret lives, as the policy names it: a file in the repo (…_file) or an environment
// variable (…_env), exactly one of them; never the secret itself. TSIG keys and IMAP passwords.

import type { SecretRef } from './model.js';
import { checkEnvName, checkRepoPath } from './values.js';
import type { Field, YamlReader } from './yaml-reader.js';

export interface SecretKeys {
  /** "secret" or "password": the keys are <word>_file and <word>_env. */
  word: 'secret' | 'password';
  /** Who needs it, for the message when both are missing: "key", "an IMAP mailbox". */
  owner: string;
}

/** The reference, or undefined after reporting why (both given, none given, a bad path or name). */
export function readSecretRef(r: YamlReader, field: Field, map: Map<string, Field>, keys: SecretKeys): SecretRef | undefined {
  const fileKey = `${keys.word}_file`;
  const envKey = `${keys.word}_env`;
  const fileField = map.get(fileKey);
  const envField = map.get(envKey);
  if (fileField && envField) {
    r.report(envField.at, envField.path, `${fileKey} and ${envKey} are exclusive`, `give the ${keys.word} one way`);
    return undefined;
  }
  if (!fileField && !envField) {
    r.report(field.at, field.path, `${keys.owner} needs ${fileKey} or ${envKey}`, `the ${keys.word} itself never goes in the policy`);
    return undefined;
  }
  if (fileField) {
    const text = r.string(fileField);
    const file = text === undefined ? undefined : r.take(fileField, checkRepoPath(text, fileKey));
    return file === undefined ? undefined : { file };
  }
  const text = r.string(envField!);
  const env = text === undefined ? undefined : r.take(envField!, checkEnvName(text, envKey));
  return env === undefined ? undefined : { env };
}
