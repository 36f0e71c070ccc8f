// The tag=value list shared by DKIM (RFC 6376 §3.2), DMARC (RFC 9989),
// MTA-STS (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3) TXT records.

export interface Tag {
  name: string;
  value: string;
}

/** Split "v=DMARC1; p=none; rua=mailto:a@b" into tags, trimmed; empty items dropped. */
export function parseTagList(text: string): Tag[] {
  const tags: Tag[] = [];
  for (const item of text.split(';')) {
    const trimmed = item.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    if (eq < 0) tags.push({ name: trimmed, value: '' });
    else tags.push({ name: trimmed.slice(0, eq).trim(), value: trimmed.slice(eq + 1).trim() });
  }
  return tags;
}

/** The value of the first tag with this name (tag names compared case-insensitively). */
export function tagValue(tags: Tag[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return tags.find((t) => t.name.toLowerCase() === lower)?.value;
}
