// What an import proposes for one group of records: a policy entry, or the reason it must stay raw.

import { splitTagList, type Tag } from '../../mail/tag-list.js';

export type Proposal<T> = { expressible: true; model: T } | { expressible: false; reason: string };

export function model<T>(value: T): Proposal<T> {
  return { expressible: true, model: value };
}

export function inexpressible<T>(reason: string): Proposal<T> {
  return { expressible: false, reason };
}

/**
 * A tag=value list read strictly (RFC 6376 §3.2): names in order, each once. Laxer than
 * the audit's parseTagListStrict: values are not held to the tag-value syntax, and a
 * name may not repeat in any case, so import keeps what it cannot model under raw:.
 */
export type StrictTags = { ok: true; tags: Tag[] } | { ok: false; reason: string };

export function parseTagsStrict(text: string): StrictTags {
  const tags: Tag[] = [];
  const seen = new Set<string>();
  const items = splitTagList(text);
  // A trailing ";" is allowed (RFC 6376 §3.2: tag-list = tag-spec *( ";" tag-spec ) [ ";" ]).
  if (items.length > 1 && items[items.length - 1]!.text === '') items.pop();
  for (const item of items) {
    if (item.value === undefined) return { ok: false, reason: `"${item.text}" is not a tag=value pair` };
    const name = item.name;
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) return { ok: false, reason: `"${name}" is not a tag name` };
    const lower = name.toLowerCase();
    if (seen.has(lower)) return { ok: false, reason: `tag ${name}= appears twice` };
    seen.add(lower);
    tags.push({ name, value: item.value });
  }
  return { ok: true, tags };
}
