// A map of lists, filled one value at a time: the grouping loop that indexes records by
// name, chain or type in one pass (instead of a scan per lookup).

/** Append `value` to the list at `key`, starting the list when there is none. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
