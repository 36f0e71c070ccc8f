// JSON.stringify(value, null, 2) of an object, piece by piece: the JSON of a 100,000-zone plan
// is far larger than the plan itself (docs/performance.md, "Plan streamed"), so the CLI writes
// it as it is made. The same octets as JSON.stringify: each array item is stringified on its own
// and indented by its depth (a JSON string holds no raw newline, so every "\n" is between tokens).

/** The lines-with-newlines of JSON.stringify(object, null, 2), without the final newline, in pieces. */
export function* jsonPieces(object: Readonly<Record<string, unknown>>): Generator<string> {
  const indent = (text: string, by: string): string => text.replace(/\n/g, `\n${by}`);
  const keys = Object.keys(object).filter((key) => stringifies(object[key]));
  if (keys.length === 0) {
    yield '{}';
    return;
  }
  yield '{';
  for (const [k, key] of keys.entries()) {
    const value = object[key];
    const comma = k < keys.length - 1 ? ',' : '';
    if (!Array.isArray(value) || value.length === 0) {
      yield `\n  ${JSON.stringify(key)}: ${indent(JSON.stringify(value, null, 2), '  ')}${comma}`;
      continue;
    }
    yield `\n  ${JSON.stringify(key)}: [`;
    // In an array, undefined (and functions) become null, as JSON.stringify writes them.
    for (const [i, item] of value.entries()) yield `\n    ${indent(JSON.stringify(item, null, 2) ?? 'null', '    ')}${i < value.length - 1 ? ',' : ''}`;
    yield `\n  ]${comma}`;
  }
  yield '\n}';
}

/** False for what JSON.stringify leaves out of an object: undefined, functions, symbols. */
function stringifies(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}
