// IP addresses in presentation form: dotted quads (RFC 1035 §3.4.1) and IPv6 (RFC 4291 §2.2,
// rendered the RFC 5952 way, with BIND's choice of when to print an embedded IPv4 address).

/** The four octets of a dotted quad, or undefined. Leading zeros are refused, as BIND does. */
export function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const octets = parts.map((part) => (/^(0|[1-9]\d{0,2})$/.test(part) ? Number(part) : NaN));
  return octets.every((octet) => octet <= 255) ? octets : undefined;
}

/** The sixteen octets of an IPv6 address in any RFC 4291 §2.2 text form, or undefined. */
export function parseIPv6(text: string): number[] | undefined {
  let head = text;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.includes('.', lastColon)) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const words = part.split(':');
    if (!words.every((word) => /^[0-9a-fA-F]{1,4}$/.test(word))) return undefined;
    return words.map((word) => parseInt(word, 16));
  };
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if (!left || !right) return undefined;
  const given = left.length + right.length + tail.length;
  let words: number[];
  if (halves.length === 2) {
    if (given > 7) return undefined; // "::" stands for at least one zero group
    words = [...left, ...new Array<number>(8 - given).fill(0), ...right, ...tail];
  } else {
    if (given !== 8) return undefined;
    words = [...left, ...tail];
  }
  return words.flatMap((word) => [word >> 8, word & 0xff]);
}

/**
 * Render sixteen octets as RFC 5952 text: lowercase, no leading zeros, the first longest
 * run of two or more zero groups as "::". Like BIND, an IPv4-compatible (::a.b.c.d) or
 * IPv4-mapped (::ffff:a.b.c.d) address ends in a dotted quad.
 */
export function renderIPv6(octets: readonly number[]): string {
  const words = Array.from({ length: 8 }, (_, i) => (octets[2 * i]! << 8) | octets[2 * i + 1]!);
  let best = { base: -1, length: 0 };
  let run = { base: -1, length: 0 };
  words.forEach((word, i) => {
    if (word !== 0) {
      run = { base: -1, length: 0 };
      return;
    }
    run = run.base === -1 ? { base: i, length: 1 } : { base: run.base, length: run.length + 1 };
    if (run.length > best.length) best = run;
  });
  if (best.length < 2) best = { base: -1, length: 0 };
  if (best.base === 0 && (best.length === 6 || (best.length === 5 && words[5] === 0xffff))) {
    const v4 = octets.slice(12).join('.');
    return best.length === 6 ? `::${v4}` : `::ffff:${v4}`;
  }
  if (best.base === -1) return words.map((word) => word.toString(16)).join(':');
  const before = words.slice(0, best.base).map((word) => word.toString(16));
  const after = words.slice(best.base + best.length).map((word) => word.toString(16));
  return `${before.join(':')}::${after.join(':')}`;
}
