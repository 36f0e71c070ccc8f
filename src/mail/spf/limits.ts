// The numbers RFC 7208 puts on an SPF record and its evaluation, for every layer that counts.

/** RFC 7208 §4.6.4: at most 10 DNS-querying terms per check_host() evaluation. */
export const SPF_MAX_LOOKUPS = 10;
/** RFC 7208 §4.6.4: at most 2 lookups returning NXDOMAIN or no answer. */
export const SPF_MAX_VOID_LOOKUPS = 2;
/** RFC 7208 §4.6.4: an mx term "MUST NOT result in querying more than 10 address records". */
export const SPF_MAX_MX_HOSTS = 10;
/** RFC 7208 §4.6.4: at most 10 PTR names are tried for ptr and %{p}. */
export const SPF_MAX_PTR_NAMES = 10;
/** RFC 7208 §3.4: keep the record small enough for a 512-octet UDP answer. */
export const SPF_LONG_RECORD_OCTETS = 450;
