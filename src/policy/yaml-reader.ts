// Typed reads from a YAML Document that record an issue, with the node's line and
// column, for every value that does not fit, and carry on so all issues are found.

import { isAlias, isMap, isScalar, isSeq, visit, type Alias, type Document, type LineCounter, type Node } from 'yaml';
import type { PolicyIssue, SourcePosition } from '../base/errors.js';
import { clip, quote } from '../base/quote.js';
import { suggest } from './suggest.js';
import type { Check } from './values.js';

/** One value in the document with where it sits: the key that holds it, or its list item. */
export interface Field {
  /** The key as written, or "[i]" for a list item. */
  name: string;
  /** Dotted path from the document root, e.g. "domains.example.org.mx[0].host". */
  path: string;
  /** The value; null when the key has no value. Aliases are already resolved. */
  node: Node | null;
  /** Where the key (or the list item) starts: used for missing or empty values. */
  at: SourcePosition;
}

export interface MappingOptions {
  /** Words that name a known key (e.g. the DMARC tag "sp"), for the suggestion. */
  aliases?: Readonly<Record<string, string>>;
  /** A fixed hint for some unknown keys, when a suggestion would not say enough. */
  hints?: Readonly<Record<string, string>>;
  /** What the value should be, for the type error: "a map of settings". */
  what?: string;
}

