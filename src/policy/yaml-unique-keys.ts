// Duplicate keys in a parsed YAML document, found in one pass. The `yaml` library's own
// check (`uniqueKeys: true`) compares each new key with every key before it in the map: a
// `domains:` map of 100,000 entries took minutes. This one keeps a set per map: the same
// rule (YAML 1.2 §3.2.1.1: keys are unique; scalars compare by value, other nodes by
// identity), the same error code, at the key.

import { isMap, isScalar, visit, type Document, type YAMLError } from 'yaml';

/** One DUPLICATE_KEY error per repeated key, in document order, shaped like the library's. */
export function duplicateKeyErrors(doc: Document): Pick<YAMLError, 'code' | 'message' | 'pos'>[] {
  const out: Pick<YAMLError, 'code' | 'message' | 'pos'>[] = [];
  visit(doc, {
    Map(_key, map) {
      if (!isMap(map)) return;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = pair.key;
        // The library compares scalar values with ===; NaN is never equal to itself there.
        const id = isScalar(key) ? key.value : key;
        if (typeof id === 'number' && Number.isNaN(id)) continue;
        if (seen.has(id)) {
          const at = (key as { range?: [number, number, number] } | null)?.range?.[0] ?? map.range?.[0] ?? 0;
          out.push({ code: 'DUPLICATE_KEY', message: 'Map keys must be unique', pos: [at, at + 1] });
        } else seen.add(id);
      }
    },
  });
  return out;
}
