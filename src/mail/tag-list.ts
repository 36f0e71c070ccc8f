// The tag=value list shared by DKIM (RFC 6376 §3.2), DMARC (RFC 9989),
// MTA-STS (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3) TXT records: one tokenizer,
// read leniently (plan risk notes, simulate) or strictly (audit, import).

export interface Tag {
  name: string;
  value: string;
}

/** One ";"-separated item, trimmed; name and value split at its first "=" (none: no value). */
export interface TagItem {
  text: string;
  name: string;
  value?: string;
}

/** Split a tag list at ";" into items; an item without "=" has no value. */
export function splitTagList(text: string): TagItem[] {
  return text.split(';').map((raw) => {
    const item = raw.trim();
    const eq = item.indexOf('=');
    return eq < 0 ? { text: item, name: item } : { text: item, name: item.slice(0, eq).trim(), value: item.slice(eq + 1).trim() };
  });
}

/** Split "v=DMARC1; p=none; rua=mailto:a@b" into tags, trimmed; empty items dropped. */
export function parseTagList(text: string): Tag[] {
  return splitTagList(text)
    .filter((item) => item.text !== '')
    .map((item) => ({ name: item.name, value: item.value ?? '' }));
}

/** The value of the first tag with this name (tag names compared case-insensitively). */
export function tagValue(tags: readonly Tag[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return tags.find((t) => t.name.toLowerCase() === lower)?.value;
}

export type TagListParse = { ok: true; tags: Tag[] } | { ok: false; error: string };

/** How strictly a tag list is read, beyond its syntax of tag=value items separated by ";". */
export interface TagListReading {
  /**
   * exact: names case-sensitive (DKIM, RFC 6376 §3.2); lowercase: case-insensitive and
   * returned lowercased (DMARC); as-written: kept as written, but unique in any case (import).
   */
  names?: 'exact' | 'lowercase' | 'as-written';
  /** strict: values held to the tag-value syntax; any: import, which keeps under raw: what it cannot model. */
  values?: 'strict' | 'any';
}

// tag-name = ALPHA *ALNUMPUNC; tval = 1*VALCHAR (%x21-3A / %x3C-7E), tvals separated by whitespace.
const TAG_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const TAG_VALUE = /^(?:[\x21-\x3a\x3c-\x7e]+(?:[ \t\r\n]+[\x21-\x3a\x3c-\x7e]+)*)?$/;

/**
 * Strict tag-list syntax (RFC 6376 §3.2), used by the DKIM key, DMARC, MTA-STS and TLS-RPT
 * record parsers and by import: unlike parseTagList, it reports the first syntax error and
 * duplicate tags ("the entire tag-list is invalid", §3.2).
 */
export function parseTagListStrict(text: string, reading: TagListReading = {}): TagListParse {
  const names = reading.names ?? 'exact';
  const tags: Tag[] = [];
  const seen = new Set<string>();
  const items = splitTagList(text);
  for (const [i, item] of items.entries()) {
    // A trailing ";" is allowed (tag-list = tag-spec *( ";" tag-spec ) [ ";" ]).
    if (item.text === '') {
      if (i === items.length - 1 && i > 0) continue;
      return { ok: false, error: i === 0 && items.length === 1 ? 'empty record' : 'empty tag between ";"' };
    }
    if (item.value === undefined) return { ok: false, error: `"${item.text}" is not tag=value` };
    const rawName = item.name;
    const value = item.value;
    if (!TAG_NAME.test(rawName)) return { ok: false, error: `"${rawName}" is not a valid tag name` };
    if (reading.values !== 'any' && !TAG_VALUE.test(value)) return { ok: false, error: `the value of ${rawName}= has characters outside the tag-value syntax` };
    const key = names === 'exact' ? rawName : rawName.toLowerCase();
    if (seen.has(key)) return { ok: false, error: `tag ${rawName}= appears twice` };
    seen.add(key);
    tags.push({ name: names === 'lowercase' ? key : rawName, value });
  }
  return { ok: true, tags };
}

/** Whether a TXT text begins with the tag v=`version` (MTA-STS §3.1, TLS-RPT §3: others are discarded). */
export function startsWithVersion(text: string, version: string): boolean {
  const trimmed = text.trimStart();
  return trimmed.startsWith(`v=${version}`) && /^(;|$)/.test(trimmed.slice(version.length + 2));
}

export type VersionedTags = { ok: true; tags: Tag[]; value: string } | { ok: false; error: string };

/**
 * A strict tag list whose first tag is v=`version` and which has the tag `required` (MTA-STS
 * id=, TLS-RPT rua=): the tags after v=, the required tag's value, or the first problem.
 */
export function parseVersionedTagList(text: string, version: string, required: string): VersionedTags {
  const list = parseTagListStrict(text);
  if (!list.ok) return list;
  const [first, ...rest] = list.tags;
  if (!first || first.name !== 'v' || first.value !== version) return { ok: false, error: `the first field is not v=${version}` };
  const tag = rest.find((t) => t.name === required);
  if (!tag) return { ok: false, error: `no ${required}= field` };
  return { ok: true, tags: rest, value: tag.value };
}
