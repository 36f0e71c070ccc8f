// What the readers of one policy file share: the YAML reader, the list of files the
// policy names, and a tracker that reports the second occurrence of a list entry.

import { formatPosition, type SourcePosition } from '../base/errors.js';
import type { FileRef } from './drafts.js';
import type { Field, YamlReader } from './yaml-reader.js';

export interface ReadContext {
  r: YamlReader;
  /** Files the policy refers to, collected for the loader. */
  files: FileRef[];
}

/** Marks the second and later occurrences of a key in a list as duplicates. */
export class Seen {
  private readonly first = new Map<string, SourcePosition>();
  constructor(
    private readonly r: YamlReader,
    private readonly what: string,
  ) {}
  check(key: string, field: Field, label: string): void {
    const earlier = this.first.get(key);
    const at = this.r.valueAt(field);
    if (earlier) this.r.report(at, field.path, `duplicate ${this.what} ${label}`, `first declared at ${formatPosition(earlier)}`);
    else this.first.set(key, at);
  }
}

/**
 * A list read item by item, each entry's second and later occurrences reported as
 * duplicates: `identify` gives an entry's identity key and the label the report uses.
 */
export function readUniqueList<T>(
  ctx: ReadContext,
  field: Field,
  what: string,
  read: (ctx: ReadContext, item: Field) => T | undefined,
  identify: (value: T) => { key: string; label: string },
): T[] | undefined {
  const items = ctx.r.items(field);
  if (!items) return undefined;
  const seen = new Seen(ctx.r, what);
  const out: T[] = [];
  for (const item of items) {
    const value = read(ctx, item);
    if (value === undefined) continue;
    const { key, label } = identify(value);
    seen.check(key, item, label);
    out.push(value);
  }
  return out;
}
