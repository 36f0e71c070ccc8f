// What an import proposes for one group of records: a policy entry, or the reason it must stay raw.

export type Proposal<T> = { expressible: true; model: T } | { expressible: false; reason: string };

export function model<T>(value: T): Proposal<T> {
  return { expressible: true, model: value };
}

export function inexpressible<T>(reason: string): Proposal<T> {
  return { expressible: false, reason };
}

/** A tag=value list read strictly (RFC 6376 §3.2): names in order, each once. */
export type StrictTags = { ok: true; tags: { name: string; value: string }[] } | { ok: false; reason: string };

export function parseTagsStrict(text: string): StrictTags {
  const tags: { name: string; value: string }[] = [];
  const seen = new Set<string>();
  const items = text.split(';');
  // A trailing ";" is allowed (RFC 6376 §3.2: tag-list = tag-spec *( ";" tag-spec ) [ ";" ]).
  if (items.length > 1 && items[items.length - 1]!.trim() === '') items.pop();
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq < 0) return { ok: false, reason: `"${item.trim()}" is not a tag=value pair` };
    const name = item.slice(0, eq).trim();
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) return { ok: false, reason: `"${name}" is not a tag name` };
    const lower = name.toLowerCase();
    if (seen.has(lower)) return { ok: false, reason: `tag ${name}= appears twice` };
    seen.add(lower);
    tags.push({ name, value: item.slice(eq + 1).trim() });
  }
  return { ok: true, tags };
}

/** The value of a tag (names compared case-insensitively). */
export function tagValueOf(tags: readonly { name: string; value: string }[], name: string): string | undefined {
  return tags.find((t) => t.name.toLowerCase() === name)?.value;
}
