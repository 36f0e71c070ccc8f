// A fast reader for the YAML shapes policy files use. The `yaml` library composes a
// 3.5 MB policy file in about 3 s (docs/performance.md, "Policy YAML read fast");
// js-yaml's event parser reads it ten times faster. Its events are turned here into the
// node tree `yaml` would compose (Scalar, YAMLMap, YAMLSeq, with the same values,
// sources and start offsets, scalars typed by `yaml`'s own YAML 1.2 core schema), so
// the policy readers read either tree the same way. Anything outside the plain shapes
// (tags, directives, block scalars, multi-line or escaped scalars, multi-line flow
// collections, tabs, a BOM, repeated anchors or keys, long keys) gives undefined: the
// caller then parses with `yaml` itself, whose messages and positions stay the rule.

import { EVENT_ID, parseEvents, SCALAR_STYLE, COLLECTION_STYLE, type Event, type ScalarEvent } from 'js-yaml';
import { Document, isScalar, LineCounter, Pair, Scalar, YAMLMap, YAMLSeq, type Node, type ScalarTag } from 'yaml';

export interface FastDocument {
  doc: Document;
  lines: LineCounter;
}

/** The schema, and the options its tags resolve with, that parseDocument uses by default. */
const DEFAULT_DOC = new Document(null, { uniqueKeys: false });
const SCALAR_TAGS = DEFAULT_DOC.schema.tags.filter((t): t is ScalarTag => t.default === true && !t.collection && t.test !== undefined);
const RESOLVE_OPTIONS = DEFAULT_DOC.options;

/**
 * The first characters a null, bool, int or float of the core schema can have (their
 * patterns: ~ null Null NULL, true/false in three cases, [-+]digits, 0o, 0x, .inf, .nan, 1.5e3).
 */
const TYPED_FIRST = '~nNtTfF0123456789+-.';

/** Longer implicit keys are a `yaml` error (YAML 1.2 §7.4.1 caps them at 1024 characters). */
const KEY_MAX = 1000;
/** Deeper nesting than js-yaml's default cap (100) is left to `yaml` and its own rules. */
const MAX_DEPTH = 100;

