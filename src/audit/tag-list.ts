// Strict tag=value list syntax (RFC 6376 §3.2), used by the DKIM key and DMARC record
// parsers: unlike a lenient split, it reports the first syntax error and duplicate tags
// ("the entire tag-list is invalid", §3.2).

export interface StrictTag {
  name: string;
  value: string;
}

export type TagListParse = { ok: true; tags: StrictTag[] } | { ok: false; error: string };

// tag-name = ALPHA *ALNUMPUNC; tval = 1*VALCHAR (%x21-3A / %x3C-7E), tvals separated by whitespace.
const TAG_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const TAG_VALUE = /^(?:[\x21-\x3a\x3c-\x7e]+(?:[ \t\r\n]+[\x21-\x3a\x3c-\x7e]+)*)?$/;

export function parseTagListStrict(text: string, caseInsensitiveNames = false): TagListParse {
  const tags: StrictTag[] = [];
  const seen = new Set<string>();
  const items = text.split(';');
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!.trim();
    // A trailing ";" is allowed (tag-list = tag-spec *( ";" tag-spec ) [ ";" ]).
    if (item === '') {
      if (i === items.length - 1 && i > 0) continue;
      return { ok: false, error: i === 0 && items.length === 1 ? 'empty record' : 'empty tag between ";"' };
    }
    const eq = item.indexOf('=');
    if (eq < 0) return { ok: false, error: `"${item}" is not tag=value` };
    const rawName = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (!TAG_NAME.test(rawName)) return { ok: false, error: `"${rawName}" is not a valid tag name` };
    if (!TAG_VALUE.test(value)) return { ok: false, error: `the value of ${rawName}= has characters outside the tag-value syntax` };
    const name = caseInsensitiveNames ? rawName.toLowerCase() : rawName;
    if (seen.has(name)) return { ok: false, error: `tag ${rawName}= appears twice` };
    seen.add(name);
    tags.push({ name, value });
  }
  return { ok: true, tags };
}
