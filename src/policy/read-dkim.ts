// Reads a domain's DKIM keys: selector, key file (read later by the loader) and state.

import { formatPosition, type SourcePosition } from '../base/errors.js';
import { parseInstant, TIME_FIELDS } from '../mail/dkim/rotation.js';
import type { DkimKey } from './model.js';
import type { ReadContext } from './read-context.js';
import { checkInstant, checkRepoPath, checkSelector } from './values.js';
import { DKIM_TIME_KEYS, POLICY_ENUMS, POLICY_KEYS } from './vocabulary.js';
import type { Field } from './yaml-reader.js';

function readDkimKey(ctx: ReadContext, field: Field): DkimKey | undefined {
  const { r } = ctx;
  const map = r.mapping(field, POLICY_KEYS.dkim, { what: 'a map { selector, key, state }' });
  if (!map) return undefined;
  const selectorField = r.need(map, 'selector', field);
  // A selector like 2026 is a YAML number; take it as the text it was written as.
  let selector: string | undefined;
  if (selectorField) {
    const text = r.text(selectorField);
    if (text === undefined) r.typeError(selectorField, 'a string');
    else selector = r.take(selectorField, checkSelector(text));
  }
  const stateField = map.get('state');
  const state = stateField ? r.oneOf(stateField, POLICY_ENUMS.dkim_state) : 'active';
  const keyField = map.get('key');
  let keyPath = '';
  // A removed key publishes nothing: its file is not read, even when still named.
  if (keyField && state === 'removed') {
    const text = r.string(keyField);
    if (text !== undefined) r.take(keyField, checkRepoPath(text, 'key'));
  } else if (keyField) {
    const text = r.string(keyField);
    const path = text === undefined ? undefined : r.take(keyField, checkRepoPath(text, 'key'));
    if (path !== undefined) {
      keyPath = path;
      ctx.files.push({
        kind: 'dkim-key',
        path,
        position: r.valueAt(keyField),
        docPath: keyField.path,
        optional: state === 'retired',
      });
    }
  } else if (state !== 'retired' && state !== 'removed') {
    r.report(field.at, field.path, `missing key 'key' in ${field.path}`, 'key: the PEM file of the public (or private) key, relative to the repo root');
  }
  if (selector === undefined || state === undefined) return undefined;
  const key: DkimKey = { selector, keyPath, keyPem: '', state, position: selectorField ? r.valueAt(selectorField) : field.at };
  // The rotation instants mailrec dkim rotate records.
  for (const name of TIME_FIELDS) {
    const f = map.get(DKIM_TIME_KEYS[name]);
    const text = f && r.string(f);
    const ms = f && text !== undefined ? r.take(f, checkInstant(text, DKIM_TIME_KEYS[name], parseInstant)) : undefined;
    if (ms !== undefined) key[name] = ms;
  }
  return key;
}

export function readDkim(ctx: ReadContext, field: Field): DkimKey[] | undefined {
  const items = ctx.r.items(field);
  if (!items) return undefined;
  const out: DkimKey[] = [];
  const first = new Map<string, SourcePosition>();
  for (const item of items) {
    const key = readDkimKey(ctx, item);
    if (!key) continue;
    const earlier = first.get(key.selector);
    if (earlier) {
      ctx.r.report(key.position, `${item.path}.selector`, `duplicate DKIM selector '${key.selector}'`, `first declared at ${formatPosition(earlier)}`);
      continue;
    }
    first.set(key.selector, key.position);
    out.push(key);
  }
  return out;
}