const ANCHOR_NAME = /^[A-Za-z0-9_.-]+$/;
const BEFORE_ROOT = /^(?:[ ]*(?:#.*)?\r?\n)*(?:---[ ]*(?:#.*)?\r?\n(?:[ ]*(?:#.*)?\r?\n)*)?$/;

/** Thrown inside the builder when the text leaves the plain shapes; never escapes this module. */
class NotPlain extends Error {}

interface Open {
  node: YAMLMap | YAMLSeq;
  flow: boolean;
  /** A mapping's key, read and waiting for its value. */
  key?: Scalar;
  /** The keys seen, by the rule of yaml-unique-keys.ts. */
  keys?: Set<unknown>;
  anchor?: string;
  /** Where the last child ends (exclusive), to find a flow collection's closing bracket. */
  end: number;
}

/**
 * The document `yaml` would compose from `text` and its line starts, or undefined when the
 * text is not in the plain shapes (or js-yaml rejects it): then parse it with `yaml`.
 */
export function parseFast(text: string): FastDocument | undefined {
  // A BOM shifts js-yaml's offsets from `yaml`'s; tabs and lone CRs are where YAML
  // parsers disagree most about what is whitespace.
  if (/[\t\uFEFF]|\r(?!\n)/.test(text)) return undefined;
  // js-yaml takes an indented "---" for a document marker, `yaml` for text.
  if (/^ +(?:---|\.\.\.)(?:[ \r\n]|$)/m.test(text)) return undefined;
  let events: Event[];
  try {
    events = parseEvents(text, { maxDepth: MAX_DEPTH });
  } catch {
    return undefined;
  }
  try {
    const contents = new Builder(text).build(events);
    const doc = new Document(null, { uniqueKeys: false });
    doc.contents = contents;
    return { doc, lines: lineStarts(text) };
  } catch (error) {
    if (error instanceof NotPlain) return undefined;
    throw error;
  }
}

/** The line starts `yaml`'s parser reports: offset 0 and after every line feed. */
function lineStarts(text: string): LineCounter {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
  return lines;
}

class Builder {
  private readonly stack: Open[] = [];
  private readonly anchors = new Map<string, Node | null>();
  private root: Node | null = null;
  private documents = 0;

  constructor(private readonly text: string) {}

  build(events: readonly Event[]): Node {
    for (const event of events) {
      switch (event.type) {
        case EVENT_ID.DOCUMENT:
          // One document, no %YAML or %TAG directive (a %YAML 1.1 would change the types), no "...".
          if (++this.documents > 1 || event.directives.length > 0 || event.explicitEnd) throw new NotPlain();
          break;
        case EVENT_ID.SCALAR:
          this.add(this.scalar(event), event.anchorStart, event.anchorEnd, this.scalarEnd(event));
          break;
        case EVENT_ID.MAPPING:
        case EVENT_ID.SEQUENCE: {
          if (event.tagStart !== -1) throw new NotPlain();
          const node = collectionNode(event.type === EVENT_ID.MAPPING, event.start);
          const flow = event.style === COLLECTION_STYLE.FLOW;
          const open: Open = { node, flow, end: event.start + 1 };
          if (event.type === EVENT_ID.MAPPING) open.keys = new Set();
          if (event.anchorStart !== -1) {
            open.anchor = this.anchorName(event.anchorStart, event.anchorEnd);
            // Open until its end: an alias inside it would make a cycle.
            this.anchors.set(open.anchor, null);
          }
          this.stack.push(open);
          break;
        }
        case EVENT_ID.ALIAS: {
          // An unknown name, or a collection still open (a cycle), is left to `yaml`.
          const name = this.text.slice(event.anchorStart, event.anchorEnd);
          const target = ANCHOR_NAME.test(name) && /^(?:[ \r\n,\]}]|$)/.test(this.text.slice(event.anchorEnd, event.anchorEnd + 1)) ? this.anchors.get(name) : undefined;
          if (!target) throw new NotPlain();
          this.add(target, -1, -1, event.anchorEnd, true);
          break;
        }
        case EVENT_ID.POP: {
          const open = this.stack.pop();
          if (!open) break; // the document's end
          if (open.key) throw new NotPlain();
          let end = open.end;
          if (open.flow) end = this.closingBracket(open);
          if (open.anchor !== undefined) this.anchors.set(open.anchor, open.node);
          this.place(open.node, end, false);
          break;
        }
      }
    }
    // A policy is a block mapping; before it only blank lines, comments and a "---".
    if (this.documents !== 1 || this.stack.length > 0 || !(this.root instanceof YAMLMap)) throw new NotPlain();
    if (!BEFORE_ROOT.test(this.text.slice(0, this.root.range![0]))) throw new NotPlain();
    return this.root;
  }

  private anchorName(start: number, end: number): string {
    const name = this.text.slice(start, end);
    if (this.text[end] !== ' ' && this.text[end] !== '\n' && this.text[end] !== '\r') throw new NotPlain();
    // Names of letters, digits, "_", "-" and ".": where the parsers disagree on where a name
    // ends ("&a:", "&a{"), `yaml` warns or fails. One anchor name, one node.
    if (!ANCHOR_NAME.test(name) || this.anchors.has(name)) throw new NotPlain();
    return name;
  }

  /** A scalar as `yaml` composes it: the value its core schema gives, the decoded text as source, the start offset. */
  private scalar(event: ScalarEvent): Scalar {
    if (event.tagStart !== -1) throw new NotPlain();
    if (event.valueStart === -1) {
      // "key:" with no value is an empty scalar; a key with no ":" at all ("{a}", "? a") has
      // no value node in `yaml`, and an empty list item's position is the library's guess.
      const parent = this.stack.at(-1);
      if (event.anchorStart !== -1 || !parent?.key || !this.colonAt(parent.end)) throw new NotPlain();
      return scalarNode(null, '', -1);
    }
    const source = this.text.slice(event.valueStart, event.valueEnd);
    switch (event.style) {
      case SCALAR_STYLE.PLAIN:
        // A plain scalar on one line is its text (js-yaml's "fast" flag is sometimes off for those).
        if (!event.fast && (source.includes('\n') || source.includes('\r'))) throw new NotPlain();
        return resolvePlain(source, event.valueStart);
      case SCALAR_STYLE.SINGLE_QUOTED:
      case SCALAR_STYLE.DOUBLE_QUOTED:
        // js-yaml's "fast": on one line, the text between the quotes as written (no escape, no '').
        if (!event.fast) throw new NotPlain();
        // `yaml`'s range starts at the opening quote.
        return scalarNode(source, source, event.valueStart - 1);
      default:
        throw new NotPlain();
    }
  }

  /** Whether a ":" follows `at`, after spaces: the indicator of a mapping value. */
  private colonAt(at: number): boolean {
    let i = at;
    while (this.text[i] === ' ') i++;
    return this.text[i] === ':';
  }

  private scalarEnd(event: ScalarEvent): number {
    if (event.valueStart === -1) return -1;
    return event.style === SCALAR_STYLE.PLAIN ? event.valueEnd : event.valueEnd + 1;
  }

  /** Adds a finished scalar (or alias target) to the open collection, with its anchor. */
  private add(node: Node, anchorStart: number, anchorEnd: number, end: number, alias = false): void {
    if (anchorStart !== -1) {
      const name = this.anchorName(anchorStart, anchorEnd);
      this.anchors.set(name, node);
    }
    this.place(node, end, alias || anchorStart !== -1);
  }

  private place(node: Node, end: number, marked: boolean): void {
    if (this.stack.length >= MAX_DEPTH) throw new NotPlain();
    const parent = this.stack.at(-1);
    if (!parent) {
      if (this.root) throw new NotPlain();
      this.root = node;
      return;
    }
    if (end !== -1) parent.end = end;
    if (parent.node instanceof YAMLSeq) {
      parent.node.items.push(node);
      return;
    }
    if (!parent.key) {
      // A key is a scalar with text, written once, without anchor or alias.
      if (!isScalar(node) || marked || node.value === null || node.source === undefined || node.source.length > KEY_MAX) throw new NotPlain();
      const id = node.value;
      if (parent.keys!.has(id) && !(typeof id === 'number' && Number.isNaN(id))) throw new NotPlain();
      parent.keys!.add(id);
      parent.key = node;
      return;
    }
    (parent.node as YAMLMap).items.push(pairNode(parent.key, node));
    parent.key = undefined;
  }

  /** The flow collection's closing bracket, which must be on the line it opens on. */
  private closingBracket(open: Open): number {
    const text = this.text;
    const close = open.node instanceof YAMLMap ? '}' : ']';
    const start = open.node.range![0];
    for (let i = open.end; i < text.length; i++) {
      const c = text[i];
      if (c === close) {
        if (text.slice(start, i).includes('\n')) throw new NotPlain();
        return i + 1;
      }
      if (c !== ' ' && c !== ',' && c !== ':' && c !== '?') break;
    }
    throw new NotPlain();
  }
}

