// Edits a domain's `dkim:` list in a policy file in place: adds a key entry, sets or removes
// fields of one. The yaml Document API finds the nodes and their source ranges; the edit is
// spliced into the original text there, so every byte outside the changed lines (comments,
// alignment, flow maps, blank lines) stays as it was — re-rendering the document would not
// keep them. Each edit is checked by parsing the result: it must be the old document with
// exactly that change, or the edit is refused. Pure: text in, text out.

import { isMap, isScalar, isSeq, parseDocument, stringify, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { MailrecError } from '../base/errors.js';

export type PolicyDkimEdit =
  | { kind: 'add'; domain: string; fields: [string, string][] }
  | { kind: 'update'; domain: string; selector: string; set: [string, string][]; unset: string[] };

/** A policy file this edit cannot be spliced into safely (an unusual layout); nothing is written. */
export class PolicyEditError extends MailrecError {}

type Range = [number, number, number];

function rangeOf(node: Node | null | undefined): Range {
  const range = node?.range;
  if (!range) throw new PolicyEditError('internal: a YAML node without a source range');
  return range as Range;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** A scalar as YAML writes it: plain when it reads back as the same string, quoted otherwise. */
function scalar(value: string): string {
  if (/[,[\]{}#&*!|>'"%@`]/.test(value) || value.trim() !== value || value === '') return JSON.stringify(value);
  return stringify(value).trimEnd();
}

function keyText(pair: Pair): string | undefined {
  const key = pair.key as Node | null;
  if (!key || !isScalar(key)) return undefined;
  return typeof key.value === 'string' ? key.value : (key.source ?? String(key.value));
}

function normalizeDomain(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function findDomain(doc: Document, domain: string, file: string): YAMLMap {
  const domains = doc.get('domains', true) as Node | undefined;
  if (!domains || !isMap(domains)) throw new PolicyEditError(`${file} has no domains: map`);
  const pair = domains.items.find((p) => {
    const name = keyText(p);
    return name !== undefined && normalizeDomain(name) === domain;
  });
  if (!pair) throw new PolicyEditError(`${file} does not declare ${domain}`);
  const value = pair.value as Node | null;
  if (!value || !isMap(value) || value.flow) {
    throw new PolicyEditError(`${domain} in ${file} is not a block map`, 'write the domain as one key a line (block style) so that mailrec can add its keys');
  }
  return value;
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => keyText(p) === key);
}

function findEntry(list: YAMLSeq, selector: string, domain: string): YAMLMap {
  for (const item of list.items) {
    if (!isMap(item)) continue;
    const pair = findPair(item, 'selector');
    const value = pair?.value as Node | null | undefined;
    const text = value && isScalar(value) ? (typeof value.value === 'string' ? value.value : (value.source ?? String(value.value))) : undefined;
    if (text !== undefined && text.toLowerCase() === selector.toLowerCase()) return item;
  }
  throw new PolicyEditError(`no DKIM selector ${selector} under ${domain}`);
}

function splice(text: string, at: number, end: number, insert: string): string {
  return `${text.slice(0, at)}${insert}${text.slice(end)}`;
}

/** The lines of a new list item, block or flow like its last sibling, each ending in "\n". */
function renderItem(fields: [string, string][], dash: number, flow: boolean): string {
  const pad = ' '.repeat(dash);
  if (flow) return `${pad}- { ${fields.map(([k, v]) => `${k}: ${scalar(v)}`).join(', ')} }\n`;
  return fields.map(([k, v], i) => `${i === 0 ? `${pad}- ` : `${pad}  `}${k}: ${scalar(v)}\n`).join('');
}

function addEntry(text: string, doc: Document, domain: string, fields: [string, string][], file: string): string {
  const map = findDomain(doc, domain, file);
  const dkim = findPair(map, 'dkim');
  const list = dkim?.value as Node | null | undefined;
  if (!dkim || !list) {
    // No dkim: key (or an empty one): a block list after the domain's last key.
    const indent = column(text, rangeOf(map.items[0]!.key as Node)[0]);
    if (dkim) {
      const keyEnd = rangeOf(dkim.key as Node)[1];
      const colon = text.indexOf(':', keyEnd);
      return splice(text, colon + 1, colon + 1, `\n${renderItem(fields, indent + 2, false).trimEnd()}`);
    }
    const at = rangeOf(map)[1];
    const body = `${' '.repeat(indent)}dkim:\n${renderItem(fields, indent + 2, false)}`;
    if (text[at - 1] !== '\n') return splice(text, at, at, `\n${body.trimEnd()}`);
    return splice(text, at, at, body);
  }
  if (!isSeq(list)) throw new PolicyEditError(`dkim of ${domain} in ${file} is not a list`);
  if (list.flow) {
    // dkim: [] or [ {...} ]: rewritten as a block list, the old items kept as written.
    const keyRange = rangeOf(dkim.key as Node);
    const indent = column(text, keyRange[0]) + 2;
    const old = list.items.map((item) => {
      const r = rangeOf(item as Node);
      return `${' '.repeat(indent)}- ${text.slice(r[0], r[1]).trim()}\n`;
    });
    const colon = text.indexOf(':', keyRange[1]);
    const end = rangeOf(list)[1];
    return splice(text, colon + 1, end, `\n${[...old, renderItem(fields, indent, false)].join('').trimEnd()}`);
  }
  const items = list.items as Node[];
  const first = items[0]!;
  const dash = text.lastIndexOf('-', rangeOf(first)[0]);
  const last = items[items.length - 1]!;
  const at = rangeOf(list)[1];
  const item = renderItem(fields, column(text, dash), isMap(last) && last.flow === true);
  return text[at - 1] === '\n' ? splice(text, at, at, item) : splice(text, at, at, `\n${item.trimEnd()}`);
}

function updateEntry(text: string, doc: Document, edit: Extract<PolicyDkimEdit, { kind: 'update' }>, file: string): string {
  const map = findDomain(doc, edit.domain, file);
  const list = findPair(map, 'dkim')?.value as Node | null | undefined;
  if (!list || !isSeq(list)) throw new PolicyEditError(`${edit.domain} in ${file} has no dkim: list`);
  const entry = findEntry(list, edit.selector, edit.domain);
  // Splice from the end of the text backwards, so that earlier offsets stay valid.
  const splices: { at: number; end: number; insert: string }[] = [];
  const pairs = entry.items;
  const firstKey = rangeOf(pairs[0]!.key as Node)[0];
  const appendAt = entry.flow ? rangeOf(pairs[pairs.length - 1]!.value as Node)[1] : rangeOf(entry)[1];
  const indent = column(text, firstKey);
  let appended = '';
  for (const [key, value] of edit.set) {
    const pair = findPair(entry, key);
    const node = pair?.value as Node | null | undefined;
    if (pair && node && isScalar(node)) {
      const r = rangeOf(node);
      splices.push({ at: r[0], end: r[1], insert: scalar(value) });
    } else if (pair) {
      throw new PolicyEditError(`${key} of ${edit.selector} under ${edit.domain} in ${file} is not a single value`);
    } else if (entry.flow) {
      appended += `, ${key}: ${scalar(value)}`;
    } else {
      appended += `${' '.repeat(indent)}${key}: ${scalar(value)}\n`;
    }
  }
  if (appended !== '') {
    if (!entry.flow && text[appendAt - 1] !== '\n') appended = `\n${appended.trimEnd()}`;
    splices.push({ at: appendAt, end: appendAt, insert: appended });
  }
  for (const key of edit.unset) {
    const pair = findPair(entry, key);
    if (!pair) continue;
    const k = rangeOf(pair.key as Node);
    const v = rangeOf(pair.value as Node);
    if (entry.flow) {
      // "key: value" and the comma after it (or before it, for the last pair).
      const after = /^\s*,\s*/.exec(text.slice(v[1]));
      if (after) splices.push({ at: k[0], end: v[1] + after[0].length, insert: '' });
      else {
        const before = /,\s*$/.exec(text.slice(0, k[0]));
        splices.push({ at: before ? k[0] - before[0].length : k[0], end: v[1], insert: '' });
      }
    } else {
      if (k[0] === firstKey) throw new PolicyEditError(`cannot remove ${key}, the first key of ${edit.selector} under ${edit.domain} in ${file}`);
      const end = text[v[2] - 1] === '\n' ? v[2] : text.indexOf('\n', v[1]) + 1 || text.length;
      splices.push({ at: lineStart(text, k[0]), end, insert: '' });
    }
  }
  let out = text;
  for (const s of splices.sort((a, b) => b.at - a.at || b.end - a.end)) out = splice(out, s.at, s.end, s.insert);
  return out;
}

/** The plain data the document should hold after the edit, for the check. */
function expectedAfter(before: unknown, edit: PolicyDkimEdit): unknown {
  const copy = structuredClone(before) as { domains: Record<string, Record<string, unknown>> };
  const domainKey = Object.keys(copy.domains).find((k) => normalizeDomain(k) === edit.domain)!;
  const domain = copy.domains[domainKey]!;
  if (edit.kind === 'add') {
    const list = Array.isArray(domain.dkim) ? (domain.dkim as unknown[]) : [];
    list.push(Object.fromEntries(edit.fields));
    domain.dkim = list;
    return copy;
  }
  const entry = (domain.dkim as Record<string, unknown>[]).find((e) => String(e.selector).toLowerCase() === edit.selector.toLowerCase())!;
  for (const [k, v] of edit.set) entry[k] = v;
  for (const k of edit.unset) delete entry[k];
  return copy;
}

function sameData(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

/** Apply the edits in order; throws PolicyEditError (nothing changed) when one cannot be made safely. */
export function editPolicyDkim(text: string, file: string, edits: readonly PolicyDkimEdit[]): string {
  let out = text;
  for (const edit of edits) {
    const doc = parseDocument(out, { uniqueKeys: true });
    if (doc.errors.length > 0) throw new PolicyEditError(`${file} is not valid YAML; nothing was changed`);
    const next = edit.kind === 'add' ? addEntry(out, doc, edit.domain, edit.fields, file) : updateEntry(out, doc, edit, file);
    const check = parseDocument(next, { uniqueKeys: true });
    if (check.errors.length > 0 || !sameData(check.toJS(), expectedAfter(doc.toJS(), edit))) {
      throw new PolicyEditError(`cannot edit the DKIM keys of ${edit.domain} in ${file} in place; nothing was changed`, 'make the change by hand (see mailrec dkim rotate --dry-run)');
    }
    out = next;
  }
  return out;
}
