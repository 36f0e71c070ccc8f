// TLSA record values (RFC 6698 §2.1): which parameters are defined and how long the data is.

/** The fields of a TLSA record, with RFC 6698's names. */
export interface TlsaData {
  usage: number;
  selector: number;
  matchingType: number;
  /** The certificate association data, hex. */
  certificate: string;
}

/** Hex length of the association data per matching type (RFC 6698 §2.1.3): SHA-256, SHA-512. */
export const DIGEST_HEX_LENGTH: Readonly<Record<number, number>> = { 1: 64, 2: 128 };

/** Why a TLSA record is malformed (RFC 6698 §2.1), or undefined when it is well formed. */
export function tlsaProblem(r: TlsaData): string | undefined {
  const within = (n: number, max: number): boolean => Number.isInteger(n) && n >= 0 && n <= max;
  if (!within(r.usage, 3)) return `usage ${r.usage} is not 0-3`;
  if (!within(r.selector, 1)) return `selector ${r.selector} is not 0 or 1`;
  if (!within(r.matchingType, 2)) return `matching type ${r.matchingType} is not 0-2`;
  const hex = r.certificate.replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})+$/i.test(hex)) return 'the association data is not hexadecimal';
  const want = DIGEST_HEX_LENGTH[r.matchingType];
  if (want !== undefined && hex.length !== want) return `matching type ${r.matchingType} needs ${want / 2} bytes, not ${hex.length / 2}`;
  return undefined;
}

/** RFC 7672 §3.1.3: SMTP clients use only DANE-TA(2) and DANE-EE(3), with a defined selector and matching type. */
export function isUsableForSmtp(r: Omit<TlsaData, 'certificate'>): boolean {
  return (r.usage === 2 || r.usage === 3) && (r.selector === 0 || r.selector === 1) && [0, 1, 2].includes(r.matchingType);
}
