// Reads `dkim_keys:` (where mailrec keeps DKIM private keys and how it rotates them) and
// `signers:` (the rspamd and OpenDKIM configurations apply writes).

import { isScalar } from 'yaml';
import { unsafeSignerPathChar } from '../mail/dkim/signer-config.js';
import type { DkimKeySettings, SignerConfigs } from './model.js';
import type { DkimKeysDraft, SignersDraft } from './drafts.js';
import { checkDuration, checkGroupName, checkRepoPath, checkSignerKeyDir } from './values.js';
import { POLICY_ENUMS, POLICY_KEYS } from './vocabulary.js';
import type { Field, YamlReader } from './yaml-reader.js';

const DURATIONS = [
  ['rotate_after', 'rotateAfter'],
  ['max_age', 'maxAge'],
  ['margin', 'margin'],
  ['grace', 'grace'],
  ['remove_after', 'removeAfter'],
] as const;

function scalarText(r: YamlReader, field: Field): string | undefined {
  const node = field.node;
  if (node && isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')) return r.text(field);
  r.typeError(field, 'a string or a number');
  return undefined;
}

export function readDkimKeys(r: YamlReader, field: Field): DkimKeysDraft | undefined {
  const map = r.mapping(field, POLICY_KEYS.dkim_keys, { what: 'a map { dir, group, type, rotate_after, max_age, margin, grace, remove_after }' });
  if (!map) return undefined;
  const settings: Partial<DkimKeySettings> = {};
  const at: DkimKeysDraft['at'] = {};
  const dir = map.get('dir');
  const dirText = dir && r.string(dir);
  const dirPath = dir && dirText !== undefined ? r.take(dir, checkRepoPath(dirText.replace(/\/+$/, ''), 'dir')) : undefined;
  if (dirPath !== undefined) settings.dir = dirPath;
  const group = map.get('group');
  const groupText = group && scalarText(r, group);
  const groupName = group && groupText !== undefined ? r.take(group, checkGroupName(groupText)) : undefined;
  if (groupName !== undefined) settings.group = groupName;
  const type = map.get('type');
  const keyType = type && r.oneOf(type, POLICY_ENUMS.dkim_key_type);
  if (keyType) settings.type = keyType;
  for (const [key, name] of DURATIONS) {
    const f = map.get(key);
    const text = f && scalarText(r, f);
    const seconds = f && text !== undefined ? r.take(f, checkDuration(text, key)) : undefined;
    if (seconds === undefined) continue;
    settings[name] = seconds;
    if (name === 'rotateAfter' || name === 'maxAge') at[name] = { position: r.valueAt(f!), path: f!.path };
  }
  return { settings, at, position: field.at, path: field.path };
}

function readOutputPath(r: YamlReader, map: Map<string, Field>, key: string, parent: Field, out: SignersDraft['paths']): string | undefined {
  const f = r.need(map, key, parent);
  const text = f && r.string(f);
  const path = f && text !== undefined ? r.take(f, checkRepoPath(text, key)) : undefined;
  if (path !== undefined) out.push({ file: path, position: r.valueAt(f!), path: f!.path });
  return path;
}

function readKeyDir(r: YamlReader, map: Map<string, Field>): string | undefined {
  const f = map.get('key_dir');
  const text = f && r.string(f);
  return f && text !== undefined ? r.take(f, checkSignerKeyDir(text, unsafeSignerPathChar)) : undefined;
}

export function readSigners(r: YamlReader, field: Field): SignersDraft | undefined {
  const map = r.mapping(field, POLICY_KEYS.signers, { what: 'a map { rspamd, opendkim }' });
  if (!map) return undefined;
  const signers: SignerConfigs = {};
  const paths: SignersDraft['paths'] = [];
  const rspamdField = map.get('rspamd');
  const rspamd = rspamdField && r.mapping(rspamdField, POLICY_KEYS.signer_rspamd, { what: 'a map { config, key_dir }' });
  if (rspamdField && rspamd) {
    const config = readOutputPath(r, rspamd, 'config', rspamdField, paths);
    const keyDir = readKeyDir(r, rspamd);
    if (config !== undefined) signers.rspamd = { config, ...(keyDir !== undefined ? { keyDir } : {}), position: rspamdField.at };
  }
  const openField = map.get('opendkim');
  const open = openField && r.mapping(openField, POLICY_KEYS.signer_opendkim, { what: 'a map { key_table, signing_table, key_dir }' });
  if (openField && open) {
    const keyTable = readOutputPath(r, open, 'key_table', openField, paths);
    const signingTable = readOutputPath(r, open, 'signing_table', openField, paths);
    const keyDir = readKeyDir(r, open);
    if (keyTable !== undefined && signingTable !== undefined) {
      signers.opendkim = { keyTable, signingTable, ...(keyDir !== undefined ? { keyDir } : {}), position: openField.at };
    }
  }
  return { signers, paths, position: field.at, path: field.path };
}