/** A plain scalar typed as `yaml`'s composer types it: the first default core-schema tag whose pattern matches, else text. */
function resolvePlain(source: string, start: number): Scalar {
  // Most scalars (names, words) start where no pattern of the core schema can.
  if (!TYPED_FIRST.includes(source[0]!)) return scalarNode(source, source, start);
  for (const tag of SCALAR_TAGS) {
    if (!tag.test!.test(source)) continue;
    const value: unknown = tag.resolve(source, () => {
      throw new NotPlain();
    }, RESOLVE_OPTIONS);
    return scalarNode(isScalar(value) ? value.value : value, source, start);
  }
  return scalarNode(source, source, start);
}

// `yaml`'s node constructors mark each node's type with Object.defineProperty, which took a
// quarter of this reader's time. Nodes made here inherit the mark from one template node
// each (isScalar, isMap, isSeq, isPair read it through the prototype); they are still
// instances of Scalar, YAMLMap, YAMLSeq and Pair.
const SCALAR_TEMPLATE = new Scalar(null);
const MAP_TEMPLATE = new YAMLMap();
const SEQ_TEMPLATE = new YAMLSeq();
const PAIR_TEMPLATE = new Pair(null);

function scalarNode(value: unknown, source: string, start: number): Scalar {
  const node = Object.create(SCALAR_TEMPLATE) as Scalar;
  node.value = value;
  node.source = source;
  if (start !== -1) node.range = [start, start, start];
  return node;
}

function collectionNode(map: boolean, start: number): YAMLMap | YAMLSeq {
  const node = Object.create(map ? MAP_TEMPLATE : SEQ_TEMPLATE) as YAMLMap | YAMLSeq;
  node.items = [];
  node.range = [start, start, start];
  return node;
}

function pairNode(key: Scalar, value: Node): Pair {
  const pair = Object.create(PAIR_TEMPLATE) as Pair;
  pair.key = key;
  pair.value = value;
  return pair;
}
