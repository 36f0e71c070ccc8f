// IP address helpers for SPF and reverse DNS: parse to bytes, prefix match, the
// reverse-lookup name (RFC 1035 §3.5, RFC 3596 §2.5) and the RFC 5952 text form.

import { isIPv4, isIPv6 } from 'node:net';

export interface IpAddress {
  family: 4 | 6;
  bytes: Uint8Array;
}

/** Parses an address; an IPv4-mapped IPv6 address is returned as IPv4 (RFC 7208 §5). */
export function parseIp(text: string, unmap = true): IpAddress | undefined {
  if (isIPv4(text)) return { family: 4, bytes: Uint8Array.from(text.split('.').map(Number)) };
  if (!isIPv6(text)) return undefined;
  const bytes = parseIpv6(text);
  if (unmap && bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return { family: 4, bytes: bytes.slice(12) };
  }
  return { family: 6, bytes };
}

function parseIpv6(text: string): Uint8Array {
  let head = text;
  const tailBytes: number[] = [];
  // An embedded dotted quad at the end (RFC 4291 §2.2 form 3).
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    tailBytes.push(...v4[1]!.split('.').map(Number));
    head = text.slice(0, -v4[1]!.length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const groupsNeeded = 8 - tailBytes.length / 2;
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const l = left ? left.split(':').filter((g) => g !== '') : [];
  const r = right !== undefined ? right.split(':').filter((g) => g !== '') : [];
  const zeros = right !== undefined ? groupsNeeded - l.length - r.length : 0;
  const groups = [...l, ...Array<string>(zeros).fill('0'), ...r];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  out.set(tailBytes, 16 - tailBytes.length);
  return out;
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

/** Presentation form: dotted quad, or RFC 5952 (lowercase, longest zero run as "::"). */
export function formatIp(addr: IpAddress): string {
  if (addr.family === 4) return [...addr.bytes].join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((addr.bytes[i]! << 8) | addr.bytes[i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** True when the address's text is an IP literal (an MX or SPF target that is an address). */
export function isIpLiteral(text: string): boolean {
  const t = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return isIPv4(t) || isIPv6(t);
}
