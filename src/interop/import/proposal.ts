// What an import proposes for one group of records: a policy entry, or the reason it must stay raw.

import { parseTagListStrict, type TagListParse } from '../../mail/tag-list.js';

export type Proposal<T> = { expressible: true; model: T } | { expressible: false; reason: string };

export function model<T>(value: T): Proposal<T> {
  return { expressible: true, model: value };
}

export function inexpressible<T>(reason: string): Proposal<T> {
  return { expressible: false, reason };
}

/**
 * A tag=value list as import reads it (RFC 6376 §3.2): names in order, each once in any
 * case, values taken as written, so that import keeps under raw: what it cannot model.
 */
export function readImportedTags(text: string): TagListParse {
  return parseTagListStrict(text, { names: 'as-written', values: 'any' });
}