export class YamlReader {
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    readonly issues: PolicyIssue[],
  ) {}

  positionOf(offset: number): SourcePosition {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col };
  }

  /** Where the value starts, or where its key starts when it has none. */
  valueAt(field: Field): SourcePosition {
    const node = field.node;
    if (node?.range && !(isScalar(node) && node.value === null && !node.source)) return this.positionOf(node.range[0]);
    return field.at;
  }

  report(at: SourcePosition, path: string, message: string, hint?: string): void {
    this.issues.push(hint === undefined ? { position: at, path, message } : { position: at, path, message, hint });
  }

  /** Report at the value of `field`. */
  refuse(field: Field, message: string, hint?: string): void {
    this.report(this.valueAt(field), field.path, message, hint);
  }

  /** The checked value, or undefined after reporting why it was refused. */
  take<T>(field: Field, check: Check<T>): T | undefined {
    if (check.ok) return check.value;
    this.refuse(field, check.message, check.hint);
    return undefined;
  }

  root(): Field {
    const contents = this.deref(this.doc.contents as Node | null);
    return { name: '', path: '', node: contents, at: { file: this.file, line: 1, column: 1 } };
  }

  /** Each alias and the anchored node it stands for, made on the first alias read. */
  private anchored: Map<Alias, Node> | undefined;

  private deref(node: Node | null | undefined): Node | null {
    if (node && isAlias(node)) {
      // Alias.resolve(doc) walks the whole document on every call: 2,000 aliases made
      // reading a policy five times slower. One walk serves them all.
      this.anchored ??= resolveAliases(this.doc);
      return this.anchored.get(node) ?? null;
    }
    return node ?? null;
  }

  private child(parent: Field, name: string, keyOffset: number | undefined, node: Node | null): Field {
    const path = parent.path === '' ? name : name.startsWith('[') ? `${parent.path}${name}` : `${parent.path}.${name}`;
    const at = keyOffset === undefined ? parent.at : this.positionOf(keyOffset);
    return { name, path, node: this.deref(node), at };
  }

  /** The entries of a mapping whose keys are names (zones, domains); undefined if not a mapping. */
  entries(field: Field, what = 'a map'): Field[] | undefined {
    const node = field.node;
    if (!node || !isMap(node)) {
      this.typeError(field, what);
      return undefined;
    }
    const out: Field[] = [];
    for (const pair of node.items) {
      const key = this.deref(pair.key as Node | null);
      const keyOffset = key?.range?.[0];
      if (!key || !isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number')) {
        this.report(keyOffset === undefined ? field.at : this.positionOf(keyOffset), field.path, 'a key here must be a plain name');
        continue;
      }
      // Numbers keep their source text so "1.10" stays "1.10".
      const name = typeof key.value === 'string' ? key.value : (key.source ?? String(key.value));
      out.push(this.child(field, name, keyOffset, pair.value as Node | null));
    }
    return out;
  }

  /**
   * A mapping with a fixed set of keys: unknown keys are reported (with the nearest
   * known key as a hint) and left out. Undefined when the value is not a mapping.
   */
  mapping(field: Field, known: readonly string[], options: MappingOptions = {}): Map<string, Field> | undefined {
    const entries = this.entries(field, options.what);
    if (!entries) return undefined;
    const out = new Map<string, Field>();
    for (const entry of entries) {
      if (known.includes(entry.name)) {
        out.set(entry.name, entry);
        continue;
      }
      const special = options.hints?.[entry.name];
      const near = suggest(entry.name, known, options.aliases);
      const hint = special ?? (near !== undefined ? `did you mean '${near}'?` : `known keys here: ${known.join(', ')}`);
      this.report(entry.at, entry.path, `unknown key ${quote(entry.name)}`, hint);
    }
    return out;
  }

  /** A key of a mapping, without reporting anything: for rules that look back at a value. */
  peek(field: Field, key: string): Field | undefined {
    const node = field.node;
    if (!node || !isMap(node)) return undefined;
    for (const pair of node.items) {
      const k = this.deref(pair.key as Node | null);
      if (k && isScalar(k) && k.value === key) return this.child(field, key, k.range?.[0], pair.value as Node | null);
    }
    return undefined;
  }

  /** The items of a list; a single value where a list is expected is refused. */
  items(field: Field, what = 'a list'): Field[] | undefined {
    const node = field.node;
    if (!node || !isSeq(node)) {
      this.typeError(field, what);
      return undefined;
    }
    return node.items.map((item, i) => {
      const child = this.child(field, `[${i}]`, undefined, item as Node | null);
      return { ...child, at: child.node?.range ? this.positionOf(child.node.range[0]) : field.at };
    });
  }

  /** A list, or one value standing for a list of one. */
  oneOrMore(field: Field): Field[] {
    if (field.node && isSeq(field.node)) return this.items(field) ?? [];
    return [field];
  }

  /** A required key of a mapping; reports it missing at the mapping's own key. */
  need(map: Map<string, Field>, key: string, parent: Field): Field | undefined {
    const found = map.get(key);
    if (!found) this.report(parent.at, parent.path, `missing key '${key}'${parent.name ? ` in ${parent.name.startsWith('[') ? parent.path : parent.name}` : ''}`);
    return found;
  }

  string(field: Field): string | undefined {
    const node = field.node;
    if (node && isScalar(node) && typeof node.value === 'string') return node.value;
    this.typeError(field, 'a string');
    return undefined;
  }

  integer(field: Field, min: number, max: number, rangeHint?: string): number | undefined {
    const node = field.node;
    if (!node || !isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value)) {
      this.typeError(field, 'an integer');
      return undefined;
    }
    if (node.value < min || node.value > max) {
      this.refuse(field, `${clip(field.name)} ${node.value} is out of range ${min}..${max}`, rangeHint);
      return undefined;
    }
    return node.value;
  }

  boolean(field: Field): boolean | undefined {
    const node = field.node;
    if (node && isScalar(node) && typeof node.value === 'boolean') return node.value;
    this.typeError(field, 'true or false');
    return undefined;
  }

  /** One of `allowed`; the hint lists them, with the nearest first when it is a likely typo. */
  oneOf<T extends string>(field: Field, allowed: readonly T[]): T | undefined {
    const node = field.node;
    const value = node && isScalar(node) && node.value !== null ? String(node.value) : undefined;
    if (value !== undefined && (allowed as readonly string[]).includes(value)) return value as T;
    const near = value === undefined ? undefined : suggest(value, allowed);
    const list = `allowed values: ${allowed.join(', ')}`;
    this.refuse(
      field,
      value === undefined ? `${clip(field.name)} must be one of ${allowed.join(', ')}, not ${this.describe(field)}` : `invalid ${clip(field.name)} ${quote(value)}`,
      near !== undefined ? `did you mean '${near}'? ${list}` : list,
    );
    return undefined;
  }

  /** Plain scalar text of a node, whatever YAML typed it as (for messages and enum-like values). */
  text(field: Field): string | undefined {
    const node = field.node;
    if (!node || !isScalar(node) || node.value === null) return undefined;
    return typeof node.value === 'string' ? node.value : (node.source ?? String(node.value));
  }

  describe(field: Field): string {
    const node = field.node;
    if (!node || (isScalar(node) && node.value === null)) return 'empty';
    if (isMap(node)) return 'a map';
    if (isSeq(node)) return 'a list';
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'string') return `the text ${quote(v)}`;
      if (typeof v === 'number') return `the number ${clip(node.source ?? String(v))}`;
      if (typeof v === 'boolean') return String(v);
    }
    return 'an unsupported value';
  }

  typeError(field: Field, expected: string): void {
    const label = field.name.startsWith('[') ? `item ${clip(field.path)}` : field.name === '' ? 'the policy' : clip(field.name);
    this.refuse(field, `${label} must be ${expected}, not ${this.describe(field)}`);
  }
}

/**
 * What every alias in the document refers to: the last node before it, in document order,
 * with its anchor (YAML 1.2 §3.2.2.2), the rule of the library's Alias.resolve, in one walk.
 */
function resolveAliases(doc: Document): Map<Alias, Node> {
  const latest = new Map<string, Node>();
  const out = new Map<Alias, Node>();
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        const target = latest.get(node.source);
        if (target) out.set(node, target);
      }
      else if (node.anchor) latest.set(node.anchor, node);
    },
  });
  return out;
}
