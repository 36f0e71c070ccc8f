// The RR type and class mnemonics a master file may name (IANA "Resource Record (RR) TYPEs").

/** Mnemonic -> type number, from the IANA registry (obsolete and meta types left out). */
const TYPE_NUMBERS: ReadonlyMap<string, number> = new Map([
  ['A', 1], ['NS', 2], ['MD', 3], ['MF', 4], ['CNAME', 5], ['SOA', 6], ['MB', 7], ['MG', 8],
  ['MR', 9], ['NULL', 10], ['WKS', 11], ['PTR', 12], ['HINFO', 13], ['MINFO', 14], ['MX', 15],
  ['TXT', 16], ['RP', 17], ['AFSDB', 18], ['X25', 19], ['ISDN', 20], ['RT', 21], ['NSAP', 22],
  ['NSAP-PTR', 23], ['SIG', 24], ['KEY', 25], ['PX', 26], ['GPOS', 27], ['AAAA', 28], ['LOC', 29],
  ['NXT', 30], ['EID', 31], ['NIMLOC', 32], ['SRV', 33], ['ATMA', 34], ['NAPTR', 35], ['KX', 36],
  ['CERT', 37], ['A6', 38], ['DNAME', 39], ['SINK', 40], ['APL', 42], ['DS', 43], ['SSHFP', 44],
  ['IPSECKEY', 45], ['RRSIG', 46], ['NSEC', 47], ['DNSKEY', 48], ['DHCID', 49], ['NSEC3', 50],
  ['NSEC3PARAM', 51], ['TLSA', 52], ['SMIMEA', 53], ['HIP', 55], ['NINFO', 56], ['RKEY', 57],
  ['TALINK', 58], ['CDS', 59], ['CDNSKEY', 60], ['OPENPGPKEY', 61], ['CSYNC', 62], ['ZONEMD', 63],
  ['SVCB', 64], ['HTTPS', 65], ['DSYNC', 66], ['SPF', 99], ['UINFO', 100], ['UID', 101], ['GID', 102],
  ['UNSPEC', 103], ['NID', 104], ['L32', 105], ['L64', 106], ['LP', 107], ['EUI48', 108],
  ['EUI64', 109], ['URI', 256], ['CAA', 257], ['AVC', 258], ['DOA', 259], ['AMTRELAY', 260],
  ['RESINFO', 261], ['WALLET', 262], ['TA', 32768], ['DLV', 32769],
]);

const TYPE_MNEMONICS: ReadonlyMap<number, string> = new Map(
  [...TYPE_NUMBERS].map(([mnemonic, value]) => [value, mnemonic]),
);

export interface RRTypeName {
  /** The registry mnemonic when there is one, else "TYPEnnn" (RFC 3597 §5). */
  mnemonic: string;
  value: number;
}

/**
 * Parse a type field: a registry mnemonic or RFC 3597 "TYPEnnn", case-insensitive.
 * "TYPE16" becomes "TXT" (RFC 3597 §5: the two forms name the same type).
 * Returns undefined for anything else.
 */
export function parseRRType(token: string): RRTypeName | undefined {
  const upper = token.toUpperCase();
  const known = TYPE_NUMBERS.get(upper);
  if (known !== undefined) return { mnemonic: upper, value: known };
  const generic = /^TYPE(\d{1,5})$/.exec(upper);
  if (!generic) return undefined;
  const value = Number(generic[1]);
  if (value > 0xffff) return undefined;
  return { mnemonic: TYPE_MNEMONICS.get(value) ?? `TYPE${value}`, value };
}

/** The type number of a mnemonic, for canonical ordering; undefined when unknown. */
export function typeNumberOf(mnemonic: string): number | undefined {
  return parseRRType(mnemonic)?.value;
}

/**
 * Parse a class field (RFC 1035 §3.2.4, RFC 3597 §5 "CLASSnnn"): the class number, or
 * undefined when the token is no class at all.
 */
export function parseRRClass(token: string): number | undefined {
  const upper = token.toUpperCase();
  const named: Record<string, number> = { IN: 1, CS: 2, CH: 3, HS: 4, NONE: 254, ANY: 255 };
  if (upper in named) return named[upper];
  const generic = /^CLASS(\d{1,5})$/.exec(upper);
  if (!generic) return undefined;
  const value = Number(generic[1]);
  return value > 0xffff ? undefined : value;
}
