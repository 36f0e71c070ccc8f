// The one address codec: dotted quads (RFC 1035 §3.4.1) and IPv6 (RFC 4291 §2.2), rendered
// the RFC 5952 way with BIND's choice of when to print an embedded IPv4 address; prefixes
// and CIDR lengths (RFC 7208 §5.6), the reverse-lookup name (RFC 1035 §3.5, RFC 3596 §2.5)
// and the order of addresses. Zone files, SPF, FCrDNS and the DMARC simulator all use it.

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

/** An address as bytes: 4 for IPv4, 16 for IPv6. */
export interface IpAddress {
  family: 4 | 6;
  bytes: Uint8Array;
}

/**
 * Parses a dotted quad or an IPv6 address (no zone index); an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is returned as IPv4 unless `unmap` is false (RFC 7208 §5).
 */
export function parseIp(text: string, unmap = true): IpAddress | undefined {
  const v4 = parseIPv4(text);
  if (v4) return { family: 4, bytes: Uint8Array.from(v4) };
  const v6 = parseIPv6(text);
  if (!v6) return undefined;
  const bytes = Uint8Array.from(v6);
  if (unmap && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return { family: 4, bytes: bytes.slice(12) };
  }
  return { family: 6, bytes };
}

/** Presentation form: dotted quad, or IPv6 as BIND prints it (renderIPv6). */
export function formatIp(addr: IpAddress): string {
  return addr.family === 4 ? [...addr.bytes].join('.') : renderIPv6([...addr.bytes]);
}

/** True when the first `prefix` bits of both addresses agree (same family only). */
export function inPrefix(addr: IpAddress, network: IpAddress, prefix: number): boolean {
  if (addr.family !== network.family) return false;
  let bits = prefix;
  for (let i = 0; i < addr.bytes.length && bits > 0; i++) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((addr.bytes[i]! & mask) !== (network.bytes[i]! & mask)) return false;
    bits -= 8;
  }
  return true;
}

/** The name a PTR lookup asks: d.c.b.a.in-addr.arpa or the nibbles under ip6.arpa. */
export function reverseName(addr: IpAddress): string {
  if (addr.family === 4) return `${[...addr.bytes].reverse().join('.')}.in-addr.arpa`;
  return `${nibbles(addr).reverse().join('.')}.ip6.arpa`;
}

/** The 32 hex nibbles of an IPv6 address, most significant first, lowercase. */
export function nibbles(addr: IpAddress): string[] {
  const out: string[] = [];
  for (const b of addr.bytes) out.push((b >> 4).toString(16), (b & 0xf).toString(16));
  return out;
}

/**
 * True when a host name is an IP address literal: "192.0.2.1", "2001:db8::1", or the
 * address-literal forms "[192.0.2.1]" and "[IPv6:2001:db8::1]" (RFC 5321 §4.1.3).
 */
export function isIpLiteral(host: string): boolean {
  const bare = host.replace(/^\[(ipv6:)?/i, '').replace(/\]$/, '');
  return parseIp(bare, false) !== undefined;
}

/** IPv4 before IPv6, then by value; text that is no address sorts last, as text. */
export function compareIp(a: string, b: string): number {
  const x = parseIp(a, false);
  const y = parseIp(b, false);
  if (!x || !y) return x ? -1 : y ? 1 : a < b ? -1 : a > b ? 1 : 0;
  if (x.family !== y.family) return x.family - y.family;
  for (let i = 0; i < x.bytes.length; i++) if (x.bytes[i] !== y.bytes[i]) return x.bytes[i]! - y.bytes[i]!;
  return 0;
}

/** A CIDR length (RFC 7208 §5.6: "/" then digits without a leading zero, at most 32 or 128), or why not. */
export function parsePrefixLength(digits: string, max: 32 | 128): number | string {
  if (!/^(0|[1-9]\d*)$/.test(digits)) return `CIDR length "/${digits}" has a leading zero`;
  const n = Number(digits);
  if (n > max) return `CIDR length /${n} is over ${max}`;
  return n;
}

export interface Cidr {
  address: IpAddress;
  /** The length after "/", when one is written. */
  prefix?: number;
}

/** "address[/length]" of one family (an IPv4-mapped IPv6 address stays IPv6), or undefined. */
export function parseCidr(text: string, family: 4 | 6): Cidr | undefined {
  const [address = '', length, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const ip = parseIp(address, false);
  if (!ip || ip.family !== family) return undefined;
  if (length === undefined) return { address: ip };
  const prefix = parsePrefixLength(length, family === 4 ? 32 : 128);
  return typeof prefix === 'number' ? { address: ip, prefix } : undefined;
}
