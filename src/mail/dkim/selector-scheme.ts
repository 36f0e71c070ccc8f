// How mailrec names the DKIM selectors it generates: <yyyy><mm><letter>, the year and month
// the key was made (UTC) and a letter for the month's first, second, ... key: 202605a,
// 202605b. A selector is never used twice for one domain (RFC 6376 §3.1 lets a selector name
// a key; reusing one would let a verifier's cached old key meet a new signature).

const SCHEME = /^(\d{4})(\d{2})([a-z])$/;

/** The first selector of the scheme for `now` that is not in `taken`; undefined when a-z are used up. */
export function nextSelector(now: Date, taken: ReadonlySet<string>): string | undefined {
  const prefix = `${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  for (let c = 'a'.charCodeAt(0); c <= 'z'.charCodeAt(0); c++) {
    const selector = `${prefix}${String.fromCharCode(c)}`;
    if (!taken.has(selector)) return selector;
  }
  return undefined;
}

/** The first instant (UTC, ms) of the month a scheme selector names; undefined for other selectors. */
export function selectorMonth(selector: string): number | undefined {
  const m = SCHEME.exec(selector);
  if (!m) return undefined;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  return Date.UTC(Number(m[1]), month - 1, 1);
}
